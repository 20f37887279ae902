import FedBoneKernels
import Foundation
import Testing

/// The one dispatch point (`fb_isa`) and every path it can choose, forced one by one and checked
/// against the scalar reference on the same inputs.
@Suite struct ISADispatchTests {
    @Test func theChosenPathIsSupportedAndTheWidestUnlessTheEnvironmentNamesOne() {
        let chosen = fb_isa()
        #expect(fb_isa_supported(chosen) != 0)
        #expect(fb_isa_supported(Int32(FB_ISA_SCALAR)) != 0 && fb_isa_supported(Int32(FB_ISA_VECTOR)) != 0)
        #expect(fb_isa_supported(7) == 0 && String(cString: fb_isa_name(7)) == "unknown")
        if ProcessInfo.processInfo.environment["FEDBONE_ISA"] == nil {
            #expect(chosen == supportedISAs.last?.isa, "fb_isa() is \(String(cString: fb_isa_name(chosen)))")
        }
        #expect(supportedISAs.map(\.name).starts(with: ["scalar", "vector"]))
    }

    @Test func everyPathMatchesTheScalarReference() throws {
        let rows = 7, n = 203  // neither a multiple of 8 nor of 16: partial vectors run
        var random = TestRandom(seed: 11)
        let x = random.values(rows * n, -6, 6), g = random.values(rows * n), w = random.values(n, 0.5, 1.5)
        let b = random.values(n)
        func outputs(_ isa: Int32) -> [[Float]] {
            var gelu = [Float](repeating: 0, count: x.count), geluGrad = gelu, soft = gelu, softGrad = gelu
            var norm = gelu, normGrad = gelu, mean = [Float](repeating: 0, count: rows), rstd = mean
            var dw = [Float](repeating: 0, count: n), db = dw, transposed = gelu
            fb_gelu_forward_isa(isa, x, &gelu, x.count)
            fb_gelu_backward_isa(isa, x, g, &geluGrad, x.count)
            fb_softmax_rows_isa(isa, x, &soft, g, nil, rows, n)
            fb_softmax_backward_rows_isa(isa, g, soft, &softGrad, rows, n)
            fb_layer_norm_forward_isa(isa, x, w, b, &norm, &mean, &rstd, rows, n, 1e-5)
            fb_layer_norm_backward_input_isa(isa, g, x, w, mean, rstd, &normGrad, rows, n)
            fb_layer_norm_backward_params_isa(isa, g, x, mean, rstd, &dw, &db, rows, n)
            fb_transpose_isa(isa, x, rows, n, n, &transposed, rows)
            return [gelu, geluGrad, soft, softGrad, norm, mean, rstd, normGrad, dw, db, transposed, [fb_sum_isa(isa, x, x.count)]]
        }
        let names = ["gelu", "gelu backward", "softmax", "softmax backward", "layer norm", "mean", "rstd",
                     "layer norm backward", "dw", "db", "transpose", "sum"]
        let reference = outputs(Int32(FB_ISA_SCALAR))
        for path in supportedISAs.dropFirst() {
            for (name, (got, want)) in zip(names, zip(outputs(path.isa), reference)) {
                let worst = zip(got, want).map { abs(Double($0) - Double($1)) / max(1, abs(Double($1))) }.max() ?? 0
                #expect(worst < 2e-5, "\(path.name) \(name): worst relative difference \(worst) from scalar")
            }
        }
    }
}
