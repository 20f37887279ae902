extension AggregationRecord {
    /// The record of round `round`'s GP aggregation of `clients`' updates (in the order of
    /// `result`'s arrays), with the server learning rate η_s of θ^{t+1} = θ^t − η_s Δ.
    public init(round: Int, clients: [String], result: GPAggregateResult, serverLearningRate: Double) {
        self.init(round: round, clients: clients, cosine: result.cosine, rescaleWeights: result.rescaleWeights,
                  projections: result.projections, updateNorms: result.updateNorms, rescaleScores: result.rescaleScores,
                  aggregateNorm: dot(result.aggregate, result.aggregate).squareRoot(), serverLearningRate: serverLearningRate)
    }
}
