/// How the gRPC server listens and what it accepts.
public struct TransportServerConfig: Sendable, Equatable {
    /// The address to bind: an IPv4 or IPv6 literal (`127.0.0.1`, `::1`, `0.0.0.0`).
    public var host: String
    /// The port; 0 lets the system choose one (see ``FedBoneTransportServer/listeningPort()``).
    public var port: Int
    /// Largest request message in bytes; larger ones are refused with RESOURCE_EXHAUSTED
    /// before they are decoded. The default, 256 MiB, covers a batch of 16 at 224×224 in f32
    /// with room to spare; gRPC's own default of 4 MiB does not.
    public var maxMessageBytes: Int
    /// Bounds on every tensor received.
    public var tensorLimits: TensorLimits
    /// TLS, or `nil` for plaintext (loopback tests only).
    public var tls: ServerTLSSettings?

    /// Creates a server configuration.
    public init(
        host: String = "127.0.0.1",
        port: Int = 0,
        maxMessageBytes: Int = 256 << 20,
        tensorLimits: TensorLimits = TensorLimits(),
        tls: ServerTLSSettings? = nil
    ) {
        precondition(maxMessageBytes > 0, "TransportServerConfig: maxMessageBytes must be positive")
        self.host = host
        self.port = port
        self.maxMessageBytes = maxMessageBytes
        self.tensorLimits = tensorLimits
        self.tls = tls
    }
}
