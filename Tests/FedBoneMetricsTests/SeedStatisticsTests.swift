import Testing
import FedBoneMetrics

/// Seed statistics and the sign test against values computed by hand.
@Suite struct SeedStatisticsTests {
    @Test func meanDeviationAndIntervalOfFourSeeds() {
        let s = SeedStatistics([1, 2, 3, 4])
        #expect(s.count == 4 && s.mean == 2.5)
        // sd = √((2.25 + 0.25 + 0.25 + 2.25) / 3) = √(5/3); half width = t(3) · sd / √4.
        #expect(abs(s.standardDeviation - 1.2909944) < 1e-6)
        #expect(abs((s.halfWidth95 ?? 0) - 3.182 * 1.2909944 / 2) < 1e-6)
        let one = SeedStatistics([0.7])
        #expect(one.mean == 0.7 && one.standardDeviation == 0 && one.halfWidth95 == nil)
        #expect(SeedStatistics.tCritical95(degreesOfFreedom: 1) == 12.706 && SeedStatistics.tCritical95(degreesOfFreedom: 30) == 2.042)
    }

    @Test func theSignTestCountsWinsAndLeavesTiesOut() {
        let sweep = PairedComparison([5, 6, 7, 8, 9], [1, 1, 1, 1, 1], higherIsBetter: true)
        #expect(sweep.wins == 5 && sweep.losses == 0 && sweep.ties == 0)
        #expect(abs(sweep.signTestP - 2.0 / 32) < 1e-12)
        // Lower is better: 3 wins, 1 loss, 1 tie; p = 2 · (1 + 4) / 16.
        let mixed = PairedComparison([1, 1, 1, 3, 2], [2, 2, 2, 2, 2], higherIsBetter: false)
        #expect(mixed.wins == 3 && mixed.losses == 1 && mixed.ties == 1)
        #expect(abs(mixed.signTestP - 0.625) < 1e-12)
        #expect(PairedComparison([1, 2], [1, 2], higherIsBetter: true).signTestP == 1)
    }
}
