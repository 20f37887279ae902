import FedBoneKernels
import Testing

/// `fb_transpose`, both paths, on shapes around its 16×16 blocks with padded strides: every
/// element lands at its transposed place and nothing outside the destination is written.
@Suite struct TransposeKernelTests {
    @Test(arguments: [(1, 1), (16, 16), (17, 5), (3, 40), (33, 31)])
    func movesEveryElementToItsTransposedPlace(rows: Int, cols: Int) {
        let lds = cols + 3, ldd = rows + 2
        let source = (0..<(rows * lds)).map { Float($0) }
        for portable in [false, true] {
            var destination = [Float](repeating: -1, count: cols * ldd)
            source.withUnsafeBufferPointer { s in
                destination.withUnsafeMutableBufferPointer { d in
                    if portable {
                        fb_transpose_portable(s.baseAddress!, rows, cols, lds, d.baseAddress!, ldd)
                    } else {
                        fb_transpose(s.baseAddress!, rows, cols, lds, d.baseAddress!, ldd)
                    }
                }
            }
            for j in 0..<cols {
                for i in 0..<ldd {
                    let expected = i < rows ? source[i * lds + j] : -1
                    #expect(destination[j * ldd + i] == expected,
                            "\(portable ? "portable" : "dispatched") \(rows)×\(cols): dst[\(j)][\(i)]")
                }
            }
        }
    }
}
