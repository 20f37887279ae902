import Foundation
import Testing
import FedBoneFederation

/// Batched server passes (`server.batchClients`, ``GeneralModelServer/forward(batch:)``): several
/// clients' Forwards of a step as one general-model pass, and their Backwards as one, each
/// client still getting its own features, embedding gradient and update Δ_k.
@Suite struct BatchedServerPassTests {
    static let ids = [ClientID("a"), ClientID("b"), ClientID("c")]
    /// Different batch sizes per client, so that segments differ in length.
    static let batchSizes = [2, 1, 3]

    static func swin() throws -> any GeneralModel {
        try SwinTransformer(SwinConfiguration(embedDim: 8, depths: [2, 1], numHeads: [1, 2], windowSize: 2, mlpRatio: 2),
                            imageSize: (16, 16), seed: 4)
    }

    static func transformer() throws -> any GeneralModel {
        try TransformerEncoder(TransformerConfiguration(embedDim: 8, depth: 2, numHeads: 2, mlpRatio: 2), seed: 4)
    }

    func makeServer(_ model: any GeneralModel, update: ServerConfig.Update = .gradient) -> GeneralModelServer {
        GeneralModelServer(model: model, clients: Self.ids.enumerated().map { ($0.element, 10 + $0.offset) }, update: update,
                           replicaOptimizer: .sgd(SGDHyperparameters(learningRate: 0.1, momentum: 0.9)),
                           aggregator: GPAggregate(), seed: 9)
    }

    /// Client `c`'s step `s`: embeddings (a patch grid for the Swin, padded sequences with
    /// lengths for the transformer) and the feature gradient it sends back.
    func traffic(_ c: Int, _ s: Int, sequences: Bool) -> (embeddings: Tensor, lengths: [Int]?, gradient: Tensor) {
        var g = SeededGenerator(seed: UInt64(100 * c + s))
        let b = Self.batchSizes[c]
        if sequences {
            let lengths = (0..<b).map { 1 + ($0 + c + s) % 5 }
            return (Tensor.randn([b, 5, 8], generator: &g), lengths, Tensor.randn([b, 5, 8], generator: &g))
        }
        return (Tensor.randn([b, 4, 4, 8], generator: &g), nil, Tensor.randn([b, 2, 2, 16], generator: &g))
    }

