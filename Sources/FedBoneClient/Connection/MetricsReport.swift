/// A client's results of one round as `ReportMetrics` carries them: numbers only.
public struct MetricsReport: Sendable, Equatable {
    /// The client's local training in the round.
    public struct Training: Sendable, Equatable {
        public var loss: Double
        public var steps: Int
        public var bytesSent: Int
        public var bytesReceived: Int
        public var seconds: Double

        public init(loss: Double, steps: Int, bytesSent: Int, bytesReceived: Int, seconds: Double) {
            self.loss = loss
            self.steps = steps
            self.bytesSent = bytesSent
            self.bytesReceived = bytesReceived
            self.seconds = seconds
        }
    }

    /// The client's evaluation on its test split.
    public struct Evaluation: Sendable, Equatable {
        /// Mean test loss.
        public var loss: Double
        /// The task metric's values by name.
        public var metrics: [String: Double]
        /// Samples in the test split.
        public var samples: Int

        public init(loss: Double, metrics: [String: Double], samples: Int) {
            self.loss = loss
            self.metrics = metrics
            self.samples = samples
        }
    }

    /// The round the results belong to (0: the evaluation before training).
    public var round: Int
    public var training: Training?
    public var evaluation: Evaluation?

    /// Most metrics in one report.
    public static let maxMetrics = 512
    /// Longest metric name, in UTF-8 bytes.
    public static let maxNameBytes = 64

    public init(round: Int, training: Training? = nil, evaluation: Evaluation? = nil) {
        self.round = round
        self.training = training
        self.evaluation = evaluation
    }

    /// The report of `round` from a client's ``ClientRoundStats`` and ``EvaluationSummary``:
    /// undefined (non-finite) metric values are left out, and past ``maxMetrics`` the primary
    /// metric is kept first and the others in name order.
    public init(round: Int, training stats: ClientRoundStats?, evaluation summary: EvaluationSummary?, testSamples: Int) {
        self.round = round
        training = stats.map {
            Training(loss: $0.loss, steps: $0.steps, bytesSent: $0.bytesSent, bytesReceived: $0.bytesReceived, seconds: $0.seconds)
        }
        evaluation = summary.flatMap { summary in
            guard summary.loss.isFinite else { return nil }
            let primary = summary.primary.name
            let names = summary.metrics.values.filter { $0.value.isFinite && Self.isValidName($0.key) }.keys
                .sorted { ($0 == primary ? 0 : 1, $0) < ($1 == primary ? 0 : 1, $1) }.prefix(Self.maxMetrics)
            return Evaluation(loss: summary.loss, metrics: Dictionary(uniqueKeysWithValues: names.map { ($0, summary.metrics.values[$0] ?? 0) }),
                              samples: testSamples)
        }
    }

    /// Whether `name` may name a metric: 1 to ``maxNameBytes`` bytes of ASCII letters, digits and `_ . / -`.
    public static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= maxNameBytes
            && name.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "_./-".unicodeScalars.contains($0)) }
    }
}

/// Why a metrics report was refused.
public enum MetricsReportError: Error, Equatable, CustomStringConvertible {
    /// A value that must be finite (and, for seconds, non-negative) is not.
    case badValue(field: String, value: Double)
    /// A metric name that is empty, too long, of other characters or repeated.
    case badName(String, reason: String)
    /// More metrics than ``MetricsReport/maxMetrics``.
    case tooManyMetrics(Int)
    /// A count too large to be one.
    case outOfRange(field: String, value: UInt64)

    public var description: String {
        switch self {
        case let .badValue(field, value): return "\(field) is \(value); it must be a finite number\(field.hasSuffix("seconds") ? " >= 0" : "")"
        case let .badName(name, reason): return "metric name \(echoed(name.debugDescription, limit: MetricsReport.maxNameBytes + 2)): \(reason)"
        case let .tooManyMetrics(count): return "\(count) metrics; a report holds at most \(MetricsReport.maxMetrics)"
        case let .outOfRange(field, value): return "\(field) \(value) is out of range"
        }
    }
}
