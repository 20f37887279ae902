import FedBoneClient
import GRPCCore

/// Checks the `authorization: Bearer <token>` metadata of every call and binds the call to
/// the one client the token belongs to.
///
/// Handlers call ``authenticate(_:)`` (Join) or ``authorize(_:clientID:)`` (every other call)
/// before they look at anything else in the request.
public struct Authenticator: Sendable {
    /// The metadata key carrying the token (lower case, as HTTP/2 requires).
    public static let metadataKey = BearerToken.metadataKey

    /// The accepted clients.
    public let registry: ClientRegistry

    /// Creates an authenticator over `registry`.
    public init(registry: ClientRegistry) {
        self.registry = registry
    }

    /// The client the call's token belongs to.
    /// - Throws: `RPCError` UNAUTHENTICATED when the header is missing, repeated, not
    ///   `Bearer <token>`, or the token is unknown.
    public func authenticate(_ metadata: Metadata) throws(RPCError) -> RegisteredClient {
        let values = Array(metadata[stringValues: Self.metadataKey])
        guard values.count == 1, let header = values.first else {
            throw RPCError(code: .unauthenticated, message: "missing 'authorization: Bearer <token>' metadata")
        }
        let prefix = "Bearer "
        guard header.count > prefix.count, header.lowercased().hasPrefix(prefix.lowercased()) else {
            throw RPCError(code: .unauthenticated, message: "the authorization metadata must be 'Bearer <token>'")
        }
        let token = String(header.dropFirst(prefix.count))
        guard let client = registry.client(forToken: token) else {
            throw RPCError(code: .unauthenticated, message: "unknown token")
        }
        return client
    }

    /// The client the call's token belongs to, which must be `clientID`.
    /// - Throws: `RPCError` UNAUTHENTICATED as ``authenticate(_:)``; PERMISSION_DENIED when the
    ///   token belongs to another client.
    public func authorize(_ metadata: Metadata, clientID: UInt32) throws(RPCError) -> RegisteredClient {
        let client = try authenticate(metadata)
        guard client.id == clientID else {
            throw RPCError(
                code: .permissionDenied,
                message: "this token belongs to client \(client.id), not to client \(clientID)"
            )
        }
        return client
    }
}
