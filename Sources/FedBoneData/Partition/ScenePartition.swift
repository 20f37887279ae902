/// How a task's images are dealt to its clients.
public enum PartitionScheme: Sendable, Equatable {
    /// Uniformly at random (the paper's split).
    case iid
    /// Non-IID over styles: each client draws style proportions from a symmetric Dirichlet
    /// distribution with concentration `alpha` (small α: few styles per client) and fills its
    /// equal share with images of styles drawn from them.
    case dirichlet(alpha: Double)
}

/// One client's share of a dataset: dataset indices of its train and test images.
public struct ClientSplit: Sendable, Equatable {
    /// Stable name, `<task>-<k>` (e.g. `segmentation-0`).
    public var name: String
    /// The client's task.
    public var task: TaskSpec
    /// Dataset indices of the training images.
    public var train: [Int]
    /// Dataset indices of the test images.
    public var test: [Int]
}

/// Splits a multi-task dataset among clients as the FedBone paper does: each task gets its own
/// images (by default a disjoint slice, as if each task had its own dataset), each task's
/// images are dealt at random into `clientsPerTask` clients of equal size, and each client
/// splits its images `trainFraction : 1 − trainFraction` into train and test. The same seed
/// gives the same split.
///
/// Slices: all indices are shuffled and cut into one equal slice per task (`disjointTasks`), or
/// every task uses every image in its own shuffled order. Client size is
/// ⌊slice / clientsPerTask⌋; the few images left over are unused. A client's train count is
/// `round(size × trainFraction)`, kept within 1…size−1.
public enum ScenePartition {
    /// The split, from the style of every image (all a partition needs).
    /// - Throws: ``DatasetError/invalidRequest(_:)`` for bad arguments or too few images.
    public static func plan(imageStyles: [Int], tasks: [TaskSpec], clientsPerTask: Int = 4, trainFraction: Double = 0.8,
                            scheme: PartitionScheme = .iid, disjointTasks: Bool = true, seed: UInt64) throws -> [ClientSplit] {
        guard !tasks.isEmpty else { throw DatasetError.invalidRequest("partition: no tasks") }
        guard clientsPerTask >= 1 else { throw DatasetError.invalidRequest("partition: clientsPerTask must be at least 1, got \(clientsPerTask)") }
        guard trainFraction > 0, trainFraction < 1 else {
            throw DatasetError.invalidRequest("partition: trainFraction must lie strictly between 0 and 1, got \(trainFraction)")
        }
        if case let .dirichlet(alpha) = scheme, !(alpha > 0) {
            throw DatasetError.invalidRequest("partition: Dirichlet concentration must be positive, got \(alpha)")
        }
        let kinds = tasks.map(\.kind)
        guard Set(kinds).count == kinds.count else {
            throw DatasetError.invalidRequest("partition: each task may appear once, got \(kinds.map(\.rawValue))")
        }
        let root = SeededGenerator(seed: seed)
        var order = Array(imageStyles.indices)
        var shuffler = root.fork(0)
        shuffler.shuffle(&order)
        let sliceSize = disjointTasks ? order.count / tasks.count : order.count
        let clientSize = sliceSize / clientsPerTask
        guard clientSize >= 2 else {
            throw DatasetError.invalidRequest("partition: \(imageStyles.count) images give each of the \(tasks.count * clientsPerTask) clients \(clientSize) images; need at least 2")
        }
        let trainCount = min(max(Int((Double(clientSize) * trainFraction).rounded()), 1), clientSize - 1)
        let styleCount = (imageStyles.max() ?? 0) + 1

        var splits: [ClientSplit] = []
        for (t, task) in tasks.enumerated() {
            var g = root.fork(UInt64(t + 1))
            var slice: [Int]
            if disjointTasks {
                slice = Array(order[(t * sliceSize)..<((t + 1) * sliceSize)])
            } else {
                slice = Array(imageStyles.indices)
                g.shuffle(&slice)
            }
            let shares: [[Int]]
            switch scheme {
            case .iid:
                shares = (0..<clientsPerTask).map { Array(slice[($0 * clientSize)..<(($0 + 1) * clientSize)]) }
            case let .dirichlet(alpha):
                shares = dirichletShares(slice, styles: imageStyles, styleCount: styleCount, clients: clientsPerTask,
                                         size: clientSize, alpha: alpha, generator: &g)
            }
            for (k, var share) in shares.enumerated() {
                g.shuffle(&share)
                splits.append(ClientSplit(name: "\(task.kind.rawValue)-\(k)", task: task,
                                          train: Array(share[..<trainCount]), test: Array(share[trainCount...])))
            }
        }
        return splits
    }

