/// Turns the tensors of one shard into samples, checking shapes and values against the manifest.
struct ShardDecoding {
    let manifest: DatasetManifest
    let shard: DatasetManifest.Shard
    let path: String
    let tensors: [String: Tensor]

    private func invalid(_ reason: String) -> DatasetError { .shardInvalid(path: path, reason: reason) }

    /// The real values (stored ÷ scale) of tensor `name`, after checking its shape.
    private func values(_ name: String) throws -> [Float] {
        guard let encoding = manifest.tensors[name] else { throw invalid("the manifest has no encoding for tensor '\(name)'") }
        guard let tensor = tensors[name] else { throw invalid("tensor '\(name)' is missing") }
        let expected = [shard.count] + encoding.shape
        guard tensor.shape == expected else { throw invalid("tensor '\(name)' has shape \(tensor.shape), expected \(expected)") }
        let scale = encoding.scale
        return scale == 1 ? tensor.scalars : tensor.scalars.map { $0 / scale }
    }

    /// Labels that must be integers below `classes` or 255.
    private func labels(_ name: String, classes: Int) throws -> [UInt8] {
        let values = try values(name)
        return try values.map { v in
            guard v == v.rounded(), v >= 0, v < Float(classes) || v == 255 else {
                throw invalid("tensor '\(name)' holds \(v); labels must be integers in 0..<\(classes) or 255")
            }
            return UInt8(v)
        }
    }

    /// A mask that must hold only 0 and 1.
    private func mask(_ name: String) throws -> [UInt8] {
        try values(name).map { v in
            guard v == 0 || v == 1 else { throw invalid("tensor '\(name)' holds \(v); masks must be 0 or 1") }
            return UInt8(v)
        }
    }

    func samples() throws -> [MultiTaskSample] {
        let n = shard.count, h = manifest.height, w = manifest.width, plane = h * w
        let rgb = try values("rgb").map { UInt8((min(max($0, 0), 1) * 255).rounded()) }
        var out = (0..<n).map { k in
            MultiTaskSample(height: h, width: w, rgb: Array(rgb[(3 * plane * k)..<(3 * plane * (k + 1))]),
                            style: manifest.imageStyles[shard.first + k])
        }
        func split<T>(_ all: [T], _ size: Int) -> [[T]] { (0..<n).map { Array(all[(size * $0)..<(size * ($0 + 1))]) } }
        for task in manifest.tasks {
            let name = DatasetManifest.tensorName(for: task.kind)
            let classes = task.classes?.count ?? 0
            switch task.kind {
            case .textClassification, .tokenTagging:
                preconditionFailure("ShardDecoding: the manifest refuses text tasks")
            case .segmentation:
                for (k, v) in split(try labels(name, classes: classes), plane).enumerated() { out[k].semantic = v }
            case .parts:
                for (k, v) in split(try labels(name, classes: classes), plane).enumerated() { out[k].parts = v }
            case .depth:
                let depth = try values(name)
                if let bad = depth.first(where: { !($0 >= 0) || !$0.isFinite }) {
                    throw invalid("tensor '\(name)' holds \(bad); depth must be finite and ≥ 0 (0 = invalid)")
                }
                for (k, v) in split(depth, plane).enumerated() { out[k].depth = v }
            case .normals:
                let normals = try values(name).map { Int8((min(max($0, -1), 1) * 127).rounded()) }
                for (k, v) in split(normals, 3 * plane).enumerated() { out[k].normals = v }
            case .boundaries:
                for (k, v) in split(try mask(name), plane).enumerated() { out[k].boundaries = v }
            case .saliency:
                for (k, v) in split(try mask(name), plane).enumerated() { out[k].saliency = v }
            case .classification:
                for (k, v) in try labels(name, classes: classes).enumerated() { out[k].imageClass = Int(v) }
            }
        }
        return out
    }
}
