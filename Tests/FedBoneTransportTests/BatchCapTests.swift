import Foundation
import GRPCCore
import Testing
@testable import FedBoneClient
@testable import FedBoneTransport

/// The per-request batch cap (issue #19, item 5): derived from the memory budget, advertised at
/// Join, enforced before a Forward is decoded; Infer batches above it are sent in parts.
@Suite struct BatchCapTests {
    /// A gradient-mode backend whose budget leaves room for 3.5 samples per participant.
    static func cappedBackend() throws -> (FederationBackend, cap: Int) {
        var config = try FederationBackendTests.config()
        config.server.update = .gradient
        let members = FederationBackendTests.members
        let roomy = try FederationBackend(config: config, members: members, minClients: 1, roundTimeout: .seconds(60))
        let shape = try FederationBackendTests.embeddingShape(config)
        let perSample = ServerMemoryPlan.activationBytesPerSample(try config.model.general.resolved(), embeddingShape: shape)
        config.server.memoryBudgetGB = (Double(roomy.memoryPlan.fixedBytes) + 3.5 * Double(members.count * perSample)) / 1e9
        return (try FederationBackend(config: config, members: members, minClients: 1, roundTimeout: .seconds(60)), 3)
    }

    @Test func theCapFollowsTheBudgetAndIsAdvertisedAtJoin() async throws {
        let (backend, cap) = try Self.cappedBackend()
        let shape = try FederationBackendTests.embeddingShape(FederationBackendTests.config())
        #expect(await backend.batchCap(embeddingShape: shape) == cap)
        let acceptance = try await backend.join(ClientRegistration(clientID: 1, name: "segmentation-0", task: "segmentation", embeddingShape: shape))
        #expect(acceptance.maxBatch == cap)
        // A budget with no room for one sample refuses the Join, saying what to change.
        var config = try FederationBackendTests.config()
        config.server.update = .gradient
        config.server.memoryBudgetGB = Double(backend.memoryPlan.fixedBytes + 10) / 1e9
        let tight = try FederationBackend(config: config, members: FederationBackendTests.members, minClients: 1, roundTimeout: .seconds(60))
        do {
            _ = try await tight.join(ClientRegistration(clientID: 1, name: "segmentation-0", task: "segmentation", embeddingShape: shape))
            Issue.record("a Join with no room for one sample was accepted")
        } catch let SplitTrainingBackendError.resourceExhausted(message) {
            #expect(message.contains("server.memoryBudgetGB"), "\(message)")
        }
    }

    @Test func aForwardAboveTheCapIsRefusedAndInferIsSentInParts() async throws {
        let (backend, cap) = try Self.cappedBackend()
        try await FederationLoopback.run(backend) { port in
            try await FedBoneTransportClient.withClient(config: FederationLoopback.clientConfig(port: port, name: "segmentation-0")) { client in
                let info = try await client.join(name: "segmentation-0", task: "segmentation", embeddingShape: CancelledForwardTests.shape())
                #expect(info.maxBatch == cap)
                do {
                    _ = try await client.forward(round: 1, step: 0, embeddings: FederationLoopback.embeddings(batch: cap + 1))
                    Issue.record("a Forward above the cap was accepted")
                } catch let error as RPCError {
                    #expect(error.code == .resourceExhausted && error.message.contains("max_batch"), "\(error)")
                }
                #expect(await backend.waitingForwardCount == 0, "the refused Forward never reached the backend")
                let embeddings = try FederationLoopback.embeddings(batch: 2 * cap + 1, seed: 5)
                let parts = try await client.infer(embeddings: embeddings)
                let whole = try await backend.infer(client: 1, embeddings: FederationLoopback.embeddings(batch: 2 * cap + 1, seed: 5), lengths: nil)
                #expect(parts.shape == whole.shape)
                #expect(zip(parts.scalars, whole.scalars).allSatisfy { abs($0 - $1) <= 1e-5 * max(1, abs($1)) })
            }
        }
    }

    @Test func aClientWhoseTrainingBatchIsAboveTheCapStopsAtJoinSayingWhatToChange() async throws {
        let (backend, cap) = try Self.cappedBackend()
        var config = try FederationBackendTests.config()
        config.training.batchSize = cap + 1
        try await FederationLoopback.run(backend) { port in
            do {
                _ = try await FederationClientRunner.run(experiment: config, client: "segmentation-0",
                                                         transport: FederationLoopback.clientConfig(port: port, name: "segmentation-0"))
                Issue.record("a client with batch \(cap + 1) above the cap \(cap) trained")
            } catch let error as FederationClientError {
                #expect("\(error)".contains("training.batchSize \(cap + 1)") && "\(error)".contains("\(cap) samples"), "\(error)")
            }
        }
    }
}
