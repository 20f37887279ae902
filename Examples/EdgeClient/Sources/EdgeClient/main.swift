// An edge client app: joins a `fedbone serve` server as one client of an experiment, trains
// every round the server runs with its own data and client model, and prints its test result.
//
//   edge-client <host:port> <experiment.yaml> <client-name>     (token in FEDBONE_TOKEN)
//
// Set FEDBONE_INSECURE=1 to connect without TLS (loopback trials); otherwise the server's
// certificate must chain to the system roots or to the CA in FEDBONE_CA.
import FedBoneClient
import Foundation

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("edge-client: \(message)\n".utf8))
    exit(2)
}

let arguments = CommandLine.arguments.dropFirst()
guard arguments.count == 3 else { fail("usage: edge-client <host:port> <experiment.yaml> <client-name>") }
let server = arguments[arguments.startIndex], configPath = arguments[arguments.startIndex + 1]
let clientName = arguments[arguments.startIndex + 2]
let environment = ProcessInfo.processInfo.environment
guard let token = environment["FEDBONE_TOKEN"], !token.isEmpty else { fail("set FEDBONE_TOKEN to this client's token") }
guard let colon = server.lastIndex(of: ":"), let port = Int(server[server.index(after: colon)...]) else {
    fail("the server must be host:port, not \(server)")
}

do {
    let experiment = try ExperimentConfig.load(yaml: try String(contentsOfFile: configPath, encoding: .utf8))
    let tls = environment["FEDBONE_INSECURE"] == "1" ? nil : ClientTLSSettings(serverCA: environment["FEDBONE_CA"].map { .file($0) })
    let transport = TransportClientConfig(host: String(server[..<colon]), port: port, token: token, tls: tls)
    let summary = try await FederationClientRunner.run(experiment: experiment, client: clientName, transport: transport) {
        print($0)
    }
    if let evaluation = summary.evaluation {
        print("\(summary.client): \(evaluation.primary.name) \(evaluation.primary.value) after \(summary.rounds.count) rounds")
    }
} catch {
    fail("\(error)")
}
