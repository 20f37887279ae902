/// The ground-truth conversions of ``PairsImport``.
public struct PairsOptions: Sendable {
    /// The tasks to import (default: every task whose folder exists), in any order.
    public var tasks: [TaskKind]?
    /// The ground-truth folder of each task inside the source (default: the task's name,
    /// `segmentation`, `parts`, `depth`, `normals`, `boundaries`, `saliency`).
    public var folders: [TaskKind: String]
    /// The images folder inside the source.
    public var imagesFolder: String
    /// Class names of the segmentation masks (needed when segmentation is imported).
    public var segmentationClasses: [String]?
    /// Class names of the parts masks (needed when parts are imported).
    public var partsClasses: [String]?
    /// Depth PNG units per metre (1000: millimetres); stored value 0 = invalid.
    public var depthScale: Float
    /// How the normals PNG's channels map to the format's frame.
    public var normalsAxes: NormalsAxes
    /// Boundary PNG values ≥ this are boundary (default 1: any non-zero value).
    public var boundaryThreshold: Int
    /// Saliency PNG values ≥ this, after resizing, are salient (default 128).
    public var saliencyThreshold: Int

    public init(tasks: [TaskKind]? = nil, folders: [TaskKind: String] = [:], imagesFolder: String = "images",
                segmentationClasses: [String]? = nil, partsClasses: [String]? = nil, depthScale: Float = 1000,
                normalsAxes: NormalsAxes = .identity, boundaryThreshold: Int = 1, saliencyThreshold: Int = 128) {
        self.tasks = tasks
        self.folders = folders
        self.imagesFolder = imagesFolder
        self.segmentationClasses = segmentationClasses
        self.partsClasses = partsClasses
        self.depthScale = depthScale
        self.normalsAxes = normalsAxes
        self.boundaryThreshold = boundaryThreshold
        self.saliencyThreshold = saliencyThreshold
    }

    /// The dense tasks a pairs folder can hold, in the order they are written.
    public static let denseTasks: [TaskKind] = [.segmentation, .parts, .depth, .normals, .boundaries, .saliency]

    /// The folder name of `task`.
    func folder(_ task: TaskKind) -> String { folders[task] ?? task.rawValue }

    /// The class names of a label task.
    func classes(_ task: TaskKind) -> [String]? {
        switch task {
        case .segmentation: return segmentationClasses
        case .parts: return partsClasses
        default: return nil
        }
    }

    func validate() throws {
        guard depthScale > 0, depthScale.isFinite else {
            throw ImportError.invalidOptions("--depth-scale must be a positive number of units per metre, got \(depthScale)")
        }
        guard (1...255).contains(boundaryThreshold) else {
            throw ImportError.invalidOptions("--boundary-threshold must be in 1…255, got \(boundaryThreshold)")
        }
        guard (1...255).contains(saliencyThreshold) else {
            throw ImportError.invalidOptions("--saliency-threshold must be in 1…255, got \(saliencyThreshold)")
        }
        if let tasks, let other = tasks.first(where: { !Self.denseTasks.contains($0) }) {
            throw ImportError.invalidOptions("task \(other.rawValue) is not a per-pixel task; pairs import \(Self.denseTasks.map(\.rawValue).joined(separator: ", "))")
        }
    }
}
