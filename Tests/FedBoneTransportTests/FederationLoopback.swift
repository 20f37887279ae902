import Foundation
@testable import FedBoneTransport

/// A transport server on 127.0.0.1 over a ``FederationBackend`` of ``FederationBackendTests/members``
/// (ids 1, 2, 3; tokens `token-<name>`), for one test.
enum FederationLoopback {
    /// Serves `backend` while `body` runs with the port.
    static func run<Result: Sendable>(_ backend: FederationBackend, _ body: (Int) async throws -> Result) async throws -> Result {
        let registry = try ClientRegistry(clients: NetworkFaultTests.registered(FederationBackendTests.members.map(\.name)))
        return try await withLoopbackServer(config: TransportServerConfig(host: "127.0.0.1", port: 0), registry: registry,
                                            backend: backend, body)
    }

    /// A client config for member `name` with short retries.
    static func clientConfig(port: Int, name: String) -> TransportClientConfig {
        TransportClientConfig(host: "127.0.0.1", port: port, token: "token-\(name)", callTimeout: .seconds(20),
                              retry: RetrySettings(maxAttempts: 2, initialBackoff: .milliseconds(20)))
    }

    /// Embeddings of `batch` samples for the tiny experiment, with values set by `seed`.
    static func embeddings(batch: Int = 2, seed: Int = 0) throws -> Tensor {
        let shape = [batch] + (try FederationBackendTests.embeddingShape(FederationBackendTests.config()))
        let count = shape.reduce(1, *)
        return Tensor(uncheckedShape: shape, scalars: (0..<count).map { Float(($0 + seed) % 7) / 7 - 0.4 })
    }
}
