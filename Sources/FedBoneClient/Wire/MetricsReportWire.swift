extension MetricsReport {
    /// The report as a `ReportMetricsRequest` (without client id and session).
    package var message: Fedbone_V1_ReportMetricsRequest {
        var request = Fedbone_V1_ReportMetricsRequest()
        request.round = UInt64(max(0, round))
        if let training {
            var t = Fedbone_V1_TrainingReport()
            t.loss = training.loss
            t.steps = UInt64(max(0, training.steps))
            t.bytesSent = UInt64(max(0, training.bytesSent))
            t.bytesReceived = UInt64(max(0, training.bytesReceived))
            t.seconds = training.seconds
            request.training = t
        }
        if let evaluation {
            var e = Fedbone_V1_EvaluationReport()
            e.loss = evaluation.loss
            e.samples = UInt64(max(0, evaluation.samples))
            e.metrics = evaluation.metrics.sorted { $0.key < $1.key }.map { name, value in
                var metric = Fedbone_V1_Metric()
                metric.name = name
                metric.value = value
                return metric
            }
            request.evaluation = e
        }
        return request
    }

    /// The report a request carries, checked: finite values, valid and unique names, bounded sizes.
    /// - Throws: ``MetricsReportError`` naming the first problem.
    package init(validating request: Fedbone_V1_ReportMetricsRequest) throws(MetricsReportError) {
        guard request.round <= UInt64(Int32.max) else { throw .outOfRange(field: "round", value: request.round) }
        var training: Training?
        if request.hasTraining {
            let t = request.training
            try Self.checkFinite(t.loss, field: "training.loss")
            try Self.checkFinite(t.seconds, field: "training.seconds")
            guard t.seconds >= 0 else { throw .badValue(field: "training.seconds", value: t.seconds) }
            training = Training(loss: t.loss, steps: try Self.count(t.steps, field: "training.steps"),
                                bytesSent: try Self.count(t.bytesSent, field: "training.bytes_sent"),
                                bytesReceived: try Self.count(t.bytesReceived, field: "training.bytes_received"), seconds: t.seconds)
        }
        var evaluation: Evaluation?
        if request.hasEvaluation {
            let e = request.evaluation
            try Self.checkFinite(e.loss, field: "evaluation.loss")
            guard e.metrics.count <= Self.maxMetrics else { throw .tooManyMetrics(e.metrics.count) }
            var metrics: [String: Double] = [:]
            for metric in e.metrics {
                guard Self.isValidName(metric.name) else {
                    throw .badName(metric.name, reason: "use 1 to \(Self.maxNameBytes) bytes of letters, digits and _ . / -")
                }
                guard metrics[metric.name] == nil else { throw .badName(metric.name, reason: "it is repeated") }
                try Self.checkFinite(metric.value, field: "metric \(metric.name)")
                metrics[metric.name] = metric.value
            }
            evaluation = Evaluation(loss: e.loss, metrics: metrics, samples: try Self.count(e.samples, field: "evaluation.samples"))
        }
        self.init(round: Int(request.round), training: training, evaluation: evaluation)
    }

    private static func checkFinite(_ value: Double, field: String) throws(MetricsReportError) {
        guard value.isFinite else { throw .badValue(field: field, value: value) }
    }

    private static func count(_ value: UInt64, field: String) throws(MetricsReportError) -> Int {
        guard value <= UInt64(Int.max) else { throw .outOfRange(field: field, value: value) }
        return Int(value)
    }
}
