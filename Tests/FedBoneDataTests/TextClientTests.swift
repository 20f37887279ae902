import Testing
import FedBoneData
import FedBoneModels
import FedBoneText

/// Text clients on the transformer general model: the built-in sentences, gradients of the new
/// layers against central differences, the split equal to the whole model, padding kept out,
/// and split training that learns both text tasks well above their trivial predictors.
@Suite struct TextClientTests {
    static let general = TransformerConfiguration(embedDim: 16, depth: 2, numHeads: 2, mlpRatio: 2, patchSize: 4)
    static let adaptation = AdaptationConfiguration(width: 16, heads: 2)

    /// Ids of a sentence and, for tagging, each word's tag on its first piece (255 on the others).
    static func encode(_ s: SyntheticText.Sentence, _ tokenizer: any Tokenizer) -> (ids: [Int], tags: [Int]) {
        var ids: [Int] = [], tags: [Int] = []
        for (word, tag) in zip(s.words, s.tags) {
            let pieces = tokenizer.encode(word)
            ids += pieces
            tags += [tag] + [Int](repeating: TextClientModel.ignored, count: max(pieces.count - 1, 0))
        }
        return (ids, tags)
    }

    /// One split step's backward, as the network would pass it: gradients cleared, the client
    /// embeds, the server runs on a fresh leaf, the client's loss back-propagates to the features,
    /// the server to the embeddings, the client through its embedding.
    static func splitBackward(client: TextClientModel, server: TransformerEncoder, batch: TokenBatch, labels: [Int]) throws {
        client.zeroGrad()
        server.zeroGrad()
        let embeddings = client.embed(batch)
        let received = embeddings.detached().requiringGrad()
        let features = server(received, lengths: batch.lengths)
        let clientFeatures = features.detached().requiringGrad()
        taskLoss(task: client.task, prediction: client.predict(features: clientFeatures, lengths: batch.lengths), target: .labels(labels)).backward()
        features.backward(try #require(clientFeatures.grad))
        embeddings.backward(try #require(received.grad))
    }

    @Test func sentencesAreDeterministicAndCarryBothLabels() {
        let a = SyntheticText.sentences(count: 50, seed: 3), b = SyntheticText.sentences(count: 50, seed: 3)
        #expect(a == b)
        #expect(a != SyntheticText.sentences(count: 50, seed: 4))
        #expect(a.allSatisfy { $0.words.count == $0.tags.count && (6...10).contains($0.words.count) })
        #expect(Set(a.map(\.topic)).count == SyntheticText.topics.count)
        #expect(Set(a.flatMap(\.tags)) == Set(0..<SyntheticText.tags.count))
    }

    @Test(arguments: TextDataset.tasks)
    func headAndAdaptationGradientsMatchCentralDifferences(kind: TaskKind) throws {
        let client = try TextClientModel(task: TaskSpec(kind, classes: 3), general: Self.general, vocabularySize: 20,
                                         maxLength: 8, adaptation: Self.adaptation, seed: 2)
        var rng = SeededGenerator(seed: 5)
        let features = Tensor.randn([2, 5, 16], generator: &rng).requiringGrad()
        let r = checkGradients([features], atol: 2e-3) { client.predict(features: $0[0], lengths: [5, 3]) }
        #expect(r.passed, "\(kind.rawValue): \(r)")
        let table = Tensor.randn([20, 16], generator: &rng).requiringGrad()
        let e = checkGradients([table]) { $0[0].gatherRows([3, 1, 3, 19, 0]) * 2 }
        #expect(e.passed, "embedding lookup: \(e)")
    }

    @Test(arguments: TextDataset.tasks)
    func paddedTokensChangeNothingTheRealTokensGive(kind: TaskKind) throws {
        let client = try TextClientModel(task: TaskSpec(kind, classes: 3), general: Self.general, vocabularySize: 20,
                                         maxLength: 8, adaptation: Self.adaptation, seed: 2)
        let encoder = try TransformerEncoder(Self.general, seed: 4)
        func logits(_ batch: TokenBatch) -> [Float] {
            let out = client.predict(features: encoder(client.embed(batch), lengths: batch.lengths), lengths: batch.lengths)
            guard kind == .tokenTagging else { return Array(out.scalars.prefix(3)) }
            let l = batch.length
            return (0..<3).flatMap { k in (0..<4).map { out.scalars[k * l + $0] } }
        }
        let alone = logits(TokenBatch([[4, 7, 9, 2]], padding: 0, maxLength: 8))
        let padded = logits(TokenBatch([[4, 7, 9, 2], [5, 5, 5, 5, 5, 5, 5]], padding: 0, maxLength: 8))
        #expect(zip(alone, padded).allSatisfy { abs($0 - $1) < 1e-5 }, "\(alone) vs \(padded)")
    }

    @Test(arguments: TextDataset.tasks)
    func splitGradientsEqualWholeModelGradients(kind: TaskKind) throws {
        let client = try TextClientModel(task: TaskSpec(kind, classes: 3), general: Self.general, vocabularySize: 20,
                                         maxLength: 8, adaptation: Self.adaptation, seed: 2)
        let server = try TransformerEncoder(Self.general, seed: 4)
        let batch = TokenBatch([[4, 7, 9, 2, 11], [5, 6, 1]], padding: 0, maxLength: 8)
        let labels = kind == .textClassification ? [2, 0] : [0, 1, 2, 1, 0, 2, 2, 1, 255, 255]
        taskLoss(task: client.task, prediction: client.predict(features: server(client.embed(batch), lengths: batch.lengths), lengths: batch.lengths),
                 target: .labels(labels)).backward()
        let parameters = client.namedParameters() + server.namedParameters().map { ("server." + $0.name, $0.parameter) }
        let reference = parameters.map { $0.parameter.grad?.scalars ?? [] }
        try Self.splitBackward(client: client, server: server, batch: batch, labels: labels)
        for ((name, p), want) in zip(parameters, reference) {
            let got = try #require(p.grad, "no split gradient for \(name)").scalars
            let scale = max(want.map(abs).max() ?? 0, 1e-8)
            #expect(zip(want, got).allSatisfy { abs($0 - $1) <= 1e-5 * scale + 1e-7 }, "\(kind.rawValue) \(name)")
        }
    }

    @Test(arguments: TextDataset.tasks)
    func splitTrainingLearnsTheSentencesWellAboveTheTrivialPredictor(kind: TaskKind) throws {
        let sentences = SyntheticText.sentences(count: 320, seed: 1)
        let (train, test) = (Array(sentences.prefix(256)), Array(sentences.suffix(64)))
        let tokenizer = try WordPieceTrainer(vocabularySize: 200, minimumFrequency: 1).train(train.map(\.text))
        let classes = kind == .textClassification ? SyntheticText.topics.count : SyntheticText.tags.count
        let client = try TextClientModel(task: TaskSpec(kind, classes: classes), general: Self.general,
                                         vocabularySize: tokenizer.vocabularySize, maxLength: 32, adaptation: Self.adaptation, seed: 2)
        let server = try TransformerEncoder(Self.general, seed: 4)
        let optimizers = [Adam(client.namedParameters(), learningRate: 3e-3), Adam(server.namedParameters(), learningRate: 1e-3)]
        func batch(_ part: ArraySlice<SyntheticText.Sentence>) -> (TokenBatch, [Int]) {
            let encoded = part.map { Self.encode($0, tokenizer) }
            let tokens = TokenBatch(encoded.map(\.ids), padding: tokenizer.paddingID ?? 0, maxLength: 32)
            guard kind == .tokenTagging else { return (tokens, part.map(\.topic)) }
            return (tokens, encoded.flatMap { $0.tags + [Int](repeating: TextClientModel.ignored, count: tokens.length - $0.tags.count) })
        }
        for _ in 0..<6 {
            for start in stride(from: 0, to: train.count, by: 16) {
                let (tokens, labels) = batch(train[start..<(start + 16)])
                try Self.splitBackward(client: client, server: server, batch: tokens, labels: labels)
                optimizers.forEach { $0.step() }
            }
        }
        let (tokens, labels) = batch(test[...])
        let logits = withoutGrad { client.predict(features: server(client.embed(tokens), lengths: tokens.lengths), lengths: tokens.lengths) }
        let k = classes, l = tokens.length
        var correct = 0, total = 0, counts = [Int](repeating: 0, count: k)
        for b in 0..<tokens.count {
            for j in 0..<(kind == .tokenTagging ? l : 1) {
                let label = kind == .tokenTagging ? labels[b * l + j] : labels[b]
                guard label != TextClientModel.ignored else { continue }
                let scores = (0..<k).map { kind == .tokenTagging ? logits.scalars[(b * k + $0) * l + j] : logits.scalars[b * k + $0] }
                correct += scores.indices.max { scores[$0] < scores[$1] } == label ? 1 : 0
                total += 1
                counts[label] += 1
            }
        }
        let accuracy = Double(correct) / Double(total), trivial = Double(counts.max() ?? 0) / Double(total)
        #expect(accuracy > trivial + 0.3, "\(kind.rawValue): accuracy \(accuracy), trivial predictor \(trivial)")
    }
}

/// The cost table of a text client beside its transformer server.
@Suite struct TextClientCostTests {
    @Test func parametersAreCountedAsByHand() throws {
        let general = TransformerConfiguration(embedDim: 16, depth: 2, numHeads: 2, mlpRatio: 2, patchSize: 4)
        let adaptation = AdaptationConfiguration(width: 8, heads: 2)
        let client = try TextClientModel(task: TaskSpec(.textClassification, classes: 3), general: general,
                                         vocabularySize: 50, maxLength: 12, adaptation: adaptation, seed: 0)
        let cost = SplitCost.measure(client: client, general: try TransformerEncoder(general, seed: 1))
        let (c, w, v, l, k) = (16, 8, 50, 12, 3)
        let embedding = v * c + l * c + 2 * c
        let adapt = (c * w + w) + 2 * w + (w * 3 * w + 3 * w) + (w * w + w)
        let head = 2 * w + (w * k + k)
        #expect(cost.clientParameters == embedding + adapt + head)
        let block = 2 * (2 * c) + (c * 3 * c + 3 * c) + (c * c + c) + (c * 2 * c + 2 * c) + (2 * c * c + c)
        #expect(cost.serverParameters == 2 * block + 2 * c)
        #expect(cost.serverMultiplyAdds > cost.clientMultiplyAdds && cost.clientMultiplyAdds > 0)
    }
}
