/// How much a run's client updates conflicted, from its aggregation records: over every
/// aggregated round, the share of client pairs whose general-model updates point apart
/// (negative cosine), their mean cosine, and how many projections GP made per round — so a
/// reader sees whether the projection had anything to fix.
public struct ConflictStatistics: Sendable, Equatable {
    /// Aggregated rounds.
    public let rounds: Int
    /// Client pairs over those rounds (K(K−1)/2 per round).
    public let pairs: Int
    /// The share of those pairs with a negative cosine.
    public let negativeShare: Double
    /// Their mean cosine.
    public let meanCosine: Double
    /// Projections per round (PCGrad's, GradVac's; 0 with the projection off).
    public let projectionsPerRound: Double

    /// The statistics of `records`; nil without records or client pairs.
    public init?(_ records: [AggregationRecord]) {
        var pairs = 0, negative = 0, sum = 0.0
        for record in records {
            for i in record.cosine.indices {
                for j in record.cosine[i].indices where j > i {
                    pairs += 1
                    sum += record.cosine[i][j]
                    if record.cosine[i][j] < 0 { negative += 1 }
                }
            }
        }
        guard !records.isEmpty, pairs > 0 else { return nil }
        rounds = records.count
        self.pairs = pairs
        negativeShare = Double(negative) / Double(pairs)
        meanCosine = sum / Double(pairs)
        projectionsPerRound = Double(records.reduce(0) { $0 + $1.projections }) / Double(records.count)
    }
}
