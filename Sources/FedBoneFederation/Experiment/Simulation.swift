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
///
/// The run log is FedBoneReporting's: ``RunLogWriter`` writes `metrics.jsonl` (one
/// ``RoundRecord`` per client per round, from round 0, the evaluation before training),
/// `aggregation.jsonl` (one ``AggregationRecord`` per round of the split methods), `metrics.csv`
/// and a TensorBoard event file. At the end of a run it writes `summary.md`, `cost.json`
/// (``RunCost``), `predictions/<client>.png` (image clients) or `.txt` (text clients) and
/// `report.html` (``HTMLReport``).
public final class Simulation {
    public let config: ExperimentConfig
    public let runDirectory: URL
    public let algorithm: any FederatedAlgorithm
    /// Test images per client drawn in `predictions/<client>.png`.
    public static let predictionImages = 2
    /// Test texts per client written in `predictions/<client>.txt`.
    public static let predictionTexts = 8
    private let progress: RunProgress
    private let streams: RandomStreams
    private var startRound = 1
    private let log: RunLogWriter
    private var checkpoints: CheckpointStore { CheckpointStore(directory: runDirectory.appendingPathComponent("checkpoints")) }

    /// A new run of `config` in `runDirectory`, which must not exist or be empty.
    public convenience init(config: ExperimentConfig, runDirectory: URL, progress: RunProgress) throws {
        let fm = FileManager.default
        if fm.fileExists(atPath: runDirectory.path), !(try fm.contentsOfDirectory(atPath: runDirectory.path)).isEmpty {
            throw SimulationError.runDirectoryExists(runDirectory.path)
        }
        try fm.createDirectory(at: runDirectory, withIntermediateDirectories: true)
        do {
            try config.yaml().write(to: runDirectory.appendingPathComponent("config.yaml"), atomically: true, encoding: .utf8)
            try self.init(config: config, runDirectory: runDirectory, progress: progress, resume: false)
        } catch {
            try? fm.removeItem(at: runDirectory)
            throw error
        }
    }

    /// Continues the run in `runDirectory` from its last complete checkpoint, with the config it
    /// was started with (`config.yaml`). Log lines of rounds after the checkpoint are dropped.
    public static func resume(runDirectory: URL, progress: RunProgress) throws -> Simulation {
        let configURL = runDirectory.appendingPathComponent("config.yaml")
        guard let text = try? String(contentsOf: configURL, encoding: .utf8) else {
            throw SimulationError.notARun(runDirectory.path)
        }
        let config = try ExperimentConfig.load(yaml: text)
        let store = CheckpointStore(directory: runDirectory.appendingPathComponent("checkpoints"))
        guard let (state, url) = try store.latest() else {
            throw SimulationError.noCheckpoint(runDirectory.path)
        }
        try truncateRunLog(in: runDirectory, afterRound: state.round)
        let simulation = try Simulation(config: config, runDirectory: runDirectory, progress: progress, resume: true)
        try simulation.algorithm.restore(from: url, nextRound: state.round + 1)
        simulation.startRound = state.round + 1
        progress.note("resuming \(runDirectory.path) after round \(state.round)")
        return simulation
    }

    private init(config: ExperimentConfig, runDirectory: URL, progress: RunProgress, resume: Bool) throws {
        self.config = config
        self.runDirectory = runDirectory
        self.progress = progress
        streams = RandomStreams(seed: config.seed)
        let datasets = try DatasetFactory.makeClientDatasets(data: config.data, tasks: config.tasks, seed: streams.dataSeed)
        switch config.method {
        case .fedbone, .fedboneNoGP: algorithm = try SplitFederation(config: config, datasets: datasets)
        case .fedem: algorithm = try FedEMFederation(config: config, datasets: datasets)
        case .fedavg, .fedprox, .fedper, .fedrep, .pfedme, .local: algorithm = try WholeModelFederation(config: config, datasets: datasets)
        }
        log = try RunLogWriter(directory: runDirectory, resume: resume)
    }

