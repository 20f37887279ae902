extension Batch {
    /// The batch of `samples` for `task`: images `[B, 3, H, W]` in [0, 1] (bytes ÷ 255) and the
    /// task's target — `.labels` (B·H·W, row-major, 255 ignored) for segmentation and parts,
    /// `.labels` (B) for classification, `.map` `[B, 1, H, W]` for depth (0 = invalid),
    /// boundaries and saliency, `.map` `[B, 3, H, W]` of unit normals (0 = invalid) for normals.
    ///
    /// Every sample must have the same size and ground truth for `task`.
    public init(samples: [MultiTaskSample], task: TaskKind) {
        precondition(!samples.isEmpty, "Batch(samples:task:): no samples")
        let h = samples[0].height, w = samples[0].width, plane = h * w, n = samples.count
        precondition(samples.allSatisfy { $0.height == h && $0.width == w },
                     "Batch(samples:task:): samples differ in size")
        precondition(samples.allSatisfy { $0.has(task) }, "Batch(samples:task:): a sample has no \(task.rawValue) ground truth")
        var pixels = [Float](repeating: 0, count: n * 3 * plane)
        for (k, sample) in samples.enumerated() {
            for (i, byte) in sample.rgb.enumerated() { pixels[k * 3 * plane + i] = Float(byte) / 255 }
        }
        let images = Tensor(uncheckedShape: [n, 3, h, w], scalars: pixels)
        func labels(_ values: [[UInt8]]) -> TaskTarget { .labels(values.flatMap { $0.map(Int.init) }) }
        func mask(_ values: [[UInt8]]) -> TaskTarget {
            .map(Tensor(uncheckedShape: [n, 1, h, w], scalars: values.flatMap { $0.map(Float.init) }))
        }
        let target: TaskTarget
        switch task {
        case .segmentation: target = labels(samples.map { $0.semantic ?? [] })
        case .parts: target = labels(samples.map { $0.parts ?? [] })
        case .classification: target = .labels(samples.map { $0.imageClass ?? 255 })
        case .depth: target = .map(Tensor(uncheckedShape: [n, 1, h, w], scalars: samples.flatMap { $0.depth ?? [] }))
        case .boundaries: target = mask(samples.map { $0.boundaries ?? [] })
        case .saliency: target = mask(samples.map { $0.saliency ?? [] })
        case .textClassification, .tokenTagging: preconditionFailure("Batch(samples:task:): \(task.rawValue) has no image samples")
        case .normals:
            var normals = [Float](repeating: 0, count: n * 3 * plane)
            for (k, sample) in samples.enumerated() {
                for p in 0..<plane {
                    let v = sample.normal(at: p)
                    for c in 0..<3 { normals[(k * 3 + c) * plane + p] = v[c] }
                }
            }
            target = .map(Tensor(uncheckedShape: [n, 3, h, w], scalars: normals))
        }
        self.init(images: images, target: target)
    }
}
