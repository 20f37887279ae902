import Foundation
import Synchronization
import Testing
@testable import FedBoneTransport

/// Real TCP connections of the clients cut ten times during a run, by a seeded proxy between
/// them and the server (issue #19): every client trains every round and the final general model
/// is the uncut run's.
@Suite(.serialized) struct ConnectionCutTests {
    /// The tiny experiment over four rounds.
    static func config() throws -> ExperimentConfig {
        try ExperimentConfig.load(yaml: NetworkFederationTests.tinyYAML, overrides: ["rounds=4"])
    }

    func run(clients: LoopbackFederation.Clients) async throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("fedbone-cuts-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let config = try Self.config()
        let expected = try NetworkFederationTests.inProcessGeneralModel(config, scratch: scratch)
        let lines = LogLines()
        let proxy = Mutex<CuttingProxy?>(nil)
        let last = try await LoopbackFederation.run(experiment: config, runDirectory: scratch.appendingPathComponent("grpc"), clients: clients,
                                                    clientPort: { port in
                                                        let p = try CuttingProxy(upstreamPort: port, seed: 19, cuts: 10, bytesBetweenCuts: 4_000...20_000)
                                                        proxy.withLock { $0 = p }
                                                        return p.port
                                                    }, log: lines.append)
        let cuts = proxy.withLock { $0?.cuts ?? 0 }
        proxy.withLock { $0?.stop() }
        #expect(cuts == 10, "the proxy cut \(cuts) connections")
        let names = config.tasks.flatMap(\.clientNames)
        for round in 1...config.rounds {
            let aggregated = lines.all.first { $0.hasPrefix("round \(round)/\(config.rounds) aggregated over ") }
            #expect(aggregated?.contains(names.joined(separator: ", ")) == true, "round \(round): \(aggregated ?? "not aggregated")")
        }
        #expect(!lines.all.contains { $0.contains("dropped from round") }, "\(lines.all.filter { $0.contains("dropped") })")
        let folder = try #require(last)
        NetworkFederationTests.expectClose(try Safetensors.read(contentsOf: folder.appendingPathComponent("general.safetensors")), expected)
    }

    @Test func tenCutConnectionsOfInProcessClientsLeaveEveryRoundAndTheUncutModel() async throws {
        try await run(clients: .inProcess)
    }

    @Test(.enabled(if: NetworkFederationTests.fedboneExecutable != nil, "needs the fedbone executable in .build/debug"))
    func tenCutConnectionsOfJoinProcessesLeaveEveryRoundAndTheUncutModel() async throws {
        try await run(clients: .processes(executable: try #require(NetworkFederationTests.fedboneExecutable)))
    }
}
