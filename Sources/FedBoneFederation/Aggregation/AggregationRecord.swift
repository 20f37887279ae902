/// What the server's aggregation did in one round (one line of `aggregation.jsonl`).
public struct AggregationRecord: Codable, Sendable, Equatable {
    /// The round (1-based) whose updates were aggregated.
    public var round: Int
    /// The participating clients, in the order of the other arrays.
    public var clients: [String]
    /// K×K cosine similarities between the clients' updates Δ_k.
    public var cosine: [[Double]]
    /// How many PCGrad projections happened.
    public var projections: Int
    /// Rescale scores s_k.
    public var rescaleScores: [Double]
    /// Rescale weights a_k (average 1).
    public var rescaleWeights: [Double]
    /// ‖Δ_k‖.
    public var updateNorms: [Double]
    /// ‖Δ‖ of the aggregate.
    public var aggregateNorm: Double
    /// η_s used for θ^{t+1} = θ^t − η_s Δ.
    public var serverLearningRate: Double

    public init(round: Int, clients: [String], result: GPAggregateResult, serverLearningRate: Double) {
        self.round = round
        self.clients = clients
        cosine = result.cosine
        projections = result.projections
        rescaleScores = result.rescaleScores
        rescaleWeights = result.rescaleWeights
        updateNorms = result.updateNorms
        aggregateNorm = dot(result.aggregate, result.aggregate).squareRoot()
        self.serverLearningRate = serverLearningRate
    }
}
