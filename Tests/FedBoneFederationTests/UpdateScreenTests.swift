import Testing
import FedBoneFederation

/// Which updates a round may aggregate (issue #19, item 3).
@Suite struct UpdateScreenTests {
    let screen = UpdateScreen()

    @Test func anUpdateWithNaNOrInfinityIsLeftOut() {
        let reasons = screen.reasons(for: [[1, 2], [1, .nan], [.infinity, 0], [2, 1]])
        #expect(reasons[0] == nil && reasons[3] == nil)
        #expect(reasons[1]?.contains("NaN or infinite") == true)
        #expect(reasons[2]?.contains("NaN or infinite") == true)
    }

    @Test func anUpdateMoreThanAHundredTimesTheOthersMedianIsLeftOut() {
        // Large updates within 100 times the median of the others' norms pass.
        let reasons = screen.reasons(for: [[3, 4], [0, 5], [0, 400], [0, 450]])
        #expect(reasons == [nil, nil, nil, nil])
        let outsized = screen.reasons(for: [[3, 4], [0, 5], [0, 5e20]])
        #expect(outsized[0] == nil && outsized[1] == nil)
        #expect(outsized[2]?.contains("more than 100 times the median norm 5") == true, "\(String(describing: outsized[2]))")
        // Two clients: the larger is compared with the other alone.
        let pair = screen.reasons(for: [[1], [1000]])
        #expect(pair[0] == nil && pair[1] != nil)
    }

    @Test func updatesNextToClientsThatTrainedNothingOrAloneAreOnlyCheckedForFiniteness() {
        #expect(screen.reasons(for: [[0, 0], [0, 0], [3e30, 1]]) == [nil, nil, nil])
        #expect(screen.reasons(for: [[3e30, 1]]) == [nil])
        #expect(screen.reasons(for: [[.nan]])[0] != nil)
        #expect(screen.reasons(for: [] as [[Float]]).isEmpty)
    }
}
