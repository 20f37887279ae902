import FedBoneModels

/// Whole-model training steps, forward and backward, as `bench/models.py` runs them in PyTorch:
/// the server's general model (Swin stages and final norm, or the transformer's blocks and norm
/// on the patch tokens; embeddings → features) and the
/// client's side (patch embedding, then adaptation module and task head on the server's
/// features). Parameters and inputs require gradients; gradients are cleared before each step.
///
/// Work: 3 × the forward multiply-adds counted by ``FlopCounter`` (backward ≈ 2 × forward),
/// at 2 flops each. Only the workloads whose names `selects` accepts are built (Swin-T takes a
/// while to initialise).
func modelWorkloads(selecting selects: (String) -> Bool) -> [Workload] {
    let general = [("swin-nano", 8, 64), ("swin-t", 8, 64), ("swin-t", 2, 224), ("swin-t", 8, 224),
                   ("vit-nano", 8, 64), ("vit-tiny", 8, 224), ("vit-small", 2, 224)]
    let clients = [
        (TaskSpec(.segmentation, classes: 21), "swin-nano", 8, 64), (TaskSpec(.depth), "swin-nano", 8, 64),
        (TaskSpec(.normals), "swin-nano", 8, 64), (TaskSpec(.classification, classes: 10), "swin-nano", 8, 64),
        (TaskSpec(.segmentation, classes: 21), "swin-t", 2, 224),
    ]
    let generalWorkloads = general.filter { selects(generalName($0.0, batch: $0.1, image: $0.2)) }
        .map { generalWorkload($0.0, batch: $0.1, image: $0.2) }
    let clientWorkloads = clients.filter { selects(clientName($0.0, general: $0.1, batch: $0.2, image: $0.3)) }
        .map { clientWorkload($0.0, general: $0.1, batch: $0.2, image: $0.3) }
    return generalWorkloads + clientWorkloads
}

private func generalName(_ preset: String, batch: Int, image: Int) -> String {
    "general \(preset) b\(batch) \(image)px fwd+bwd"
}

private func clientName(_ task: TaskSpec, general preset: String, batch: Int, image: Int) -> String {
    "client \(task.kind.rawValue) \(preset) b\(batch) \(image)px fwd+bwd"
}

/// The work of a step whose forward pass does `multiplyAdds`.
private func stepWork(_ multiplyAdds: Int) -> Work { .flops(3 * 2 * Double(multiplyAdds)) }

/// The forward multiply-adds of `body`, without recording a graph.
private func forwardMultiplyAdds(_ body: () -> Void) -> Int {
    withoutGrad { FlopCounter.count(body).multiplyAdds }
}

/// `embeddings [B, H/p, W/p, C] → general model (Swin or transformer) → features`, back-propagated from a fixed seed.
private func generalWorkload(_ preset: String, batch: Int, image: Int) -> Workload {
    // The presets are fixed names of this file; a typo is a programming error.
    guard let configuration = try? GeneralModelConfiguration.named(preset),
          let model = try? configuration.makeModel(imageSize: (image, image), seed: 7) else {
        preconditionFailure("model bench: cannot build \(preset)")
    }
    let inputShape = model.inputShape(batch: batch)
    let probe = benchInput(inputShape, seed: 1)
    let macs = forwardMultiplyAdds { _ = model(probe) }
    return Workload(name: generalName(preset, batch: batch, image: image), shape: shapeText(inputShape),
                    work: stepWork(macs)) {
        model.train()
        let embeddings = benchInput(inputShape, seed: 1)
        let seed = benchInput(withoutGrad { model(embeddings) }.shape, seed: 2)
        return {
            model.zeroGrad()
            model(embeddings.requiringGrad()).backward(seed)
        }
    }
}

/// One client step: `images → patch embedding` (backward from the embedding gradient the server
/// returns) and `features → adaptation → head` (backward from a fixed output gradient, giving
/// the feature gradient sent to the server).
private func clientWorkload(_ task: TaskSpec, general preset: String, batch: Int, image: Int) -> Workload {
    guard let configuration = try? GeneralModelConfiguration.named(preset),
          let client = try? ClientModel(task: task, general: configuration, imageSize: (image, image), seed: 7),
          let backbone = try? configuration.makeModel(imageSize: (image, image), seed: 8) else {
        preconditionFailure("model bench: cannot build the \(task.kind) client for \(preset)")
    }
    let imageShape = [batch, 3, image, image]
    let images = benchInput(imageShape, seed: 1)
    let embeddingShape = backbone.inputShape(batch: batch)
    let features = withoutGrad { backbone(benchInput(embeddingShape, seed: 2)) }
    let macs = forwardMultiplyAdds {
        _ = client.embed(images)
        _ = client.predict(features: features)
    }
    return Workload(name: clientName(task, general: preset, batch: batch, image: image), shape: shapeText(imageShape, features.shape), work: stepWork(macs)) {
        client.train()
        let embeddingGrad = benchInput(embeddingShape, seed: 3)
        let outputGrad = benchInput(withoutGrad { client.predict(features: features) }.shape, seed: 4)
        return {
            client.zeroGrad()
            client.embed(images).backward(embeddingGrad)
            let received = features.requiringGrad()
            client.predict(features: received).backward(outputGrad)
        }
    }
}
