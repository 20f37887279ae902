import Foundation
import GRPCCore
import Testing
import X509
@testable import FedBoneTransport

@Suite("Client tokens and authentication")
struct SecurityTests {
    static let tokenA = "token-of-client-a"
    static let tokenB = "token-of-client-b"

    func registry() throws -> ClientRegistry {
        try ClientRegistry(clients: [
            RegisteredClient(id: 1, name: "a", tokenSHA256: ClientRegistry.sha256Hex(of: Self.tokenA)),
            RegisteredClient(id: 2, name: "b", tokenSHA256: ClientRegistry.sha256Hex(of: Self.tokenB).uppercased()),
        ])
    }

    @Test("SHA-256 of a token matches the standard test vector")
    func sha256Vector() {
        #expect(ClientRegistry.sha256Hex(of: "abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test("tokens map to their client; unknown tokens to none")
    func lookup() throws {
        let registry = try registry()
        #expect(registry.client(forToken: Self.tokenA)?.id == 1)
        #expect(registry.client(forToken: Self.tokenB)?.name == "b")
        #expect(registry.client(forToken: "token-of-client-c") == nil)
        #expect(registry.client(forToken: "") == nil)
    }

    @Test("malformed hashes and duplicates are refused")
    func registryErrors() {
        let hash = ClientRegistry.sha256Hex(of: "t")
        #expect(throws: ClientRegistryError.malformedHash(client: "a")) {
            try ClientRegistry(clients: [RegisteredClient(id: 1, name: "a", tokenSHA256: "abc")])
        }
        #expect(throws: ClientRegistryError.malformedHash(client: "a")) {
            try ClientRegistry(clients: [RegisteredClient(id: 1, name: "a", tokenSHA256: String(repeating: "g", count: 64))])
        }
        #expect(throws: ClientRegistryError.duplicateID(1)) {
            try ClientRegistry(clients: [
                RegisteredClient(id: 1, name: "a", tokenSHA256: hash),
                RegisteredClient(id: 1, name: "b", tokenSHA256: ClientRegistry.sha256Hex(of: "u")),
            ])
        }
        #expect(throws: ClientRegistryError.duplicateName("a")) {
            try ClientRegistry(clients: [
                RegisteredClient(id: 1, name: "a", tokenSHA256: hash),
                RegisteredClient(id: 2, name: "a", tokenSHA256: ClientRegistry.sha256Hex(of: "u")),
            ])
        }
        #expect(throws: ClientRegistryError.duplicateToken(client: "b")) {
            try ClientRegistry(clients: [
                RegisteredClient(id: 1, name: "a", tokenSHA256: hash),
                RegisteredClient(id: 2, name: "b", tokenSHA256: hash),
            ])
        }
    }

    @Test("constant-time comparison and fresh tokens")
    func comparisonAndTokens() {
        #expect(ClientRegistry.constantTimeEqual([1, 2, 3], [1, 2, 3]))
        #expect(!ClientRegistry.constantTimeEqual([1, 2, 3], [1, 2, 4]))
        #expect(!ClientRegistry.constantTimeEqual([1, 2, 3], [1, 2]))
        let token = ClientRegistry.newToken()
        #expect(token.count == 64 && token.allSatisfy(\.isHexDigit))
        #expect(token != ClientRegistry.newToken())
    }

    @Test("the authorization header must be one well-formed Bearer with a known token")
    func authenticate() throws {
        let authenticator = Authenticator(registry: try registry())
        #expect(try authenticator.authenticate(BearerToken.metadata(token: Self.tokenA)).id == 1)
        var lowercase = Metadata()
        lowercase.addString("bearer \(Self.tokenB)", forKey: "authorization")
        #expect(try authenticator.authenticate(lowercase).id == 2)

        var basic = Metadata()
        basic.addString("Basic \(Self.tokenA)", forKey: "authorization")
        var twice = BearerToken.metadata(token: Self.tokenA)
        twice.addString("Bearer \(Self.tokenB)", forKey: "authorization")
        for metadata in [Metadata(), basic, twice, BearerToken.metadata(token: "wrong")] {
            #expect { try authenticator.authenticate(metadata) } throws: { ($0 as? RPCError)?.code == .unauthenticated }
        }
    }

    @Test("a token only reaches its own client's state")
    func authorize() throws {
        let authenticator = Authenticator(registry: try registry())
        #expect(try authenticator.authorize(BearerToken.metadata(token: Self.tokenA), clientID: 1).name == "a")
        #expect { try authenticator.authorize(BearerToken.metadata(token: Self.tokenA), clientID: 2) } throws: {
            ($0 as? RPCError)?.code == .permissionDenied
        }
        #expect { try authenticator.authorize(BearerToken.metadata(token: "nope"), clientID: 2) } throws: {
            ($0 as? RPCError)?.code == .unauthenticated
        }
    }
}

