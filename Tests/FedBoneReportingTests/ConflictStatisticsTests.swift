import Testing
import FedBoneReporting

/// Conflict statistics of aggregation records, computed by hand.
@Suite struct ConflictStatisticsTests {
    @Test func negativeShareMeanCosineAndProjectionsOverRounds() throws {
        // Rounds 1 and 2 (projections 2 and 3): pairs 0.5, −0.2, 0.1 each round; 2 of 6 negative,
        // mean (0.5 − 0.2 + 0.1) / 3 = 0.1333…, 2.5 projections per round.
        let stats = try #require(ConflictStatistics([RunLogTests.aggregation(round: 1), RunLogTests.aggregation(round: 2)]))
        #expect(stats.rounds == 2 && stats.pairs == 6)
        #expect(abs(stats.negativeShare - 2.0 / 6) < 1e-12)
        #expect(abs(stats.meanCosine - 0.4 / 3) < 1e-12)
        #expect(stats.projectionsPerRound == 2.5)
        #expect(ConflictStatistics([]) == nil)
    }
}
