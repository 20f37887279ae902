/// Which clients train in a round (`training.clientsPerRound`): the one sampler of the in-process
/// simulation and the networked server, so that both pick the same clients for the same seed.
extension SamplingConfig {
    /// How many of `clients` clients train per round: `count`, or `fraction` of them rounded,
    /// at least 1 and at most all.
    public func perRound(of clients: Int) -> Int {
        min(max(count ?? Int((fraction * Double(clients)).rounded()), 1), clients)
    }
}

extension RandomStreams {
    /// The clients (indices into the federation's client order, ascending) that train in round
    /// `round` of `clients` clients: all of them when ``SamplingConfig/perRound(of:)`` is all,
    /// else a partial Fisher–Yates shuffle of the round's sampling stream.
    public func sampledClients(round: Int, of clients: Int, sampling: SamplingConfig) -> [Int] {
        let k = sampling.perRound(of: clients)
        guard k < clients else { return Array(0..<clients) }
        var g = self.sampling(round: round)
        var pool = Array(0..<clients)
        for i in 0..<k { pool.swapAt(i, i + g.int(below: clients - i)) }
        return pool[..<k].sorted()
    }
}
