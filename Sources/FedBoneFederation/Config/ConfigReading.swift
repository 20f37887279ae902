import Yams

// Strict reading of each configuration section from YAML: every mapping's keys are checked
// against the known ones, absent keys keep the defaults.

extension ExperimentConfig {
    init(reading v: ConfigValue) throws {
        self.init()
        let m = try v.mapping(known: ["name", "seed", "method", "rounds", "data", "tasks", "model", "training", "client",
                                      "server", "aggregation", "baselines", "evaluation", "checkpoints"])
        name = try m.value("name", name) { try $0.string() }
        seed = try m.value("seed", seed) { try $0.uint64() }
        method = try m.value("method", method) { try $0.choice(FederatedMethod.self) }
        rounds = try m.value("rounds", rounds) { try $0.int() }
        data = try m.value("data", data) { try DataConfig(reading: $0) }
        tasks = try m.value("tasks", tasks) { try $0.sequence().map(TaskConfig.init(reading:)) }
        model = try m.value("model", model) { try ModelConfig(reading: $0) }
        training = try m.value("training", training) { try TrainingConfig(reading: $0) }
        client = try m.value("client", client) { try OptimizationConfig(reading: $0, fallback: client) }
        server = try m.value("server", server) { try ServerConfig(reading: $0) }
        aggregation = try m.value("aggregation", aggregation) { try AggregationConfig(reading: $0) }
        baselines = try m.value("baselines", baselines) { try BaselineConfig(reading: $0) }
        evaluation = try m.value("evaluation", evaluation) { try EvaluationConfig(reading: $0) }
        checkpoints = try m.value("checkpoints", checkpoints) { try CheckpointConfig(reading: $0) }
    }
}

extension DataConfig {
    init(reading v: ConfigValue) throws {
        self.init()
        let m = try v.mapping(known: Self.keys)
        dataset = try m.value("dataset", dataset) { try $0.string() }
        imageSize = try m.value("imageSize", imageSize) { try $0.int() }
        samplesPerClient = try m.value("samplesPerClient", samplesPerClient) { try $0.int() }
        trainFraction = try m.value("trainFraction", trainFraction) { try $0.double() }
        partition = try m.value("partition", partition) { try $0.choice(Partition.self) }
        dirichletAlpha = try m.value("dirichletAlpha", dirichletAlpha) { try $0.double() }
        augment = try m.value("augment", augment) { try $0.bool() }
        maxLength = try m.value("maxLength", maxLength) { try $0.int() }
        vocabularySize = try m.value("vocabularySize", vocabularySize) { try $0.int() }
    }
}

extension TaskConfig {
    init(reading v: ConfigValue) throws {
        let m = try v.mapping(known: ["kind", "clients", "classes", "name", "data"])
        guard let kind = try m.optional("kind", { try $0.choice(TaskKind.self) }) else {
            throw ConfigError.invalidValue(key: v.childPath("kind"), message: "every task needs a kind")
        }
        self.init(kind: kind, clients: try m.value("clients", 2) { try $0.int() },
                  classes: try m.optional("classes") { try $0.int() },
                  name: try m.optional("name") { try $0.string() },
                  data: try m.optional("data") { try TaskDataSource(reading: $0) })
    }
}

extension TaskDataSource {
    init(reading v: ConfigValue) throws {
        let m = try v.mapping(known: DataConfig.keys)
        self.init(dataset: try m.optional("dataset") { try $0.string() },
                  imageSize: try m.optional("imageSize") { try $0.int() },
                  samplesPerClient: try m.optional("samplesPerClient") { try $0.int() },
                  trainFraction: try m.optional("trainFraction") { try $0.double() },
                  partition: try m.optional("partition") { try $0.choice(DataConfig.Partition.self) },
                  dirichletAlpha: try m.optional("dirichletAlpha") { try $0.double() },
                  augment: try m.optional("augment") { try $0.bool() },
                  maxLength: try m.optional("maxLength") { try $0.int() },
                  vocabularySize: try m.optional("vocabularySize") { try $0.int() })
    }
}