    func close(_ a: [Float], _ b: [Float], tolerance: Float = 1e-5) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= tolerance * max(1, abs($1)) }
    }

    /// Two steps of three clients on one server one client at a time, and on another as
    /// batched passes: the same features, embedding gradients and next general model.
    @Test(arguments: [false, true])
    func batchedStepsEndTheRoundAsStepsOneClientAtATime(sequences: Bool) throws {
        let alone = makeServer(try sequences ? Self.transformer() : Self.swin())
        let batched = makeServer(try sequences ? Self.transformer() : Self.swin())
        #expect(batched.canBatchPasses)
        for server in [alone, batched] { try server.beginRound(1, participants: Self.ids, replicaLearningRate: 0, serverLearningRate: 0.5) }
        for s in 0..<2 {
            let traffic = (0..<3).map { self.traffic($0, s, sequences: sequences) }
            let features = batched.forward(batch: (0..<3).map {
                ForwardRequest(client: Self.ids[$0], round: 1, step: s, embeddings: traffic[$0].embeddings, lengths: traffic[$0].lengths)
            })
            let gradients = batched.backward(batch: (0..<3).map {
                BackwardRequest(client: Self.ids[$0], round: 1, step: s, featureGradient: traffic[$0].gradient)
            })
            for c in 0..<3 {
                let expected = try alone.forward(client: Self.ids[c], round: 1, step: s, embeddings: traffic[c].embeddings, lengths: traffic[c].lengths)
                let expectedGradient = try alone.backward(client: Self.ids[c], round: 1, step: s, featureGradient: traffic[c].gradient)
                #expect(close(try features[c].get().scalars, expected.scalars), "client \(c) step \(s): features")
                #expect(close(try gradients[c].get().scalars, expectedGradient.scalars), "client \(c) step \(s): embedding gradient")
            }
        }
        for server in [alone, batched] { for id in Self.ids { _ = try server.endRound(client: id, round: 1) } }
        #expect(batched.round == 2)
        #expect(close(batched.model.flatParameters(), alone.model.flatParameters()))
        #expect(close(batched.previousUpdate ?? [], alone.previousUpdate ?? [1]))
    }

    /// With stochastic depth, each client's samples draw from its own stream in the batched
    /// pass, also when the Backward rebuilds the pass (`server.recomputeActivations`).
    @Test(arguments: [false, true])
    func batchedStepsWithStochasticDepthDrawEachClientsOwnMasks(recompute: Bool) throws {
        func server() throws -> GeneralModelServer {
            let model = try SwinTransformer(SwinConfiguration(embedDim: 8, depths: [2, 1], numHeads: [1, 2], windowSize: 2, mlpRatio: 2,
                                                              dropPathRate: 0.5), imageSize: (16, 16), seed: 4)
            let server = makeServer(model)
            server.recomputeActivations = recompute
            try server.beginRound(1, participants: Self.ids, replicaLearningRate: 0, serverLearningRate: 0.5)
            return server
        }
        let alone = try server(), batched = try server()
        let traffic = (0..<3).map { self.traffic($0, 0, sequences: false) }
        let features = batched.forward(batch: (0..<3).map {
            ForwardRequest(client: Self.ids[$0], round: 1, step: 0, embeddings: traffic[$0].embeddings, lengths: nil)
        })
        let gradients = batched.backward(batch: (0..<3).map {
            BackwardRequest(client: Self.ids[$0], round: 1, step: 0, featureGradient: traffic[$0].gradient)
        })
        for c in 0..<3 {
            let expected = try alone.forward(client: Self.ids[c], round: 1, step: 0, embeddings: traffic[c].embeddings, lengths: nil)
            let expectedGradient = try alone.backward(client: Self.ids[c], round: 1, step: 0, featureGradient: traffic[c].gradient)
            #expect(close(try features[c].get().scalars, expected.scalars), "client \(c): features")
            #expect(close(try gradients[c].get().scalars, expectedGradient.scalars), "client \(c): embedding gradient")
        }
        for server in [alone, batched] { for id in Self.ids { _ = try server.endRound(client: id, round: 1) } }
        #expect(close(batched.model.flatParameters(), alone.model.flatParameters()))
    }

    /// A member of a batched Forward whose Backward comes later, alone, is recomputed alone; a
    /// member refused in the batch (bad embeddings, a non-finite gradient) leaves the others served.
    @Test func lateAndRefusedMembersOfABatchAreServedAlone() throws {
        let alone = makeServer(try Self.swin())
        let batched = makeServer(try Self.swin())
        for server in [alone, batched] { try server.beginRound(1, participants: Self.ids, replicaLearningRate: 0, serverLearningRate: 1) }
        let traffic = (0..<3).map { self.traffic($0, 0, sequences: false) }
        var badShape = ForwardRequest(client: Self.ids[1], round: 1, step: 0, embeddings: .zeros([1, 4, 4, 7]), lengths: nil)
        let first = batched.forward(batch: [
            ForwardRequest(client: Self.ids[0], round: 1, step: 0, embeddings: traffic[0].embeddings, lengths: nil), badShape,
            ForwardRequest(client: Self.ids[2], round: 1, step: 0, embeddings: traffic[2].embeddings, lengths: nil),
            ForwardRequest(client: Self.ids[2], round: 1, step: 0, embeddings: traffic[2].embeddings, lengths: nil),
        ])
        #expect(throws: GeneralModelServiceError.self) { try first[1].get() }
        #expect(throws: GeneralModelServiceError.self) { try first[3].get() }
        #expect((try? first[0].get()) != nil && (try? first[2].get()) != nil)
        badShape.embeddings = traffic[1].embeddings
        _ = try batched.forward(batch: [badShape])[0].get()

        // A retried Forward of a batched step answers the same features.
        let retried = try batched.forward(client: Self.ids[2], round: 1, step: 0, embeddings: traffic[2].embeddings, lengths: nil)
        #expect(retried.scalars == (try first[2].get()).scalars)

        var poisoned = traffic[0].gradient
        poisoned.withUnsafeMutableBufferPointer { $0[3] = .infinity }
        let refused = batched.backward(batch: [BackwardRequest(client: Self.ids[0], round: 1, step: 0, featureGradient: poisoned)])
        #expect(throws: GeneralModelServiceError.self) { try refused[0].get() }
        // a's Backward alone; then c, whose batch mate has gone, alone too; then b.
        for c in [0, 2, 1] {
            let got = try batched.backward(client: Self.ids[c], round: 1, step: 0, featureGradient: traffic[c].gradient)
            _ = try alone.forward(client: Self.ids[c], round: 1, step: 0, embeddings: traffic[c].embeddings, lengths: nil)
            let expected = try alone.backward(client: Self.ids[c], round: 1, step: 0, featureGradient: traffic[c].gradient)
            #expect(close(got.scalars, expected.scalars), "client \(c): embedding gradient")
        }
        for server in [alone, batched] { for id in Self.ids { _ = try server.endRound(client: id, round: 1) } }
        #expect(close(batched.model.flatParameters(), alone.model.flatParameters()))
    }

    @Test func replicaModeAnswersABatchOneClientAtATime() throws {
        let alone = makeServer(try Self.swin(), update: .replica)
        let batched = makeServer(try Self.swin(), update: .replica)
        #expect(!batched.canBatchPasses)
        for server in [alone, batched] { try server.beginRound(1, participants: Self.ids, replicaLearningRate: 0.1, serverLearningRate: 1) }
        let traffic = (0..<3).map { self.traffic($0, 0, sequences: false) }
        _ = batched.forward(batch: (0..<3).map { ForwardRequest(client: Self.ids[$0], round: 1, step: 0, embeddings: traffic[$0].embeddings, lengths: nil) })
        let answers = batched.backward(batch: (0..<3).map { BackwardRequest(client: Self.ids[$0], round: 1, step: 0, featureGradient: traffic[$0].gradient) })
        for c in 0..<3 {
            _ = try alone.forward(client: Self.ids[c], round: 1, step: 0, embeddings: traffic[c].embeddings, lengths: nil)
            let expected = try alone.backward(client: Self.ids[c], round: 1, step: 0, featureGradient: traffic[c].gradient)
            #expect(try answers[c].get().scalars == expected.scalars)
        }
    }

    /// Whole runs: `server.batchClients` trains every client's steps in lockstep with batched
    /// server passes, ends close to the unbatched run, and repeats itself exactly.
    @Test func aLockstepRunEndsLikeAnUnbatchedOneAndRepeatsItself() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.cleanUp() }
        func general(_ batchClients: Int, _ name: String) throws -> [String: [Float]] {
            let config = try SimulationTests.config(["rounds=2", "server.update=gradient", "server.batchClients=\(batchClients)"])
            let run = scratch.url.appendingPathComponent(name)
            _ = try Simulation(config: config, runDirectory: run, progress: RunProgress.quiet).run()
            return try Safetensors.read(contentsOf: run.appendingPathComponent("checkpoints/round-2/general.safetensors")).mapValues(\.scalars)
        }
        let unbatched = try general(1, "unbatched")
        let batched = try general(3, "batched")
        #expect(try general(3, "again") == batched)
        #expect(batched.keys == unbatched.keys)
        for (name, values) in unbatched { #expect(close(batched[name] ?? [], values, tolerance: 1e-4), "\(name)") }
    }

    /// A batched backward holds N per-client gradients (N·D floats) until it ends: the plan
    /// counts them, at most K of them, and says which setting to lower when they do not fit.
    @Test func theMemoryPlanCountsABatchedPassPerClientGradients() throws {
        var config = ExperimentConfig()
        config.server.update = .gradient
        config.server.spill = .never
        config.server.memoryBudgetGB = 100
        let d = 1_000_000
        let unbatched = ServerMemoryPlan(config: config, parameters: d, participants: 8)
        config.server.batchClients = 4
        let batched = ServerMemoryPlan(config: config, parameters: d, participants: 8)
        #expect(batched.fixedBytes - unbatched.fixedBytes == 4 * d * 4)
        #expect(ServerMemoryPlan(config: config, parameters: d, participants: 2).batchClients == 2)
        config.server.memoryBudgetGB = 0.06   // 6·D·4 + 8·D·4 = 56 MB fits; with 4·D·4 more (72 MB) it does not
        #expect(throws: ServerMemoryError.self) { try ServerMemoryPlan(config: config, parameters: d, participants: 8).replicaBound(requested: nil) }
        do {
            _ = try ServerMemoryPlan(config: config, parameters: d, participants: 8).replicaBound(requested: nil)
        } catch {
            #expect("\(error)".contains("server.batchClients"))
        }
        config.server.update = .replica
        #expect(ServerMemoryPlan(config: config, parameters: d, participants: 8).batchClients == 1)
    }

    @Test func batchedPassesNeedGradientMode() {
        #expect(refusedConfigKey("server: {batchClients: 0}") == "server.batchClients")
        #expect(refusedConfigKey("server: {batchClients: 4}") == "server.batchClients")
        #expect(refusedConfigKey("server: {update: gradient, batchClients: 4}") == nil)
        #expect(refusedConfigKey("server: {update: gradient, batchClients: 4}\nmodel: {general: {dropPathRate: 0.1}}") == nil)
        #expect(refusedConfigKey("server: {update: gradient, batchWaitMs: -1}") == "server.batchWaitMs")
    }
}
