import Testing
import FedBoneFederation

/// A Forward repeated after its answer was lost (issue #19, item 1).
extension GeneralModelServerTests {
    @Test func aRetriedForwardOfTheSameStepReturnsTheSameFeaturesAndTrainsOnce() throws {
        let server = try makeServer()
        let reference = try makeServer()
        for s in [server, reference] { try s.beginRound(1, participants: [Self.ids[0]], replicaLearningRate: 0.1, serverLearningRate: 1) }
        let (embeddings, gradient) = traffic(0, 0)
        let first = try server.forward(client: Self.ids[0], round: 1, step: 0, embeddings: embeddings)
        let retried = try server.forward(client: Self.ids[0], round: 1, step: 0, embeddings: embeddings)
        #expect(retried.shape == first.shape)
        #expect(retried.scalars == first.scalars)
        _ = try server.backward(client: Self.ids[0], round: 1, step: 0, featureGradient: gradient)
        try step(reference, 0, 0)
        for s in [server, reference] { #expect(try s.endRound(client: Self.ids[0], round: 1) == 2) }
        #expect(server.model.flatParameters() == reference.model.flatParameters())
    }

    @Test func aForwardOfAStepAlreadyRunWithOtherEmbeddingsIsRefusedAndKeepsTheStep() throws {
        let server = try makeServer()
        try server.beginRound(1, participants: [Self.ids[0]], replicaLearningRate: 0.1, serverLearningRate: 1)
        let (embeddings, gradient) = traffic(0, 0)
        let (other, _) = traffic(0, 1)
        _ = try server.forward(client: Self.ids[0], round: 1, step: 0, embeddings: embeddings)
        do {
            _ = try server.forward(client: Self.ids[0], round: 1, step: 0, embeddings: other)
            Issue.record("a Forward of step 0 with other embeddings was accepted")
        } catch let GeneralModelServiceError.outOfOrder(client, reason) {
            #expect(client == Self.ids[0])
            #expect(reason.contains("other embeddings"), "\(reason)")
        }
        _ = try server.backward(client: Self.ids[0], round: 1, step: 0, featureGradient: gradient)
    }
}
