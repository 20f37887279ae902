import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The result of a simulated run.
public struct SimulationResult: Sendable {
    public var config: ExperimentConfig
    public var clients: [String]
    public var tasks: [String]
    /// Test results before training (round 0).
    public var initial: [EvaluationSummary]
    /// Test results after the last round run.
    public var final: [EvaluationSummary]
    /// The trivial predictor's test results (majority class, mean depth, mean normal, …).
    public var trivial: [EvaluationSummary]
    /// The last round run (the config's `rounds` unless stopped early).
    public var lastRound: Int
    public var cost: CostReport
    /// Wall-clock seconds of this process's part of the run.
    public var seconds: Double
}

/// An in-process federated run (`fedbone simulate`): builds the clients' data and the method's
/// models from a config, trains round by round, evaluates, logs and checkpoints into a run
/// directory (DESIGN §4), and can resume from its last complete checkpoint.
public final class Simulation {
    public let config: ExperimentConfig
    public let runDirectory: URL
    public let algorithm: any FederatedAlgorithm
    private let progress: TerminalProgress
    private let streams: RandomStreams
    private var startRound = 1
    private let log: RunLog
    private var checkpoints: CheckpointStore { CheckpointStore(directory: runDirectory.appendingPathComponent("checkpoints")) }

    /// A new run of `config` in `runDirectory`, which must not exist or be empty.
    public convenience init(config: ExperimentConfig, runDirectory: URL, progress: TerminalProgress) throws {
        let fm = FileManager.default
        if fm.fileExists(atPath: runDirectory.path), !(try fm.contentsOfDirectory(atPath: runDirectory.path)).isEmpty {
            throw SimulationError.runDirectoryExists(runDirectory.path)
        }
        try fm.createDirectory(at: runDirectory, withIntermediateDirectories: true)
        do {
            try config.yaml().write(to: runDirectory.appendingPathComponent("config.yaml"), atomically: true, encoding: .utf8)
            try self.init(config: config, runDirectory: runDirectory, progress: progress, log: RunLog(directory: runDirectory))
        } catch {
            try? fm.removeItem(at: runDirectory)
            throw error
        }
    }

    /// Continues the run in `runDirectory` from its last complete checkpoint, with the config it
    /// was started with (`config.yaml`).
    public static func resume(runDirectory: URL, progress: TerminalProgress) throws -> Simulation {
        let configURL = runDirectory.appendingPathComponent("config.yaml")
        guard let text = try? String(contentsOf: configURL, encoding: .utf8) else {
            throw SimulationError.notARun(runDirectory.path)
        }
        let config = try ExperimentConfig.load(yaml: text)
        let store = CheckpointStore(directory: runDirectory.appendingPathComponent("checkpoints"))
        guard let (state, url) = try store.latest() else {
            throw SimulationError.noCheckpoint(runDirectory.path)
        }
        let simulation = try Simulation(config: config, runDirectory: runDirectory, progress: progress,
                                        log: RunLog(directory: runDirectory, keepThrough: state.round))
        try simulation.algorithm.restore(from: url, nextRound: state.round + 1)
        simulation.startRound = state.round + 1
        progress.note("resuming \(runDirectory.path) after round \(state.round)")
        return simulation
    }

    private init(config: ExperimentConfig, runDirectory: URL, progress: TerminalProgress, log: RunLog) throws {
        self.config = config
        self.runDirectory = runDirectory
        self.progress = progress
        self.log = log
        streams = RandomStreams(seed: config.seed)
        let datasets = try DatasetFactory.makeClientDatasets(data: config.data, tasks: config.tasks, seed: streams.dataSeed)
        algorithm = config.method.isSplit
            ? try SplitFederation(config: config, datasets: datasets)
            : try WholeModelFederation(config: config, datasets: datasets)
    }

