import Foundation
import GRPCCore
import Testing
@testable import FedBoneTransport

/// Join checks what a client says of itself against what the server can serve, and refuses the
/// rest with INVALID_ARGUMENT before anything changes.
@Suite struct JoinRefusalTests {
    /// segmentation-0 (the experiment states 4 classes), depth-0, and lab-0, which the experiment does not describe.
    static let members = [
        FederationBackend.Member(id: 1, name: "segmentation-0", task: .segmentation, classes: 4),
        FederationBackend.Member(id: 2, name: "depth-0", task: .depth),
        FederationBackend.Member(id: 3, name: "lab-0"),
    ]

    static func backend() throws -> FederationBackend {
        try FederationBackend(config: FederationBackendTests.config(), members: members, minClients: 1, roundTimeout: .seconds(60))
    }

    static func registration(_ id: UInt32, _ name: String, task: String, classes: Int = 0, samples: Int = 8, shape: [Int]? = nil) throws
        -> ClientRegistration {
        ClientRegistration(clientID: id, name: name, task: task,
                           embeddingShape: try shape ?? FederationBackendTests.embeddingShape(FederationBackendTests.config()),
                           classes: classes, trainSamples: samples)
    }

    /// The refusal's message, or nil when the join was accepted.
    static func refusal(_ backend: FederationBackend, _ registration: ClientRegistration) async -> String? {
        do {
            _ = try await backend.join(registration)
            return nil
        } catch let SplitTrainingBackendError.invalidArgument(message) {
            return message
        } catch {
            return "unexpected \(error)"
        }
    }

    @Test func wrongTaskClassesOrShapeAreRefused() async throws {
        let backend = try Self.backend()
        let refusals = [
            await Self.refusal(backend, try Self.registration(1, "segmentation-0", task: "depth")),
            await Self.refusal(backend, try Self.registration(3, "lab-0", task: "painting")),
            await Self.refusal(backend, try Self.registration(1, "segmentation-0", task: "segmentation", classes: 7)),
            await Self.refusal(backend, try Self.registration(2, "depth-0", task: "depth", classes: 3)),
            await Self.refusal(backend, try Self.registration(3, "lab-0", task: "normals", shape: [4, 4, 3])),
            await Self.refusal(backend, try Self.registration(3, "lab-0", task: "normals", samples: 0)),
            await Self.refusal(backend, try Self.registration(3, "lab-0", task: "parts")),
        ]
        #expect(refusals[0]?.contains("configured for task segmentation, not depth") == true, "\(refusals)")
        #expect(refusals[1]?.contains("unknown task") == true, "\(refusals)")
        #expect(refusals[2]?.contains("configured with 4 classes for segmentation, not 7") == true, "\(refusals)")
        #expect(refusals[3]?.contains("has no classes") == true, "\(refusals)")
        #expect(refusals[4]?.contains("cannot be served") == true, "\(refusals)")
        #expect(refusals[5]?.contains("at least 1") == true, "\(refusals)")
        #expect(refusals[6]?.contains("needs its number of classes") == true, "\(refusals)")
        #expect(try await backend.status(client: 1).clientsJoined == 0, "nothing changed")
    }

    @Test func aClientTheExperimentDoesNotDescribeJoinsAfterItsClients() async throws {
        let backend = try Self.backend()
        let lab = try await backend.join(try Self.registration(3, "lab-0", task: "classification", classes: 5, samples: 12))
        #expect(lab.federationIndex == 2)
        #expect(await backend.joinedTasks[3] == TaskSpec(.classification, classes: 5))
        let segmentation = try await backend.join(try Self.registration(1, "segmentation-0", task: "segmentation"))
        #expect(segmentation.federationIndex == 0)
        #expect(await backend.joinedTasks[1] == TaskSpec(.segmentation, classes: 4), "unstated classes are the experiment's")
    }

    @Test func refusalsReachTheClientAsInvalidArgument() async throws {
        let backend = try Self.backend()
        let registry = try ClientRegistry(clients: NetworkFaultTests.registered(Self.members.map(\.name)))
        try await withLoopbackServer(config: TransportServerConfig(host: "127.0.0.1", port: 0), registry: registry, backend: backend) { port in
            try await FedBoneTransportClient.withClient(config: FederationLoopback.clientConfig(port: port, name: "lab-0")) { client in
                let shape = try FederationBackendTests.embeddingShape(FederationBackendTests.config())
                for (task, classes, samples, expected) in [("segmentation", 3, 0, "train_samples 0"), ("depth", 2, 5, "has no classes"),
                                                           ("depth", 0, 5, ""), ("parts", 70000, 5, "out of range")] {
                    do {
                        try await client.join(name: "lab-0", task: task, embeddingShape: shape, classes: classes, trainSamples: samples)
                        #expect(expected.isEmpty, "\(task) \(classes) \(samples) was accepted")
                    } catch let error as RPCError {
                        #expect(error.code == .invalidArgument && error.message.contains(expected) && !expected.isEmpty, "\(error)")
                    }
                }
            }
        }
    }
}