extension ModelConfig {
    init(reading v: ConfigValue) throws {
        self.init()
        let m = try v.mapping(known: ["general", "adaptation"])
        general = try m.value("general", general) { g in
            if g.node.scalar != nil { return .preset(try g.string()) }
            let kind = try g.node.mapping?["kind"].map { try ConfigValue(node: $0, path: g.childPath("kind")).choice(GeneralModelKind.self) }
            switch kind ?? .swin {
            case .swin: return .custom(.swin(try SwinConfiguration(reading: g)))
            case .transformer: return .custom(.transformer(try TransformerConfiguration(reading: g)))
            }
        }
        adaptation = try m.value("adaptation", adaptation) { a in
            let am = try a.mapping(known: ["width", "heads", "kernelSize", "enabled"])
            return AdaptationConfiguration(width: try am.value("width", adaptation.width) { try $0.int() },
                                           heads: try am.value("heads", adaptation.heads) { try $0.int() },
                                           kernelSize: try am.value("kernelSize", adaptation.kernelSize) { try $0.int() },
                                           enabled: try am.value("enabled", adaptation.enabled) { try $0.bool() })
        }
    }
}

extension SwinConfiguration {
    init(reading v: ConfigValue) throws {
        let d = ExperimentConfig.defaultGeneralModel
        let m = try v.mapping(known: ["kind", "embedDim", "depths", "numHeads", "windowSize", "mlpRatio", "patchSize", "dropPathRate"])
        self.init(embedDim: try m.value("embedDim", d.embedDim) { try $0.int() },
                  depths: try m.value("depths", d.depths) { try $0.ints() },
                  numHeads: try m.value("numHeads", d.numHeads) { try $0.ints() },
                  windowSize: try m.value("windowSize", d.windowSize) { try $0.int() },
                  mlpRatio: Float(try m.value("mlpRatio", Double(d.mlpRatio)) { try $0.double() }),
                  patchSize: try m.value("patchSize", d.patchSize) { try $0.int() },
                  dropPathRate: Float(try m.value("dropPathRate", Double(d.dropPathRate)) { try $0.double() }))
    }
}

/// `model.general.kind`.
enum GeneralModelKind: String, CaseIterable { case swin, transformer }

extension TransformerConfiguration {
    /// Sizes from `model.general` with `kind: transformer`; unset ones from `vit-nano`.
    init(reading v: ConfigValue) throws {
        let d = TransformerConfiguration.nano
        let m = try v.mapping(known: ["kind", "embedDim", "depth", "numHeads", "mlpRatio", "qkvBias", "patchSize", "dropPathRate", "normEpsilon"])
        self.init(embedDim: try m.value("embedDim", d.embedDim) { try $0.int() },
                  depth: try m.value("depth", d.depth) { try $0.int() },
                  numHeads: try m.value("numHeads", d.numHeads) { try $0.int() },
                  mlpRatio: Float(try m.value("mlpRatio", Double(d.mlpRatio)) { try $0.double() }),
                  qkvBias: try m.value("qkvBias", d.qkvBias) { try $0.bool() },
                  dropPathRate: Float(try m.value("dropPathRate", Double(d.dropPathRate)) { try $0.double() }),
                  normEpsilon: Float(try m.value("normEpsilon", Double(d.normEpsilon)) { try $0.double() }),
                  patchSize: try m.value("patchSize", d.patchSize) { try $0.int() })
    }
}

