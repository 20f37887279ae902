import Testing
@testable import FedBoneTensor

/// `placedRows`: an injective row map with −1 for zero rows, its gradient, and its checks.
@Suite struct PlacedRowsTests {
    @Test func placesRowsAndZerosAsTheMapSays() throws {
        let x = try Tensor(shape: [3, 2], scalars: [1, 2, 3, 4, 5, 6])
        #expect(x.placedRows([2, -1, 0]).scalars == [5, 6, 0, 0, 1, 2])
    }

    @Test func gradientGoesBackToTheSourceRows() {
        var rng = SeededGenerator(seed: 5)
        let x = Tensor.randn([5, 3], generator: &rng).requiringGrad()
        let r = checkGradients([x]) { $0[0].placedRows([4, -1, 1, 0, -1, 2]) }
        #expect(r.passed, "\(r)")
    }

    @Test func largeMapsTakeTheParallelPathWithTheSameResult() {
        var rng = SeededGenerator(seed: 6)
        let x = Tensor.randn([4_000, 24], generator: &rng)
        let map = (0..<4_100).map { $0 < 4_000 ? (($0 * 7) % 4_000) : -1 }
        let y = x.placedRows(map)
        #expect(y.slice(axis: 0, 0..<4_000).scalars == x.gatherRows(Array(map.prefix(4_000))).scalars)
        #expect(y.slice(axis: 0, 4_000..<4_100).scalars.allSatisfy { $0 == 0 })
    }
}
