import Foundation
import Testing
@testable import FedBoneTransport

/// The adapter between the transport and the federation's general-model server: the EndRound
/// barrier, dropped clients, `minClients` and rejoining.
@Suite struct FederationBackendTests {
    static let members = [
        FederationBackend.Member(id: 1, name: "segmentation-0", task: .segmentation, classes: SyntheticShapes.segmentationClasses),
        FederationBackend.Member(id: 2, name: "depth-0", task: .depth),
        FederationBackend.Member(id: 3, name: "normals-0", task: .normals),
    ]

    static func config() throws -> ExperimentConfig {
        try ExperimentConfig.load(yaml: NetworkFederationTests.tinyYAML)
    }

    static func embeddingShape(_ config: ExperimentConfig) throws -> [Int] {
        let model = try config.model.general.resolved().makeModel(imageSize: (config.data.imageSize, config.data.imageSize), seed: 0)
        return Array(model.inputShape(batch: 1).dropFirst())
    }

    static func backend(minClients: Int, timeout: Duration) throws -> FederationBackend {
        try FederationBackend(config: config(), members: members, minClients: minClients, roundTimeout: timeout)
    }

    /// Joins every member.
    static func joinAll(_ backend: FederationBackend) async throws {
        let shape = try embeddingShape(config())
        for m in members {
            let registration = ClientRegistration(clientID: m.id, name: m.name, task: m.task?.rawValue ?? "", embeddingShape: shape,
                                                  classes: m.task == .segmentation ? SyntheticShapes.segmentationClasses : 0, trainSamples: 6)
            let acceptance = try await backend.join(registration)
            #expect(acceptance.round == 1 && acceptance.totalRounds == 2)
        }
    }

    /// One forward and backward of client `id` in `round`.
    static func step(_ backend: FederationBackend, _ id: UInt32, round: Int) async throws {
        let shape = [2] + (try embeddingShape(config()))
        let count = shape.reduce(1, *)
        let embeddings = Tensor(uncheckedShape: shape, scalars: (0..<count).map { Float($0 % 7) / 7 - 0.4 })
        let features = try await backend.forward(client: id, round: round, step: 0, embeddings: embeddings)
        let gradient = Tensor(uncheckedShape: features.shape, scalars: [Float](repeating: 0.01, count: features.count))
        _ = try await backend.backward(client: id, round: round, step: 0, featureGradient: gradient)
    }

    /// The general model as saved by the backend.
    static func general(_ backend: FederationBackend) async throws -> [String: Tensor] {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fedbone-backend-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try await backend.save(to: folder)
        return try Safetensors.read(contentsOf: folder.appendingPathComponent("general.safetensors"))
    }

    @Test func endRoundIsABarrierThatReturnsAfterTheAggregation() async throws {
        let backend = try Self.backend(minClients: 3, timeout: .seconds(60))
        try await Self.joinAll(backend)
        let driver = Task { try await backend.runRound() }
        for m in Self.members { try await Self.step(backend, m.id, round: 1) }
        let first = Task { try await backend.endRound(client: 1, round: 1) }
        let second = Task { try await backend.endRound(client: 2, round: 1) }
        try await Task.sleep(for: .milliseconds(50))
        #expect(try await backend.status(client: 1).round == 1, "the barrier holds until the last participant ends the round")
        let last = try await backend.endRound(client: 3, round: 1)
        #expect(last == RoundBarrierResult(nextRound: 2, finished: false))
        #expect(try await first.value == last)
        #expect(try await second.value == last)
        #expect(try await driver.value == .aggregated(round: 1, clients: Self.members.map(\.name)))
    }

    @Test func aClientThatTimesOutIsDroppedAndRejoinsTheNextRound() async throws {
        let backend = try Self.backend(minClients: 2, timeout: .seconds(1))
        try await Self.joinAll(backend)
        let driver = Task { try await backend.runRound() }
        try await Self.step(backend, 1, round: 1)
        try await Self.step(backend, 2, round: 1)
        try await Self.step(backend, 3, round: 1)
        let first = Task { try await backend.endRound(client: 1, round: 1) }
        let second = try await backend.endRound(client: 2, round: 1)
        #expect(second == RoundBarrierResult(nextRound: 2, finished: false))
        #expect(try await first.value == second)
        #expect(try await driver.value == .aggregated(round: 1, clients: ["segmentation-0", "depth-0"]))
        await #expect(throws: SplitTrainingBackendError.self) { try await backend.endRound(client: 3, round: 1) }
        let shape = try Self.embeddingShape(Self.config())
        let rejoined = try await backend.join(ClientRegistration(clientID: 3, name: "normals-0", task: "normals", embeddingShape: shape))
        #expect(rejoined.round == 2)
        let next = Task { try await backend.runRound() }
        for m in Self.members { try await Self.step(backend, m.id, round: 2) }
        let ends = Self.members.map { m in Task { try await backend.endRound(client: m.id, round: 2) } }
        for end in ends { #expect(try await end.value == RoundBarrierResult(nextRound: 3, finished: true)) }
        #expect(try await next.value == .aggregated(round: 2, clients: Self.members.map(\.name)))
    }

    @Test func aRoundWithFewerThanMinClientsIsAbandonedAndChangesNothing() async throws {
        let backend = try Self.backend(minClients: 3, timeout: .seconds(60))
        try await Self.joinAll(backend)
        let before = try await Self.general(backend)
        let driver = Task { try await backend.runRound() }
        try await Self.step(backend, 1, round: 1)
        try await Self.step(backend, 2, round: 1)
        let first = Task { try await backend.endRound(client: 1, round: 1) }
        try await Task.sleep(for: .milliseconds(50))
        try await backend.leave(client: 3)
        #expect(try await driver.value == .abandoned(round: 1))
        #expect(try await first.value == RoundBarrierResult(nextRound: 2, finished: false))
        let after = try await Self.general(backend)
        for (key, value) in before { #expect(after[key]?.scalars == value.scalars, "\(key) changed in an abandoned round") }
    }

    @Test func joinRefusesAnotherTaskOrEmbeddingShape() async throws {
        let backend = try Self.backend(minClients: 1, timeout: .seconds(60))
        let shape = try Self.embeddingShape(Self.config())
        await #expect(throws: SplitTrainingBackendError.self) {
            try await backend.join(ClientRegistration(clientID: 1, name: "segmentation-0", task: "depth", embeddingShape: shape))
        }
        await #expect(throws: SplitTrainingBackendError.self) {
            try await backend.join(ClientRegistration(clientID: 1, name: "segmentation-0", task: "segmentation", embeddingShape: shape + [1]))
        }
        #expect(try await backend.status(client: 1).clientsJoined == 0)
    }

    /// The `.proto` documents the embedding shape as the patch grid and channels, `[H/p, W/p, C]`.
    @Test func joinWantsThePatchGridAndChannelsNotTokensByChannels() async throws {
        let backend = try Self.backend(minClients: 1, timeout: .seconds(60))
        let config = try Self.config()
        let general = try config.model.general.resolved()
        let grid = config.data.imageSize / general.patchSize
        #expect(try Self.embeddingShape(config) == [grid, grid, general.embedDim])
        await #expect(throws: SplitTrainingBackendError.self) {
            try await backend.join(ClientRegistration(clientID: 1, name: "segmentation-0", task: "segmentation",
                                                      embeddingShape: [grid * grid, general.embedDim]))
        }
    }
}
