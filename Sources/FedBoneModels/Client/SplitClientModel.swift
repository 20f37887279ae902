import FedBoneLayers

/// What a client of a split federation holds, whichever its modality (paper §3.2): the
/// embedding ζ (an image client's patch embedding, a text client's token embedding), the task
/// adaptation module η and the task head ϕ. The general model runs between
/// ``embed(_:)`` and ``predict(features:input:)`` on the server.
///
/// ``ClientModel`` (images) and ``TextClientModel`` (token sequences) are the two kinds;
/// ``makeClientModel(task:input:general:adaptation:seed:)`` builds the one a dataset needs.
public protocol SplitClientModel: Module {
    /// The client's task.
    var task: TaskSpec { get }
    /// What its samples are (image size, or vocabulary and longest sequence).
    var input: InputDescription { get }
    /// The embedding shape of one sample as the client states it when it joins: `[H/p, W/p, C]`
    /// for images, `[maxLength, C]` for token sequences (a batch's may be shorter).
    var embeddingShape: [Int] { get }
    /// Client step 1: the input → embeddings for the general model, `[B, H/p, W/p, C]` or `[B, L, C]`.
    /// - Precondition: `input` is of the client's modality.
    func embed(_ input: ModelInput) -> Tensor
    /// Client step 2: the general model's features of `input` → task predictions.
    func predict(features: Tensor, input: ModelInput) -> Tensor
}

/// What a client's samples are, as its dataset describes them.
public enum InputDescription: Sendable, Equatable {
    /// Images of `height × width` pixels.
    case images(height: Int, width: Int)
    /// Token sequences over a `vocabularySize` vocabulary, at most `maxLength` tokens long.
    case tokens(vocabularySize: Int, maxLength: Int)
}

/// The client model for a `task` on `input` samples, sized for the general model `general`:
/// a ``ClientModel`` for images, a ``TextClientModel`` for token sequences.
/// - Throws: ``ModelError/invalidConfiguration(_:)`` when the task and the input disagree
///   (a text task on images, or the reverse) or when text meets a Swin general model, which
///   takes only patch grids.
public func makeClientModel(task: TaskSpec, input: InputDescription, general: GeneralModelConfiguration,
                            adaptation: AdaptationConfiguration, seed: UInt64) throws -> any SplitClientModel {
    switch input {
    case let .images(height, width):
        guard !task.kind.isText else {
            throw ModelError.invalidConfiguration("the \(task.kind.rawValue) task needs token sequences, but its data are images")
        }
        return try ClientModel(task: task, general: general, imageSize: (height, width), adaptation: adaptation, seed: seed)
    case let .tokens(vocabularySize, maxLength):
        guard task.kind.isText else {
            throw ModelError.invalidConfiguration("the \(task.kind.rawValue) task needs images, but its data are token sequences")
        }
        guard case let .transformer(configuration) = general else {
            throw ModelError.invalidConfiguration(
                "text clients need a transformer general model (model.general.kind: transformer, or a vit-* preset); \(general.kind) takes only image patch grids")
        }
        return try TextClientModel(task: task, general: configuration, vocabularySize: vocabularySize, maxLength: maxLength,
                                   adaptation: adaptation, seed: seed)
    }
}

extension InputDescription {
    /// One sample of this shape for measuring cost: a black image, or a sequence of `maxLength`
    /// id-0 tokens (the longest a client sends).
    public var probe: ModelInput {
        switch self {
        case let .images(height, width): return .images(.zeros([1, 3, height, width]))
        case let .tokens(_, maxLength): return .tokens(TokenBatch([[Int](repeating: 0, count: maxLength)], padding: 0, maxLength: maxLength))
        }
    }
}
