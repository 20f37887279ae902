/// How a client retries calls that failed for a transient reason (UNAVAILABLE: the server
/// is restarting, the connection dropped).
///
/// Waits `initialBackoff`, then multiplies the wait by `multiplier` up to `maxBackoff`,
/// each wait jittered by ±20 %.
public struct RetrySettings: Sendable, Equatable {
    /// Attempts in all, the first included (1: never retry).
    public var maxAttempts: Int
    /// Wait before the second attempt.
    public var initialBackoff: Duration
    /// Longest wait between attempts.
    public var maxBackoff: Duration
    /// Growth of the wait per attempt.
    public var multiplier: Double

    /// Creates retry settings.
    public init(maxAttempts: Int = 6, initialBackoff: Duration = .milliseconds(200), maxBackoff: Duration = .seconds(5), multiplier: Double = 2) {
        precondition(maxAttempts >= 1, "RetrySettings: maxAttempts must be at least 1")
        precondition(multiplier >= 1, "RetrySettings: multiplier must be at least 1")
        self.maxAttempts = maxAttempts
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
        self.multiplier = multiplier
    }

    /// The wait before attempt `attempt + 1` (attempt counts from 1), before jitter.
    public func backoff(afterAttempt attempt: Int) -> Duration {
        var wait = initialBackoff
        for _ in 1..<max(1, attempt) {
            wait = wait * multiplier
            if wait >= maxBackoff { return maxBackoff }
        }
        return min(wait, maxBackoff)
    }
}

/// Where a client connects and how it calls.
public struct TransportClientConfig: Sendable, Equatable {
    /// The server's host: an IPv4 or IPv6 literal or a DNS name.
    public var host: String
    /// The server's port.
    public var port: Int
    /// The client's secret token (sent as `authorization: Bearer <token>`).
    public var token: String
    /// TLS, or `nil` for plaintext (loopback tests only).
    public var tls: ClientTLSSettings?
    /// Largest message the client sends or accepts, in bytes.
    public var maxMessageBytes: Int
    /// Bounds on every tensor received.
    public var tensorLimits: TensorLimits
    /// Deadline of each attempt of every call but EndRound.
    public var callTimeout: Duration
    /// Deadline of an EndRound attempt: it waits for the slowest client and the aggregation.
    public var endRoundTimeout: Duration
    /// Retries on UNAVAILABLE.
    public var retry: RetrySettings
    /// How the client encodes the tensors it sends.
    public var requestDType: WireDType
    /// How the client asks the server to encode the tensors it sends back.
    public var responseDType: WireDType

    /// Creates a client configuration.
    public init(
        host: String,
        port: Int,
        token: String,
        tls: ClientTLSSettings? = nil,
        maxMessageBytes: Int = 256 << 20,
        tensorLimits: TensorLimits = TensorLimits(),
        callTimeout: Duration = .seconds(120),
        endRoundTimeout: Duration = .seconds(3600),
        retry: RetrySettings = RetrySettings(),
        requestDType: WireDType = .f32,
        responseDType: WireDType = .f32
    ) {
        self.host = host
        self.port = port
        self.token = token
        self.tls = tls
        self.maxMessageBytes = maxMessageBytes
        self.tensorLimits = tensorLimits
        self.callTimeout = callTimeout
        self.endRoundTimeout = endRoundTimeout
        self.retry = retry
        self.requestDType = requestDType
        self.responseDType = responseDType
    }
}
