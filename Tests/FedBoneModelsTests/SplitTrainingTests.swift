import Testing
import FedBoneModels

/// The split is exact: embedding → general model → adaptation → head run as separate pieces,
/// with gradients passed across the two cuts by hand as the network would, gives the same
/// parameter gradients as back-propagating through the whole model, for both kinds of general
/// model (the transformer's clients add a position embedding before the cut).
@Suite struct SplitTrainingTests {
    static let generals: [GeneralModelConfiguration] = [
        .swin(SwinConfiguration(embedDim: 8, depths: [1, 1], numHeads: [1, 2], windowSize: 4, mlpRatio: 2)),
        .transformer(TransformerConfiguration(embedDim: 8, depth: 2, numHeads: 2, mlpRatio: 2, patchSize: 4)),
    ]
    static let adaptation = AdaptationConfiguration(width: 8, heads: 2, kernelSize: 3)

    private func batch(_ task: TaskSpec, seed: UInt64) -> (Tensor, TaskTarget) {
        var rng = SeededGenerator(seed: seed)
        let images = Tensor.uniform([2, 3, 16, 16], generator: &rng)
        switch task.kind {
        case .segmentation, .parts:
            var labels: [Int] = []
            for i in 0..<(2 * 16 * 16) { labels.append(i % 7 == 0 ? 255 : rng.int(below: task.classes)) }
            return (images, .labels(labels))
        case .classification:
            return (images, .labels([1, 0]))
        case .depth:
            return (images, .map(Tensor.uniform([2, 1, 16, 16], low: 0, high: 3, generator: &rng)))
        case .normals:
            let n = Tensor.randn([2, 3, 16, 16], generator: &rng)
            return (images, .map(n / n.square().sum(axis: 1, keepDims: true).sqrt()))
        case .boundaries, .saliency:
            let mask = (0..<(2 * 16 * 16)).map { Float($0 % 5 == 0 ? 1 : 0) }
            return (images, .map(Tensor(uncheckedShape: [2, 1, 16, 16], scalars: mask)))
        case .textClassification, .tokenTagging:
            preconditionFailure("image tasks only")
        }
    }

    @Test(arguments: [TaskSpec(.segmentation, classes: 5), TaskSpec(.depth), TaskSpec(.normals),
                      TaskSpec(.boundaries), TaskSpec(.saliency), TaskSpec(.classification, classes: 3)], Self.generals)
    func splitGradientsEqualWholeModelGradients(task: TaskSpec, general: GeneralModelConfiguration) throws {
        let whole = try fullModel(task: task, input: .images(height: 16, width: 16), general: general, adaptation: Self.adaptation, seed: 3)
        let (images, target) = batch(task, seed: 9)

        taskLoss(task: task, prediction: whole(.images(images)), target: target).backward()
        let reference = Dictionary(uniqueKeysWithValues: whole.namedParameters().map { ($0.name, $0.parameter.grad) })
        whole.zeroGrad()

        // Client: embed and "send".
        let embeddings = whole.embed(.images(images))
        // Server: a fresh leaf for what arrived, general model forward, "send" features.
        let received = embeddings.detached().requiringGrad()
        let features = whole.backbone(received)
        // Client: a fresh leaf for the features, head and loss, backward, "send" the gradient.
        let clientFeatures = features.detached().requiringGrad()
        let prediction = whole.client.predict(features: clientFeatures, input: .images(images))
        taskLoss(task: task, prediction: prediction, target: target).backward()
        // Server: back-propagate the feature gradient, "send" the embedding gradient.
        let featureGrad = try #require(clientFeatures.grad)
        features.backward(featureGrad)
        // Client: finish back-propagation through the embedding.
        let embeddingGrad = try #require(received.grad)
        embeddings.backward(embeddingGrad)

        for (name, p) in whole.namedParameters() {
            let want = try #require(reference[name] ?? nil, "no reference gradient for \(name)")
            let got = try #require(p.grad, "no split gradient for \(name)")
            let scale = max(want.scalars.map { abs($0) }.max() ?? 0, 1e-8)
            let err = zip(want.scalars, got.scalars).map { abs($0 - $1) }.max() ?? 0
            #expect(err <= 1e-5 * scale + 1e-7, "\(task.kind) on \(general.kind) \(name): max error \(err) (scale \(scale))")
        }
    }
}
