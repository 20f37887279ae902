import Crypto
import Foundation
import X509

/// A throw-away certificate authority with a server and a client certificate, for tests and
/// for trying a deployment on one's own machines (not for production).
///
/// Keys are ECDSA P-256, signatures ECDSA with SHA-256. The server certificate names
/// `localhost`, `127.0.0.1` and `::1` (plus any extra host names given); the client
/// certificate is for TLS client authentication (mutual TLS).
public struct TestCertificates: Sendable {
    /// The CA certificate (PEM): what servers and clients trust.
    public var caCertificate: String
    /// The CA's private key (PEM, PKCS #8): keep it to issue more certificates, or delete it.
    public var caPrivateKey: String
    /// The server certificate (PEM).
    public var serverCertificate: String
    /// The server's private key (PEM, PKCS #8).
    public var serverPrivateKey: String
    /// The client certificate (PEM).
    public var clientCertificate: String
    /// The client's private key (PEM, PKCS #8).
    public var clientPrivateKey: String

    /// File names used by ``write(to:)``, in the order of the properties above.
    public static let fileNames = ["ca.pem", "ca-key.pem", "server.pem", "server-key.pem", "client.pem", "client-key.pem"]

    /// Makes a new CA and issues the server and client certificates.
    /// - Parameters:
    ///   - serverHostnames: DNS names the server certificate names besides `localhost`.
    ///   - serverIPAddresses: IP addresses (v4 or v6 literals) besides `127.0.0.1` and `::1`.
    ///   - validityDays: how long the certificates stay valid.
    public static func generate(
        serverHostnames: [String] = [],
        serverIPAddresses: [String] = [],
        clientName: String = "fedbone-client",
        validityDays: Int = 30
    ) throws -> TestCertificates {
        let now = Date()
        let notBefore = now.addingTimeInterval(-300)
        let notAfter = now.addingTimeInterval(TimeInterval(validityDays) * 86_400)

        let caKey = P256.Signing.PrivateKey()
        let caName = try DistinguishedName {
            OrganizationName("FedBone")
            CommonName("FedBone test CA")
        }
        let ca = try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: Certificate.PublicKey(caKey.publicKey),
            notValidBefore: notBefore,
            notValidAfter: notAfter,
            issuer: caName,
            subject: caName,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
                SubjectKeyIdentifier(hash: Certificate.PublicKey(caKey.publicKey))
            },
            issuerPrivateKey: Certificate.PrivateKey(caKey)
        )

        var names: [GeneralName] = (["localhost"] + serverHostnames).map { .dnsName($0) }
        for address in ["127.0.0.1", "::1"] + serverIPAddresses {
            guard let bytes = ipAddressBytes(address) else { throw TestCertificatesError.invalidIPAddress(address) }
            names.append(.ipAddress(.init(contentBytes: bytes[...])))
        }
        let serverKey = P256.Signing.PrivateKey()
        let server = try issue(
            commonName: "fedbone-server", key: serverKey, usage: .serverAuth, alternativeNames: names,
            ca: ca, caKey: caKey, notBefore: notBefore, notAfter: notAfter
        )
        let clientKey = P256.Signing.PrivateKey()
        let client = try issue(
            commonName: clientName, key: clientKey, usage: .clientAuth, alternativeNames: [.dnsName(clientName)],
            ca: ca, caKey: caKey, notBefore: notBefore, notAfter: notAfter
        )
        return TestCertificates(
            caCertificate: try ca.serializeAsPEM().pemString,
            caPrivateKey: caKey.pemRepresentation,
            serverCertificate: try server.serializeAsPEM().pemString,
            serverPrivateKey: serverKey.pemRepresentation,
            clientCertificate: try client.serializeAsPEM().pemString,
            clientPrivateKey: clientKey.pemRepresentation
        )
    }

    /// Writes the six PEM files (``fileNames``) into `directory`, creating it if needed.
    /// Private keys are written readable by the owner only (mode 0600).
    /// - Returns: the paths written, in the order of ``fileNames``.
    @discardableResult
    public func write(to directory: URL) throws -> [URL] {
        let manager = FileManager.default
        try manager.createDirectory(at: directory, withIntermediateDirectories: true)
        let contents = [caCertificate, caPrivateKey, serverCertificate, serverPrivateKey, clientCertificate, clientPrivateKey]
        var written: [URL] = []
        for (name, text) in zip(Self.fileNames, contents) {
            let url = directory.appendingPathComponent(name)
            try Self.writeFile(text, to: url.path, mode: name.hasSuffix("-key.pem") ? 0o600 : 0o644)
            written.append(url)
        }
        return written
    }

    /// Writes `text` to a file created (or truncated) with `mode`, so a key is never readable
    /// by others, not even briefly.
    private static func writeFile(_ text: String, to path: String, mode: mode_t) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode)
        guard descriptor >= 0 else { throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path]) }
        defer { close(descriptor) }
        guard fchmod(descriptor, mode) == 0 else { throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path]) }
        try FileHandle(fileDescriptor: descriptor, closeOnDealloc: false).write(contentsOf: Data(text.utf8))
    }

    private static func issue(
        commonName: String, key: P256.Signing.PrivateKey, usage: ExtendedKeyUsage.Usage, alternativeNames: [GeneralName],
        ca: Certificate, caKey: P256.Signing.PrivateKey, notBefore: Date, notAfter: Date
    ) throws -> Certificate {
        let subject = try DistinguishedName {
            OrganizationName("FedBone")
            CommonName(commonName)
        }
        return try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: Certificate.PublicKey(key.publicKey),
            notValidBefore: notBefore,
            notValidAfter: notAfter,
            issuer: ca.subject,
            subject: subject,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage([usage])
                SubjectAlternativeNames(alternativeNames)
                AuthorityKeyIdentifier(keyIdentifier: try ca.extensions.subjectKeyIdentifier?.keyIdentifier)
            },
            issuerPrivateKey: Certificate.PrivateKey(caKey)
        )
    }

    /// The 4 or 16 bytes of an IPv4 or IPv6 literal, or `nil`.
    static func ipAddressBytes(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            return withUnsafeBytes(of: &v4) { Array($0) }
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            return withUnsafeBytes(of: &v6) { Array($0) }
        }
        return nil
    }
}

/// Why certificates could not be made.
public enum TestCertificatesError: Error, Equatable, Sendable, CustomStringConvertible {
    /// An extra server address is not an IPv4 or IPv6 literal.
    case invalidIPAddress(String)

    public var description: String {
        switch self {
        case .invalidIPAddress(let text): return "'\(text)' is not an IPv4 or IPv6 address"
        }
    }
}
