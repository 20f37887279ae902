import Foundation

/// Mean, sample standard deviation and 95 % confidence interval of one quantity over seeds
/// (Student's t with n − 1 degrees of freedom).
public struct SeedStatistics: Sendable, Equatable {
    /// The number of seeds.
    public let count: Int
    /// The mean.
    public let mean: Double
    /// The sample standard deviation (n − 1 in the denominator); 0 for one seed.
    public let standardDeviation: Double
    /// Half the width of the 95 % confidence interval of the mean, t · sd / √n; nil for one seed.
    public let halfWidth95: Double?

    /// The statistics of `values` (at least one).
    public init(_ values: [Double]) {
        precondition(!values.isEmpty, "SeedStatistics: no values")
        count = values.count
        mean = values.reduce(0, +) / Double(values.count)
        guard values.count > 1 else {
            standardDeviation = 0
            halfWidth95 = nil
            return
        }
        let m = mean
        let variance = values.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(values.count - 1)
        standardDeviation = variance.squareRoot()
        halfWidth95 = Self.tCritical95(degreesOfFreedom: values.count - 1) * standardDeviation / Double(values.count).squareRoot()
    }

    /// The two-sided 95 % critical value of Student's t (exact to 3 decimals up to 30 degrees of
    /// freedom; beyond, the normal's 1.96 plus the first-order correction 2.4/df).
    public static func tCritical95(degreesOfFreedom df: Int) -> Double {
        precondition(df >= 1, "tCritical95: degrees of freedom must be at least 1")
        let table: [Double] = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
                               2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
                               2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042]
        return df <= table.count ? table[df - 1] : 1.96 + 2.4 / Double(df)
    }
}

/// A paired comparison over seeds: how often one method beats another on the same seed, and
/// the two-sided exact sign test of "neither is better" (ties left out).
public struct PairedComparison: Sendable, Equatable {
    /// Seeds on which the first method is better.
    public let wins: Int
    /// Seeds on which the second method is better.
    public let losses: Int
    /// Seeds on which they are equal.
    public let ties: Int

    /// Compares `a` with `b` seed by seed (same length); `higherIsBetter` says which way wins.
    public init(_ a: [Double], _ b: [Double], higherIsBetter: Bool) {
        precondition(a.count == b.count, "PairedComparison: \(a.count) values against \(b.count)")
        let better = zip(a, b).filter { higherIsBetter ? $0 > $1 : $0 < $1 }.count
        let worse = zip(a, b).filter { higherIsBetter ? $0 < $1 : $0 > $1 }.count
        wins = better
        losses = worse
        ties = a.count - better - worse
    }

    /// The two-sided sign-test p-value: 2 · P(X ≤ min(wins, losses)) for X ~ Binomial(wins + losses, ½),
    /// at most 1 (1 when every seed is a tie).
    public var signTestP: Double {
        let n = wins + losses
        guard n > 0 else { return 1 }
        var term = pow(0.5, Double(n))
        var tail = 0.0
        for k in 0...min(wins, losses) {
            if k > 0 { term *= Double(n - k + 1) / Double(k) }
            tail += term
        }
        return min(1, 2 * tail)
    }
}
