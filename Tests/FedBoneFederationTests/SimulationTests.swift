import Foundation
import Testing
import FedBoneFederation

/// A fresh directory under the system's temporary directory, removed by `cleanUp()`.
struct ScratchDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("fedbone-federation-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func cleanUp() { try? FileManager.default.removeItem(at: url) }
}

@Suite struct SimulationTests {
    static let tinyYAML = """
        rounds: 3
        data: {imageSize: 16, samplesPerClient: 10}
        tasks: [{kind: segmentation, clients: 1}, {kind: depth, clients: 1}, {kind: normals, clients: 1}]
        model:
          general: {embedDim: 8, depths: [1, 1], numHeads: [1, 2], windowSize: 4, mlpRatio: 2}
          adaptation: {width: 8, heads: 2}
        training: {batchSize: 4}
        evaluation: {every: 1, batchSize: 8}
        checkpoints: {keep: 0}
        """

    static func config(_ overrides: [String] = []) throws -> ExperimentConfig {
        try ExperimentConfig.load(yaml: tinyYAML, overrides: overrides)
    }

    @Test(arguments: FederatedMethod.allCases)
    func oneRoundOfEachMethodWritesTheRunDirectory(method: FederatedMethod) throws {
        let scratch = try ScratchDirectory()
        defer { scratch.cleanUp() }
        let run = scratch.url.appendingPathComponent("run")
        let config = try Self.config(["rounds=1", "method=\(method.rawValue)"])
        let result = try Simulation(config: config, runDirectory: run, progress: RunProgress.quiet).run()
        #expect(result.lastRound == 1)
        #expect(result.final.allSatisfy { !$0.metrics.values.isEmpty && $0.primary.value.isFinite })
        for file in ["config.yaml", "metrics.jsonl", "metrics.csv", "summary.md", "cost.json", "aggregation.jsonl",
                     "checkpoints/round-1/state.json"] {
            #expect(FileManager.default.fileExists(atPath: run.appendingPathComponent(file).path), "\(method.rawValue): no \(file)")
        }
        let lines = try String(contentsOf: run.appendingPathComponent("metrics.jsonl"), encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 2 * 3, "round 0 and round 1 for 3 clients")
        let aggregation = try String(contentsOf: run.appendingPathComponent("aggregation.jsonl"), encoding: .utf8)
        #expect(aggregation.isEmpty == !method.isSplit)
        let checkpoint = run.appendingPathComponent("checkpoints/round-1")
        let files = try FileManager.default.contentsOfDirectory(atPath: checkpoint.path)
        let client = method == .fedem ? "client-depth-0.component-1" : "client-depth-0"
        #expect(files.contains("\(client).safetensors") && files.contains("\(client).optimizer.safetensors"))
        #expect(files.contains("general.safetensors") == method.isSplit)
        if method == .fedbone {
            #expect(result.cost.serverParameters > 0)
            #expect(result.cost.bytesSentPerClientRound > 0)
        }
        #expect(try ExperimentConfig.load(yaml: String(contentsOf: run.appendingPathComponent("config.yaml"), encoding: .utf8)) == config)
    }

    /// Every tensor of every file of the final checkpoint of `a` equals that of `b`.
    private func expectSameCheckpoint(_ a: URL, _ b: URL, round: Int) throws {
        let da = a.appendingPathComponent("checkpoints/round-\(round)"), db = b.appendingPathComponent("checkpoints/round-\(round)")
        let files = try FileManager.default.contentsOfDirectory(atPath: da.path).filter { $0.hasSuffix(".safetensors") }.sorted()
        #expect(files == (try FileManager.default.contentsOfDirectory(atPath: db.path).filter { $0.hasSuffix(".safetensors") }.sorted()))
        #expect(!files.isEmpty)
        for file in files {
            let ta = try Safetensors.read(contentsOf: da.appendingPathComponent(file))
            let tb = try Safetensors.read(contentsOf: db.appendingPathComponent(file))
            #expect(ta.keys.sorted() == tb.keys.sorted(), "\(file)")
            for (key, value) in ta {
                #expect(value.scalars == tb[key]?.scalars, "\(file) \(key) differs after resume")
            }
        }
    }

