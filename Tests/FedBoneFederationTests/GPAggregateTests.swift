import Foundation
import Testing
import FedBoneFederation

@Suite struct GPAggregateTests {
    let generator = SeededGenerator(seed: 7)

    private func close(_ a: [Float], _ b: [Float], _ tol: Float = 1e-6) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= tol }
    }

    @Test func conflictingUpdatesAreProjectedAsTheFormulaSays() {
        // g1 · g2 = −1 < 0: P1 = g1 − (g1·g2/‖g2‖²) g2 = [1, 0] + ½[−1, 1] = [½, ½];
        // P2 = g2 − (g2·g1/‖g1‖²) g1 = [−1, 1] + [1, 0] = [0, 1]; Δ = mean = [¼, ¾].
        let gp = GPAggregate(rescale: false, project: true, shuffle: false, epsilon: 0)
        let r = gp.aggregate([[1, 0], [-1, 1]], previous: nil, sampleCounts: [1, 1], generator: generator)
        #expect(close(r.aggregate, [0.25, 0.75]), "\(r.aggregate)")
        #expect(r.projections == 2)
        #expect(abs(r.cosine[0][1] + 1 / 2.0.squareRoot()) < 1e-12)
        #expect(r.cosine[0][0] == 1 && r.cosine[1][0] == r.cosine[0][1])
    }

    @Test func nonConflictingUpdatesPassUnchanged() {
        let gp = GPAggregate(rescale: false, project: true)
        let r = gp.aggregate([[1, 0, 2], [1, 1, 0], [0, 3, 1]], previous: nil, sampleCounts: [1, 1, 1], generator: generator)
        #expect(r.projections == 0)
        #expect(close(r.aggregate, [2.0 / 3, 4.0 / 3, 1]), "\(r.aggregate)")
    }

    @Test func projectionUsesTheRescaledUnprojectedUpdates() {
        // Three updates where projecting against an already projected update would differ.
        let updates: [[Float]] = [[1, 0, 0], [-1, 1, 0], [-1, -1, 1]]
        let previous: [Float] = [0.5, -0.25, 2]
        let gp = GPAggregate(rescale: true, project: true, shuffle: false, epsilon: 0)
        let r = gp.aggregate(updates, previous: previous, sampleCounts: [1, 1, 1], generator: generator)

        // Reference, straight from DESIGN §2 in double precision.
        let d = 3.0
        let s = updates.map { u in zip(u, previous).reduce(0.0) { $0 + Double($1.0) * Double($1.1) } / d.squareRoot() }
        let e = s.map { Foundation.exp($0) }
        let a = e.map { 3 * $0 / e.reduce(0, +) }
        let scaled = zip(updates, a).map { u, w in u.map { Double($0) * w } }
        func dot(_ x: [Double], _ y: [Double]) -> Double { zip(x, y).reduce(0) { $0 + $1.0 * $1.1 } }
        var sum = [0.0, 0.0, 0.0], count = 0
        for k in 0..<3 {
            var p = scaled[k]
            for i in 0..<3 where i != k {
                let o = dot(p, scaled[i])
                if o < 0 {
                    let f = o / dot(scaled[i], scaled[i])
                    p = zip(p, scaled[i]).map { $0 - f * $1 }
                    count += 1
                }
            }
            sum = zip(sum, p).map { $0 + $1 / 3 }
        }
        #expect(close(r.aggregate, sum.map { Float($0) }, 1e-6), "\(r.aggregate) vs \(sum)")
        #expect(r.projections == count)
        #expect(zip(r.rescaleWeights, a).allSatisfy { abs($0 - $1) < 1e-12 })
    }

    @Test func rescaleWeightsAverageOneAndAreUniformWithoutHistory() {
        var g = SeededGenerator(seed: 3)
        let updates = (0..<5).map { _ in (0..<64).map { _ in g.uniform(-1, 1) } }
        let gp = GPAggregate(rescale: true, project: false)
        let none = gp.aggregate(updates, previous: nil, sampleCounts: [1, 1, 1, 1, 1], generator: generator)
        #expect(none.rescaleWeights == [1, 1, 1, 1, 1])
        let previous = (0..<64).map { _ in g.uniform(-3, 3) }
        let some = gp.aggregate(updates, previous: previous, sampleCounts: [1, 1, 1, 1, 1], generator: generator)
        #expect(abs(some.rescaleWeights.reduce(0, +) / 5 - 1) < 1e-12)
        #expect(Set(some.rescaleWeights).count > 1)
        let zero = gp.aggregate(updates, previous: [Float](repeating: 0, count: 64), sampleCounts: [1, 1, 1, 1, 1], generator: generator)
        #expect(zero.rescaleWeights.allSatisfy { abs($0 - 1) < 1e-12 })
    }

    @Test func everythingOffIsThePlainMean() {
        var g = SeededGenerator(seed: 5)
        let updates = (0..<4).map { _ in (0..<33).map { _ in g.uniform(-1, 1) } }
        let previous = (0..<33).map { _ in g.uniform(-1, 1) }
        let r = GPAggregate(rescale: false, project: false).aggregate(updates, previous: previous, sampleCounts: [3, 1, 1, 1],
                                                                      generator: generator)
        let mean = (0..<33).map { j in updates.reduce(Float(0)) { $0 + $1[j] } / 4 }
        #expect(close(r.aggregate, mean, 1e-6))
        #expect(r.projections == 0)
    }

    @Test func samplesWeightingWeighsByDataSize() {
        let gp = GPAggregate(rescale: false, project: false, weighting: .samples)
        let r = gp.aggregate([[4, 0], [0, 4]], previous: nil, sampleCounts: [3, 1], generator: generator)
        #expect(close(r.aggregate, [3, 1]))
    }

    @Test func shuffledOrderIsSeededAndDeterministic() {
        var g = SeededGenerator(seed: 11)
        let updates = (0..<6).map { _ in (0..<16).map { _ in g.uniform(-1, 1) } }
        let gp = GPAggregate(rescale: false, project: true, shuffle: true)
        let a = gp.aggregate(updates, previous: nil, sampleCounts: [Int](repeating: 1, count: 6), generator: SeededGenerator(seed: 1))
        let b = gp.aggregate(updates, previous: nil, sampleCounts: [Int](repeating: 1, count: 6), generator: SeededGenerator(seed: 1))
        #expect(a == b)
        #expect(a.projections > 0)
    }
}
