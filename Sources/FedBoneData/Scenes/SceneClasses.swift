/// The label sets of the procedural scenes (see `docs/data.md`).
public enum SceneClasses {
    /// Semantic classes, index = label: 0 background (sky above the walls), 1 floor, 2 wall,
    /// 3 sphere, 4 box, 5 cylinder, 6 figure. Mixed pixels are 255.
    public static let semantic = ["background", "floor", "wall", "sphere", "box", "cylinder", "figure"]

    /// Human-part classes, index = label: 0 not a figure, then the six parts of the
    /// multi-task PASCAL benchmark (left and right not distinguished, so a flip keeps labels).
    public static let parts = ["background", "head", "torso", "upper arm", "lower arm", "upper leg", "lower leg"]

    /// Image-level classes: the foreground class that covers the most pixels.
    public static let image = ["sphere", "box", "cylinder", "figure"]

    /// The semantic label of the first foreground class (sphere); image class = label − this.
    static let firstForeground: UInt8 = 3

    static let background: UInt8 = 0
    static let floor: UInt8 = 1
    static let wall: UInt8 = 2
    static let sphere: UInt8 = 3
    static let box: UInt8 = 4
    static let cylinder: UInt8 = 5
    static let figure: UInt8 = 6

    static let head: UInt8 = 1
    static let torso: UInt8 = 2
    static let upperArm: UInt8 = 3
    static let lowerArm: UInt8 = 4
    static let upperLeg: UInt8 = 5
    static let lowerLeg: UInt8 = 6

    /// The tasks of a scene dataset, in the order of `TaskKind`.
    public static var tasks: [DatasetTask] {
        [DatasetTask(kind: .segmentation, classes: semantic),
         DatasetTask(kind: .parts, classes: parts),
         DatasetTask(kind: .depth),
         DatasetTask(kind: .normals),
         DatasetTask(kind: .boundaries),
         DatasetTask(kind: .saliency),
         DatasetTask(kind: .classification, classes: image)]
    }
}
