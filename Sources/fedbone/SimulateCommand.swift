import ArgumentParser
import Foundation
import FedBoneFederation
import FedBoneTransport

/// Where an experiment config comes from: a YAML file (or the default) and `--set` overrides.
struct ConfigSource: ParsableArguments {
    @Option(help: "A YAML experiment config (default: the built-in default experiment).")
    var config: String?

    @Option(name: .customLong("set"), help: ArgumentHelp("Override one config key, e.g. --set rounds=10 --set server.update=gradient (repeatable).",
                                                         valueName: "key.path=value"))
    var overrides: [String] = []

    /// The config file (or the default) with the overrides applied.
    func experiment() throws -> ExperimentConfig {
        var text = ""
        if let config {
            do { text = try String(contentsOfFile: config, encoding: .utf8) } catch {
                throw CommandError("cannot read config \(config): \(error.localizedDescription)")
            }
        }
        return try ExperimentConfig.load(yaml: text, overrides: overrides)
    }
}

/// Options shared by `simulate` and `compare`: where the config comes from and how progress shows.
struct ExperimentOptions: ParsableArguments {
    @OptionGroup var source: ConfigSource

    @Option(help: "Directory that holds run directories.")
    var runs = "runs"

    @Flag(help: "Print nothing while running.")
    var quiet = false

    @Flag(help: "Print progress as one JSON object per line on stdout (ProgressDisplay's JSON lines).")
    var jsonLines = false

    /// The config file (or the default) with the overrides applied.
    func experiment() throws -> ExperimentConfig { try source.experiment() }

    /// Progress on standard error (a bar on a terminal, plain lines otherwise), JSON lines on
    /// standard output with `--json-lines`, or nothing with `--quiet`.
    var progress: RunProgress {
        if jsonLines { return RunProgress(style: .jsonLines, sink: .standardOutput) }
        return RunProgress(style: quiet ? .quiet : .automatic)
    }
}

/// `fedbone simulate`: one federated run in this process.
struct SimulateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Run a federated experiment in one process (all clients and the server).",
        discussion: """
        Without --config it runs the built-in default experiment (print it with --print-config).
        The run directory runs/<name>/ receives config.yaml, metrics.jsonl, metrics.csv,
        aggregation.jsonl, TensorBoard event files, cost.json, summary.md, predictions/<client>.png,
        report.html and checkpoints/round-N/.

        With --transport grpc the server runs in this process on 127.0.0.1 (an ephemeral port,
        mutual TLS from a fresh test CA, a fresh token per client) and every client is a separate
        `fedbone join` process on loopback; the run directory then receives experiment.yaml,
        server.yaml, certs/ and the server's checkpoints/round-N/ (general model and server state;
        each client prints its own test result). See docs/deployment.md.
        """
    )

    @OptionGroup var options: ExperimentOptions

    @Option(help: "Continue the run in this directory from its last complete checkpoint (uses its config.yaml).")
    var resume: String?

    @Option(help: "Stop after this round (the run can be resumed later with --resume).")
    var stopAfter: Int?

    @Flag(help: "Print the resolved config as YAML and exit.")
    var printConfig = false

    @Option(help: "inprocess (default) or grpc: the server here and one `fedbone join` process per client on loopback.")
    var transport = "inprocess"

    func run() async throws {
        if transport == "grpc" {
            try await runOverGRPC()
            return
        }
        guard transport == "inprocess" else { throw ValidationError("--transport must be inprocess or grpc") }
        let progress = options.progress
        let simulation: Simulation
        if let resume {
            guard options.source.config == nil, options.source.overrides.isEmpty else {
                throw ValidationError("--resume uses the run's own config.yaml; drop --config and --set")
            }
            simulation = try Simulation.resume(runDirectory: URL(fileURLWithPath: resume), progress: progress)
        } else {
            let config = try options.experiment()
            if printConfig {
                print(try config.yaml(), terminator: "")
                return
            }
            let directory = URL(fileURLWithPath: options.runs).appendingPathComponent(config.name)
            progress.note("run directory \(directory.path)")
            progress.note(ComputePaths.summary)
            simulation = try Simulation(config: config, runDirectory: directory, progress: progress)
        }
        let result = try simulation.run(stopAfter: stopAfter)
        let summary = simulation.runDirectory.appendingPathComponent("summary.md")
        switch progress.style {
        case .quiet: print(simulation.runDirectory.path)
        case .jsonLines:
            print("{\"event\":\"done\",\"lastRound\":\(result.lastRound),\"runDirectory\":\"\(simulation.runDirectory.path)\"}")
        case .automatic, .bar, .lines: print(try String(contentsOf: summary, encoding: .utf8))
        }
    }

    /// The run over gRPC on loopback with client processes.
    private func runOverGRPC() async throws {
        guard resume == nil, stopAfter == nil else { throw ValidationError("--resume and --stop-after are for --transport inprocess") }
        let config = try options.experiment()
        let directory = URL(fileURLWithPath: options.runs).appendingPathComponent(config.name + "-grpc")
        if FileManager.default.fileExists(atPath: directory.path) {
            throw ValidationError("run directory \(directory.path) already exists")
        }
        guard let executable = Bundle.main.executableURL else { throw ValidationError("cannot locate the fedbone executable") }
        let quiet = options.quiet
        let last = try await LoopbackFederation.run(experiment: config, runDirectory: directory, clients: .processes(executable: executable),
                                                    log: { if !quiet { logLine($0) } })
        print(last?.path ?? directory.path)
    }
}
