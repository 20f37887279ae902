import GRPCCore

/// How a client proves who it is: its secret token in the `authorization: Bearer <token>`
/// metadata of every call (the server's `Authenticator` checks it).
public enum BearerToken {
    /// The metadata key carrying the token (lower case, as HTTP/2 requires).
    public static let metadataKey = "authorization"

    /// The metadata a client attaches to every call.
    public static func metadata(token: String) -> Metadata {
        var metadata = Metadata()
        metadata.addString("Bearer \(token)", forKey: metadataKey)
        return metadata
    }
}