    /// Runs the remaining rounds (or up to `stopAfter`, to simulate an interrupted run) and
    /// writes `summary.md`, `cost.json`, `predictions/` and `report.html`.
    @discardableResult
    public func run(stopAfter: Int? = nil) throws -> SimulationResult {
        let started = ContinuousClock.now
        let names = algorithm.clientNames
        let datasets = algorithm.datasets
        let method = config.method.rawValue
        func record(_ round: Int, _ i: Int, learningRates: [String: Double] = [:], train: ClientRoundStats? = nil,
                    evaluation: EvaluationSummary?) -> RoundRecord {
            RoundRecord(run: config.name, method: method, round: round, task: datasets[i].task, client: names[i],
                        learningRates: learningRates, train: train, evaluation: evaluation)
        }
        if startRound == 1 {
            let initial = try evaluate(round: 0)
            try log.log(round: names.indices.map { record(0, $0, evaluation: initial[$0]) })
        }
        let last = min(stopAfter ?? config.rounds, config.rounds)
        let rounds = Array(stride(from: startRound, through: last, by: 1))
        let training = progress.display("training", total: rounds.reduce(0) { $0 + steps(round: $1) }, unit: "steps")
        for round in rounds {
            let roundStart = ContinuousClock.now
            let outcome = try algorithm.trainRound(round, participants: sample(round: round)) { [config] r, client, step, steps, loss in
                training.advance(message: String(format: "round %d/%d · %@ step %d/%d · loss %.4f", r, config.rounds, client, step, steps, loss))
            }
            let evaluations = config.evaluates(afterRound: round) ? try evaluate(round: round) : nil
            try log.log(round: names.indices.map { i in
                record(round, i, learningRates: learningRates(round: round), train: outcome.clients.first { $0.client == names[i] },
                       evaluation: evaluations?[i])
            })
            if let aggregation = outcome.aggregation { try log.log(aggregation: aggregation) }
            if round % config.checkpoints.every == 0 || round == last {
                let state = CheckpointState(round: round, seed: config.seed, rootGenerator: SeededGenerator(seed: config.seed).stateWords,
                                            method: method)
                try checkpoints.write(round: round, state: state, keep: config.checkpoints.keep) { try algorithm.save(to: $0) }
            }
            let gp = outcome.aggregation.map { " · \($0.projections) projections" } ?? ""
            progress.note(String(format: "round %d/%d done in %.1fs", round, config.rounds, seconds(since: roundStart)) + gp)
        }
        training.finish()
        let result = try finish(lastRound: last, seconds: seconds(since: started))
        try log.close()
        try HTMLReport.write(run: runDirectory)
        return result
    }

    /// Every client's test results, with an evaluation display.
    private func evaluate(round: Int) throws -> [EvaluationSummary] {
        let names = algorithm.clientNames
        let display = progress.display("evaluation, round \(round)", total: names.count, unit: "clients")
        var results: [EvaluationSummary] = []
        for i in names.indices {
            results.append(try algorithm.evaluate(client: i))
            display.advance(message: names[i])
        }
        progress.finish(display, message: "round \(round): " + zip(names, results).map { name, r in
            "\(name) \(r.primary.name) " + String(format: "%.4f", r.primary.value)
        }.joined(separator: " · "))
        return results
    }

    private func learningRates(round: Int) -> [String: Double] { config.learningRates(round: round) }

    /// The training steps of the participants of `round` (for the progress display's total):
    /// their mini-batches, once per FedEM component.
    private func steps(round: Int) -> Int {
        let batch = max(config.training.batchSize, 1)
        let passes = config.method == .fedem ? config.baselines.fedemComponents : 1
        return sample(round: round).reduce(0) { total, i in
            total + passes * config.training.localEpochs * ((algorithm.datasets[i].trainCount + batch - 1) / batch)
        }
    }

