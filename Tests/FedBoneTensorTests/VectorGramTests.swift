import Testing
import FedBoneTensor

/// ``VectorGram``: the Gram matrix and the coefficient sum against double arithmetic, on lengths
/// around its 2048-column blocks and the split across threads.
@Suite struct VectorGramTests {
    private func vectors(_ count: Int, _ length: Int) -> [[Float]] {
        var g = SeededGenerator(seed: UInt64(count * 10_000 + length))
        return (0..<count).map { _ in (0..<length).map { _ in g.uniform(-1, 1) } }
    }

    @Test(arguments: [(1, 1), (2, 2047), (5, 2048), (6, 4097), (17, 6001)])
    func gramIsTheDoubleDotProductOfEveryPair(count: Int, length: Int) {
        let v = vectors(count, length)
        let g = VectorGram.gram(v)
        for i in 0..<count {
            for j in 0..<count {
                let expected = zip(v[i], v[j]).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
                #expect(abs(g[i][j] - expected) <= 1e-12 * max(1, abs(expected)), "G[\(i)][\(j)]")
            }
        }
    }

    @Test(arguments: [(1, 5), (3, 2049), (8, 40_000)])
    func combinationSumsInDoubleAndRoundsOnce(count: Int, length: Int) {
        let v = vectors(count, length)
        let c = (0..<count).map { $0 == 1 ? 0 : Double($0) - 2.5 }
        let out = VectorGram.combination(c, of: v)
        let expected = (0..<length).map { j in Float((0..<count).reduce(0.0) { $0 + c[$1] * Double(v[$1][j]) }) }
        #expect(out == expected)
    }

    @Test func emptyAndZeroInputsGiveZeros() {
        #expect(VectorGram.gram([[], []]) == [[0, 0], [0, 0]])
        #expect(VectorGram.gram([] as [[Float]]) == [])
        #expect(VectorGram.combination([1, 2], of: [[], []]) == [])
        #expect(VectorGram.combination([0, 0], of: [[1, 2], [3, 4]]) == [0, 0])
    }
}
