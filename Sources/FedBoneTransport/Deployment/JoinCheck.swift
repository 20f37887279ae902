/// What the server checks of a client's own description at Join, before anything changes: the
/// task and classes it states must be ones a FedBone client can hold, and, for a client the
/// experiment describes, the experiment's. (The embedding shape is the general model's to judge:
/// ``FederationBackend`` asks the model.)
enum JoinCheck {
    /// The task `registration` states for `member`.
    /// - Throws: ``SplitTrainingBackendError/invalidArgument(_:)`` saying what to fix.
    static func task(of registration: ClientRegistration, member: FederationBackend.Member) throws -> TaskSpec {
        guard let kind = TaskKind(rawValue: registration.task) else {
            throw SplitTrainingBackendError.invalidArgument(
                "unknown task \(echoed(registration.task)); FedBone clients hold one of \(TaskKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if let described = member.task, described != kind {
            throw SplitTrainingBackendError.invalidArgument("client '\(member.name)' is configured for task \(described.rawValue), not \(kind.rawValue)")
        }
        if !kind.hasClasses, registration.classes != 0 {
            throw SplitTrainingBackendError.invalidArgument("task \(kind.rawValue) has no classes: send 0, not \(registration.classes)")
        }
        if let classes = member.classes, classes != 0, kind.hasClasses, registration.classes != 0, classes != registration.classes {
            throw SplitTrainingBackendError.invalidArgument(
                "client '\(member.name)' is configured with \(classes) classes for \(kind.rawValue), not \(registration.classes)")
        }
        guard registration.trainSamples >= 1 else {
            throw SplitTrainingBackendError.invalidArgument("client '\(member.name)' states \(registration.trainSamples) training samples; it needs at least 1")
        }
        let classes = registration.classes != 0 ? registration.classes : member.classes ?? 0
        if kind.hasClasses, classes < 1 {
            throw SplitTrainingBackendError.invalidArgument(
                "task \(kind.rawValue) needs its number of classes and neither the Join nor the experiment states it: send classes ≥ 1")
        }
        return TaskSpec(kind, classes: classes)
    }
}
