import ArgumentParser
import FedBoneTransport
import Foundation

/// `fedbone certs`: a throw-away CA with a server and a client certificate, for trying TLS
/// and mutual TLS on loopback or one's own machines.
struct CertsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "certs",
        abstract: "Create a test CA, a server certificate (localhost, 127.0.0.1, ::1) and a client certificate.",
        discussion: """
        Writes ca.pem, ca-key.pem, server.pem, server-key.pem, client.pem and client-key.pem
        (ECDSA P-256, made in-process: no openssl needed). Private keys are mode 0600. These are
        for tests and trials, not for production: use your own PKI there.

        It also prints a fresh client token and the SHA-256 hash the server config stores.
        """
    )

    @Option(help: "Folder to write the PEM files to (created if missing).")
    var out = "certs"

    @Option(name: .customLong("host"), help: "Extra DNS name for the server certificate (repeatable).")
    var hosts: [String] = []

    @Option(name: .customLong("ip"), help: "Extra IP address for the server certificate (repeatable).")
    var addresses: [String] = []

    @Option(help: "Days the certificates stay valid.")
    var days = 30

    @Flag(help: "Overwrite existing files.")
    var force = false

    func run() throws {
        guard days > 0 else { throw ValidationError("--days must be positive") }
        let directory = URL(fileURLWithPath: out)
        let existing = TestCertificates.fileNames.filter {
            FileManager.default.fileExists(atPath: directory.appendingPathComponent($0).path)
        }
        if !existing.isEmpty && !force {
            throw ValidationError("\(out) already holds \(existing.joined(separator: ", ")); pass --force to overwrite")
        }
        let certificates = try TestCertificates.generate(serverHostnames: hosts, serverIPAddresses: addresses, validityDays: days)
        for url in try certificates.write(to: directory) {
            print("wrote \(url.path)")
        }
        let token = ClientRegistry.newToken()
        print("example client token: \(token)")
        print("its tokenSHA256 for the server config: \(ClientRegistry.sha256Hex(of: token))")
    }
}
