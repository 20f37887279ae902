import Foundation

/// `summary.md` of a run: the final test results per client and per task (averaged over the
/// task's clients), next to round 0 and the trivial predictor, and the run's cost. (The report's
/// curves and tables come from FedBoneReporting's `RunSummary` of the run log.)
enum SummaryMarkdown {
    static func markdown(_ r: SimulationResult) -> String {
        var out = "# \(r.config.name): \(r.config.method.rawValue)\n\n"
        out += "Rounds run: \(r.lastRound) of \(r.config.rounds) · seed \(r.config.seed) · "
        out += String(format: "%.1f s in this process\n\n", r.seconds)
        out += "## Per client (test split)\n\n"
        out += "| client | task | metric | round 0 | final | trivial | final loss |\n|---|---|---|---|---|---|---|\n"
        for i in r.clients.indices {
            let metric = r.final[i].primary
            out += "| \(r.clients[i]) | \(r.tasks[i]) | \(metric.name) \(arrow(metric)) | \(value(r.initial[i])) | \(value(r.final[i])) "
            out += "| \(value(r.trivial[i])) | \(r.final[i].loss.isNaN ? "–" : String(format: "%.4f", r.final[i].loss)) |\n"
        }
        out += "\n## Per task (mean over its clients)\n\n"
        out += "| task | metric | round 0 | final | trivial |\n|---|---|---|---|---|\n"
        for task in orderedTasks(r.tasks) {
            let idx = r.tasks.indices.filter { r.tasks[$0] == task }
            guard let metric = idx.first.map({ r.final[$0].primary }) else { continue }
            out += "| \(task) | \(metric.name) \(arrow(metric)) | \(mean(idx.map { r.initial[$0] })) | \(mean(idx.map { r.final[$0] })) "
            out += "| \(mean(idx.map { r.trivial[$0] })) |\n"
        }
        let c = r.cost
        if c.clients.isEmpty {
            out += "\n## Cost\n\nServer parameters: \(c.serverParameters) (the client models and their costs stay with the clients).\n\n"
        } else {
            out += "\n## Cost\n\n| | parameters | GFLOPs/sample |\n|---|---|---|\n"
            for client in c.clients {
                out += "| client \(client.client) | \(client.parameters) | \(String(format: "%.5f", client.gflopsPerSample)) |\n"
            }
            out += "| server | \(c.serverParameters) | \(String(format: "%.5f", c.serverGflopsPerSample)) |\n\n"
        }
        out += String(format: "Bytes per client per round: %.0f sent, %.0f received. Peak memory: %.1f MiB.\n",
                      c.bytesSentPerClientRound, c.bytesReceivedPerClientRound, Double(c.peakMemoryBytes) / 1_048_576)
        return out
    }

    static func arrow(_ m: MetricSummary.Primary) -> String { m.higherIsBetter ? "↑" : "↓" }

    /// The primary value, or "–" when it is undefined (NaN: not evaluated, or nothing to measure).
    static func value(_ e: EvaluationSummary) -> String {
        e.primary.value.isNaN ? "–" : String(format: "%.4f", e.primary.value)
    }

    /// The mean of the defined primary values, or "–" when none is.
    static func mean(_ es: [EvaluationSummary]) -> String {
        meanValue(es).map { String(format: "%.4f", $0) } ?? "–"
    }

    /// The mean of the defined (non-NaN) primary values, or nil when none is defined.
    static func meanValue(_ es: [EvaluationSummary]) -> Double? {
        let values = es.map(\.primary.value).filter { !$0.isNaN }
        return values.isEmpty ? nil : values.reduce(0, +) / Double(values.count)
    }

    /// Task names in first-appearance order.
    static func orderedTasks(_ tasks: [String]) -> [String] {
        var seen: [String] = []
        for t in tasks where !seen.contains(t) { seen.append(t) }
        return seen
    }
}
