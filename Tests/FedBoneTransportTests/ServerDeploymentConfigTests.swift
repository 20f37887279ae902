import Foundation
import Testing
@testable import FedBoneTransport

@Suite struct ServerDeploymentConfigTests {
    @Test func readsTheServerConfigWithDefaults() throws {
        let hash = ClientRegistry.sha256Hex(of: "t")
        let config = try ServerDeploymentConfig.load(yaml: """
            experiment: experiment.yaml
            port: 50051
            minClients: 2
            clients:
              - {id: 1, name: segmentation-0, tokenSHA256: \(hash)}
            """)
        #expect(config.host == "127.0.0.1" && config.port == 50051 && config.minClients == 2)
        #expect(config.roundTimeoutSeconds == 600 && config.maxMessageMB == 256)
        #expect(config.clients == [RegisteredClient(id: 1, name: "segmentation-0", tokenSHA256: hash)])
        #expect(config.experimentURL(relativeTo: URL(fileURLWithPath: "/srv/fedbone/server.yaml")).path == "/srv/fedbone/experiment.yaml")
        #expect(try ServerDeploymentConfig.load(yaml: config.yaml()) == config)
    }

    @Test func refusesAConfigWithoutClients() {
        #expect(throws: ConfigError.self) { try ServerDeploymentConfig.load(yaml: "experiment: e.yaml") }
    }
}