@Suite("Test certificates")
struct TestCertificatesTests {
    @Test("CA, server and client certificates chain up and name the loopback hosts")
    func generateAndParse() throws {
        let certificates = try TestCertificates.generate(serverHostnames: ["fedbone.test"], serverIPAddresses: ["10.0.0.7"])
        let ca = try Certificate(pemEncoded: certificates.caCertificate)
        let server = try Certificate(pemEncoded: certificates.serverCertificate)
        let client = try Certificate(pemEncoded: certificates.clientCertificate)
        #expect(try ca.extensions.basicConstraints == .isCertificateAuthority(maxPathLength: 0))
        #expect(server.issuer == ca.subject && client.issuer == ca.subject)
        #expect(ca.publicKey.isValidSignature(server.signature, for: server))
        #expect(ca.publicKey.isValidSignature(client.signature, for: client))
        let names = try #require(try server.extensions.subjectAlternativeNames)
        #expect(names.contains(.dnsName("localhost")))
        #expect(names.contains(.dnsName("fedbone.test")))
        #expect(names.contains(.ipAddress(.init(contentBytes: [127, 0, 0, 1]))))
        #expect(names.contains(.ipAddress(.init(contentBytes: [10, 0, 0, 7]))))
        #expect(try server.extensions.extendedKeyUsage?.contains(.serverAuth) == true)
        #expect(try client.extensions.extendedKeyUsage?.contains(.clientAuth) == true)
        #expect(throws: TestCertificatesError.invalidIPAddress("999.1.1.1")) {
            try TestCertificates.generate(serverIPAddresses: ["999.1.1.1"])
        }
    }

    @Test("files are written with private keys readable by the owner only")
    func write() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fedbone-certs-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let paths = try TestCertificates.generate().write(to: directory)
        #expect(paths.map(\.lastPathComponent) == TestCertificates.fileNames)
        let key = try FileManager.default.attributesOfItem(atPath: directory.appendingPathComponent("server-key.pem").path)
        #expect((key[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let pem = try String(contentsOf: directory.appendingPathComponent("ca.pem"), encoding: .utf8)
        #expect(pem.hasPrefix("-----BEGIN CERTIFICATE-----"))
    }
}

@Suite("Client retry backoff")
struct RetrySettingsTests {
    @Test("backoff grows by the multiplier and stops at the maximum")
    func backoff() {
        let retry = RetrySettings(maxAttempts: 6, initialBackoff: .milliseconds(100), maxBackoff: .milliseconds(500), multiplier: 2)
        #expect(retry.backoff(afterAttempt: 1) == .milliseconds(100))
        #expect(retry.backoff(afterAttempt: 2) == .milliseconds(200))
        #expect(retry.backoff(afterAttempt: 3) == .milliseconds(400))
        #expect(retry.backoff(afterAttempt: 4) == .milliseconds(500))
        #expect(retry.backoff(afterAttempt: 9) == .milliseconds(500))
    }
}
