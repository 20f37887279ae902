extension ExperimentConfig {
    /// Checks every value that decoding alone cannot (ranges, model sizes, image size).
    /// - Throws: ``ConfigError/invalidValue(key:message:)`` naming the key.
    public func validate() throws {
        try require(!name.isEmpty && !name.contains("/"), "name", "must be a non-empty name without '/'")
        try require(rounds >= 1, "rounds", "must be ≥ 1, got \(rounds)")
        try require(!tasks.isEmpty, "tasks", "needs at least one task")
        let general: GeneralModelConfiguration
        do {
            general = try model.general.resolved()
            try general.validate()
        } catch {
            throw ConfigError.invalidValue(key: "model.general", message: "\(error)")
        }
        try validate(data: data, at: "data", patchSize: general.patchSize)
        var prefixes: [String: Int] = [:]
        for (i, t) in tasks.enumerated() {
            try require(t.clients >= 1, "tasks.\(i).clients", "must be ≥ 1, got \(t.clients)")
            if let c = t.classes { try require(c >= 2, "tasks.\(i).classes", "must be ≥ 2, got \(c)") }
            if let name = t.name {
                try require(!name.isEmpty && name.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }, "tasks.\(i).name",
                            "must be a non-empty name of letters, digits, '-' and '_', got '\(name)'")
            }
            if let other = prefixes[t.clientPrefix] {
                throw ConfigError.invalidValue(key: "tasks.\(i).name",
                                               message: "tasks \(other) and \(i) would both name their clients \(t.clientPrefix)-<i>; give one of them a different `name`")
            }
            prefixes[t.clientPrefix] = i
            if t.kind.isText, !general.takesSequences {
                throw ConfigError.invalidValue(key: "tasks.\(i).kind",
                                               message: "\(t.kind.rawValue) clients send token sequences, which a \(general.kind) general model cannot take; use model.general.kind: transformer (or a vit-* preset)")
            }
            if t.data != nil { try validate(data: t.resolvedData(data), at: "tasks.\(i).data", patchSize: general.patchSize) }
        }
        do { try model.adaptation.validate() } catch {
            throw ConfigError.invalidValue(key: "model.adaptation", message: "\(error)")
        }

        try require(training.localEpochs >= 1, "training.localEpochs", "must be ≥ 1, got \(training.localEpochs)")
        try require(training.batchSize >= 1, "training.batchSize", "must be ≥ 1, got \(training.batchSize)")
        let sampling = training.clientsPerRound
        try require(sampling.fraction > 0 && sampling.fraction <= 1, "training.clientsPerRound.fraction",
                    "must be in (0, 1], got \(sampling.fraction)")
        if let count = sampling.count {
            try require(count >= 1 && count <= clientCount, "training.clientsPerRound.count",
                        "must be in 1…\(clientCount) (the number of clients), got \(count)")
        }
        try require(training.loss.boundaryPositiveWeight > 0, "training.loss.boundaryPositiveWeight", "must be > 0")

        try validate(schedule: client.schedule, at: "client.schedule")
        try validate(schedule: server.optimization.schedule, at: "server.schedule")
        if let eta = server.learningRate { try require(eta >= 0, "server.learningRate", "must be ≥ 0, got \(eta)") }
        if let budget = server.memoryBudgetGB { try require(budget > 0 && budget.isFinite, "server.memoryBudgetGB", "must be a positive number of GB, got \(budget)") }
        if let bound = server.maxConcurrentReplicas { try require(bound >= 1, "server.maxConcurrentReplicas", "must be at least 1, got \(bound)") }
        try require(server.batchClients >= 1, "server.batchClients", "must be at least 1 (1: one pass per client), got \(server.batchClients)")
        try require(server.batchWaitMs >= 0 && server.batchWaitMs <= 60_000, "server.batchWaitMs", "must be 0…60000 milliseconds, got \(server.batchWaitMs)")
        if server.batchClients > 1 {
            try require(server.update == .gradient, "server.batchClients",
                        "batched passes need server.update: gradient (in replica mode every client has its own replica); set server.batchClients: 1")
        }
        try require(aggregation.epsilon >= 0, "aggregation.epsilon", "must be ≥ 0, got \(aggregation.epsilon)")
        try require(aggregation.cagradC >= 0 && aggregation.cagradC.isFinite, "aggregation.cagradC", "must be finite and ≥ 0, got \(aggregation.cagradC)")
        try require(aggregation.gradvacBeta >= 0 && aggregation.gradvacBeta <= 1, "aggregation.gradvacBeta", "must be in [0, 1], got \(aggregation.gradvacBeta)")
        try require(baselines.proximalMu >= 0, "baselines.proximalMu", "must be ≥ 0, got \(baselines.proximalMu)")
        try require(baselines.headEpochs >= 1, "baselines.headEpochs", "must be ≥ 1, got \(baselines.headEpochs)")
        try require(baselines.pfedmeLambda > 0, "baselines.pfedmeLambda", "must be > 0, got \(baselines.pfedmeLambda)")
        try require(baselines.pfedmeInnerSteps >= 1, "baselines.pfedmeInnerSteps", "must be ≥ 1, got \(baselines.pfedmeInnerSteps)")
        try require(baselines.pfedmePersonalLearningRate > 0, "baselines.pfedmePersonalLearningRate",
                    "must be > 0, got \(baselines.pfedmePersonalLearningRate)")
        try require(baselines.pfedmeBeta > 0, "baselines.pfedmeBeta", "must be > 0, got \(baselines.pfedmeBeta)")
        try require((1...16).contains(baselines.fedemComponents), "baselines.fedemComponents",
                    "must be 1…16, got \(baselines.fedemComponents)")
        try require(evaluation.every >= 1, "evaluation.every", "must be ≥ 1, got \(evaluation.every)")
        try require(evaluation.batchSize >= 1, "evaluation.batchSize", "must be ≥ 1, got \(evaluation.batchSize)")
        try require(checkpoints.every >= 1, "checkpoints.every", "must be ≥ 1, got \(checkpoints.every)")
        try require(checkpoints.keep >= 0, "checkpoints.keep", "must be ≥ 0 (0 keeps all), got \(checkpoints.keep)")
    }

    private func validate(data: DataConfig, at key: String, patchSize: Int) throws {
        try require(data.imageSize >= 8, "\(key).imageSize", "must be ≥ 8, got \(data.imageSize)")
        try require(data.imageSize % patchSize == 0, "\(key).imageSize",
                    "must be a multiple of the general model's patch size \(patchSize), got \(data.imageSize)")
        try require(data.samplesPerClient >= 2, "\(key).samplesPerClient", "must be ≥ 2, got \(data.samplesPerClient)")
        try require(data.trainFraction > 0 && data.trainFraction < 1, "\(key).trainFraction", "must be in (0, 1), got \(data.trainFraction)")
        try require(data.dirichletAlpha > 0, "\(key).dirichletAlpha", "must be > 0, got \(data.dirichletAlpha)")
        try require((2...4096).contains(data.maxLength), "\(key).maxLength", "must be 2…4096 tokens, got \(data.maxLength)")
        try require(data.vocabularySize >= 16, "\(key).vocabularySize", "must be ≥ 16, got \(data.vocabularySize)")
    }

    /// Total clients over all tasks.
    public var clientCount: Int { tasks.reduce(0) { $0 + $1.clients } }

    private func validate(schedule: ScheduleConfig, at key: String) throws {
        switch schedule {
        case .constant: break
        case let .step(stepSize, gamma):
            try require(stepSize >= 1, "\(key).stepSize", "must be ≥ 1, got \(stepSize)")
            try require(gamma > 0, "\(key).gamma", "must be > 0, got \(gamma)")
        case let .cosine(minimum, warmup):
            try require(minimum >= 0, "\(key).minimum", "must be ≥ 0, got \(minimum)")
            try require(warmup >= 0, "\(key).warmupRounds", "must be ≥ 0, got \(warmup)")
        }
    }
}
