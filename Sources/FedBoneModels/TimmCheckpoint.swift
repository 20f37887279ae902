import Foundation
import FedBoneLayers

/// Loading a timm Swin Transformer or ViT checkpoint (exported to safetensors) into the split
/// model: `patch_embed.*` goes to the client's patch embedding, `layers.*`/`blocks.*` and `norm.*`
/// to the general model, and the classifier (`head.*`, ViT's `fc_norm.*`) is set aside, since
/// FedBone's heads are per task, as are ViT's `cls_token`, `reg_token` and `pos_embed` (the
/// client's position embedding is a grid of its own image size, learned in the federation).
///
/// Export one from Python with
/// `safetensors.torch.save_file(timm.create_model("swin_base_patch4_window7_224", pretrained=True).state_dict(), "swin-b.safetensors")`.
public enum TimmCheckpoint {
    /// What was loaded where.
    public struct Report: Sendable, Equatable, CustomStringConvertible {
        /// The general model's keys.
        public var general: StateDictLoadReport
        /// The patch embedding's keys (without the `patch_embed.` prefix), if one was given.
        public var patchEmbedding: StateDictLoadReport?
        /// Keys set aside on purpose (the ImageNet classifier `head.*`, ViT's class token and positions).
        public var ignored: [String]

        public var description: String {
            var lines = ["general model: \(general)"]
            if let patchEmbedding { lines.append("patch embedding: \(patchEmbedding)") }
            if !ignored.isEmpty { lines.append("ignored: \(ignored.joined(separator: ", "))") }
            return lines.joined(separator: "\n")
        }
    }

    /// Loads `url` into `general` and, when given, `patchEmbedding`. With `strict` (default),
    /// any missing, unexpected or mis-shaped key is an error and nothing is changed; otherwise
    /// every key that matches is loaded and the report says what did not.
    /// - Throws: `SafetensorsError` for an unreadable file, ``ModelError/checkpointMismatch(_:)``.
    @discardableResult
    public static func load(contentsOf url: URL, into general: any GeneralModel, patchEmbedding: PatchEmbedding? = nil,
                            strict: Bool = true) throws -> Report {
        let tensors = try Safetensors.read(contentsOf: url)
        var generalState: [String: Tensor] = [:], embedState: [String: Tensor] = [:], ignored: [String] = []
        for (key, value) in tensors {
            if key.hasPrefix("patch_embed.") {
                if patchEmbedding != nil { embedState[String(key.dropFirst("patch_embed.".count))] = value } else { ignored.append(key) }
            } else if key.hasPrefix("head.") || key.hasPrefix("fc_norm.") || setAside.contains(key) {
                ignored.append(key)
            } else {
                generalState[key] = value
            }
        }
        let report = Report(general: general.check(stateDict: generalState),
                            patchEmbedding: patchEmbedding?.check(stateDict: embedState),
                            ignored: ignored.sorted())
        if strict && !(report.general.isExact && report.patchEmbedding?.isExact ?? true) {
            throw ModelError.checkpointMismatch(report.description)
        }
        try general.load(stateDict: generalState, strict: false)
        try patchEmbedding?.load(stateDict: embedState, strict: false)
        return report
    }

    /// ViT's keys that belong to no part of the split model.
    private static let setAside: Set<String> = ["cls_token", "reg_token", "pos_embed"]
}