    /// The clients of an in-memory dataset (see ``plan(imageStyles:tasks:clientsPerTask:trainFraction:scheme:disjointTasks:seed:)``).
    /// Each client keeps only the images and ground truth of its own task and split.
    /// - Throws: ``DatasetError/taskUnavailable(task:reason:)`` for a task the dataset lacks or
    ///   whose class count differs; ``DatasetError/invalidRequest(_:)`` for bad arguments.
    public static func make(dataset: MultiTaskDataset, tasks: [TaskSpec], clientsPerTask: Int = 4, trainFraction: Double = 0.8,
                            scheme: PartitionScheme = .iid, disjointTasks: Bool = true,
                            augmentation: Augmentation = Augmentation(), seed: UInt64) throws -> [ClientData] {
        try check(tasks, against: dataset.info)
        let splits = try plan(imageStyles: dataset.imageStyles, tasks: tasks, clientsPerTask: clientsPerTask,
                              trainFraction: trainFraction, scheme: scheme, disjointTasks: disjointTasks, seed: seed)
        return splits.map { split in
            ClientData(split: split, info: dataset.info, augmentation: augmentation,
                       train: split.train.map { dataset.samples[$0].keeping(only: split.task.kind) },
                       test: split.test.map { dataset.samples[$0].keeping(only: split.task.kind) })
        }
    }

    /// The clients of a dataset on disk, reading each shard once and keeping only what each
    /// client needs (so the whole dataset is never in memory at once).
    public static func make(reader: DatasetReader, tasks: [TaskSpec], clientsPerTask: Int = 4, trainFraction: Double = 0.8,
                            scheme: PartitionScheme = .iid, disjointTasks: Bool = true,
                            augmentation: Augmentation = Augmentation(), seed: UInt64) throws -> [ClientData] {
        let info = reader.info
        try check(tasks, against: info)
        let splits = try plan(imageStyles: reader.manifest.imageStyles, tasks: tasks, clientsPerTask: clientsPerTask,
                              trainFraction: trainFraction, scheme: scheme, disjointTasks: disjointTasks, seed: seed)
        // For every dataset index, the (client, is-train, position) slots that want it.
        var wanted: [Int: [(client: Int, train: Bool, position: Int)]] = [:]
        for (c, split) in splits.enumerated() {
            for (p, index) in split.train.enumerated() { wanted[index, default: []].append((c, true, p)) }
            for (p, index) in split.test.enumerated() { wanted[index, default: []].append((c, false, p)) }
        }
        var train = splits.map { [MultiTaskSample?](repeating: nil, count: $0.train.count) }
        var test = splits.map { [MultiTaskSample?](repeating: nil, count: $0.test.count) }
        try reader.forEachShard { range, samples in
            for index in range {
                for slot in wanted[index] ?? [] {
                    let sample = samples[index - range.lowerBound].keeping(only: splits[slot.client].task.kind)
                    if slot.train { train[slot.client][slot.position] = sample } else { test[slot.client][slot.position] = sample }
                }
            }
        }
        return splits.enumerated().map { c, split in
            ClientData(split: split, info: info, augmentation: augmentation,
                       train: train[c].compactMap { $0 }, test: test[c].compactMap { $0 })
        }
    }

    /// Throws unless the dataset provides every task with the same class count.
    static func check(_ tasks: [TaskSpec], against info: DatasetInfo) throws {
        for task in tasks {
            guard let provided = info.task(task.kind) else {
                throw DatasetError.taskUnavailable(task: task.kind.rawValue,
                                                   reason: "dataset \(info.name) provides \(info.tasks.map(\.kind.rawValue).joined(separator: ", "))")
            }
            if [.segmentation, .parts, .classification].contains(task.kind), provided.spec.classes != task.classes {
                throw DatasetError.taskUnavailable(task: task.kind.rawValue,
                                                   reason: "dataset \(info.name) has \(provided.spec.classes) classes, the task asks for \(task.classes)")
            }
        }
    }

    /// Equal shares of `slice` whose style mixtures follow per-client Dirichlet proportions:
    /// clients take turns drawing a style from their proportions (renormalised over the styles
    /// with images left) and taking the next image of that style.
    private static func dirichletShares(_ slice: [Int], styles: [Int], styleCount: Int, clients: Int, size: Int,
                                        alpha: Double, generator g: inout SeededGenerator) -> [[Int]] {
        var pools = [[Int]](repeating: [], count: styleCount)
        for index in slice { pools[styles[index]].append(index) }
        var next = [Int](repeating: 0, count: styleCount)
        let proportions = (0..<clients).map { _ in g.dirichlet(alpha: alpha, count: styleCount) }
        var shares = [[Int]](repeating: [], count: clients)
        for _ in 0..<size {
            for k in 0..<clients {
                let weights = (0..<styleCount).map { next[$0] < pools[$0].count ? proportions[k][$0] : 0 }
                let style: Int
                if weights.reduce(0, +) > 0 {
                    var r = g.nextUnitDouble() * weights.reduce(0, +)
                    style = weights.firstIndex { r -= $0; return r < 0 } ?? weights.lastIndex { $0 > 0 } ?? 0
                } else {
                    style = (0..<styleCount).first { next[$0] < pools[$0].count } ?? 0
                }
                shares[k].append(pools[style][next[style]])
                next[style] += 1
            }
        }
        return shares
    }
}
