import Foundation

extension SeededGenerator {
    /// A sample of Gamma(shape, 1) (Marsaglia and Tsang, 2000; shapes below 1 through
    /// Gamma(shape + 1)·U^(1/shape)).
    mutating func gamma(shape: Double) -> Double {
        precondition(shape > 0, "gamma: shape must be positive, got \(shape)")
        if shape < 1 {
            return gamma(shape: shape + 1) * Foundation.pow(Swift.max(nextUnitDouble(), 0x1.0p-60), 1 / shape)
        }
        let d = shape - 1.0 / 3, c = 1 / (9 * d).squareRoot()
        while true {
            let x = normal()
            let v = 1 + c * x
            guard v > 0 else { continue }
            let v3 = v * v * v
            let u = Swift.max(nextUnitDouble(), 0x1.0p-60)
            if Foundation.log(u) < 0.5 * x * x + d - d * v3 + d * Foundation.log(v3) { return d * v3 }
        }
    }

    /// A sample of the symmetric Dirichlet distribution Dir(α, …, α) over `count` categories.
    /// When every gamma draw underflows (tiny α), all mass goes to one category drawn uniformly.
    mutating func dirichlet(alpha: Double, count: Int) -> [Double] {
        let draws = (0..<count).map { _ in gamma(shape: alpha) }
        let total = draws.reduce(0, +)
        guard total > 0, total.isFinite else {
            var onehot = [Double](repeating: 0, count: count)
            onehot[int(below: count)] = 1
            return onehot
        }
        return draws.map { $0 / total }
    }
}
