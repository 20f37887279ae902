import FedBoneTensor

/// Convolution, normalisation, activation and attention workloads at Swin-T shapes, forward
/// with backward unless named `fwd`. Backward runs from a ones seed and covers every input
/// that requires a gradient (an image fed to a patch embedding does not).
func opWorkloads() -> [Workload] {
    [
        convWorkload("conv2d patch4 b8 64px", input: [8, 3, 64, 64], outChannels: 96, kernel: 4, stride: 4, padding: 0,
                     inputGrad: false, backward: false),
        convWorkload("conv2d patch4 b8 64px", input: [8, 3, 64, 64], outChannels: 96, kernel: 4, stride: 4, padding: 0,
                     inputGrad: false, backward: true),
        convWorkload("conv2d patch4 b2 224px", input: [2, 3, 224, 224], outChannels: 96, kernel: 4, stride: 4, padding: 0,
                     inputGrad: false, backward: false),
        convWorkload("conv2d patch4 b2 224px", input: [2, 3, 224, 224], outChannels: 96, kernel: 4, stride: 4, padding: 0,
                     inputGrad: false, backward: true),
        convWorkload("conv2d 3x3 64ch b8 32px", input: [8, 64, 32, 32], outChannels: 64, kernel: 3, stride: 1, padding: 1,
                     inputGrad: true, backward: false),
        convWorkload("conv2d 3x3 64ch b8 32px", input: [8, 64, 32, 32], outChannels: 64, kernel: 3, stride: 1, padding: 1,
                     inputGrad: true, backward: true),
        layerNormWorkload(rows: 8 * 3136, features: 96),
        geluWorkload(rows: 8 * 3136, features: 384),
        softmaxWorkload(shape: [8 * 64 * 3, 49, 49]),
        attentionWorkload(windows: 8 * 64, tokens: 49, channels: 96, heads: 3),
    ]
}

/// `x [N, Cin, H, W] ⊛ w [Cout, Cin, k, k] + b → [N, Cout, H', W']`, groups 1, dilation 1.
private func convWorkload(_ name: String, input: [Int], outChannels: Int, kernel: Int, stride: Int, padding: Int,
                          inputGrad: Bool, backward: Bool) -> Workload {
    let (n, cin, h, w) = (input[0], input[1], input[2], input[3])
    let oh = (h + 2 * padding - kernel) / stride + 1, ow = (w + 2 * padding - kernel) / stride + 1
    let macs = Double(n * outChannels * oh * ow * cin * kernel * kernel)
    let passes: Double = backward ? (inputGrad ? 3 : 2) : 1
    return Workload(name: name + (backward ? " fwd+bwd" : " fwd"),
                    shape: shapeText(input, [outChannels, cin, kernel, kernel]), work: .flops(2 * passes * macs)) {
        let x = benchInput(input, seed: 1)
        let weight = benchInput([outChannels, cin, kernel, kernel], seed: 2), bias = benchInput([outChannels], seed: 3)
        let seed = Tensor.ones([n, outChannels, oh, ow])
        func forward(_ x: Tensor, _ weight: Tensor, _ bias: Tensor) -> Tensor {
            x.conv2d(weight: weight, bias: bias, stride: (stride, stride), padding: (padding, padding),
                     dilation: (1, 1), groups: 1)
        }
        guard backward else { return { _ = forward(x, weight, bias) } }
        return {
            forward(inputGrad ? x.requiringGrad() : x, weight.requiringGrad(), bias.requiringGrad()).backward(seed)
        }
    }
}

/// Layer norm over the last axis of `[rows, features]` with affine weight and bias.
private func layerNormWorkload(rows: Int, features: Int) -> Workload {
    Workload(name: "layernorm s1 fwd+bwd", shape: shapeText([rows, features]), work: .bytes(5 * 4 * Double(rows * features))) {
        let x = benchInput([rows, features], seed: 1)
        let weight = benchInput([features], seed: 2), bias = benchInput([features], seed: 3)
        let seed = Tensor.ones([rows, features])
        return {
            x.requiringGrad().layerNorm(weight: weight.requiringGrad(), bias: bias.requiringGrad(), epsilon: 1e-5)
                .backward(seed)
        }
    }
}

/// GELU (erf form) of `[rows, features]`.
private func geluWorkload(rows: Int, features: Int) -> Workload {
    Workload(name: "gelu s1 fwd+bwd", shape: shapeText([rows, features]), work: .bytes(5 * 4 * Double(rows * features))) {
        let x = benchInput([rows, features], seed: 1)
        let seed = Tensor.ones([rows, features])
        return { x.requiringGrad().gelu().backward(seed) }
    }
}

/// Softmax over the last axis of window attention scores `[windows·heads, N, N]`.
private func softmaxWorkload(shape: [Int]) -> Workload {
    let count = shape.reduce(1, *)
    return Workload(name: "softmax win fwd+bwd", shape: shapeText(shape), work: .bytes(5 * 4 * Double(count))) {
        let x = benchInput(shape, seed: 1)
        let seed = Tensor.ones(shape)
        return { x.requiringGrad().softmax(axis: -1).backward(seed) }
    }
}

/// Swin window attention: `x [B, N, C] → qkv → softmax(q·kᵀ·scale)·v per head → proj [B, N, C]`,
/// with the engine's fused attention op (strided GEMMs on the qkv rows; what the models run).
private func attentionWorkload(windows b: Int, tokens n: Int, channels c: Int, heads: Int) -> Workload {
    let d = c / heads
    let rows = Double(b * n)
    let macs = rows * Double(c * 3 * c) + 2 * Double(b * heads * n * n * d) + rows * Double(c * c)
    return Workload(name: "attention win fwd+bwd", shape: shapeText([b, n, c]), work: .flops(6 * macs)) {
        let x = benchInput([b, n, c], seed: 1)
        let qkvWeight = benchInput([3 * c, c], seed: 2), qkvBias = benchInput([3 * c], seed: 3)
        let projWeight = benchInput([c, c], seed: 4), projBias = benchInput([c], seed: 5)
        let seed = Tensor.ones([b, n, c])
        let scale = 1 / Float(d).squareRoot()
        return {
            x.requiringGrad().linear(weight: qkvWeight.requiringGrad(), bias: qkvBias.requiringGrad())
                .attention(heads: heads, scale: scale)
                .linear(weight: projWeight.requiringGrad(), bias: projBias.requiringGrad())
                .backward(seed)
        }
    }
}
