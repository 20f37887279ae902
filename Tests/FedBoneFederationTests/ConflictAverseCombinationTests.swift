import Testing
@testable import FedBoneFederation

/// CAGrad's weight solve and combination (``ConflictAverseCombination``) on hand-made cases.
@Suite struct ConflictAverseCombinationTests {
    @Test func projectsOntoTheSimplex() {
        #expect(ConflictAverseCombination.projectOntoSimplex([0.5, 0.5]) == [0.5, 0.5])
        #expect(ConflictAverseCombination.projectOntoSimplex([2, 0]) == [1, 0])
        #expect(ConflictAverseCombination.projectOntoSimplex([0.2, 0.2, 0.2]).allSatisfy { abs($0 - 1.0 / 3) < 1e-12 })
        // (0.9, 0.6, −1): θ = (0.9 + 0.6 − 1) / 2 = 0.25 → (0.65, 0.35, 0).
        let p = ConflictAverseCombination.projectOntoSimplex([0.9, 0.6, -1])
        #expect(abs(p[0] - 0.65) < 1e-12 && abs(p[1] - 0.35) < 1e-12 && p[2] == 0)
    }

    /// The objective g_wᵀg_0 + c‖g_0‖‖g_w‖ for two updates, w = (t, 1 − t).
    private func objective(_ t: Double, gram: [[Double]], c: Double) -> Double {
        let w = [t, 1 - t], b = [0.5, 0.5]
        func form(_ x: [Double], _ y: [Double]) -> Double {
            (0..<2).reduce(0.0) { acc, i in acc + (0..<2).reduce(0.0) { $0 + x[i] * gram[i][$1] * y[$1] } }
        }
        return form(w, b) + c * form(b, b).squareRoot() * form(w, w).squareRoot()
    }

    @Test func weightsReachTheMinimumOfAFineGrid() {
        // g1 = (1, 0), g2 = (−0.5, 1): conflicting (g1·g2 < 0).
        let gram = [[1.0, -0.5], [-0.5, 1.25]]
        for c in [0.2, 0.5, 1.0] {
            let w = ConflictAverseCombination(c: c).weights(gram: gram, mean: [0.5, 0.5])
            #expect(abs(w[0] + w[1] - 1) < 1e-12 && w.allSatisfy { $0 >= 0 })
            let grid = (0...10_000).map { Double($0) / 10_000 }
            let best = grid.min { objective($0, gram: gram, c: c) < objective($1, gram: gram, c: c) } ?? 0
            #expect(objective(w[0], gram: gram, c: c) <= objective(best, gram: gram, c: c) + 1e-9, "c \(c)")
            #expect(abs(w[0] - best) < 1e-3, "c \(c): solver \(w[0]), grid \(best)")
        }
    }

    @Test func identicalUpdatesScaleByOnePlusCOverOnePlusCSquared() {
        // Three copies of one g (‖g‖² = 5.25): d = Σ_k coefficients_k g = g (1 + c) / (1 + c²).
        let gram = [[Double]](repeating: [Double](repeating: 5.25, count: 3), count: 3)
        let c = 0.5
        let coefficients = ConflictAverseCombination(c: c).coefficients(gram: gram, mean: [1.0 / 3, 1.0 / 3, 1.0 / 3]).coefficients
        #expect(abs(coefficients.reduce(0, +) - (1 + c) / (1 + c * c)) < 1e-12, "\(coefficients)")
    }

    @Test func cZeroIsTheWeightedMean() {
        let gram = [[1.0, -0.5], [-0.5, 1.25]], b = [0.25, 0.75]
        let coefficients = ConflictAverseCombination(c: 0).coefficients(gram: gram, mean: b).coefficients
        #expect(coefficients == b)
    }

    @Test func gpAggregateUsesItWhenProjectIsOn() {
        let updates: [[Float]] = [[1, 0], [-0.5, 1]]
        let cagrad = GPAggregate(rescale: false, project: true, conflict: .cagrad, cagrad: .init(c: 0.5))
        let result = cagrad.aggregate(updates, previous: nil, sampleCounts: [1, 1], generator: SeededGenerator(seed: 1))
        let expected = ConflictAverseCombination(c: 0.5).referenceCombine(updates.map { $0.map(Double.init) }, mean: [0.5, 0.5]).update
        #expect(zip(result.aggregate, expected).allSatisfy { abs(Double($0) - $1) < 1e-6 })
        #expect(result.projections == 0)
        // With project off the conflict setting does not matter: the plain mean.
        var off = cagrad
        off.project = false
        #expect(off.aggregate(updates, previous: nil, sampleCounts: [1, 1], generator: SeededGenerator(seed: 1)).aggregate == [0.25, 0.5])
    }

    @Test func configSelectsItAndRefusesUnknownNames() throws {
        let config = try ExperimentConfig.load(yaml: "aggregation: {conflict: cagrad, cagradC: 0.3}")
        #expect(config.effectiveAggregator.conflict == .cagrad && config.effectiveAggregator.cagrad.c == 0.3)
        #expect(throws: ConfigError.self) { try ExperimentConfig.load(yaml: "aggregation: {conflict: mgda}") }
        #expect(throws: ConfigError.self) { try ExperimentConfig.load(yaml: "aggregation: {cagradC: -1}") }
    }
}
