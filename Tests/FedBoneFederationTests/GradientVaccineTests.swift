import Foundation
import Testing
import FedBoneFederation

/// GradVac (`aggregation.conflict: gradvac`, ``GradientVaccine``): hand-computed cases, a
/// direct D-space implementation, and its targets carried across rounds.
@Suite struct GradientVaccineTests {
    let generator = SeededGenerator(seed: 3)

    /// GradVac as its paper states it, every vector in D space: the oracle for the Gram-space one.
    private func directGradVac(_ updates: [[Float]], previous: [Float]?, targets: [[Double]], beta: Double, epsilon: Double,
                               shuffle: Bool, generator: SeededGenerator) -> (aggregate: [Double], adjustments: Int, targets: [[Double]]) {
        let k = updates.count, d = updates[0].count
        var a = [Double](repeating: 1, count: k)
        if let previous {
            let s = updates.map { referenceDot($0, previous) / Double(d).squareRoot() }
            let e = s.map { Foundation.exp($0 - (s.max() ?? 0)) }
            a = e.map { Double(k) * $0 / e.reduce(0, +) }
        }
        let g = zip(updates, a).map { u, w in u.map { Double($0) * w } }
        var targets = targets, adjustments = 0
        var sum = [Double](repeating: 0, count: d)
        for i in 0..<k {
            var order = Array(0..<k).filter { $0 != i }
            if shuffle {
                var r = generator.fork(UInt64(i))
                for n in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(n, r.int(below: n + 1)) }
            }
            var p = g[i]
            for j in order {
                let pNorm = referenceDot(p, p).squareRoot(), gNorm = referenceDot(g[j], g[j]).squareRoot()
                guard pNorm > 0, gNorm > 0 else { continue }
                let phi = min(max(referenceDot(p, g[j]) / (pNorm * gNorm), -1), 1)
                let target = targets[i][j]
                if phi < target {
                    let w = pNorm * (target * (1 - phi * phi).squareRoot() - phi * (1 - target * target).squareRoot())
                        / (gNorm * (1 - target * target).squareRoot() + epsilon)
                    p = zip(p, g[j]).map { $0 + w * $1 }
                    adjustments += 1
                }
                targets[i][j] = (1 - beta) * target + beta * phi
            }
            sum = zip(sum, p).map { $0 + $1 / Double(k) }
        }
        return (sum, adjustments, targets)
    }

    @Test func aPairBelowItsTargetIsTurnedToTheTargetAngle() {
        // g1 = [1, 0], g2 at 120° (cos φ = −½), targets φ̂ = ½ (60°): the adjustment weight is
        // ‖g1‖(½·√¾ + ½·√¾) / (‖g2‖·√¾) = 1, so P1 = g1 + g2 = [½, √3/2], at 60° from g2;
        // likewise P2 = g2 + g1. Δ = [½, √3/2]; each target moves to 0.99·½ + 0.01·(−½) = 0.49.
        let s = Float(3).squareRoot() / 2
        let gp = GPAggregate(rescale: false, shuffle: false, epsilon: 0, conflict: .gradvac)
        let r = gp.aggregate([[1, 0], [-0.5, s]], previous: nil, sampleCounts: [1, 1], generator: generator,
                             alignmentTargets: [[0, 0.5], [0.5, 0]])
        #expect(abs(r.aggregate[0] - 0.5) < 1e-6 && abs(r.aggregate[1] - s) < 1e-6, "\(r.aggregate)")
        #expect(r.projections == 2)
        #expect(abs(r.alignmentTargets[0][1] - 0.49) < 1e-9 && abs(r.alignmentTargets[1][0] - 0.49) < 1e-9, "\(r.alignmentTargets)")
        #expect(r.alignmentTargets[0][0] == 0 && r.alignmentTargets[1][1] == 0)
    }

    @Test func aPairAboveItsTargetIsLeftAloneButMovesTheTarget() {
        // Orthogonal updates (φ = 0) against targets −½: nothing changes; φ̂ → 0.9·(−½) + 0.1·0.
        let gp = GPAggregate(rescale: false, epsilon: 0, conflict: .gradvac, gradvac: GradientVaccine(beta: 0.1))
        let r = gp.aggregate([[2, 0], [0, 4]], previous: nil, sampleCounts: [1, 1], generator: generator,
                             alignmentTargets: [[0, -0.5], [-0.5, 0]])
        #expect(r.aggregate == [1, 2] && r.projections == 0)
        #expect(r.alignmentTargets == [[0, -0.45], [-0.45, 0]])
    }

    @Test func withZeroTargetsItIsPCGrad() {
        var g = SeededGenerator(seed: 12)
        let updates = (0..<6).map { _ in (0..<300).map { _ in g.uniform(-1, 1) } }
        let previous = (0..<300).map { _ in g.uniform(-0.2, 0.2) }
        let pcgrad = GPAggregate(epsilon: 0).aggregate(updates, previous: previous, sampleCounts: [Int](repeating: 1, count: 6),
                                                      generator: generator)
        let gradvac = GPAggregate(epsilon: 0, conflict: .gradvac).aggregate(updates, previous: previous,
                                                                            sampleCounts: [Int](repeating: 1, count: 6), generator: generator)
        let difference = zip(pcgrad.aggregate, gradvac.aggregate).map { Double($0 - $1) }
        #expect(referenceDot(difference, difference).squareRoot() <= 1e-6 * referenceDot(pcgrad.aggregate, pcgrad.aggregate).squareRoot())
        #expect(pcgrad.projections == gradvac.projections && pcgrad.projections > 0)
    }

    @Test(arguments: [(3, 50), (5, 777), (9, 2_049)])
    func itEqualsADirectImplementationOnRandomUpdates(k: Int, d: Int) {
        var g = SeededGenerator(seed: UInt64(k * d))
        let shared = (0..<d).map { _ in g.uniform(-1, 1) }
        let updates = (0..<k).map { _ in
            let s = g.uniform(-1, 1)
            return shared.map { $0 * s + g.uniform(-1, 1) }
        }
        let previous = (0..<d).map { _ in g.uniform(-0.3, 0.3) }
        let targets = (0..<k).map { i in (0..<k).map { j in i == j ? 0 : Double(g.uniform(-0.6, 0.6)) } }
        let gp = GPAggregate(conflict: .gradvac, gradvac: GradientVaccine(beta: 0.2))
        let r = gp.aggregate(updates, previous: previous, sampleCounts: [Int](repeating: 1, count: k), generator: generator,
                             alignmentTargets: targets)
        let expected = directGradVac(updates, previous: previous, targets: targets, beta: 0.2, epsilon: gp.epsilon, shuffle: true,
                                     generator: generator)
        let difference = zip(r.aggregate, expected.aggregate).map { Double($0) - $1 }
        #expect(referenceDot(difference, difference).squareRoot() <= 1e-6 * referenceDot(expected.aggregate, expected.aggregate).squareRoot())
        #expect(r.projections == expected.adjustments && r.projections > 0)
        #expect(zip(r.alignmentTargets, expected.targets).allSatisfy { zip($0, $1).allSatisfy { abs($0 - $1) < 1e-9 } })
    }

    @Test func zeroUpdatesLeaveTheirTargets() {
        let zero = [Float](repeating: 0, count: 4)
        let r = GPAggregate(rescale: false, conflict: .gradvac).aggregate([[1, 2, 0, 0], zero], previous: nil, sampleCounts: [1, 1],
                                                                          generator: generator, alignmentTargets: [[0, 0.3], [0.2, 0]])
        #expect(r.aggregate == [0.5, 1, 0, 0] && r.projections == 0)
        #expect(r.alignmentTargets == [[0, 0.3], [0.2, 0]])
    }

    @Test func theServerCarriesTargetsBetweenRoundsForTheClientsThatTookPart() throws {
        let tiny = SwinConfiguration(embedDim: 8, depths: [1, 1], numHeads: [1, 2], windowSize: 4, mlpRatio: 2)
        let ids = [ClientID("a"), ClientID("b"), ClientID("c")]
        let server = GeneralModelServer(model: try SwinTransformer(tiny, imageSize: (16, 16), seed: 4),
                                        clients: ids.map { ($0, 10) }, update: .replica,
                                        replicaOptimizer: .sgd(SGDHyperparameters(learningRate: 0.1)),
                                        aggregator: GPAggregate(rescale: false, conflict: .gradvac), seed: 9)
        try server.beginRound(1, participants: [ids[0], ids[2]], replicaLearningRate: 0.1, serverLearningRate: 1)
        for c in [0, 2] {
            var g = SeededGenerator(seed: UInt64(c))
            _ = try server.forward(client: ids[c], round: 1, step: 0, embeddings: Tensor.randn([2, 4, 4, 8], generator: &g))
            _ = try server.backward(client: ids[c], round: 1, step: 0, featureGradient: Tensor.randn([2, 2, 2, 16], generator: &g))
            _ = try server.endRound(client: ids[c], round: 1)
        }
        // From targets 0, each visit's cosine is the raw updates' (two clients): φ̂ = β·cos.
        let cosine = try #require(server.lastRecord?.cosine[0][1])
        #expect(cosine != 0)
        #expect(abs(server.alignmentTargets[0][2] - 0.01 * cosine) < 1e-12 && abs(server.alignmentTargets[2][0] - 0.01 * cosine) < 1e-12)
        #expect(server.alignmentTargets[1] == [0, 0, 0] && server.alignmentTargets.allSatisfy { $0[1] == 0 })
        try server.restore(general: server.model.stateDict(), previousUpdate: server.previousUpdate, nextRound: 2)
        #expect(server.alignmentTargets.allSatisfy { $0.allSatisfy { $0 == 0 } })
    }

    @Test func configSelectsItAndChecksBeta() throws {
        let config = try ExperimentConfig.load(yaml: "aggregation: {conflict: gradvac, gradvacBeta: 0.1}")
        #expect(config.effectiveAggregator.conflict == .gradvac && config.effectiveAggregator.gradvac.beta == 0.1)
        #expect(try ExperimentConfig.load(yaml: "").effectiveAggregator.gradvac.beta == 0.01)
        #expect(throws: ConfigError.self) { try ExperimentConfig.load(yaml: "aggregation: {gradvacBeta: 1.5}") }
    }
}
