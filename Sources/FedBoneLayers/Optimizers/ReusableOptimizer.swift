/// An optimizer that can start over as a new one over the same parameters while keeping its
/// state buffers allocated: the server's replicas take a fresh optimizer every round, and
/// zeroing D-sized moments in place is cheaper than allocating (and faulting in) new ones.
public protocol ReusableOptimizer: Optimizer {
    /// Returns to the state of a new optimizer over the same parameters: every step count 0 and
    /// every moment 0, so that the next steps are those a new optimizer would take. The
    /// buffers stay allocated; the state dict lists them (zeros, step 0) until they are used.
    func reset()
}
