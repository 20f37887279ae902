import GRPCCore
import GRPCNIOTransportHTTP2

/// The FedBone gRPC server: the `fedbone.v1.FedBone` service over HTTP/2 (NIO, Posix sockets),
/// with TLS when configured.
///
/// ```swift
/// let server = try FedBoneTransportServer(config: config, registry: registry, backend: backend)
/// try await withThrowingDiscardingTaskGroup { group in
///     group.addTask { try await server.serve() }
///     let port = try await server.listeningPort()
///     ...
///     server.beginGracefulShutdown()
/// }
/// ```
public final class FedBoneTransportServer: Sendable {
    private let server: GRPCServer<HTTP2ServerTransport.Posix>
    private let transport: HTTP2ServerTransport.Posix

    /// Builds the server; nothing listens until ``serve()``.
    public init(config: TransportServerConfig, registry: ClientRegistry, backend: any SplitTrainingBackend) {
        let address: GRPCNIOTransportCore.SocketAddress = config.host.contains(":")
            ? .ipv6(host: config.host, port: config.port)
            : .ipv4(host: config.host, port: config.port)
        transport = HTTP2ServerTransport.Posix(
            address: address,
            transportSecurity: config.tls?.transportSecurity ?? .plaintext,
            config: .defaults { $0.rpc.maxRequestPayloadSize = config.maxMessageBytes }
        )
        let service = FedBoneService(
            backend: backend,
            authenticator: Authenticator(registry: registry),
            sessions: SessionTable(),
            limits: config.tensorLimits,
            maxMessageBytes: config.maxMessageBytes
        )
        server = GRPCServer(transport: transport, services: [service])
    }

    /// Listens and serves until ``beginGracefulShutdown()`` (or the task is cancelled).
    public func serve() async throws {
        try await server.serve()
    }

    /// The port the server is bound to, once it listens (useful after asking for port 0).
    public func listeningPort() async throws -> Int {
        let address = try await transport.listeningAddress
        if let ipv4 = address.ipv4 { return ipv4.port }
        if let ipv6 = address.ipv6 { return ipv6.port }
        throw RPCError(code: .internalError, message: "the server is bound to \(address), not an IP address")
    }

    /// Stops accepting calls and returns from ``serve()`` once the calls in flight finish.
    public func beginGracefulShutdown() {
        server.beginGracefulShutdown()
    }
}
