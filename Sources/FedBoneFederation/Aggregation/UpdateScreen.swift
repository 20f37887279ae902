import Foundation

/// Which clients' updates Δ_k may be aggregated. An update with a NaN or infinite value, or
/// with a norm far above the others', comes from a broken or hostile client or from an
/// overflow, and is left out of the round instead of poisoning θ.
///
/// The bound: ‖Δ_k‖ may be at most `maxNormRatio` times the median norm of the *other*
/// finite updates (no bound when there are none, or when that median is 0, e.g. clients that
/// trained no step). One outsized update among honest ones is caught and no honest one is;
/// a majority of outsized updates is not.
public struct UpdateScreen: Sendable, Equatable {
    /// How many times the median of the other updates' norms an update's norm may be.
    public var maxNormRatio: Double

    /// A screen with the bound `maxNormRatio` (default 100).
    public init(maxNormRatio: Double = 100) {
        self.maxNormRatio = maxNormRatio
    }

    /// For each update, why it is left out of the round, or `nil` when it may be aggregated.
    public func reasons(for updates: [[Float]]) -> [String?] {
        reasons(norms: updates.map { $0.withUnsafeBufferPointer(Self.norm) })
    }

    /// For each update held in an ``UpdateVector``, why it is left out, as for arrays (a
    /// spilled update's pages are handed back after its norm).
    public func reasons(for updates: [UpdateVector]) -> [String?] {
        reasons(norms: updates.map { update in
            defer { update.releaseResidentPages() }
            return Self.norm(update.readable)
        })
    }

    /// For each update's norm (`nil`: not finite), why it is left out of the round.
    private func reasons(norms: [Double?]) -> [String?] {
        norms.indices.map { k in
            guard let norm = norms[k] else { return "the update has NaN or infinite values" }
            let others = norms.indices.compactMap { $0 == k ? nil : norms[$0] }.sorted()
            guard !others.isEmpty else { return nil }
            let middle = others.count / 2
            let median = others.count % 2 == 1 ? others[middle] : (others[middle - 1] + others[middle]) / 2
            guard median > 0, norm > maxNormRatio * median else { return nil }
            return "its norm \(Self.short(norm)) is more than \(Self.short(maxNormRatio)) times the median norm \(Self.short(median)) of the other updates"
        }
    }

    /// ‖v‖ (summed in Double, so Float values cannot overflow it), or `nil` when v has a NaN or infinite value.
    static func norm(_ v: UnsafeBufferPointer<Float>) -> Double? {
        var sum = 0.0
        for x in v {
            guard x.isFinite else { return nil }
            sum += Double(x) * Double(x)
        }
        return sum.squareRoot()
    }

    /// A number with four significant digits.
    private static func short(_ x: Double) -> String {
        String(format: "%.4g", x)
    }
}

/// An update left out of a round's aggregation, and why.
public struct UpdateRejection: Sendable, Equatable, CustomStringConvertible {
    /// The client whose update it was.
    public var client: ClientID
    /// Why it was left out.
    public var reason: String

    /// A rejection of `client`'s update for `reason`.
    public init(client: ClientID, reason: String) {
        self.client = client
        self.reason = reason
    }

    public var description: String { "the update of '\(client)' was left out: \(reason)" }
}
