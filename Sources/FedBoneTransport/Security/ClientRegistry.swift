import Crypto
import Foundation

/// One client the server accepts: its id, its configured name and the SHA-256 of its token.
///
/// The server's configuration holds only these hashes; the tokens themselves live on the
/// clients. Make a token with ``ClientRegistry/newToken()`` and its hash with
/// ``ClientRegistry/sha256Hex(of:)``.
public struct RegisteredClient: Sendable, Equatable, Codable {
    /// The id the client names in every call after Join.
    public var id: UInt32
    /// The name the client must give in Join.
    public var name: String
    /// Lower-case hex SHA-256 of the client's token (64 characters).
    public var tokenSHA256: String

    /// Creates a registry entry.
    public init(id: UInt32, name: String, tokenSHA256: String) {
        self.id = id
        self.name = name
        self.tokenSHA256 = tokenSHA256
    }
}

/// Why a set of registry entries was refused.
public enum ClientRegistryError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A token hash is not 64 hex characters.
    case malformedHash(client: String)
    /// Two entries share an id.
    case duplicateID(UInt32)
    /// Two entries share a name.
    case duplicateName(String)
    /// Two entries share a token hash.
    case duplicateToken(client: String)

    public var description: String {
        switch self {
        case let .malformedHash(client):
            return "client \(client): tokenSHA256 must be 64 hex characters (the SHA-256 of the token)"
        case let .duplicateID(id):
            return "client id \(id) is configured twice"
        case let .duplicateName(name):
            return "client name \(name) is configured twice"
        case let .duplicateToken(client):
            return "client \(client): its token hash is also used by another client"
        }
    }
}

/// The clients a server accepts, looked up by token in constant time.
public struct ClientRegistry: Sendable {
    private struct Entry: Sendable {
        var client: RegisteredClient
        var digest: [UInt8]
    }

    private let entries: [Entry]

    /// The configured clients, in configuration order.
    public var clients: [RegisteredClient] { entries.map(\.client) }

    /// Checks the entries (well-formed hashes, unique ids, names and hashes) and builds the registry.
    public init(clients: [RegisteredClient]) throws(ClientRegistryError) {
        var entries: [Entry] = []
        var ids = Set<UInt32>(), names = Set<String>(), digests = Set<[UInt8]>()
        for client in clients {
            guard let digest = Self.bytes(fromHex: client.tokenSHA256), digest.count == SHA256.byteCount else {
                throw .malformedHash(client: client.name)
            }
            guard ids.insert(client.id).inserted else { throw .duplicateID(client.id) }
            guard names.insert(client.name).inserted else { throw .duplicateName(client.name) }
            guard digests.insert(digest).inserted else { throw .duplicateToken(client: client.name) }
            entries.append(Entry(client: client, digest: digest))
        }
        self.entries = entries
    }

    /// The client whose token this is, or `nil`.
    ///
    /// The presented token is hashed and compared with every stored hash in constant time
    /// (no early exit, neither within a hash nor across entries), so the time taken does not
    /// depend on how much of a hash matched or which entry did.
    public func client(forToken token: String) -> RegisteredClient? {
        let presented = Array(SHA256.hash(data: Data(token.utf8)))
        var found: RegisteredClient?
        for entry in entries where Self.constantTimeEqual(entry.digest, presented) {
            found = entry.client
        }
        return found
    }

    /// Lower-case hex SHA-256 of a token's UTF-8 bytes: what the server config stores.
    public static func sha256Hex(of token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// A new random token: 32 bytes from the system's secure generator, as 64 hex characters.
    public static func newToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in String(format: "%02x", UInt8.random(in: .min ... .max, using: &generator)) }.joined()
    }

    /// Equality of two byte strings whose running time depends only on their lengths.
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }

    private static func bytes(fromHex hex: String) -> [UInt8]? {
        let digits = Array(hex.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let high = nibble(digits[index]), let low = nibble(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
        }
        return bytes
    }

    private static func nibble(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return digit - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