extension TrainingConfig {
    init(reading v: ConfigValue) throws {
        self.init()
        let m = try v.mapping(known: ["localEpochs", "batchSize", "clientsPerRound", "loss"])
        localEpochs = try m.value("localEpochs", localEpochs) { try $0.int() }
        batchSize = try m.value("batchSize", batchSize) { try $0.int() }
        clientsPerRound = try m.value("clientsPerRound", clientsPerRound) { s in
            let sm = try s.mapping(known: ["fraction", "count"])
            var out = SamplingConfig()
            out.fraction = try sm.value("fraction", out.fraction) { try $0.double() }
            out.count = try sm.optional("count") { try $0.int() }
            return out
        }
        loss = try m.value("loss", loss) { l in
            let lm = try l.mapping(known: ["normals", "boundaryPositiveWeight"])
            return TaskLossOptions(
                normals: try lm.value("normals", loss.normals) { n in
                    let s = try n.string()
                    guard let kind = TaskLossOptions.NormalsLoss(rawValue: s) else {
                        throw ConfigError.invalidValue(key: n.path, message: "'\(s)' is not one of l1, cosine")
                    }
                    return kind
                },
                boundaryPositiveWeight: Float(try lm.value("boundaryPositiveWeight", Double(loss.boundaryPositiveWeight)) { try $0.double() }))
        }
    }
}

extension OptimizationConfig {
    init(reading v: ConfigValue, fallback: OptimizationConfig) throws {
        let m = try v.mapping(known: ["optimizer", "schedule"])
        self.init(optimizer: try m.value("optimizer", fallback.optimizer) { try OptimizerConfiguration(reading: $0) },
                  schedule: try m.value("schedule", fallback.schedule) { try ScheduleConfig(reading: $0) })
    }
}

