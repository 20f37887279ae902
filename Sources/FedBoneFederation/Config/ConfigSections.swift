import Foundation

/// The federated methods one configuration can run (DESIGN §2).
public enum FederatedMethod: String, Sendable, Codable, CaseIterable {
    /// Split training with GP aggregation (the paper's method).
    case fedbone
    /// FedBone with rescale and projection off (plain mean of the general-model updates).
    case fedboneNoGP = "fedbone-nogp"
    /// Whole models on clients, shared parts averaged by sample count.
    case fedavg
    /// FedAvg plus the proximal term μ/2‖w − w_global‖² in the local loss.
    case fedprox
    /// FedPer: only the shared base (embedding, backbone) is averaged; every client keeps its
    /// adaptation module and head (the personalization layers) to itself.
    case fedper
    /// FedRep: FedPer's split, with local training in two phases: the client's own adaptation
    /// module and head first (`baselines.headEpochs`, base frozen), then the shared base
    /// (`training.localEpochs`, head frozen).
    case fedrep
    /// pFedMe: personalised models through Moreau envelopes (``PFedMe``).
    case pfedme
    /// FedEM: a mixture of shared components with per-client weights learned by EM (``FedEM``).
    case fedem
    /// Whole models on clients, no federation.
    case local

    /// Whether the method is split training (client model + server general model).
    public var isSplit: Bool { self == .fedbone || self == .fedboneNoGP }
}

/// The data each client gets (DESIGN §2 partitioning).
public struct DataConfig: Sendable, Equatable, Encodable {
    /// Which dataset: `scenes` (the built-in procedural scenes), a folder holding a dataset in
    /// the FedBone format (images, or text: docs/data.md), `synthetic-shapes` (a tiny
    /// flat-shapes set for fast tests) or `synthetic-text` (the built-in sentences). A text
    /// task given `scenes` takes `synthetic-text`.
    public var dataset: String = "scenes"
    /// Side of the square images in pixels (a multiple of the patch size).
    public var imageSize: Int = 32
    /// Samples per client, before the train/test split.
    public var samplesPerClient: Int = 160
    /// Fraction of each client's samples used for training (the paper: 0.8).
    public var trainFraction: Double = 0.8
    /// `iid` or `dirichlet` (over scene styles).
    public var partition: Partition = .iid
    /// α of the Dirichlet split (smaller: more skewed).
    public var dirichletAlpha: Double = 0.5
    /// Random augmentation of training batches.
    public var augment: Bool = true
    /// Text clients: the longest token sequence a client embeds (longer ones are cut).
    public var maxLength: Int = 32
    /// Text clients: the size of the WordPiece vocabulary a client learns from its own training
    /// texts when its folder holds no `tokenizer.json`.
    public var vocabularySize: Int = 1000

    /// The config keys of a data section (`data`, and a task group's `data`).
    static let keys = ["dataset", "imageSize", "samplesPerClient", "trainFraction", "partition", "dirichletAlpha", "augment",
                       "maxLength", "vocabularySize"]

    /// How samples are spread over a task's clients.
    public enum Partition: String, Sendable, Codable, CaseIterable { case iid, dirichlet }

    public init() {}
}

/// One task group: a task, how many clients hold it and, optionally, the group's own data.
public struct TaskConfig: Sendable, Equatable, Encodable {
    /// The task kind.
    public var kind: TaskKind
    /// Clients holding this task (the paper: 4).
    public var clients: Int
    /// Classes for label tasks; `nil`: as the dataset defines them.
    public var classes: Int?
    /// The prefix of the group's client names (`<name>-<i>`); `nil`: the task kind. Two groups
    /// of one kind need different names.
    public var name: String?
    /// The group's own data source; `nil`: the experiment's `data`.
    public var data: TaskDataSource?

    public init(kind: TaskKind, clients: Int = 2, classes: Int? = nil, name: String? = nil, data: TaskDataSource? = nil) {
        self.kind = kind
        self.clients = clients
        self.classes = classes
        self.name = name
        self.data = data
    }
}

