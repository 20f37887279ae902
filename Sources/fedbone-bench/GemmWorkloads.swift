import FedBoneTensor

/// Raw `sgemm` (`C = A·B`, row-major, no transposes) at Swin-T linear-layer shapes:
/// M = batch·tokens, K/N = channels.
func gemmWorkloads() -> [Workload] {
    [
        sgemmWorkload("sgemm s1 qkv", m: 8 * 3136, k: 96, n: 288),
        sgemmWorkload("sgemm s1 fc1", m: 2 * 3136, k: 96, n: 384),
        sgemmWorkload("sgemm s1 fc2", m: 2 * 3136, k: 384, n: 96),
        sgemmWorkload("sgemm s2 qkv", m: 8 * 784, k: 192, n: 576),
        sgemmWorkload("sgemm s3 fc1", m: 8 * 196, k: 384, n: 1536),
    ]
}

/// One `[m, k] × [k, n]` product into a preallocated output.
private func sgemmWorkload(_ name: String, m: Int, k: Int, n: Int) -> Workload {
    Workload(name: name, shape: shapeText([m, k], [k, n]), work: .flops(2 * Double(m * n * k))) {
        let a = benchInput([m, k], seed: 1), b = benchInput([k, n], seed: 2)
        var c = [Float](repeating: 0, count: m * n)
        return {
            a.withUnsafeBufferPointer { pa in
                b.withUnsafeBufferPointer { pb in
                    c.withUnsafeMutableBufferPointer { pc in
                        guard let ap = pa.baseAddress, let bp = pb.baseAddress, let cp = pc.baseAddress else { return }
                        sgemm(transA: false, transB: false, m: m, n: n, k: k, a: ap, b: bp, c: cp)
                    }
                }
            }
        }
    }
}
