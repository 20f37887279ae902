import Foundation
import Synchronization

/// The load check's measurements: round-trip latencies, traffic and where the time went.
public struct LoadCheckReport: Sendable, CustomStringConvertible {
    public var clients: Int
    public var steps: Int
    public var batch: Int
    /// Forward round trips in milliseconds, sorted.
    public var forwardMilliseconds: [Double]
    /// Backward round trips in milliseconds, sorted.
    public var backwardMilliseconds: [Double]
    /// Tensor bytes sent and received by all clients in the round (f32).
    public var bytesPerRound: Int
    /// Wall-clock seconds of the round, from the first Forward to the barrier's release.
    public var wallSeconds: Double
    /// Seconds the server spent in the general model's forward and backward.
    public var modelSeconds: Double
    /// The most clients the server ran as one pass (`server.batchClients`; 1: unbatched).
    public var batchClients: Int
    /// General-model passes that served several clients' Forwards at once.
    public var batchedPasses: Int

    /// Training samples through the server per second of the round's wall time.
    public var samplesPerSecond: Double { wallSeconds > 0 ? Double(clients * steps * batch) / wallSeconds : .nan }

    /// The `p`-th percentile (0…100) of sorted values (nearest rank).
    public static func percentile(_ sorted: [Double], _ p: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        let rank = Int((p / 100 * Double(sorted.count)).rounded(.up)) - 1
        return sorted[min(max(rank, 0), sorted.count - 1)]
    }

    /// The share of the round's wall time the server did not spend in the model.
    public var outsideModelShare: Double { wallSeconds > 0 ? max(0, 1 - modelSeconds / wallSeconds) : .nan }

    public var description: String {
        func row(_ name: String, _ v: [Double]) -> String {
            "| \(name) | " + [50, 90, 99].map { String(format: "%.2f", Self.percentile(v, $0)) }.joined(separator: " | ")
                + " | " + String(format: "%.2f", v.last ?? .nan) + " |"
        }
        let batching = batchClients > 1 ? ", batched passes of up to \(batchClients) clients (\(batchedPasses) ran)" : ", one pass per client"
        return """
            load check: \(clients) clients × \(steps) steps, batch \(batch)\(batching)
            | call | p50 ms | p90 ms | p99 ms | max ms |
            |---|---|---|---|---|
            \(row("Forward", forwardMilliseconds))
            \(row("Backward", backwardMilliseconds))
            bytes per round: \(bytesPerRound) (\(String(format: "%.1f", Double(bytesPerRound) / 1_048_576)) MiB)
            round wall time: \(String(format: "%.3f", wallSeconds)) s, in the model: \(String(format: "%.3f", modelSeconds)) s, \
            outside the model: \(String(format: "%.1f", 100 * outsideModelShare)) %
            throughput: \(String(format: "%.2f", samplesPerSecond)) samples/s
            """
    }
}

/// A load check (not a timed test): `clients` raw gRPC clients on loopback against one server
/// with the experiment's general model, each sending `steps` Forward/Backward pairs of random
/// embeddings in one round, then the EndRound barrier.
public enum LoadCheck {
    public static func run(experiment: ExperimentConfig, clients: Int, steps: Int, batch: Int) async throws -> LoadCheckReport {
        var config = experiment
        config.tasks = [TaskConfig(kind: .depth, clients: clients)]
        config.rounds = 1
        let members = (0..<clients).map { FederationBackend.Member(id: UInt32($0 + 1), name: "depth-\($0)", task: .depth) }
        let backend = try FederationBackend(config: config, members: members, minClients: clients, roundTimeout: .seconds(3600))
        let tokens = members.map { "load-\($0.name)" }
        let registry = try ClientRegistry(clients: members.enumerated().map {
            RegisteredClient(id: $1.id, name: $1.name, tokenSHA256: ClientRegistry.sha256Hex(of: tokens[$0]))
        })
        let server = FedBoneTransportServer(config: TransportServerConfig(host: "127.0.0.1", port: 0), registry: registry, backend: backend)
        let general = try config.model.general.resolved()
        let shape = Array(try general.makeModel(imageSize: (config.data.imageSize, config.data.imageSize), seed: 0)
            .inputShape(batch: batch))
        let forward = Latencies(), backward = Latencies()
        let traffic = Latencies()
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.serve() }
            let port = try await server.listeningPort()
            let driver = Task { try await backend.runRound() }
            let started = ContinuousClock.now
            try await withThrowingTaskGroup(of: Void.self) { clientsGroup in
                for (i, member) in members.enumerated() {
                    let transport = TransportClientConfig(host: "127.0.0.1", port: port, token: tokens[i])
                    clientsGroup.addTask {
                        try await FedBoneTransportClient.withClient(config: transport) { client in
                            try await client.join(name: member.name, task: "depth", embeddingShape: Array(shape.dropFirst()))
                            let count = shape.reduce(1, *)
                            for step in 0..<steps {
                                let embeddings = Tensor(uncheckedShape: shape, scalars: (0..<count).map { Float(($0 + step + i) % 13) / 13 - 0.5 })
                                let t0 = ContinuousClock.now
                                let features = try await client.forward(round: 1, step: step, embeddings: embeddings)
                                let t1 = ContinuousClock.now
                                let gradient = Tensor(uncheckedShape: features.shape, scalars: [Float](repeating: 1e-3, count: features.count))
                                let embeddingGradient = try await client.backward(round: 1, step: step, featureGradient: gradient)
                                let t2 = ContinuousClock.now
                                forward.add(FederationBackend.seconds(t1 - t0) * 1000)
                                backward.add(FederationBackend.seconds(t2 - t1) * 1000)
                                traffic.add(Double(4 * (embeddings.count + features.count + gradient.count + embeddingGradient.count)))
                            }
                            _ = try await client.endRound(round: 1)
                            try await client.leave()
                        }
                    }
                }
                try await clientsGroup.waitForAll()
            }
            let wall = FederationBackend.seconds(ContinuousClock.now - started)
            _ = try await driver.value
            let model = await backend.modelSeconds
            let passes = await backend.batchedPasses
            server.beginGracefulShutdown()
            try await group.waitForAll()
            return LoadCheckReport(clients: clients, steps: steps, batch: batch, forwardMilliseconds: forward.sorted,
                                   backwardMilliseconds: backward.sorted, bytesPerRound: Int(traffic.sorted.reduce(0, +)), wallSeconds: wall,
                                   modelSeconds: model, batchClients: config.server.batchClients, batchedPasses: passes)
        }
    }
}

/// Values (latencies, byte counts) gathered from several tasks.
final class Latencies: Sendable {
    private let values = Mutex<[Double]>([])

    func add(_ value: Double) { values.withLock { $0.append(value) } }

    var sorted: [Double] { values.withLock { $0.sorted() } }
}