/// The general model: a preset name or explicit sizes of either kind.
public enum GeneralModelChoice: Sendable, Equatable, Encodable {
    /// One of ``GeneralModelConfiguration/presetNames`` (`swin-nano`, `swin-t`, `vit-tiny`, …).
    case preset(String)
    /// Explicit sizes.
    case custom(GeneralModelConfiguration)

    /// The configuration it names.
    public func resolved() throws -> GeneralModelConfiguration {
        switch self {
        case let .preset(name): return try GeneralModelConfiguration.named(name)
        case let .custom(c): return c
        }
    }

    /// A preset as its name; Swin sizes as their fields (the format before `kind` existed);
    /// transformer sizes as their fields with `kind: transformer`.
    public func encode(to encoder: any Encoder) throws {
        switch self {
        case let .preset(name):
            var c = encoder.singleValueContainer()
            try c.encode(name)
        case let .custom(.swin(configuration)):
            try configuration.encode(to: encoder)
        case let .custom(.transformer(configuration)):
            var c = encoder.container(keyedBy: KindKey.self)
            try c.encode("transformer", forKey: .kind)
            try configuration.encode(to: encoder)
        }
    }

    private enum KindKey: String, CodingKey { case kind }
}

/// Model sizes.
public struct ModelConfig: Sendable, Equatable, Encodable {
    /// The server's general model.
    public var general: GeneralModelChoice = .custom(.swin(ExperimentConfig.defaultGeneralModel))
    /// The clients' task adaptation module.
    public var adaptation = AdaptationConfiguration(width: 16, heads: 2, kernelSize: 3)

    public init() {}
}

/// Which clients train in a round.
public struct SamplingConfig: Sendable, Equatable, Encodable {
    /// Fraction of the clients sampled per round (at least one); 1: all, as the paper.
    public var fraction: Double = 1
    /// A fixed number of clients per round; overrides `fraction` when set.
    public var count: Int?

    public init() {}
}

/// Local training.
public struct TrainingConfig: Sendable, Equatable, Encodable {
    /// Local epochs per round (E).
    public var localEpochs: Int = 1
    /// Mini-batch size.
    public var batchSize: Int = 16
    /// Client sampling per round.
    public var clientsPerRound = SamplingConfig()
    /// Task loss options.
    public var loss = TaskLossOptions()

    public init() {}
}

/// A learning-rate schedule over rounds (index = round − 1), with base = the optimizer's `lr`.
public enum ScheduleConfig: Sendable, Equatable, Encodable {
    /// The same rate every round.
    case constant
    /// `lr · gamma^⌊(round−1)/stepSize⌋` (the paper: ×0.1 every 50 rounds).
    case step(stepSize: Int, gamma: Double)
    /// Cosine annealing to `minimum` over the run's rounds, after `warmupRounds` of linear warm-up.
    case cosine(minimum: Double, warmupRounds: Int)

    /// The schedule for a run of `rounds` rounds starting at `base`.
    public func schedule(base: Double, rounds: Int) -> any LearningRateSchedule {
        switch self {
        case .constant: return ConstantSchedule(base)
        case let .step(stepSize, gamma): return StepSchedule(base: base, stepSize: stepSize, gamma: gamma)
        case let .cosine(minimum, warmup):
            return CosineSchedule(base: base, total: max(rounds, warmup + 1), minimum: minimum, warmupSteps: warmup)
        }
    }

    private enum Keys: String, CodingKey { case kind, stepSize, gamma, minimum, warmupRounds }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        switch self {
        case .constant:
            try c.encode("constant", forKey: .kind)
        case let .step(stepSize, gamma):
            try c.encode("step", forKey: .kind)
            try c.encode(stepSize, forKey: .stepSize)
            try c.encode(gamma, forKey: .gamma)
        case let .cosine(minimum, warmup):
            try c.encode("cosine", forKey: .kind)
            try c.encode(minimum, forKey: .minimum)
            try c.encode(warmup, forKey: .warmupRounds)
        }
    }
}

