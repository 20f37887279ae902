import Testing
@testable import FedBoneFederation

/// FedPer and FedRep: which parts are averaged, and FedRep's frozen phases.
@Suite struct PersonalizedBaselineTests {
    /// Two depth clients, so that FedAvg would average their heads (shareHeadsWithinTask).
    static func federation(_ method: FederatedMethod) throws -> WholeModelFederation {
        let config = try ExperimentConfig.load(yaml: """
            method: \(method.rawValue)
            rounds: 1
            data: {dataset: synthetic-shapes, imageSize: 16, samplesPerClient: 10}
            tasks: [{kind: depth, clients: 2}]
            model:
              general: {embedDim: 8, depths: [1, 1], numHeads: [1, 2], windowSize: 4, mlpRatio: 2}
              adaptation: {width: 8, heads: 2}
            training: {batchSize: 4}
            """)
        let datasets = try DatasetFactory.makeClientDatasets(data: config.data, tasks: config.tasks,
                                                             seed: RandomStreams(seed: config.seed).dataSeed)
        return try WholeModelFederation(config: config, datasets: datasets.map { ($0.name, $0.dataset) })
    }

    /// Whether every tensor under `prefix` is equal in the two clients' models.
    static func same(_ federation: WholeModelFederation, prefix: String) -> Bool {
        let a = federation.clients[0].model.stateDict(), b = federation.clients[1].model.stateDict()
        let keys = a.keys.filter { $0.hasPrefix(prefix) }
        precondition(!keys.isEmpty, "no key starts with \(prefix)")
        return keys.allSatisfy { a[$0]?.scalars == b[$0]?.scalars }
    }

    @Test(arguments: [FederatedMethod.fedavg, .fedper, .fedrep])
    func onlyTheSharedBaseIsAveragedByFedPerAndFedRep(method: FederatedMethod) throws {
        let federation = try Self.federation(method)
        _ = try federation.trainRound(1, participants: [0, 1], observer: nil)
        #expect(Self.same(federation, prefix: "backbone."), "\(method.rawValue): the backbone is averaged")
        #expect(Self.same(federation, prefix: "patch_embed."), "\(method.rawValue): the patch embedding is averaged")
        #expect(Self.same(federation, prefix: "head.") == (method == .fedavg),
                "\(method.rawValue): heads are averaged only by FedAvg (same task)")
    }

    @Test func aFrozenPhaseLeavesTheOtherPartsUntouched() throws {
        let federation = try Self.federation(.fedrep)
        let client = federation.clients[0]
        let before = client.model.stateDict()
        var generator = SeededGenerator(seed: 5)
        _ = client.trainRound(1, epochs: 1, batchSize: 4, learningRate: 0.01, proximal: nil,
                              trainable: { $0.hasPrefix("head.") }, generator: &generator)
        let after = client.model.stateDict()
        let parameters = Set(client.model.namedParameters().map(\.name))
        var headMoved = false
        for (key, value) in before where parameters.contains(key) {
            let changed = after[key]?.scalars != value.scalars
            if key.hasPrefix("head.") { headMoved = headMoved || changed } else {
                #expect(!changed, "\(key) is frozen but changed")
            }
        }
        #expect(headMoved, "the trainable head moved")
    }

    @Test func fedRepTrainsMoreStepsThanFedPerByItsHeadEpochs() throws {
        let per = try Self.federation(.fedper).trainRound(1, participants: [0, 1], observer: nil)
        let rep = try Self.federation(.fedrep).trainRound(1, participants: [0, 1], observer: nil)
        for (p, r) in zip(per.clients, rep.clients) {
            #expect(r.steps == 2 * p.steps, "\(r.client): one head epoch plus one base epoch")
            #expect(r.loss.isFinite && r.loss > 0)
        }
    }
}
