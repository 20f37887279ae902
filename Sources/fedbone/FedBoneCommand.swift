import ArgumentParser

/// The `fedbone` command line: heterogeneous federated multi-task learning with split training.
@main
struct FedBoneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fedbone",
        abstract: "Heterogeneous federated multi-task learning with server–client split training (FedBone).",
        discussion: """
        The engine, layers, optimizers and the split models are in place; the simulation,
        deployment and report commands arrive with the data and federation work (see README).
        """,
        version: "0.1.0",
        subcommands: [ModelsCommand.self, CertsCommand.self]
    )
}