/// An optimizer and its schedule (one side of the split).
public struct OptimizationConfig: Sendable, Equatable, Encodable {
    /// The optimizer (flat: `name`, then torch's argument names).
    public var optimizer: OptimizerConfiguration
    /// Its learning-rate schedule over rounds.
    public var schedule: ScheduleConfig

    public init(optimizer: OptimizerConfiguration, schedule: ScheduleConfig = .constant) {
        self.optimizer = optimizer
        self.schedule = schedule
    }

    /// The optimizer's base learning rate.
    public var baseLearningRate: Double {
        switch optimizer {
        case let .sgd(h): return h.learningRate
        case let .adam(h), let .adamW(h): return h.learningRate
        }
    }
}

/// How the server updates the general model (DESIGN §2).
public struct ServerConfig: Sendable, Equatable, Encodable {
    /// `replica`: step a per-client copy of θ^t after each mini-batch, Δ_k = θ^t − θ_k.
    /// `gradient`: accumulate the mean gradient at θ^t, Δ_k = mean ∇θ L_k.
    public enum Update: String, Sendable, Codable, CaseIterable { case replica, gradient }

    public var update: Update = .replica
    /// The optimizer that steps the replicas (replica mode; fresh each round, like FedAvg's
    /// local optimizer), and whose scheduled `lr` is η_s in gradient mode.
    public var optimization = OptimizationConfig(optimizer: .adam(AdamHyperparameters(learningRate: 1e-3)),
                                                 schedule: .cosine(minimum: 5e-5, warmupRounds: 0))
    /// η_s in θ^{t+1} = θ^t − η_s Δ; `nil`: 1 in replica mode, the scheduled optimizer `lr` in
    /// gradient mode.
    public var learningRate: Double?
    /// The memory the general-model server may use, in GB (nil: three quarters of the
    /// machine's); ``ServerMemoryPlan`` refuses a round that does not fit and derives the
    /// replica bound from it.
    public var memoryBudgetGB: Double?
    /// The most replicas alive at once (replica mode; nil: as many as `memoryBudgetGB` holds).
    /// Results do not depend on it; clients beyond it wait for a replica.
    public var maxConcurrentReplicas: Int?
    /// Where the round's updates Δ_k (K·D floats) live: `auto` keeps them in memory unless the
    /// round would not fit `memoryBudgetGB` that way and fits with them spilled; `always`
    /// spills them to memory-mapped files in `spillDirectory`; `never` keeps them in memory.
    /// Results do not depend on it.
    public enum Spill: String, Sendable, Codable, CaseIterable { case auto, always, never }

    public var spill: Spill = .auto
    /// The folder spilled updates go to (nil: the system's temporary folder, `TMPDIR`). It needs
    /// K·D·4 bytes free while a round runs; the files are unlinked as soon as they are created.
    public var spillDirectory: String?
    /// Whether a pending Forward keeps only its embeddings and features and its Backward runs
    /// the forward pass again (``GeneralModelServer/recomputeActivations``): less memory per
    /// pending step (larger batch caps, ``ServerMemoryPlan``) for one more forward pass per
    /// step. Results do not depend on it.
    public var recomputeActivations = false
    /// The most clients whose Forwards of the same step the server runs as one general-model
    /// pass (and their Backwards as one backward pass), each still getting its own update Δ_k
    /// (``BatchSegments``); 1: one pass per client. Gradient mode only (replicas differ per
    /// client). Results equal unbatched ones to float tolerance;
    /// ``GeneralModelServer/forward(batch:)``.
    public var batchClients = 1
    /// How long the networked server holds a Forward for other clients' Forwards of the same
    /// step to join its pass, in milliseconds (with `batchClients` above 1).
    public var batchWaitMs = 50

