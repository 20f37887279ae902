import FedBoneLayers

/// What a FedBone client holds (paper §3.2): the patch embedding ζ, the task adaptation
/// module η and the task head ϕ. The general model runs between ``embed(_:)`` and
/// ``predict(features:)`` on the server.
///
/// Parameter names: `patch_embed.*` (as timm), `pos_embed` (with a transformer general model),
/// `adaptation.*`, `head.*`.
public final class ClientModel: Module, SplitClientModel {
    public let patchEmbed: PatchEmbedding
    /// The learned position of every patch token `[1, H/p, W/p, C]`, added after the patch
    /// embedding when the general model is a transformer (which cannot tell where a token sits);
    /// nil for Swin. Initialised as timm's ViT `pos_embed`: truncated N(0, 0.02²).
    public let posEmbed: Parameter?
    public let adaptation: TaskAdaptation
    public let head: TaskHead
    /// The client's task.
    public let task: TaskSpec
    /// The image size it embeds.
    public let imageSize: (height: Int, width: Int)
    public let embeddingShape: [Int]

    /// A client model for `task`, sized for a general model `general` over `imageSize` images.
    /// - Throws: ``ModelError`` when a configuration is invalid.
    public init(task: TaskSpec, general: GeneralModelConfiguration, imageSize: (height: Int, width: Int),
                adaptation: AdaptationConfiguration = .init(), inChannels: Int = 3, seed: UInt64) throws {
        try task.validate()
        try adaptation.validate()
        try general.validate()
        var generator = SeededGenerator(seed: seed)
        self.task = task
        self.imageSize = imageSize
        embeddingShape = [imageSize.height / general.patchSize, imageSize.width / general.patchSize, general.embedDim]
        patchEmbed = PatchEmbedding(inChannels: inChannels, embedDim: general.embedDim, patchSize: general.patchSize,
                                    generator: &generator)
        let grid = [1, imageSize.height / general.patchSize, imageSize.width / general.patchSize, general.embedDim]
        posEmbed = general.needsPositionEmbedding
            ? Parameter(.truncatedNormal(grid, std: 0.02, a: -0.04, b: 0.04, generator: &generator))
            : nil
        self.adaptation = TaskAdaptation(featureDim: general.featureDim, configuration: adaptation, generator: &generator)
        head = TaskHead(task: task, width: adaptation.width, featureGrid: general.featureGrid(imageSize: imageSize),
                        generator: &generator)
        super.init()
    }

    /// Client step 1: images `[B, C, H, W]` → embeddings `[B, H/p, W/p, C_e]` for the server.
    public func embed(_ images: Tensor) -> Tensor { patchEmbed(images, positions: posEmbed) }

    /// Client step 2: the server's features `[B, h, w, C_f]` → task predictions.
    public func predict(features: Tensor) -> Tensor {
        head(adaptation(features), imageSize: imageSize)
    }

    public func embed(_ input: ModelInput) -> Tensor {
        guard case let .images(images) = input else { preconditionFailure("ClientModel: an image client was given token sequences") }
        return embed(images)
    }

    public func predict(features: Tensor, input: ModelInput) -> Tensor { predict(features: features) }

    public var input: InputDescription { .images(height: imageSize.height, width: imageSize.width) }
}

/// A client model and a general model in one module: what a client holds in the baselines
/// (FedAvg, FedProx, local training), where there is no server model. Names: the client
/// model's (`patch_embed.*`, `pos_embed` or `embeddings.*`; `adaptation.*`, `head.*`) with
/// `backbone.*` (timm's names) after the embedding, in the order the data flows.
public final class FullModel: Module {
    /// The client's embedding, adaptation module and head.
    public let client: any SplitClientModel
    public let backbone: any GeneralModel

    /// Combines a client model with a general model (the modules are shared, not copied).
    public init(client: any SplitClientModel, backbone: any GeneralModel) {
        self.client = client
        self.backbone = backbone
        super.init()
    }

    /// The client's task.
    public var task: TaskSpec { client.task }

    override public func children() -> [(name: String, module: Module)] {
        let parts = client.children()
        return Array(parts.prefix(1)) + [("backbone", backbone)] + Array(parts.dropFirst())
    }

    override public func ownParameters() -> [(name: String, parameter: Parameter)] { client.ownParameters() }

    override public func ownBuffers() -> [(name: String, buffer: Buffer)] { client.ownBuffers() }

    /// The general model's input (patch tokens, with their positions for a transformer, or
    /// token embeddings), as ``SplitClientModel/embed(_:)``.
    public func embed(_ input: ModelInput) -> Tensor { client.embed(input) }

    /// The input → task predictions.
    public func callAsFunction(_ input: ModelInput) -> Tensor {
        client.predict(features: backbone(embed(input), lengths: input.lengths), input: input)
    }
}

/// Builds the whole model of a task, as the baselines train it, for `input` samples; the
/// backbone is built for `backboneImageSize` (default: the images' own size, or the general
/// model's reference 224 for text), so that clients with images of different sizes hold
/// backbones of one shape (see ``SwinTransformer``).
public func fullModel(task: TaskSpec, input: InputDescription, general: GeneralModelConfiguration,
                      backboneImageSize: (height: Int, width: Int)? = nil,
                      adaptation: AdaptationConfiguration = .init(), seed: UInt64) throws -> FullModel {
    let client = try makeClientModel(task: task, input: input, general: general, adaptation: adaptation, seed: seed)
    var size = backboneImageSize ?? (224, 224)
    if backboneImageSize == nil, case let .images(height, width) = input { size = (height, width) }
    let backbone = try general.makeModel(imageSize: size, seed: seed &+ 1)
    return FullModel(client: client, backbone: backbone)
}