    /// Runs the remaining rounds (or up to `stopAfter`, to simulate an interrupted run) and
    /// writes `summary.md` and `cost.json`.
    @discardableResult
    public func run(stopAfter: Int? = nil) throws -> SimulationResult {
        let started = ContinuousClock.now
        let names = algorithm.clientNames
        let tasks = algorithm.datasets.map(\.task.kind.rawValue)
        let method = config.method.rawValue
        if startRound == 1 {
            let initial = try algorithm.evaluate()
            progress.evaluation(round: 0, clients: names, results: initial)
            try log.append(zip(names, zip(tasks, initial)).map {
                ClientRoundRecord(round: 0, client: $0, task: $1.0, method: method, evaluation: $1.1)
            })
        }
        let last = min(stopAfter ?? config.rounds, config.rounds)
        var roundSeconds: [Double] = []
        var bytes = (sent: 0.0, received: 0.0, count: 0.0)
        for round in stride(from: startRound, through: last, by: 1) {
            let roundStart = ContinuousClock.now
            let participants = sample(round: round)
            let doneSoFar = roundSeconds.reduce(0, +)
            let outcome = try algorithm.trainRound(round, participants: participants) { [progress] r, client, step, steps, loss in
                progress.step(round: r, client: client, step: step, steps: steps, loss: loss)
            }
            let mean = roundSeconds.isEmpty ? nil : doneSoFar / Double(roundSeconds.count)
            for stats in outcome.clients {
                progress.client(round: round, rounds: config.rounds, stats: stats,
                                secondsLeft: mean.map { $0 * Double(config.rounds - round + 1) })
                bytes.sent += Double(stats.bytesSent)
                bytes.received += Double(stats.bytesReceived)
                bytes.count += 1
            }
            let evaluations = round % config.evaluation.every == 0 || round == config.rounds ? try algorithm.evaluate() : nil
            if let evaluations { progress.evaluation(round: round, clients: names, results: evaluations) }
            let lr = learningRate(config.client, round: round, rounds: config.rounds)
            try log.append(names.indices.map { i in
                ClientRoundRecord(round: round, client: names[i], task: tasks[i], method: method, learningRate: lr,
                                  train: outcome.clients.first { $0.client == names[i] }, evaluation: evaluations?[i])
            })
            if let record = outcome.aggregation { try log.append(record) }
            if round % config.checkpoints.every == 0 || round == last {
                let state = CheckpointState(round: round, seed: config.seed, rootGenerator: SeededGenerator(seed: config.seed).stateWords,
                                            method: method)
                try checkpoints.write(round: round, state: state, keep: config.checkpoints.keep) { try algorithm.save(to: $0) }
            }
            roundSeconds.append(seconds(since: roundStart))
            progress.round(round, rounds: config.rounds, seconds: roundSeconds.last ?? 0, projections: outcome.aggregation?.projections)
        }
        let final = log.records.filter { $0.evaluation != nil }.reduce(into: [String: (Int, EvaluationSummary)]()) { acc, r in
            if let e = r.evaluation, r.round >= (acc[r.client]?.0 ?? -1) { acc[r.client] = (r.round, e) }
        }
        let initial = log.records.filter { $0.round == 0 }
        var cost = algorithm.cost()
        if bytes.count > 0 {
            cost.bytesSentPerClientRound = bytes.sent / bytes.count
            cost.bytesReceivedPerClientRound = bytes.received / bytes.count
        }
        cost.peakMemoryBytes = peakResidentBytes()
        let trivial = algorithm.datasets.map { dataset in
            let predictor = TrivialPredictor(fitting: dataset)
            return evaluate(task: dataset.task, batches: dataset.testBatches(batchSize: config.evaluation.batchSize),
                            lossOptions: config.training.loss) { predictor.predict($0) }
        }
        let result = SimulationResult(
            config: config, clients: names, tasks: tasks,
            initial: names.map { n in initial.first { $0.client == n }?.evaluation ?? EvaluationSummary(loss: 0, metrics: [], samples: 0) },
            final: names.map { n in final[n]?.1 ?? EvaluationSummary(loss: 0, metrics: [], samples: 0) },
            trivial: trivial, lastRound: last, cost: cost, seconds: seconds(since: started))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(cost).write(to: runDirectory.appendingPathComponent("cost.json"))
        try RunSummary.markdown(result).write(to: runDirectory.appendingPathComponent("summary.md"), atomically: true, encoding: .utf8)
        return result
    }

    /// The clients trained in `round` (indices, ascending): all by default, else a seeded sample
    /// of `count` or `fraction` of them.
    func sample(round: Int) -> [Int] {
        let n = algorithm.clientNames.count
        let sampling = config.training.clientsPerRound
        let k = min(max(sampling.count ?? Int((sampling.fraction * Double(n)).rounded()), 1), n)
        guard k < n else { return Array(0..<n) }
        var g = streams.sampling(round: round)
        var pool = Array(0..<n)
        for i in 0..<k { pool.swapAt(i, i + g.int(below: n - i)) }
        return pool[..<k].sorted()
    }
}

/// Why a simulation could not start.
public enum SimulationError: Error, CustomStringConvertible {
    case runDirectoryExists(String)
    case notARun(String)
    case noCheckpoint(String)

    public var description: String {
        switch self {
        case let .runDirectoryExists(path): return "run directory \(path) already exists and is not empty (use --resume to continue it, or another --name)"
        case let .notARun(path): return "\(path) is not a run directory (no readable config.yaml)"
        case let .noCheckpoint(path): return "\(path) has no complete checkpoint to resume from"
        }
    }
}

/// The process's peak resident memory in bytes (getrusage's max RSS).
func peakResidentBytes() -> Int {
    var usage = rusage()
    #if canImport(Darwin)
    guard getrusage(RUSAGE_SELF, &usage) == 0 else { return 0 }
    return Int(usage.ru_maxrss)
    #else
    guard getrusage(RUSAGE_SELF.rawValue, &usage) == 0 else { return 0 }
    return Int(usage.ru_maxrss) * 1024
    #endif
}
