/// The federation a server runs: the clients its `server.yaml` lists, in federation order.
///
/// The clients the experiment describes come first, in the experiment's client order (so the
/// aggregation sees them as the in-process simulation does), with the task and classes the
/// experiment gives them; then the server config's other clients, in its order, which state
/// their task and data at Join. Nothing here reads any client's data.
public struct FederationMembers: Sendable, Equatable {
    /// The members in federation order.
    public var members: [FederationBackend.Member]
    /// The experiment's clients that the server config does not list: they take no part.
    public var unlisted: [String]

    /// The members of `deployment` for `experiment`.
    public init(experiment: ExperimentConfig, deployment: ServerDeploymentConfig) {
        let described = experiment.tasks.flatMap { task in task.clientNames.map { (name: $0, task: task) } }
        let byName = Dictionary(deployment.clients.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var members = described.compactMap { entry in
            byName[entry.name].map { FederationBackend.Member(id: $0.id, name: entry.name, task: entry.task.kind, classes: entry.task.classes) }
        }
        let describedNames = Set(described.map(\.name))
        members += deployment.clients.filter { !describedNames.contains($0.name) }.map { FederationBackend.Member(id: $0.id, name: $0.name) }
        self.members = members
        unlisted = described.map(\.name).filter { byName[$0] == nil }
    }
}