extension OptimizerConfiguration {
    init(reading v: ConfigValue) throws {
        let keys = v.node.mapping?.keys.compactMap(\.string) ?? []
        guard keys.contains("name") else { throw ConfigError.invalidValue(key: v.childPath("name"), message: "the optimizer needs a name (sgd, adam or adamw)") }
        let name = try ConfigValue(node: v.node["name"] ?? "", path: v.childPath("name")).string().lowercased()
        let known: [String]
        switch name {
        case "sgd": known = ["name", "lr", "momentum", "dampening", "nesterov", "weight_decay"]
        case "adam", "adamw": known = ["name", "lr", "beta1", "beta2", "eps", "weight_decay"]
        default: throw ConfigError.invalidValue(key: v.childPath("name"), message: "'\(name)' is not one of sgd, adam, adamw")
        }
        _ = try v.mapping(known: known)
        do {
            self = try YAMLDecoder().decode(OptimizerConfiguration.self, from: v.node)
        } catch let error as OptimizerConfigurationError {
            if case let .invalidValue(key, _, _) = error {
                throw ConfigError.invalidValue(key: v.childPath(key), message: error.description)
            }
            throw ConfigError.invalidValue(key: v.path, message: error.description)
        } catch let DecodingError.keyNotFound(key, _) {
            throw ConfigError.invalidValue(key: v.childPath(key.stringValue), message: "required")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.dataCorrupted(context) {
            let key = context.codingPath.last?.stringValue
            throw ConfigError.invalidValue(key: key.map(v.childPath) ?? v.path, message: context.debugDescription)
        }
    }
}

extension ScheduleConfig {
    init(reading v: ConfigValue) throws {
        let m = try v.mapping(known: ["kind", "stepSize", "gamma", "minimum", "warmupRounds"])
        let kind = try m.value("kind", "constant") { try $0.string() }
        let used: [String]
        switch kind {
        case "constant":
            self = .constant
            used = []
        case "step":
            self = .step(stepSize: try m.value("stepSize", 50) { try $0.int() }, gamma: try m.value("gamma", 0.1) { try $0.double() })
            used = ["stepSize", "gamma"]
        case "cosine":
            self = .cosine(minimum: try m.value("minimum", 0) { try $0.double() },
                           warmupRounds: try m.value("warmupRounds", 0) { try $0.int() })
            used = ["minimum", "warmupRounds"]
        default:
            throw ConfigError.invalidValue(key: v.childPath("kind"), message: "'\(kind)' is not one of constant, step, cosine")
        }
        if let stray = m.entries.keys.sorted().first(where: { $0 != "kind" && !used.contains($0) }) {
            throw ConfigError.unknownKey(key: v.childPath(stray), known: ["kind"] + used)
        }
    }
}

extension ServerConfig {
    init(reading v: ConfigValue) throws {
        self.init()
        let m = try v.mapping(known: ["update", "optimizer", "schedule", "learningRate", "memoryBudgetGB", "maxConcurrentReplicas",
                                      "spill", "spillDirectory", "recomputeActivations", "batchClients", "batchWaitMs"])
        update = try m.value("update", update) { try $0.choice(Update.self) }
        optimization = OptimizationConfig(
            optimizer: try m.value("optimizer", optimization.optimizer) { try OptimizerConfiguration(reading: $0) },
            schedule: try m.value("schedule", optimization.schedule) { try ScheduleConfig(reading: $0) })
        learningRate = try m.optional("learningRate") { try $0.double() }
        memoryBudgetGB = try m.optional("memoryBudgetGB") { try $0.double() }
        maxConcurrentReplicas = try m.optional("maxConcurrentReplicas") { try $0.int() }
        spill = try m.value("spill", spill) { try $0.choice(Spill.self) }
        spillDirectory = try m.optional("spillDirectory") { try $0.string() }
        recomputeActivations = try m.value("recomputeActivations", recomputeActivations) { try $0.bool() }
        batchClients = try m.value("batchClients", batchClients) { try $0.int() }
        batchWaitMs = try m.value("batchWaitMs", batchWaitMs) { try $0.int() }
    }
}

extension AggregationConfig {
    init(reading v: ConfigValue) throws {
        self.init()
        let m = try v.mapping(known: ["rescale", "project", "shuffle", "weighting", "epsilon", "conflict", "cagradC", "gradvacBeta"])
        rescale = try m.value("rescale", rescale) { try $0.bool() }
        project = try m.value("project", project) { try $0.bool() }
        shuffle = try m.value("shuffle", shuffle) { try $0.bool() }
        weighting = try m.value("weighting", weighting) { try $0.choice(GPAggregate.Weighting.self) }
        epsilon = try m.value("epsilon", epsilon) { try $0.double() }
        conflict = try m.value("conflict", conflict) { try $0.choice(GPAggregate.Conflict.self) }
        cagradC = try m.value("cagradC", cagradC) { try $0.double() }
        gradvacBeta = try m.value("gradvacBeta", gradvacBeta) { try $0.double() }
    }
}

extension BaselineConfig {
    init(reading v: ConfigValue) throws {
        self.init()
        let m = try v.mapping(known: ["shareHeadsWithinTask", "proximalMu", "headEpochs", "pfedmeLambda", "pfedmeInnerSteps",
                                      "pfedmePersonalLearningRate", "pfedmeBeta", "fedemComponents"])
        shareHeadsWithinTask = try m.value("shareHeadsWithinTask", shareHeadsWithinTask) { try $0.bool() }
        proximalMu = try m.value("proximalMu", proximalMu) { try $0.double() }
        headEpochs = try m.value("headEpochs", headEpochs) { try $0.int() }
        pfedmeLambda = try m.value("pfedmeLambda", pfedmeLambda) { try $0.double() }
        pfedmeInnerSteps = try m.value("pfedmeInnerSteps", pfedmeInnerSteps) { try $0.int() }
        pfedmePersonalLearningRate = try m.value("pfedmePersonalLearningRate", pfedmePersonalLearningRate) { try $0.double() }
        pfedmeBeta = try m.value("pfedmeBeta", pfedmeBeta) { try $0.double() }
        fedemComponents = try m.value("fedemComponents", fedemComponents) { try $0.int() }
    }
}

extension EvaluationConfig {
    init(reading v: ConfigValue) throws {
        self.init()
        let m = try v.mapping(known: ["every", "batchSize"])
        every = try m.value("every", every) { try $0.int() }
        batchSize = try m.value("batchSize", batchSize) { try $0.int() }
    }
}

extension CheckpointConfig {
    init(reading v: ConfigValue) throws {
        self.init()
        let m = try v.mapping(known: ["every", "keep"])
        every = try m.value("every", every) { try $0.int() }
        keep = try m.value("keep", keep) { try $0.int() }
    }
}
