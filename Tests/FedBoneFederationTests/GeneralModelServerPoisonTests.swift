import Foundation
import Testing
import FedBoneFederation

/// Finite but huge requests must not poison the general model (issue #19, item 3).
extension GeneralModelServerTests {
    /// `tensor` with every element multiplied by `factor`.
    func scaled(_ tensor: Tensor, _ factor: Float) -> Tensor {
        Tensor(uncheckedShape: tensor.shape, scalars: tensor.scalars.map { $0 * factor })
    }

    @Test func hugeFiniteEmbeddingsAreRefusedAndChangeNothing() throws {
        let server = try makeServer()
        try server.beginRound(1, participants: [Self.ids[0]], replicaLearningRate: 0.1, serverLearningRate: 1)
        let before = server.model.flatParameters()
        // Every element finite, the largest 3e38 (a constant tensor would normalise away).
        let (embeddings, _) = traffic(0, 0)
        let huge = scaled(scaled(embeddings, 1 / (embeddings.scalars.map(abs).max() ?? 1)), 3e38)
        #expect(huge.scalars.allSatisfy { $0.isFinite })
        do {
            _ = try server.forward(client: Self.ids[0], round: 1, step: 0, embeddings: huge)
            Issue.record("embeddings of 3e38 were accepted")
        } catch let GeneralModelServiceError.badEmbeddings(client, reason) {
            #expect(client == Self.ids[0])
            #expect(reason.contains("not finite"), "\(reason)")
        }
        try step(server, 0, 0)
        _ = try server.endRound(client: Self.ids[0], round: 1)
        #expect(server.model.flatParameters().allSatisfy { $0.isFinite })
        #expect(server.model.flatParameters() != before)
    }

    @Test func aFeatureGradientWhoseBackwardOverflowsIsRefusedAndKeepsTheStep() throws {
        let server = try makeServer()
        let reference = try makeServer()
        for s in [server, reference] { try s.beginRound(1, participants: [Self.ids[0]], replicaLearningRate: 0.1, serverLearningRate: 1) }
        let (embeddings, gradient) = traffic(0, 0)
        _ = try server.forward(client: Self.ids[0], round: 1, step: 0, embeddings: embeddings)
        do {
            // Every element finite, the largest 3e38: the sums of the backward pass overflow.
            let largest = gradient.scalars.map(abs).max() ?? 1
            _ = try server.backward(client: Self.ids[0], round: 1, step: 0, featureGradient: scaled(scaled(gradient, 1 / largest), 3e38))
            Issue.record("a feature gradient that overflows the backward pass was accepted")
        } catch let GeneralModelServiceError.badFeatureGradient(client, reason) {
            #expect(client == Self.ids[0])
            #expect(reason.contains("not finite"), "\(reason)")
        }
        let retried = try server.backward(client: Self.ids[0], round: 1, step: 0, featureGradient: gradient)
        _ = try reference.forward(client: Self.ids[0], round: 1, step: 0, embeddings: embeddings)
        let expected = try reference.backward(client: Self.ids[0], round: 1, step: 0, featureGradient: gradient)
        #expect(retried.scalars == expected.scalars)
        for s in [server, reference] { _ = try s.endRound(client: Self.ids[0], round: 1) }
        #expect(server.model.flatParameters() == reference.model.flatParameters())
    }

    @Test func anUpdateFarLargerThanTheOthersIsDroppedFromTheAggregation() throws {
        let server = try makeServer()
        let reference = try makeServer()
        try server.beginRound(1, participants: Self.ids, replicaLearningRate: 0.1, serverLearningRate: 1)
        try reference.beginRound(1, participants: [Self.ids[0], Self.ids[1]], replicaLearningRate: 0.1, serverLearningRate: 1)
        for c in 0..<2 {
            try step(server, c, 0)
            try step(reference, c, 0)
        }
        // Client c's gradients are finite but 1e15 times too large: its replica moves by ~1e14.
        let (embeddings, gradient) = traffic(2, 0)
        _ = try server.forward(client: Self.ids[2], round: 1, step: 0, embeddings: embeddings)
        _ = try server.backward(client: Self.ids[2], round: 1, step: 0, featureGradient: scaled(gradient, 1e15))
        for c in 0..<3 { _ = try server.endRound(client: Self.ids[c], round: 1) }
        for c in 0..<2 { _ = try reference.endRound(client: Self.ids[c], round: 1) }
        #expect(server.lastRecord?.clients == ["a", "b"])
        #expect(server.lastRejections.map(\.client) == [Self.ids[2]])
        #expect(server.lastRejections.first?.reason.contains("median norm") == true)
        #expect(server.model.flatParameters() == reference.model.flatParameters())
        #expect(server.previousUpdate == reference.previousUpdate)
    }

    @Test func aModelWithNaNIsNeverWrittenToACheckpoint() throws {
        let server = try makeServer()
        var poisoned = server.model.flatParameters()
        poisoned[3] = .nan
        server.model.assignFlatParameters(poisoned)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fedbone-nonfinite-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(throws: GeneralModelCheckpointError.self) { try server.save(to: folder) }
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("general.safetensors").path))
    }
}
