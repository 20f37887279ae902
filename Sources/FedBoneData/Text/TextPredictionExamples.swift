import FedBoneModels

extension TextClientData {
    /// The first test samples with what the model predicts for them, as plain text (the text
    /// clients' counterpart of the prediction pictures, `predictions/<client>.txt`): one line per
    /// sample. Text classification: `predicted | text`, with `[truth]` after a wrong prediction;
    /// token tagging: each word as `word/TAG`, with `[truth]` after a wrong tag. Words cut off by
    /// `maxLength` are left out.
    /// - Parameter prediction: the model's logits for the first test batch: `[B, K]`
    ///   (classification) or `[B, K, L]` (tagging), B at most the test samples.
    /// - Precondition: the prediction has the task's shape.
    public func predictionExamples(_ prediction: Tensor) -> String {
        let k = task.classes
        let name = { (c: Int) in classNames.indices.contains(c) ? classNames[c] : "\(c)" }
        let b = prediction.shape[0]
        precondition(b <= test.count && prediction.shape.count == (task.kind == .tokenTagging ? 3 : 2) && prediction.shape[1] == k,
                     "predictionExamples: prediction \(prediction.shape) does not fit \(test.count) test samples of \(k) classes")
        let x = prediction.scalars
        /// The class with the largest logit at `offset + c·stride` (lowest index on ties).
        func argmax(_ offset: Int, stride: Int) -> Int { PredictionStrip.argmax((0..<k).lazy.map { x[offset + $0 * stride] }) }
        var lines: [String] = []
        for (s, sample) in test.prefix(b).enumerated() {
            guard task.kind == .tokenTagging else {
                let predicted = argmax(s * k, stride: 1), truth = sample.labels[0]
                let verdict = predicted == truth ? name(predicted) : "\(name(predicted)) [\(name(truth))]"
                lines.append("\(verdict) | \(sample.words.joined(separator: " "))")
                continue
            }
            let length = prediction.shape[2]
            var words: [String] = []
            var word = 0
            for (position, truth) in sample.labels.enumerated() where truth != TextClientModel.ignored && position < length {
                let predicted = argmax(s * k * length + position, stride: length)
                let shown = sample.words.indices.contains(word) ? sample.words[word] : "?"
                words.append("\(shown)/\(name(predicted))" + (predicted == truth ? "" : " [\(name(truth))]"))
                word += 1
            }
            lines.append(words.joined(separator: " "))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