    @Test(arguments: [FederatedMethod.fedbone, .fedprox, .fedem])
    func resumedRunEndsBitExactlyLikeAnUninterruptedOne(method: FederatedMethod) throws {
        let scratch = try ScratchDirectory()
        defer { scratch.cleanUp() }
        let config = try Self.config(["method=\(method.rawValue)", "training.clientsPerRound.count=2"])
        let straight = scratch.url.appendingPathComponent("straight")
        let broken = scratch.url.appendingPathComponent("broken")
        let quiet = RunProgress.quiet
        let full = try Simulation(config: config, runDirectory: straight, progress: quiet).run()

        let partial = try Simulation(config: config, runDirectory: broken, progress: quiet).run(stopAfter: 1)
        #expect(partial.lastRound == 1)
        let resumed = try Simulation.resume(runDirectory: broken, progress: quiet).run()
        #expect(resumed.lastRound == 3)

        try expectSameCheckpoint(straight, broken, round: 3)
        #expect(full.final == resumed.final)
        let a = try String(contentsOf: straight.appendingPathComponent("metrics.jsonl"), encoding: .utf8)
        let b = try String(contentsOf: broken.appendingPathComponent("metrics.jsonl"), encoding: .utf8)
        func withoutTimes(_ s: String) -> [String] {
            s.split(separator: "\n").map { $0.replacingOccurrences(of: #""seconds":[0-9.e-]+"#, with: "", options: .regularExpression) }
        }
        #expect(withoutTimes(a) == withoutTimes(b))
    }

    /// Stochastic depth draws from the seed, round, client and step, so a resumed run with drop
    /// path on still ends exactly like an uninterrupted one; and drop path does change training.
    @Test func resumedRunWithDropPathEndsBitExactlyLikeAnUninterruptedOne() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.cleanUp() }
        let quiet = RunProgress.quiet
        let config = try Self.config(["model.general.dropPathRate=0.5"])
        #expect(try config.model.general.resolved().dropPathRate == 0.5)
        let straight = scratch.url.appendingPathComponent("straight")
        let broken = scratch.url.appendingPathComponent("broken")
        let full = try Simulation(config: config, runDirectory: straight, progress: quiet).run()
        _ = try Simulation(config: config, runDirectory: broken, progress: quiet).run(stopAfter: 2)
        let resumed = try Simulation.resume(runDirectory: broken, progress: quiet).run()
        try expectSameCheckpoint(straight, broken, round: 3)
        #expect(full.final == resumed.final)

        let withoutDropPath = try Simulation(config: try Self.config(), runDirectory: scratch.url.appendingPathComponent("plain"),
                                             progress: quiet).run()
        #expect(withoutDropPath.final != full.final, "drop path at 0.5 should change the trained models")
    }

