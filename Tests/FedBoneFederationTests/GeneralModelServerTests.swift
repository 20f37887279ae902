import Testing
import FedBoneFederation

@Suite struct GeneralModelServerTests {
    static let tiny = SwinConfiguration(embedDim: 8, depths: [1, 1], numHeads: [1, 2], windowSize: 4, mlpRatio: 2)
    static let ids = [ClientID("a"), ClientID("b"), ClientID("c")]

    func makeServer(_ update: ServerConfig.Update = .replica, aggregator: GPAggregate = GPAggregate()) throws -> GeneralModelServer {
        let model = try SwinTransformer(Self.tiny, imageSize: (16, 16), seed: 4)
        return GeneralModelServer(model: model, clients: Self.ids.enumerated().map { ($0.element, 10 + $0.offset) }, update: update,
                                  replicaOptimizer: .sgd(SGDHyperparameters(learningRate: 0.1, momentum: 0.9)),
                                  aggregator: aggregator, seed: 9)
    }

    /// Client `c`'s embeddings and feature gradient at step `s` (fixed, so runs can be compared).
    func traffic(_ c: Int, _ s: Int) -> (Tensor, Tensor) {
        var g = SeededGenerator(seed: UInt64(100 * c + s))
        return (Tensor.randn([2, 4, 4, 8], generator: &g), Tensor.randn([2, 2, 2, 16], generator: &g))
    }

    func step(_ server: GeneralModelServer, _ c: Int, _ s: Int, round: Int = 1) throws {
        let (embeddings, gradient) = traffic(c, s)
        _ = try server.forward(client: Self.ids[c], round: round, step: s, embeddings: embeddings)
        _ = try server.backward(client: Self.ids[c], round: round, step: s, featureGradient: gradient)
    }

    @Test func replicaResultDoesNotDependOnTheOrderClientsAreServed() throws {
        let inOrder = try makeServer()
        let shuffled = try makeServer()
        for server in [inOrder, shuffled] {
            try server.beginRound(1, participants: Self.ids, replicaLearningRate: 0.1, serverLearningRate: 1)
        }
        for c in 0..<3 { for s in 0..<3 { try step(inOrder, c, s) } }
        for c in [2, 0, 1] { _ = try inOrder.endRound(client: Self.ids[c], round: 1) }
        // Interleaved, clients in reverse, ending in another order.
        for s in 0..<3 { for c in [2, 1, 0] { try step(shuffled, c, s) } }
        #expect(try shuffled.endRound(client: Self.ids[1], round: 1) == 1)
        #expect(try shuffled.endRound(client: Self.ids[0], round: 1) == 1)
        #expect(try shuffled.endRound(client: Self.ids[2], round: 1) == 2)

        #expect(inOrder.round == 2 && shuffled.round == 2)
        #expect(inOrder.model.flatParameters() == shuffled.model.flatParameters())
        #expect(inOrder.previousUpdate == shuffled.previousUpdate)
        #expect(inOrder.lastRecord == shuffled.lastRecord)
        #expect(inOrder.lastRecord?.clients == ["a", "b", "c"])
    }

    @Test func gradientModeStepsByTheMeanGradientAtTheRoundStart() throws {
        let server = try makeServer(.gradient, aggregator: GPAggregate(rescale: false, project: false))
        let reference = try SwinTransformer(Self.tiny, imageSize: (16, 16), seed: 4)
        let start = reference.flatParameters()
        try server.beginRound(1, participants: [Self.ids[0]], replicaLearningRate: 0, serverLearningRate: 0.5)
        var sum = [Float](repeating: 0, count: start.count)
        for s in 0..<2 {
            try step(server, 0, s)
            let (embeddings, gradient) = traffic(0, s)
            reference.zeroGrad()
            reference(embeddings).backward(gradient)
            sum = zip(sum, reference.flatGradients()).map { $0 + $1 }
        }
        _ = try server.endRound(client: Self.ids[0], round: 1)
        let expected = zip(start, sum).map { $0 - 0.5 * ($1 / 2) }
        let got = server.model.flatParameters()
        #expect(zip(expected, got).allSatisfy { abs($0 - $1) <= 1e-6 })
        #expect(got != start)
    }

    @Test func badEmbeddingsGetAClearErrorAndChangeNothing() throws {
        let server = try makeServer()
        try server.beginRound(1, participants: Self.ids, replicaLearningRate: 0.1, serverLearningRate: 1)
        let before = server.model.flatParameters()
        #expect(throws: GeneralModelServiceError.self) {
            try server.forward(client: Self.ids[0], round: 1, step: 0, embeddings: .zeros([2, 4, 4, 7]))
        }
        var nan = Tensor.zeros([1, 4, 4, 8])
        nan.withUnsafeMutableBufferPointer { $0[5] = .nan }
        do {
            _ = try server.forward(client: Self.ids[0], round: 1, step: 0, embeddings: nan)
            Issue.record("NaN embeddings were accepted")
        } catch let GeneralModelServiceError.badEmbeddings(client, reason) {
            #expect(client == Self.ids[0])
            #expect(reason.contains("embeddings"))
        }
        // Nothing is pending: a valid step goes through, and a malformed feature gradient is
        // refused without losing the step.
        let (embeddings, gradient) = traffic(0, 0)
        _ = try server.forward(client: Self.ids[0], round: 1, step: 0, embeddings: embeddings)
        #expect(throws: GeneralModelServiceError.self) {
            try server.backward(client: Self.ids[0], round: 1, step: 0, featureGradient: .zeros([2, 2, 2, 15]))
        }
        _ = try server.backward(client: Self.ids[0], round: 1, step: 0, featureGradient: gradient)
        #expect(server.model.flatParameters() == before)
    }

    @Test func requestsOutsideTheProtocolAreRefused() throws {
        let server = try makeServer()
        try server.beginRound(1, participants: [Self.ids[0], Self.ids[1]], replicaLearningRate: 0.1, serverLearningRate: 1)
        let (embeddings, gradient) = traffic(0, 0)
        #expect(throws: GeneralModelServiceError.unknownClient(ClientID("z"))) {
            try server.forward(client: ClientID("z"), round: 1, step: 0, embeddings: embeddings)
        }
        #expect(throws: GeneralModelServiceError.notInRound(client: Self.ids[2], round: 1, currentRound: 1)) {
            try server.forward(client: Self.ids[2], round: 1, step: 0, embeddings: embeddings)
        }
        #expect(throws: GeneralModelServiceError.notInRound(client: Self.ids[0], round: 2, currentRound: 1)) {
            try server.forward(client: Self.ids[0], round: 2, step: 0, embeddings: embeddings)
        }
        #expect(throws: GeneralModelServiceError.self) {
            try server.backward(client: Self.ids[0], round: 1, step: 0, featureGradient: gradient)
        }
        _ = try server.forward(client: Self.ids[0], round: 1, step: 0, embeddings: embeddings)
        #expect(throws: GeneralModelServiceError.self) { try server.endRound(client: Self.ids[0], round: 1) }
    }
}
