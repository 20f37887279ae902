import FedBoneModels
import FedBoneTensor

/// Which parts of a whole model the baselines average, and how: the parts every client shares
/// (`patch_embed.*`, `backbone.*`, group `shared`) and, when heads are shared within a task, the
/// adaptation module and head of each task (group: the task kind's name).
struct SharedParts {
    /// Whether adaptation modules and heads are averaged among the clients of a task.
    let sharesHeads: Bool

    /// Whether a parameter or buffer belongs to the parts every client shares.
    static func isShared(_ key: String) -> Bool {
        key.hasPrefix("patch_embed.") || key.hasPrefix("backbone.")
    }

    /// The global group a state key belongs to for a client of `task`, or `nil` when it stays private.
    func group(ofKey key: String, task: TaskSpec) -> String? {
        if Self.isShared(key) { return "shared" }
        return sharesHeads ? task.kind.rawValue : nil
    }

    /// The groups a client of `task` takes part in.
    func groups(of task: TaskSpec) -> [String] {
        sharesHeads ? ["shared", task.kind.rawValue] : ["shared"]
    }

    /// Every group's first state among `states` (the initial global parts).
    func initialGlobal(states: [(task: TaskSpec, state: [String: Tensor])]) -> [String: [String: Tensor]] {
        var global: [String: [String: Tensor]] = [:]
        for (task, state) in states {
            for group in groups(of: task) where global[group] == nil {
                global[group] = state.filter { self.group(ofKey: $0.key, task: task) == group }
            }
        }
        return global
    }

    /// The global parts a client of `task` receives.
    func state(for task: TaskSpec, in global: [String: [String: Tensor]]) -> [String: Tensor] {
        var out: [String: Tensor] = [:]
        for group in groups(of: task) { out.merge(global[group] ?? [:]) { a, _ in a } }
        return out
    }

    /// `global` with each group replaced by the mean of its members' `states` (clients of
    /// `tasks`), weighted by `samples` and summed in member order in double precision; `mix`
    /// turns a group's current value and the mean into its new value.
    func averaged(_ global: [String: [String: Tensor]], states: [[String: Tensor]], tasks: [TaskSpec], samples: [Int],
                  mix: (_ current: Tensor, _ mean: [Float]) -> [Float] = { $1 }) -> [String: [String: Tensor]] {
        var out = global
        for (group, current) in global {
            let members = tasks.indices.filter { groups(of: tasks[$0]).contains(group) }
            guard !members.isEmpty else { continue }
            var averaged: [String: Tensor] = [:]
            for (key, value) in current {
                // Over the members that hold the key: a text client has no patch embedding.
                let holders = members.filter { states[$0][key] != nil }
                let total = Double(holders.reduce(0) { $0 + samples[$1] })
                var sum = [Double](repeating: 0, count: value.count)
                for m in holders {
                    let w = Double(samples[m]) / max(total, 1)
                    guard let t = states[m][key] else { continue }
                    for j in 0..<sum.count { sum[j] += w * Double(t.scalars[j]) }
                }
                averaged[key] = Tensor(uncheckedShape: value.shape, scalars: mix(value, sum.map { Float($0) }))
            }
            out[group] = averaged
        }
        return out
    }
}