    @Test func anExistingRunDirectoryIsNotOverwritten() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.cleanUp() }
        try Data("x".utf8).write(to: scratch.url.appendingPathComponent("file"))
        #expect(throws: SimulationError.self) {
            try Simulation(config: try Self.config(["rounds=1"]), runDirectory: scratch.url, progress: RunProgress.quiet)
        }
    }

    @Test func comparisonTabulatesEveryMethod() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.cleanUp() }
        let results = try Comparison.run(config: try Self.config(["rounds=1"]), methods: [.fedbone, .local], directory: scratch.url,
                                         progress: RunProgress.quiet)
        let table = try String(contentsOf: scratch.url.appendingPathComponent("compare.md"), encoding: .utf8)
        #expect(results.count == 2)
        #expect(table.contains("| fedbone |") && table.contains("| local |") && table.contains("segmentation-0"))
    }

    @Test func ablationsRunFedBoneWithTheirChangesUnderTheirNames() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.cleanUp() }
        let entries = [ComparisonEntry(.fedbone)] + ComparisonEntry.ablations
        let rows = try Comparison.run(config: try Self.config(["rounds=1"]), entries: entries, directory: scratch.url, progress: RunProgress.quiet)
        #expect(rows.map(\.name) == entries.map(\.name))
        #expect(rows.allSatisfy { $0.result.config.method == .fedbone })
        let configs = Dictionary(uniqueKeysWithValues: rows.map { ($0.name, $0.result.config) })
        #expect(configs["fedbone-norescale"]?.aggregation.rescale == false && configs["fedbone-noproject"]?.aggregation.project == false)
        #expect(configs["fedbone-cagrad"]?.aggregation.conflict == .cagrad && configs["fedbone-gradvac"]?.aggregation.conflict == .gradvac)
        #expect(configs["fedbone-gradient"]?.server.update == .gradient && configs["fedbone"]?.aggregation.rescale == true)
        #expect(rows[0].result.final.map(\.primary.value) != rows[5].result.final.map(\.primary.value))
        let table = try String(contentsOf: scratch.url.appendingPathComponent("compare.md"), encoding: .utf8)
        for entry in entries { #expect(table.contains("| \(entry.name) |"), "\(entry.name)") }
        #expect(table.contains("negative cosines") && rows.allSatisfy { $0.conflicts?.rounds == 1 })
        #expect(ComparisonEntry.named("fedbone-gradvac") == ComparisonEntry.ablations[3] && ComparisonEntry.named("nope") == nil)
    }

    /// A compare stopped inside a method's run continues it from its checkpoint and keeps the
    /// finished ones: the table equals an uninterrupted compare's. Another config is refused.
    @Test func aComparisonRunAgainContinuesWhereItStopped() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.cleanUp() }
        let quiet = RunProgress.quiet
        let config = try Self.config(["checkpoints.keep=1"])
        let entries = [ComparisonEntry(.fedbone), ComparisonEntry(.fedavg)]
        let straight = try Comparison.run(config: config, entries: entries, directory: scratch.url.appendingPathComponent("straight"),
                                          progress: quiet)
        let broken = scratch.url.appendingPathComponent("broken")
        _ = try Comparison.run(config: config, entries: [entries[0]], directory: broken, progress: quiet)
        var fedavg = config
        fedavg.method = .fedavg
        _ = try Simulation(config: fedavg, runDirectory: broken.appendingPathComponent("fedavg"), progress: quiet).run(stopAfter: 2)
        let resumed = try Comparison.run(config: config, entries: entries, directory: broken, progress: quiet)
        #expect(resumed.map(\.name) == straight.map(\.name))
        #expect(resumed.map(\.result.final) == straight.map(\.result.final))
        #expect(resumed.map(\.result.lastRound) == [3, 3])
        #expect(throws: ComparisonError.self) {
            try Comparison.run(config: try Self.config(["rounds=4"]), entries: entries, directory: broken, progress: quiet)
        }
    }

    @Test func comparingOverTwoSeedsRunsEveryMethodOnBothAndReportsIntervals() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.cleanUp() }
        let config = try Self.config(["rounds=1", "seed=5"])
        let methods = FederatedMethod.allCases
        let entries = methods.map(ComparisonEntry.init)
        let runs = try SeedComparison.run(config: config, entries: entries, seeds: 2, directory: scratch.url, progress: RunProgress.quiet)
        #expect(runs.map(\.seed) == [5, 6])
        #expect(runs.allSatisfy { Set($0.averages.keys) == Set(methods.map(\.rawValue)) })
        #expect(runs[0].averages != runs[1].averages, "another seed gives other data and models")
        let table = try String(contentsOf: scratch.url.appendingPathComponent("seeds.md"), encoding: .utf8)
        #expect(table.contains("over 2 seeds (5, 6)") && table.contains("Δm % ↑") && table.contains("fedbone vs"))
        for method in methods { #expect(table.contains("| \(method.rawValue) | "), "\(method.rawValue)") }
        #expect(table.contains(" ± ") && table.contains("(p "))
        #expect(runs.allSatisfy { $0.deltaM(FederatedMethod.local.rawValue) == 0 })
        // Run again: both seeds are kept from their result files, not run again.
        let again = try SeedComparison.run(config: config, entries: entries, seeds: 2, directory: scratch.url, progress: RunProgress.quiet)
        #expect(again == runs)
    }
}
