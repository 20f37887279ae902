import Foundation
import Testing
import FedBoneFederation

/// The Gram-space ``GPAggregate`` against ``ReferenceGPAggregate`` (every vector in D space):
/// random and adversarial updates, every switch, to 1e-6 relative.
@Suite struct GPAggregateGramSpaceTests {
    /// Random updates: noise plus a shared direction of random sign and size, so that many
    /// pairs conflict strongly.
    private func updates(_ k: Int, _ d: Int, seed: UInt64) -> [[Float]] {
        var g = SeededGenerator(seed: seed)
        let shared = (0..<d).map { _ in g.uniform(-1, 1) }
        return (0..<k).map { _ in
            let s = g.uniform(-2, 2)
            return shared.map { $0 * s + g.uniform(-1, 1) }
        }
    }

    private func norm(_ v: [Float]) -> Double { referenceDot(v, v).squareRoot() }

    /// Checks `result` against the reference on the same inputs: Δ to 1e-6 of its norm (or of
    /// the largest update's, 1e-6 of it, when Δ all but cancels), elementwise to 1e-6 of each
    /// element plus its share of the norm, and the record's numbers.
    private func expectMatchesReference(_ gp: GPAggregate, _ updates: [[Float]], previous: [Float]?,
                                        sampleCounts: [Int]? = nil, generator: SeededGenerator = SeededGenerator(seed: 21),
                                        sameProjections: Bool = true, _ label: String,
                                        sourceLocation: SourceLocation = #_sourceLocation) {
        let counts = sampleCounts ?? updates.indices.map { $0 + 1 }
        let result = gp.aggregate(updates, previous: previous, sampleCounts: counts, generator: generator)
        let expected = ReferenceGPAggregate(gp).aggregate(updates, previous: previous, sampleCounts: counts, generator: generator)
        let difference = zip(result.aggregate, expected.aggregate).map { $0 - $1 }
        let scale = max(norm(expected.aggregate), 1e-6 * (updates.map(norm).max() ?? 0))
        #expect(norm(difference) <= 1e-6 * scale, "\(label): ‖Δ − reference‖ = \(norm(difference)), ‖reference‖ = \(scale)",
                sourceLocation: sourceLocation)
        let share = scale / Double(max(updates[0].count, 1)).squareRoot()
        let worst = zip(result.aggregate, expected.aggregate).map { abs(Double($0) - Double($1)) - 1e-6 * (abs(Double($1)) + share) }.max() ?? 0
        #expect(worst <= 0, "\(label): an element is off by more than 1e-6", sourceLocation: sourceLocation)
        if sameProjections {
            #expect(result.projections == expected.projections, "\(label): projections", sourceLocation: sourceLocation)
        }
        func close(_ a: [Double], _ b: [Double], _ tolerance: Double) -> Bool {
            a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= tolerance * max(1, abs($1)) }
        }
        #expect(close(result.updateNorms, expected.updateNorms, 1e-9), "\(label): norms", sourceLocation: sourceLocation)
        #expect(zip(result.cosine, expected.cosine).allSatisfy { close($0, $1, 1e-9) }, "\(label): cosines", sourceLocation: sourceLocation)
        #expect(close(result.rescaleScores, expected.rescaleScores, 1e-9), "\(label): scores", sourceLocation: sourceLocation)
        #expect(close(result.rescaleWeights, expected.rescaleWeights, 1e-9), "\(label): weights", sourceLocation: sourceLocation)
    }

    @Test(arguments: [(2, 1), (3, 7), (5, 512), (8, 1_537), (16, 4_099)])
    func randomUpdatesMatchTheReferenceUnderEverySwitch(k: Int, d: Int) {
        let u = updates(k, d, seed: UInt64(10 * k + d))
        var g = SeededGenerator(seed: UInt64(d))
        let previous = (0..<d).map { _ in g.uniform(-0.3, 0.3) }
        for conflict in [GPAggregate.Conflict.pcgrad, .cagrad] {
            for (rescale, project) in [(true, true), (false, true), (true, false), (false, false)] {
                for shuffle in [true, false] {
                    for weighting in GPAggregate.Weighting.allCases {
                        let gp = GPAggregate(rescale: rescale, project: project, shuffle: shuffle, weighting: weighting, conflict: conflict)
                        expectMatchesReference(gp, u, previous: previous,
                                               "K \(k) D \(d) \(conflict) rescale \(rescale) project \(project) shuffle \(shuffle) \(weighting)")
                    }
                }
            }
        }
        expectMatchesReference(GPAggregate(), u, previous: nil, "K \(k) D \(d) first round")
    }

    @Test func exactlyOpposedUpdatesMatchTheReference() {
        let x = updates(1, 300, seed: 3)[0]
        let y = updates(1, 300, seed: 4)[0]
        for conflict in [GPAggregate.Conflict.pcgrad, .cagrad] {
            let gp = GPAggregate(rescale: false, conflict: conflict)
            expectMatchesReference(gp, [x, x.map { -$0 }], previous: nil, "opposed pair \(conflict)")
            expectMatchesReference(gp, [x, x.map { -$0 }, y], previous: nil, "opposed pair and a third \(conflict)")
            expectMatchesReference(GPAggregate(conflict: conflict), [x, x.map { -$0 }], previous: y, "opposed pair, rescaled \(conflict)")
        }
    }

    @Test func collinearUpdatesMatchTheReference() {
        let x = updates(1, 300, seed: 5)[0]
        for conflict in [GPAggregate.Conflict.pcgrad, .cagrad] {
            let gp = GPAggregate(conflict: conflict)
            expectMatchesReference(gp, [x, x.map { 2 * $0 }, x.map { 0.5 * $0 }], previous: x, "same direction \(conflict)")
            expectMatchesReference(gp, [x, x.map { -3 * $0 }, x.map { 0.25 * $0 }], previous: x.map { -$0 }, "both directions \(conflict)")
        }
    }

    @Test func zeroUpdatesMatchTheReference() {
        let zero = [Float](repeating: 0, count: 200)
        let u = updates(3, 200, seed: 6)
        for conflict in [GPAggregate.Conflict.pcgrad, .cagrad] {
            let gp = GPAggregate(conflict: conflict)
            expectMatchesReference(gp, [zero, zero, zero], previous: nil, "all zero \(conflict)")
            expectMatchesReference(gp, [zero, zero, zero], previous: u[0], "all zero with history \(conflict)")
            expectMatchesReference(gp, [u[0], zero, u[1], u[2]], previous: u[2], "one zero \(conflict)")
            expectMatchesReference(gp, u, previous: zero, "zero history \(conflict)")
        }
        let result = GPAggregate().aggregate([zero, zero], previous: nil, sampleCounts: [1, 1], generator: SeededGenerator(seed: 1))
        #expect(result.aggregate == zero && result.cosine == [[1, 0], [0, 1]] && result.projections == 0)
    }

    @Test func oneClientMatchesTheReference() {
        let u = updates(1, 1_000, seed: 7)
        for conflict in [GPAggregate.Conflict.pcgrad, .cagrad] {
            expectMatchesReference(GPAggregate(conflict: conflict), u, previous: updates(1, 1_000, seed: 8)[0], "K 1 \(conflict)")
        }
        for conflict in GPAggregate.Conflict.allCases {
            let result = GPAggregate(conflict: conflict).aggregate(u, previous: nil, sampleCounts: [4], generator: SeededGenerator(seed: 1))
            #expect(result.aggregate == u[0] && result.projections == 0, "\(conflict)")
        }
    }

    @Test func updatesOfVeryDifferentSizesMatchTheReference() {
        let u = updates(4, 2_000, seed: 9)
        let scaled = zip(u, [1e3, 1, 1e-3, 30] as [Float]).map { v, s in v.map { $0 * s } }
        expectMatchesReference(GPAggregate(rescale: false), scaled, previous: nil, "sizes 1e3…1e-3")
        expectMatchesReference(GPAggregate(rescale: false, conflict: .cagrad), scaled, previous: nil, "sizes 1e3…1e-3, CAGrad")
    }
}