    /// The end of a run: the results (from the whole run log, a resumed run's earlier part
    /// included), `cost.json`, `summary.md` and the example predictions.
    private func finish(lastRound: Int, seconds: Double) throws -> SimulationResult {
        let names = algorithm.clientNames
        let datasets = algorithm.datasets
        func placeholder(_ i: Int) -> EvaluationSummary {
            EvaluationSummary(loss: .nan, metrics: makeMetric(for: datasets[i].task).summary())
        }
        func latest(_ i: Int, where keep: (RoundRecord) -> Bool) -> EvaluationSummary {
            log.rounds.last { $0.client == names[i] && keep($0) }
                .flatMap { EvaluationSummary(record: $0, samples: datasets[i].testCount) } ?? placeholder(i)
        }
        let initial = names.indices.map { i in latest(i) { $0.round == 0 } }
        let final = names.indices.map { i in latest(i) { !$0.metrics.isEmpty } }
        let trivial = datasets.map {
            evaluateTrivialPredictor($0, batchSize: config.evaluation.batchSize, lossOptions: config.training.loss)
        }
        var cost = algorithm.cost()
        let trained = log.rounds.filter(\.trained)
        if !trained.isEmpty {
            cost.bytesSentPerClientRound = Double(trained.reduce(0) { $0 + $1.bytesSent }) / Double(trained.count)
            cost.bytesReceivedPerClientRound = Double(trained.reduce(0) { $0 + $1.bytesReceived }) / Double(trained.count)
        }
        cost.peakMemoryBytes = peakResidentBytes()
        let perClient = Dictionary(grouping: trained, by: \.client).mapValues { records in
            Double(records.reduce(0) { $0 + $1.bytesSent + $1.bytesReceived }) / Double(records.count)
        }
        let result = SimulationResult(config: config, clients: names, tasks: datasets.map(\.task.kind.rawValue), initial: initial,
                                      final: final, trivial: trivial, lastRound: lastRound, cost: cost, seconds: seconds)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(cost.runCost(bytesPerClientPerRound: perClient)).write(to: runDirectory.appendingPathComponent("cost.json"))
        try SummaryMarkdown.markdown(result).write(to: runDirectory.appendingPathComponent("summary.md"), atomically: true, encoding: .utf8)
        try writePredictions()
        return result
    }

    /// `predictions/<client>.png`: input, truth and prediction of the first
    /// ``predictionImages`` test images of every image client; `predictions/<client>.txt`: the
    /// first ``predictionTexts`` test texts of every text client with their predictions
    /// (``TextClientData/predictionExamples(_:)``).
    private func writePredictions() throws {
        let folder = runDirectory.appendingPathComponent("predictions")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for (i, name) in algorithm.clientNames.enumerated() {
            let dataset = algorithm.datasets[i]
            if let text = dataset as? TextClientData, let batch = text.testBatches(batchSize: Self.predictionTexts).first {
                let prediction = try algorithm.predict(client: i, input: batch.input)
                try text.predictionExamples(prediction).write(to: folder.appendingPathComponent("\(name).txt"), atomically: true, encoding: .utf8)
                continue
            }
            guard case let .images(height, _) = dataset.input,
                  let batch = dataset.testBatches(batchSize: Self.predictionImages).first else { continue }
            let prediction = try algorithm.predict(client: i, input: batch.input)
            let scale = min(max(128 / max(height, 1), 1), 8)
            try PredictionStrip.png(task: dataset.task.kind, images: batch.images, target: batch.target, prediction: prediction,
                                    scale: scale)
                .write(to: folder.appendingPathComponent("\(name).png"), options: .atomic)
        }
    }

    /// The clients trained in `round` (indices, ascending): all by default, else a seeded sample
    /// of `count` or `fraction` of them (``RandomStreams/sampledClients(round:of:sampling:)``).
    func sample(round: Int) -> [Int] {
        streams.sampledClients(round: round, of: algorithm.clientNames.count, sampling: config.training.clientsPerRound)
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
