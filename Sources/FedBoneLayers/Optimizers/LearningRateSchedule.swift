import Foundation

/// A learning rate as a function of a step, epoch or federated-round index `t ≥ 0` (the
/// closed forms of `torch.optim.lr_scheduler`).
///
/// ```swift
/// let schedule = StepSchedule(base: 0.01, stepSize: 50, gamma: 0.1)   // the FedBone paper
/// optimizer.learningRate = schedule.learningRate(at: round)
/// ```
public protocol LearningRateSchedule: Sendable {
    /// The learning rate at index `t` (≥ 0).
    func learningRate(at t: Int) -> Double
}

/// The same learning rate at every index.
public struct ConstantSchedule: LearningRateSchedule, Codable, Equatable {
    /// The learning rate.
    public var base: Double

    public init(_ base: Double) { self.base = base }

    public func learningRate(at t: Int) -> Double {
        precondition(t >= 0, "ConstantSchedule: index \(t) must be ≥ 0")
        return base
    }
}

/// `torch.optim.lr_scheduler.StepLR`: `base · gamma^⌊t / stepSize⌋`.
public struct StepSchedule: LearningRateSchedule, Codable, Equatable {
    /// The learning rate for `t < stepSize`.
    public var base: Double
    /// Indices between decays (> 0).
    public var stepSize: Int
    /// The factor applied at each decay.
    public var gamma: Double

    public init(base: Double, stepSize: Int, gamma: Double = 0.1) {
        precondition(stepSize > 0, "StepSchedule: stepSize \(stepSize) must be > 0")
        self.base = base
        self.stepSize = stepSize
        self.gamma = gamma
    }

    public func learningRate(at t: Int) -> Double {
        precondition(t >= 0, "StepSchedule: index \(t) must be ≥ 0")
        return base * Foundation.pow(gamma, Double(t / stepSize))
    }
}

/// Cosine annealing from `base` to `minimum` over `total` indices, optionally after a linear
/// warm-up.
///
/// With `w = warmupSteps` and `s = warmupStartFactor`:
/// ```
/// t < w:       base · (s + (1 − s) · t / w)                              (torch LinearLR)
/// t ≥ w:       minimum + (base − minimum) · (1 + cos(π · u / (total − w))) / 2,
///              u = min(t − w, total − w)                       (torch CosineAnnealingLR)
/// ```
/// which is torch's `SequentialLR([LinearLR(start_factor: s, total_iters: w),
/// CosineAnnealingLR(T_max: total − w, eta_min: minimum)], milestones: [w])`. Unlike
/// `CosineAnnealingLR`, which rises again after `T_max`, the rate stays at `minimum` for
/// `t ≥ total`.
public struct CosineSchedule: LearningRateSchedule, Codable, Equatable {
    /// The peak learning rate (at the end of the warm-up).
    public var base: Double
    /// The index at which the rate reaches `minimum` (> `warmupSteps`).
    public var total: Int
    /// The final learning rate.
    public var minimum: Double
    /// Indices of linear warm-up before the cosine (0: none).
    public var warmupSteps: Int
    /// The fraction of `base` used at `t = 0` of the warm-up, in (0, 1].
    public var warmupStartFactor: Double

    public init(base: Double, total: Int, minimum: Double = 0, warmupSteps: Int = 0,
                warmupStartFactor: Double = 1.0 / 3) {
        precondition(warmupSteps >= 0 && total > warmupSteps,
                     "CosineSchedule: need 0 ≤ warmupSteps (\(warmupSteps)) < total (\(total))")
        precondition(warmupStartFactor > 0 && warmupStartFactor <= 1,
                     "CosineSchedule: warmupStartFactor \(warmupStartFactor) must be in (0, 1]")
        self.base = base
        self.total = total
        self.minimum = minimum
        self.warmupSteps = warmupSteps
        self.warmupStartFactor = warmupStartFactor
    }

    public func learningRate(at t: Int) -> Double {
        precondition(t >= 0, "CosineSchedule: index \(t) must be ≥ 0")
        if t < warmupSteps {
            let s = warmupStartFactor
            return base * (s + (1 - s) * Double(t) / Double(warmupSteps))
        }
        let span = total - warmupSteps
        let u = Swift.min(t - warmupSteps, span)
        return minimum + (base - minimum) * (1 + Foundation.cos(Double.pi * Double(u) / Double(span))) / 2
    }
}
