import Foundation
import Yams

/// `server.yaml` of `fedbone serve`: which experiment to run, where to listen, the clients
/// it accepts (token hashes only) and the fault settings.
///
/// ```yaml
/// experiment: experiment.yaml      # the experiment config (a path relative to this file)
/// host: 127.0.0.1
/// port: 50051
/// minClients: 2                    # fewest clients for which a round still counts (default: all)
/// roundTimeoutSeconds: 600         # a participant not done by then is dropped from the round
/// joinTimeoutSeconds: 600          # how long to wait for the configured clients at the start, and how
///                                  # long without any client call after an abandoned round before it stops
/// maxMessageMB: 256
/// clients:
///   - {id: 1, name: segmentation-0, tokenSHA256: 9f86d0…}
/// ```
/// The entries are the federation: a name the experiment gives a client (`<task>-<i>`) makes
/// that client the experiment's, with its task; any other name is a client with its own data
/// (`fedbone join --data`), which states its task and data size at Join. Nothing here describes
/// a client's data. Experiment clients without an entry take no part.
public struct ServerDeploymentConfig: Sendable, Equatable, Codable {
    /// The experiment config file, relative to the server config's folder (or absolute).
    public var experiment: String
    public var host: String = "127.0.0.1"
    public var port: Int = 50051
    /// Fewest participants for which a round with dropped clients still counts (nil: all clients).
    public var minClients: Int?
    public var roundTimeoutSeconds: Double = 600
    public var joinTimeoutSeconds: Double = 600
    public var maxMessageMB: Int = 256
    public var clients: [RegisteredClient]

    public init(experiment: String, host: String = "127.0.0.1", port: Int = 50051, minClients: Int? = nil,
                roundTimeoutSeconds: Double = 600, joinTimeoutSeconds: Double = 600, maxMessageMB: Int = 256,
                clients: [RegisteredClient]) {
        self.experiment = experiment
        self.host = host
        self.port = port
        self.minClients = minClients
        self.roundTimeoutSeconds = roundTimeoutSeconds
        self.joinTimeoutSeconds = joinTimeoutSeconds
        self.maxMessageMB = maxMessageMB
        self.clients = clients
    }

    private enum CodingKeys: String, CodingKey {
        case experiment, host, port, minClients, roundTimeoutSeconds, joinTimeoutSeconds, maxMessageMB, clients
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        experiment = try c.decode(String.self, forKey: .experiment)
        host = try c.decodeIfPresent(String.self, forKey: .host) ?? "127.0.0.1"
        port = try c.decodeIfPresent(Int.self, forKey: .port) ?? 50051
        minClients = try c.decodeIfPresent(Int.self, forKey: .minClients)
        roundTimeoutSeconds = try c.decodeIfPresent(Double.self, forKey: .roundTimeoutSeconds) ?? 600
        joinTimeoutSeconds = try c.decodeIfPresent(Double.self, forKey: .joinTimeoutSeconds) ?? 600
        maxMessageMB = try c.decodeIfPresent(Int.self, forKey: .maxMessageMB) ?? 256
        clients = try c.decode([RegisteredClient].self, forKey: .clients)
    }

    /// Reads a server config from YAML.
    public static func load(yaml text: String) throws -> ServerDeploymentConfig {
        do { return try YAMLDecoder().decode(ServerDeploymentConfig.self, from: text) } catch {
            throw ConfigError.syntax("server config: \(error)")
        }
    }

    /// The config as YAML.
    public func yaml() throws -> String { try YAMLEncoder().encode(self) }

    /// The experiment file's location for a server config read from `configFile`.
    public func experimentURL(relativeTo configFile: URL) -> URL {
        experiment.hasPrefix("/") ? URL(fileURLWithPath: experiment)
            : configFile.deletingLastPathComponent().appendingPathComponent(experiment)
    }
}
