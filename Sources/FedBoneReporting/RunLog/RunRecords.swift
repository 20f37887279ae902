/// One client's results for one round: one line of `metrics.jsonl`, one row of `metrics.csv`.
///
/// JSON keys are snake_case (`train_loss`, `bytes_sent`, …); non-finite numbers are written as
/// the strings `"NaN"`, `"Infinity"` and `"-Infinity"` (see `RunLogCoding`).
public struct RoundRecord: Codable, Equatable, Sendable {
    /// The run's name (the `runs/<name>` directory).
    public var run: String
    /// The training method (`fedbone`, `fedavg`, `local`, …).
    public var method: String
    /// The round, from 0.
    public var round: Int
    public var client: String
    public var task: TaskKind
    /// Mean training loss over the round's local steps.
    public var trainLoss: Double
    /// Learning rates in force this round, by name (e.g. `client`, `server`).
    public var learningRates: [String: Double]
    /// Evaluation metrics by name (e.g. `"mIoU": 0.41`); empty in rounds without evaluation.
    public var metrics: [String: Double]
    /// The name of the metric the task is judged by (a key of `metrics`).
    public var primaryMetric: String
    /// Its value (NaN in rounds without evaluation).
    public var primaryValue: Double
    /// Whether a larger primary value is better (mIoU) or worse (RMSE).
    public var higherIsBetter: Bool
    /// Bytes this client sent to the server this round.
    public var bytesSent: Int
    /// Bytes this client received from the server this round.
    public var bytesReceived: Int
    /// Wall-clock seconds the client's round took.
    public var seconds: Double

    public init(
        run: String, method: String, round: Int, client: String, task: TaskKind,
        trainLoss: Double, learningRates: [String: Double] = [:], metrics: [String: Double] = [:],
        primaryMetric: String, primaryValue: Double, higherIsBetter: Bool,
        bytesSent: Int = 0, bytesReceived: Int = 0, seconds: Double = 0
    ) {
        self.run = run
        self.method = method
        self.round = round
        self.client = client
        self.task = task
        self.trainLoss = trainLoss
        self.learningRates = learningRates
        self.metrics = metrics
        self.primaryMetric = primaryMetric
        self.primaryValue = primaryValue
        self.higherIsBetter = higherIsBetter
        self.bytesSent = bytesSent
        self.bytesReceived = bytesReceived
        self.seconds = seconds
    }

    enum CodingKeys: String, CodingKey {
        case run, method, round, client, task, metrics, seconds
        case trainLoss = "train_loss"
        case learningRates = "learning_rates"
        case primaryMetric = "primary_metric"
        case primaryValue = "primary_value"
        case higherIsBetter = "higher_is_better"
        case bytesSent = "bytes_sent"
        case bytesReceived = "bytes_received"
    }
}

/// The server's aggregation of one round: one line of `aggregation.jsonl`.
///
/// Arrays are indexed like `clients`; `cosine[i][j]` is the cosine similarity between client
/// i's and client j's general-model updates Δ_i, Δ_j (K×K, symmetric, ones on the diagonal).
public struct AggregationRecord: Codable, Equatable, Sendable {
    public var round: Int
    /// The K clients aggregated this round, in the order of the other arrays.
    public var clients: [String]
    /// K×K cosine similarities between the clients' updates (before rescaling).
    public var cosine: [[Double]]
    /// The rescale weights a_k (all 1 without rescaling or history).
    public var rescaleWeights: [Double]
    /// How many projections P_k ← P_k − (P_k·Δ_i/‖Δ_i‖²) Δ_i happened.
    public var projections: Int
    /// ‖Δ_k‖ of each client's update (before rescaling).
    public var updateNorms: [Double]
    /// The rescale scores s_k = Δ_k·Δ^{t−1}/√D behind the weights (absent if not recorded).
    public var rescaleScores: [Double]?
    /// ‖Δ‖ of the aggregated update (absent if not recorded).
    public var aggregateNorm: Double?
    /// The server learning rate η_s of θ^{t+1} = θ^t − η_s Δ (absent if not recorded).
    public var serverLearningRate: Double?

    public init(
        round: Int, clients: [String], cosine: [[Double]], rescaleWeights: [Double],
        projections: Int, updateNorms: [Double], rescaleScores: [Double]? = nil,
        aggregateNorm: Double? = nil, serverLearningRate: Double? = nil
    ) {
        self.round = round
        self.clients = clients
        self.cosine = cosine
        self.rescaleWeights = rescaleWeights
        self.projections = projections
        self.updateNorms = updateNorms
        self.rescaleScores = rescaleScores
        self.aggregateNorm = aggregateNorm
        self.serverLearningRate = serverLearningRate
    }

    /// Mean of the off-diagonal cosines (NaN with fewer than two clients).
    public var meanCosine: Double {
        var sum = 0.0
        var count = 0
        for (i, row) in cosine.enumerated() {
            for (j, value) in row.enumerated() where i != j {
                sum += value
                count += 1
            }
        }
        return count == 0 ? .nan : sum / Double(count)
    }

    /// Smallest off-diagonal cosine (NaN with fewer than two clients).
    public var minCosine: Double {
        let offDiagonal = cosine.enumerated().flatMap { i, row in
            row.enumerated().filter { $0.offset != i }.map(\.element)
        }
        return offDiagonal.min() ?? .nan
    }

    enum CodingKeys: String, CodingKey {
        case round, clients, cosine, projections
        case rescaleWeights = "rescale_weights"
        case updateNorms = "update_norms"
        case rescaleScores = "rescale_scores"
        case aggregateNorm = "aggregate_norm"
        case serverLearningRate = "server_learning_rate"
    }
}
