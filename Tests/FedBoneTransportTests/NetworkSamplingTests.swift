import Foundation
import Testing
@testable import FedBoneTransport

/// `training.clientsPerRound` over the network: of many registered clients only the sampled
/// ones train each round — the clients the simulation's sampler picks for the same seed.
@Suite(.serialized) struct NetworkSamplingTests {
    /// 20 clients, 5 of them per round, on tiny synthetic data (one step per client and round).
    static let yaml = """
        rounds: 3
        data: {dataset: synthetic-shapes, imageSize: 16, samplesPerClient: 5}
        tasks: [{kind: depth, clients: 10}, {kind: normals, clients: 10}]
        model:
          general: {embedDim: 8, depths: [1, 1], numHeads: [1, 2], windowSize: 4, mlpRatio: 2}
          adaptation: {width: 8, heads: 2}
        training: {batchSize: 4, clientsPerRound: {count: 5}}
        evaluation: {every: 3, batchSize: 8}
        checkpoints: {keep: 0}
        """

    static func names(_ config: ExperimentConfig) -> [String] { config.tasks.flatMap(\.clientNames) }

    /// The clients the simulation's sampler picks for `round`.
    static func expected(_ config: ExperimentConfig, round: Int) -> [String] {
        let names = names(config)
        return RandomStreams(seed: config.seed).sampledClients(round: round, of: names.count, sampling: config.training.clientsPerRound)
            .map { names[$0] }
    }

    @Test func twentyClientsFivePerRoundTrainTheSimulationsSampleAndEndLikeIt() async throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("fedbone-sampling-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let config = try ExperimentConfig.load(yaml: Self.yaml)
        let names = Self.names(config)
        #expect(names.count == 20)
        let expected = try NetworkFederationTests.inProcessGeneralModel(config, scratch: scratch)
        let outcome = try await DeploymentLoopback.run(experiment: config, clients: names.map { .init(name: $0) },
                                                       runDirectory: scratch.appendingPathComponent("serve"))
        var everyone = Set<String>()
        for round in 1...config.rounds {
            let sample = Self.expected(config, round: round)
            #expect(sample.count == 5)
            everyone.formUnion(sample)
            let sampled = "round \(round)/\(config.rounds): sampled \(sample.joined(separator: ", "))"
            let aggregated = "round \(round)/\(config.rounds) aggregated over \(sample.joined(separator: ", ")) in"
            #expect(outcome.log.contains(sampled), "\(outcome.log)")
            #expect(outcome.log.contains { $0.hasPrefix(aggregated) }, "\(outcome.log)")
        }
        for summary in outcome.summaries {
            let trained = (1...config.rounds).filter { Self.expected(config, round: $0).contains(summary.client) }
            #expect(summary.rounds.count == trained.count, "\(summary.client) trains only the rounds it is sampled for")
            #expect(summary.evaluation != nil, "\(summary.client) evaluates at the end, sampled or not")
        }
        #expect(everyone.count < 20, "some client is never sampled in 3 rounds of 5 of 20, and still finishes")
        let last = try #require(outcome.last)
        NetworkFederationTests.expectClose(try Safetensors.read(contentsOf: last.appendingPathComponent("general.safetensors")), expected)
    }

    @Test func statusTellsAClientNotSampledThatItWaitsAndForWhichRound() async throws {
        let config = try ExperimentConfig.load(yaml: Self.yaml)
        let names = Self.names(config)
        let members = names.enumerated().map { FederationBackend.Member(id: UInt32($0 + 1), name: $1) }
        let backend = try FederationBackend(config: config, members: members, minClients: 1, roundTimeout: .seconds(60))
        let round1 = Self.expected(config, round: 1)
        let name = try #require(names.first { !round1.contains($0) })
        let id = try #require(members.first { $0.name == name }).id
        let next = (2...config.rounds).first { Self.expected(config, round: $0).contains(name) }
        let status = try await backend.status(client: id)
        #expect(status.round == 1 && !status.selected && status.nextRound == next)
        let sampledID = try #require(members.first { $0.name == round1[0] }).id
        let sampled = try await backend.status(client: sampledID)
        #expect(sampled.selected && sampled.nextRound == 1)
    }
}
