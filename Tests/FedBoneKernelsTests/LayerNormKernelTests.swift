import FedBoneKernels
import Foundation
import Testing

/// Layer norm forward, input backward and parameter backward, every supported path, against `Double`.
@Suite struct LayerNormKernelTests {
    private typealias Forward = (UnsafePointer<Float>, UnsafePointer<Float>?, UnsafePointer<Float>?, UnsafeMutablePointer<Float>,
                                 UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>, Int, Int, Float) -> Void
    private typealias BackwardInput = (UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>?, UnsafePointer<Float>,
                                       UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int, Int) -> Void
    private typealias BackwardParams = (UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>,
                                        UnsafeMutablePointer<Float>?, UnsafeMutablePointer<Float>?, Int, Int) -> Void
    private let paths: [(name: String, forward: Forward, input: BackwardInput, params: BackwardParams)] =
        supportedISAs.map { path in
            let isa = path.isa
            return (path.name, { fb_layer_norm_forward_isa(isa, $0, $1, $2, $3, $4, $5, $6, $7, $8) },
                    { fb_layer_norm_backward_input_isa(isa, $0, $1, $2, $3, $4, $5, $6, $7) },
                    { fb_layer_norm_backward_params_isa(isa, $0, $1, $2, $3, $4, $5, $6, $7) })
        }

    /// Rows of d values offset by 1000 (a large mean over a unit spread: the two-pass variance
    /// must not cancel), with weight and bias.
    @Test(arguments: [1, 7, 8, 9, 16, 33, 96])
    func forwardAndBackwardMatchTheReference(d: Int) {
        let rows = 4, eps: Float = 1e-5
        var random = TestRandom(seed: UInt64(d))
        let x = random.values(rows * d).map { $0 + 1000 }, w = random.values(d, 0.5, 1.5), b = random.values(d)
        let g = random.values(rows * d)
        for path in paths {
            var y = [Float](repeating: .nan, count: rows * d), mean = [Float](repeating: 0, count: rows)
            var rstd = [Float](repeating: 0, count: rows), dx = [Float](repeating: .nan, count: rows * d)
            var dw = [Float](repeating: 0, count: d), db = [Float](repeating: 0, count: d)
            x.withUnsafeBufferPointer { px in w.withUnsafeBufferPointer { pw in b.withUnsafeBufferPointer { pb in
                g.withUnsafeBufferPointer { pg in y.withUnsafeMutableBufferPointer { py in
                    mean.withUnsafeMutableBufferPointer { pm in rstd.withUnsafeMutableBufferPointer { pr in
                        dx.withUnsafeMutableBufferPointer { pd in dw.withUnsafeMutableBufferPointer { pdw in
                            db.withUnsafeMutableBufferPointer { pdb in
                                path.forward(px.baseAddress!, pw.baseAddress!, pb.baseAddress!, py.baseAddress!,
                                             pm.baseAddress!, pr.baseAddress!, rows, d, eps)
                                path.input(pg.baseAddress!, px.baseAddress!, pw.baseAddress!, pm.baseAddress!,
                                           pr.baseAddress!, pd.baseAddress!, rows, d)
                                // Parameter gradients added over two blocks of rows, as the engine does.
                                let split = rows / 2
                                path.params(pg.baseAddress!, px.baseAddress!, pm.baseAddress!, pr.baseAddress!,
                                            pdw.baseAddress!, pdb.baseAddress!, split, d)
                                path.params(pg.baseAddress! + split * d, px.baseAddress! + split * d, pm.baseAddress! + split,
                                            pr.baseAddress! + split, pdw.baseAddress!, pdb.baseAddress!, rows - split, d)
                            }
                        } }
                    } }
                } }
            } } }
            var expectedW = [Double](repeating: 0, count: d), expectedB = [Double](repeating: 0, count: d)
            for r in 0..<rows {
                let row = (0..<d).map { Double(x[r * d + $0]) }
                let mu = row.reduce(0, +) / Double(d)
                let variance = row.reduce(0) { $0 + ($1 - mu) * ($1 - mu) } / Double(d)
                let rs = 1 / (variance + Double(eps)).squareRoot()
                let xhat = row.map { ($0 - mu) * rs }
                let gh = (0..<d).map { Double(g[r * d + $0]) * Double(w[$0]) }
                let meanG = gh.reduce(0, +) / Double(d)
                let meanGX = zip(gh, xhat).reduce(0) { $0 + $1.0 * $1.1 } / Double(d)
                for j in 0..<d {
                    let expectedY = xhat[j] * Double(w[j]) + Double(b[j])
                    #expect(abs(Double(y[r * d + j]) - expectedY) < 2e-4, "\(path.name) d \(d) y[\(r), \(j)]")
                    let expectedDx = rs * (gh[j] - meanG - xhat[j] * meanGX)
                    #expect(abs(Double(dx[r * d + j]) - expectedDx) < 2e-3 * max(1, abs(expectedDx)), "\(path.name) d \(d) dx[\(r), \(j)]")
                    expectedW[j] += Double(g[r * d + j]) * xhat[j]
                    expectedB[j] += Double(g[r * d + j])
                }
            }
            for j in 0..<d {
                #expect(abs(Double(dw[j]) - expectedW[j]) < 1e-3, "\(path.name) d \(d) dw[\(j)]")
                #expect(abs(Double(db[j]) - expectedB[j]) < 1e-5, "\(path.name) d \(d) db[\(j)]")
            }
        }
    }
}
