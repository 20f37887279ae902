import FedBoneKernels
import Testing

/// `fb_transpose`, every supported path, on shapes around its 8×8 and 16×16 blocks with padded strides: every
/// element lands at its transposed place and nothing outside the destination is written.
@Suite struct TransposeKernelTests {
    @Test(arguments: [(1, 1), (8, 8), (9, 7), (16, 16), (17, 5), (3, 40), (33, 31)])
    func movesEveryElementToItsTransposedPlace(rows: Int, cols: Int) {
        let lds = cols + 3, ldd = rows + 2
        let source = (0..<(rows * lds)).map { Float($0) }
        for path in supportedISAs {
            var destination = [Float](repeating: -1, count: cols * ldd)
            source.withUnsafeBufferPointer { s in
                destination.withUnsafeMutableBufferPointer { d in
                    fb_transpose_isa(path.isa, s.baseAddress!, rows, cols, lds, d.baseAddress!, ldd)
                }
            }
            for j in 0..<cols {
                for i in 0..<ldd {
                    let expected = i < rows ? source[i * lds + j] : -1
                    #expect(destination[j * ldd + i] == expected,
                            "\(path.name) \(rows)×\(cols): dst[\(j)][\(i)]")
                }
            }
        }
    }
}
