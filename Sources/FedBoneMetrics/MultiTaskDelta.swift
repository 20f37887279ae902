/// Errors from comparing runs.
public enum MetricError: Error, Equatable, CustomStringConvertible {
    /// A task present in one run is missing from the other.
    case missingTask(String)
    /// The two runs report different primary metrics for a task.
    case mismatchedMetric(task: String, run: String, reference: String)
    /// The reference value is 0 or not finite, so the relative change is undefined.
    case unusableReference(task: String, value: Double)

    public var description: String {
        switch self {
        case .missingTask(let task):
            return "Δm: task '\(task)' is missing from one of the runs"
        case .mismatchedMetric(let task, let run, let reference):
            return "Δm: task '\(task)' reports '\(run)' but the reference reports '\(reference)'"
        case .unusableReference(let task, let value):
            return "Δm: the reference value \(value) of task '\(task)' cannot divide"
        }
    }
}

/// The multi-task performance change Δm of a run against a reference run (Maninis et al. 2019;
/// Vandenhende et al. 2021), in percent:
///
///     Δm = (1/T) Σ_i (−1)^{l_i} (M_i − M_ref,i) / M_ref,i × 100
///
/// where `l_i = 1` when a lower value of metric `i` is better (RMSE, angular error) and 0 when
/// higher is better (mIoU, F, accuracy). A positive Δm means the run is better on average.
/// Here `i` runs over the tasks and `M_i` is each task's primary metric (papers with several
/// metrics per task average over all of them; pass those as separate terms to
/// ``compute(terms:)``).
public enum MultiTaskDelta {
    /// One term of Δm.
    public struct Term: Sendable, Equatable {
        public var value: Double
        public var reference: Double
        public var higherIsBetter: Bool

        public init(value: Double, reference: Double, higherIsBetter: Bool) {
            self.value = value
            self.reference = reference
            self.higherIsBetter = higherIsBetter
        }

        /// `(−1)^l (M − M_ref) / M_ref × 100`.
        public var percent: Double {
            let change = (value - reference) / reference * 100
            return higherIsBetter ? change : -change
        }
    }

    /// The mean of the terms' signed relative changes, in percent (NaN with no term).
    public static func compute(terms: [Term]) -> Double {
        terms.isEmpty ? .nan : terms.reduce(0) { $0 + $1.percent } / Double(terms.count)
    }

    /// Δm over tasks from each task's primary metric, keyed by task name (the same keys in
    /// both). Throws when the task sets or primary metric names differ, or a reference is 0.
    public static func compute(run: [String: MetricSummary.Primary],
                               reference: [String: MetricSummary.Primary]) throws -> Double {
        for task in reference.keys where run[task] == nil { throw MetricError.missingTask(task) }
        var terms: [Term] = []
        for task in run.keys.sorted() {
            guard let r = reference[task], let m = run[task] else { throw MetricError.missingTask(task) }
            guard r.name == m.name else {
                throw MetricError.mismatchedMetric(task: task, run: m.name, reference: r.name)
            }
            guard r.value != 0, r.value.isFinite else {
                throw MetricError.unusableReference(task: task, value: r.value)
            }
            terms.append(Term(value: m.value, reference: r.value, higherIsBetter: m.higherIsBetter))
        }
        return compute(terms: terms)
    }
}
