import FedBoneLayers

/// What a FedBone client holds (paper §3.2): the patch embedding ζ, the task adaptation
/// module η and the task head ϕ. The general model runs between ``embed(_:)`` and
/// ``predict(features:)`` on the server.
///
/// Parameter names: `patch_embed.*` (as timm), `pos_embed` (with a transformer general model),
/// `adaptation.*`, `head.*`.
public final class ClientModel: Module {
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
}

/// Embedding, general model, adaptation and head in one module: what a client holds in the
/// baselines (FedAvg, FedProx, local training), where there is no server model. Names:
/// `patch_embed.*`, `pos_embed` (transformer), `backbone.*` (timm's names), `adaptation.*`, `head.*`.
public final class FullModel: Module {
    public let patchEmbed: PatchEmbedding
    public let posEmbed: Parameter?
    public let backbone: any GeneralModel
    public let adaptation: TaskAdaptation
    public let head: TaskHead

    /// Combines a client model's parts with a general model (the modules are shared, not copied).
    public init(client: ClientModel, backbone: any GeneralModel) {
        patchEmbed = client.patchEmbed
        posEmbed = client.posEmbed
        self.backbone = backbone
        adaptation = client.adaptation
        head = client.head
        imageSize = client.imageSize
        super.init()
    }

    private let imageSize: (height: Int, width: Int)

    /// Images `[B, C, H, W]` → the general model's input (patch tokens, with their positions
    /// for a transformer), as ``ClientModel/embed(_:)``.
    public func embed(_ images: Tensor) -> Tensor { patchEmbed(images, positions: posEmbed) }

    /// Images `[B, C, H, W]` → task predictions.
    public func callAsFunction(_ images: Tensor) -> Tensor {
        head(adaptation(backbone(embed(images))), imageSize: imageSize)
    }
}

/// Builds the whole model of a task, as the baselines train it, for `imageSize` images; the
/// backbone is built for `backboneImageSize` (default: the same), so that clients with images
/// of different sizes hold backbones of one shape (see ``SwinTransformer``).
public func fullModel(task: TaskSpec, general: GeneralModelConfiguration, imageSize: (height: Int, width: Int),
                      backboneImageSize: (height: Int, width: Int)? = nil,
                      adaptation: AdaptationConfiguration = .init(), seed: UInt64) throws -> FullModel {
    let client = try ClientModel(task: task, general: general, imageSize: imageSize, adaptation: adaptation, seed: seed)
    let backbone = try general.makeModel(imageSize: backboneImageSize ?? imageSize, seed: seed &+ 1)
    return FullModel(client: client, backbone: backbone)
}
