/// The kinds of task a FedBone client can hold, with what their head predicts.
public enum TaskKind: String, Sendable, Codable, CaseIterable {
    /// Per-pixel class logits (`classes` channels); labels 255 are ignored.
    case segmentation
    /// Human-part labels per pixel, as segmentation.
    case parts
    /// Per-pixel depth in metres (one positive channel).
    case depth
    /// Per-pixel unit surface normals (three channels).
    case normals
    /// Per-pixel boundary logit (one channel).
    case boundaries
    /// Per-pixel saliency logit (one channel).
    case saliency
    /// Image-level class logits.
    case classification
    /// One label per token sequence (topic, sentiment): logits `[B, K]`; a text client's task.
    case textClassification = "text-classification"
    /// One tag per token (part of speech, NER-style): logits `[B, K, L]`, padded and
    /// continuation tokens labelled 255 (ignored); a text client's task.
    case tokenTagging = "token-tagging"

    /// Whether the head predicts a map at input resolution (the per-pixel image tasks).
    public var isDense: Bool { !isText && self != .classification }

    /// Whether the task predicts labels of a number of classes (segmentation, parts,
    /// classification and both text tasks).
    public var hasClasses: Bool { self != .depth && self != .normals && self != .boundaries && self != .saliency }

    /// Whether a text client holds it (its inputs are token sequences, not images).
    public var isText: Bool { self == .textClassification || self == .tokenTagging }
}

/// A task: its kind and, for label tasks, the number of classes.
public struct TaskSpec: Sendable, Equatable, Codable {
    public var kind: TaskKind
    /// Classes (or tags) for the label tasks (``TaskKind/hasClasses``); ignored otherwise.
    public var classes: Int

    public init(_ kind: TaskKind, classes: Int = 0) {
        self.kind = kind
        self.classes = classes
    }

    /// Output channels of the head.
    public var outputChannels: Int {
        switch kind {
        case .segmentation, .parts, .classification, .textClassification, .tokenTagging: return classes
        case .depth, .boundaries, .saliency: return 1
        case .normals: return 3
        }
    }

    /// Throws when a label task has fewer than two classes.
    public func validate() throws {
        if kind.hasClasses && classes < 2 {
            throw ModelError.invalidConfiguration("task \(kind.rawValue) needs at least 2 classes, got \(classes)")
        }
    }
}
