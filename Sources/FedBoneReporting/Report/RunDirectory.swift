import Foundation

/// The cost of a run's split, from its optional `cost.json`; every field is optional and the
/// report shows those present.
///
/// JSON keys: `client_parameters`, `server_parameters`, `client_gflops`, `server_gflops`,
/// `peak_memory_bytes`, `bytes_per_client_per_round` (an object client → bytes).
public struct RunCost: Codable, Equatable, Sendable {
    public var clientParameters: Double?
    public var serverParameters: Double?
    /// Forward GFLOPs (multiply-adds × 10⁻⁹) per sample of the client part.
    public var clientGFLOPs: Double?
    /// Forward GFLOPs per sample of the server part.
    public var serverGFLOPs: Double?
    public var peakMemoryBytes: Double?
    /// Bytes each client exchanges with the server per round.
    public var bytesPerClientPerRound: [String: Double]?

    public init(
        clientParameters: Double? = nil, serverParameters: Double? = nil,
        clientGFLOPs: Double? = nil, serverGFLOPs: Double? = nil,
        peakMemoryBytes: Double? = nil, bytesPerClientPerRound: [String: Double]? = nil
    ) {
        self.clientParameters = clientParameters
        self.serverParameters = serverParameters
        self.clientGFLOPs = clientGFLOPs
        self.serverGFLOPs = serverGFLOPs
        self.peakMemoryBytes = peakMemoryBytes
        self.bytesPerClientPerRound = bytesPerClientPerRound
    }

    enum CodingKeys: String, CodingKey {
        case clientParameters = "client_parameters"
        case serverParameters = "server_parameters"
        case clientGFLOPs = "client_gflops"
        case serverGFLOPs = "server_gflops"
        case peakMemoryBytes = "peak_memory_bytes"
        case bytesPerClientPerRound = "bytes_per_client_per_round"
    }
}

/// An example prediction image (`predictions/<name>.png`).
public struct PredictionImage: Equatable, Sendable {
    /// The file name without `.png`.
    public var name: String
    /// The PNG bytes.
    public var png: Data

    public init(name: String, png: Data) {
        self.name = name
        self.png = png
    }
}

/// Example predictions of a text client (`predictions/<name>.txt`): one test text per line.
public struct PredictionText: Equatable, Sendable {
    /// The file name without `.txt`.
    public var name: String
    /// The file's text.
    public var text: String

    public init(name: String, text: String) {
        self.name = name
        self.text = text
    }
}

/// Why a report cannot be made.
public enum ReportError: Error, CustomStringConvertible, Equatable {
    /// The run directory has no `metrics.jsonl` (the path it looked for).
    case missingMetrics(path: String)
    /// `cost.json` is not a valid cost object.
    case malformedCost(path: String, underlying: String)
    /// `--compare` was given no runs.
    case noRuns

    public var description: String {
        switch self {
        case let .missingMetrics(path):
            "no run log: \(path) does not exist (is this a run directory?)"
        case let .malformedCost(path, underlying):
            "\(path): not a valid cost object (\(underlying))"
        case .noRuns:
            "no runs to compare"
        }
    }
}

/// Everything the report reads from a run directory `runs/<name>/`: `metrics.jsonl`
/// (required), `aggregation.jsonl`, `config.yaml`, `cost.json` and `predictions/*.png`
/// (optional).
public struct RunDirectory: Sendable {
    public var url: URL
    /// The directory's name (`runs/fedbone` → `fedbone`).
    public var name: String
    public var log: RunLog
    /// The text of `config.yaml`.
    public var config: String?
    public var cost: RunCost?
    /// The PNGs of `predictions/`, sorted by name.
    public var predictions: [PredictionImage]
    /// The text clients' `predictions/*.txt`, sorted by name.
    public var textPredictions: [PredictionText]

    public init(url: URL, name: String, log: RunLog, config: String? = nil, cost: RunCost? = nil,
                predictions: [PredictionImage] = [], textPredictions: [PredictionText] = []) {
        self.url = url
        self.name = name
        self.log = log
        self.config = config
        self.cost = cost
        self.predictions = predictions
        self.textPredictions = textPredictions
    }

    /// Reads the run directory at `url`.
    /// - Throws: `ReportError.missingMetrics` without `metrics.jsonl`, `RunLogError` for a
    ///   malformed log line, `ReportError.malformedCost` for a malformed `cost.json`.
    public init(url: URL) throws {
        let manager = FileManager.default
        let metrics = url.appendingPathComponent(RunLogFiles.metrics)
        guard manager.fileExists(atPath: metrics.path) else {
            throw ReportError.missingMetrics(path: metrics.path)
        }
        let configURL = url.appendingPathComponent("config.yaml")
        let costURL = url.appendingPathComponent("cost.json")
        var cost: RunCost?
        if manager.fileExists(atPath: costURL.path) {
            do {
                cost = try JSONDecoder().decode(RunCost.self, from: Data(contentsOf: costURL))
            } catch {
                throw ReportError.malformedCost(path: costURL.path, underlying: "\(error)")
            }
        }
        let folder = url.appendingPathComponent("predictions")
        let files = ((try? manager.contentsOfDirectory(atPath: folder.path)) ?? []).sorted()
        let pngs = files.filter { $0.lowercased().hasSuffix(".png") }
        let texts = files.filter { $0.lowercased().hasSuffix(".txt") }
        self.init(
            url: url, name: url.standardizedFileURL.lastPathComponent, log: try RunLog(directory: url),
            config: manager.fileExists(atPath: configURL.path) ? try String(contentsOf: configURL, encoding: .utf8) : nil,
            cost: cost,
            predictions: try pngs.map { file in
                PredictionImage(name: String(file.dropLast(4)), png: try Data(contentsOf: folder.appendingPathComponent(file)))
            },
            textPredictions: try texts.map { file in
                PredictionText(name: String(file.dropLast(4)), text: try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8))
            })
    }
}
