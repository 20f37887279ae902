import ArgumentParser
import FedBoneFederation

/// The `fedbone` command line: heterogeneous federated multi-task learning with split training.
@main
struct FedBoneCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fedbone",
        abstract: "Heterogeneous federated multi-task learning with server–client split training (FedBone).",
        discussion: """
        Start with `fedbone simulate` (the built-in default experiment) and `fedbone report`.
        See README.md for the config format and the mapping to the paper.
        """,
        version: "0.1.0",
        subcommands: [
            SimulateCommand.self, CompareCommand.self, ModelsCommand.self, DataCommand.self, ReportCommand.self,
            CertsCommand.self, ServeCommand.self, JoinCommand.self, LoadCheckCommand.self,
        ]
    )

    /// Tunes the allocator (``tuneMemoryAllocator()``) before any thread of the concurrency
    /// pool has allocated, then parses and runs the command as ArgumentParser's own entry does.
    static func main() async {
        tuneMemoryAllocator()
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}