    /// `spillDirectory`, or the system's temporary folder.
    public var spillFolder: URL {
        spillDirectory.map { URL(fileURLWithPath: $0) } ?? FileManager.default.temporaryDirectory
    }

    public init() {}

    private enum Keys: String, CodingKey {
        case update, optimizer, schedule, learningRate, memoryBudgetGB, maxConcurrentReplicas, spill, spillDirectory, recomputeActivations
        case batchClients, batchWaitMs
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(update, forKey: .update)
        try c.encode(optimization.optimizer, forKey: .optimizer)
        try c.encode(optimization.schedule, forKey: .schedule)
        try c.encodeIfPresent(learningRate, forKey: .learningRate)
        try c.encodeIfPresent(memoryBudgetGB, forKey: .memoryBudgetGB)
        try c.encodeIfPresent(maxConcurrentReplicas, forKey: .maxConcurrentReplicas)
        try c.encode(spill, forKey: .spill)
        try c.encodeIfPresent(spillDirectory, forKey: .spillDirectory)
        try c.encode(recomputeActivations, forKey: .recomputeActivations)
        try c.encode(batchClients, forKey: .batchClients)
        try c.encode(batchWaitMs, forKey: .batchWaitMs)
    }
}

/// GP aggregation switches (DESIGN §2); see ``GPAggregate``.
public struct AggregationConfig: Sendable, Equatable, Encodable {
    public var rescale = true
    public var project = true
    public var shuffle = true
    public var weighting = GPAggregate.Weighting.uniform
    public var epsilon = 1e-12
    /// How `project` resolves conflicts: `pcgrad` (the paper), `cagrad` or `gradvac`.
    public var conflict = GPAggregate.Conflict.pcgrad
    /// CAGrad's c (`conflict: cagrad`).
    public var cagradC = 0.5
    /// GradVac's β, the weight of the newest cosine in its targets' moving average (`conflict: gradvac`).
    public var gradvacBeta = 0.01

    public init() {}

    /// The aggregator these switches describe.
    public var aggregator: GPAggregate {
        GPAggregate(rescale: rescale, project: project, shuffle: shuffle, weighting: weighting, epsilon: epsilon,
                    conflict: conflict, cagrad: ConflictAverseCombination(c: cagradC), gradvac: GradientVaccine(beta: gradvacBeta))
    }
}

/// Options of the whole-model baselines.
public struct BaselineConfig: Sendable, Equatable, Encodable {
    /// FedAvg/FedProx: average adaptation modules and heads among clients of the same task
    /// (FedPer and FedRep never share them).
    public var shareHeadsWithinTask = true
    /// FedProx's μ.
    public var proximalMu = 0.01
    /// FedRep: epochs of head-only training before the base's `training.localEpochs`.
    public var headEpochs = 1
    /// pFedMe's λ, the pull of the personalised model towards the local one (the paper's 15).
    public var pfedmeLambda = 15.0
    /// pFedMe's K, gradient steps on the personalised model per mini-batch (the paper's 5).
    public var pfedmeInnerSteps = 5
    /// pFedMe's α, the rate of those steps (0.01 here; the paper tunes it per dataset).
    public var pfedmePersonalLearningRate = 0.01
    /// pFedMe's β, the server's mix of the old global model and the clients' mean (1: the mean).
    public var pfedmeBeta = 1.0
    /// FedEM's M, the number of shared components (the paper's 3).
    public var fedemComponents = 3

    public init() {}
}

/// When and how clients are evaluated on their test splits.
public struct EvaluationConfig: Sendable, Equatable, Encodable {
    /// Evaluate after every this many rounds (and always before training and after the last round).
    public var every = 5
    /// Test batch size.
    public var batchSize = 32

    public init() {}
}

/// Checkpointing.
public struct CheckpointConfig: Sendable, Equatable, Encodable {
    /// Write a checkpoint every this many rounds (and after the last).
    public var every = 1
    /// Keep only the newest this many checkpoints (0: keep all).
    public var keep = 2

    public init() {}
}
