/// The shape of a Swin Transformer general model: the stages after the patch embedding.
///
/// `swin-t`, `swin-s` and `swin-b` have timm's dimensions (`swin_tiny_patch4_window7_224`, …);
/// `swin-micro` and `swin-nano` are CPU-sized variants for the default experiment and tests.
public struct SwinConfiguration: Sendable, Equatable, Codable {
    /// Channels of the patch embedding (stage 0); stage i has `embedDim · 2ⁱ`.
    public var embedDim: Int
    /// Blocks per stage.
    public var depths: [Int]
    /// Attention heads per stage.
    public var numHeads: [Int]
    /// Side of the attention window (tokens).
    public var windowSize: Int
    /// Hidden width of each block's MLP relative to its input.
    public var mlpRatio: Float
    /// Side of the image patch that one embedding token covers.
    public var patchSize: Int
    /// Stochastic-depth rate of the last block; earlier blocks rise linearly from 0 (timm).
    public var dropPathRate: Float

    public init(embedDim: Int, depths: [Int], numHeads: [Int], windowSize: Int = 7, mlpRatio: Float = 4,
                patchSize: Int = 4, dropPathRate: Float = 0) {
        self.embedDim = embedDim
        self.depths = depths
        self.numHeads = numHeads
        self.windowSize = windowSize
        self.mlpRatio = mlpRatio
        self.patchSize = patchSize
        self.dropPathRate = dropPathRate
    }

    /// Channels of stage `i`.
    public func dim(stage i: Int) -> Int { embedDim << i }

    /// Channels of the last stage's features.
    public var featureDim: Int { dim(stage: depths.count - 1) }

    /// The last stage's token grid for `imageSize` images: the patch grid (`imageSize / patchSize`),
    /// halved by each patch merging, rounding up (as ``SwinTransformer/featureShape(embeddingShape:)``).
    public func featureGrid(imageSize: (height: Int, width: Int)) -> (height: Int, width: Int) {
        var grid = (height: imageSize.height / patchSize, width: imageSize.width / patchSize)
        for _ in 1..<depths.count { grid = ((grid.height + 1) / 2, (grid.width + 1) / 2) }
        return grid
    }

    /// Swin-T (28 M parameters with its head; 224² input).
    public static let tiny = SwinConfiguration(embedDim: 96, depths: [2, 2, 6, 2], numHeads: [3, 6, 12, 24])
    /// Swin-S.
    public static let small = SwinConfiguration(embedDim: 96, depths: [2, 2, 18, 2], numHeads: [3, 6, 12, 24])
    /// Swin-B (the paper's general model).
    public static let base = SwinConfiguration(embedDim: 128, depths: [2, 2, 18, 2], numHeads: [4, 8, 16, 32])
    /// A CPU-sized model: 4 stages, 32 channels, window 4 (suits 64×64 inputs).
    public static let micro = SwinConfiguration(embedDim: 32, depths: [2, 2, 2, 2], numHeads: [1, 2, 4, 8], windowSize: 4)
    /// The smallest model, for tests and the default experiment: 3 stages, 16 channels, window 4.
    public static let nano = SwinConfiguration(embedDim: 16, depths: [1, 1, 2], numHeads: [1, 2, 4], windowSize: 4, mlpRatio: 2)

    /// The configurations known by name.
    public static let presets: [String: SwinConfiguration] = [
        "swin-t": .tiny, "swin-s": .small, "swin-b": .base, "swin-micro": .micro, "swin-nano": .nano,
    ]

    /// The preset called `name`.
    /// - Throws: ``ModelError/unknownModel(_:known:)`` naming the known presets.
    public static func named(_ name: String) throws -> SwinConfiguration {
        guard let c = presets[name] else { throw ModelError.unknownModel(name, known: presets.keys.sorted()) }
        return c
    }

    /// Checks the configuration and throws a clear error when it cannot build a model.
    public func validate() throws {
        guard !depths.isEmpty, depths.count == numHeads.count else {
            throw ModelError.invalidConfiguration("depths (\(depths.count) stages) and numHeads (\(numHeads.count)) must be non-empty and the same length")
        }
        for i in depths.indices where dim(stage: i) % numHeads[i] != 0 {
            throw ModelError.invalidConfiguration("stage \(i): \(dim(stage: i)) channels do not split into \(numHeads[i]) heads")
        }
        guard embedDim > 0, windowSize > 0, patchSize > 0, mlpRatio > 0, depths.allSatisfy({ $0 > 0 }) else {
            throw ModelError.invalidConfiguration("embedDim, windowSize, patchSize, mlpRatio and depths must be positive")
        }
        guard dropPathRate >= 0 && dropPathRate < 1 else {
            throw ModelError.invalidConfiguration("dropPathRate must be in [0, 1), got \(dropPathRate)")
        }
    }
}

/// Errors building or loading models.
public enum ModelError: Error, Equatable, CustomStringConvertible {
    /// No preset has this name.
    case unknownModel(String, known: [String])
    /// The configuration cannot build a model.
    case invalidConfiguration(String)
    /// An input has the wrong shape for the model.
    case badInput(String)
    /// A checkpoint's keys or shapes do not match the model (nothing was loaded).
    case checkpointMismatch(String)

    public var description: String {
        switch self {
        case let .unknownModel(name, known): return "unknown model '\(name)'; known models: \(known.joined(separator: ", "))"
        case let .invalidConfiguration(why): return "invalid model configuration: \(why)"
        case let .badInput(why): return "bad model input: \(why)"
        case let .checkpointMismatch(report): return "checkpoint does not match the model (nothing loaded):\n\(report)"
        }
    }
}
