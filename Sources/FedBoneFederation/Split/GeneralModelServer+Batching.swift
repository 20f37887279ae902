import Foundation

/// One client's Forward in a batched server pass (``GeneralModelServer/forward(batch:)``).
public struct ForwardRequest {
    public var client: ClientID
    public var round: Int
    public var step: Int
    public var embeddings: Tensor
    public var lengths: [Int]?

    public init(client: ClientID, round: Int, step: Int, embeddings: Tensor, lengths: [Int]?) {
        self.client = client
        self.round = round
        self.step = step
        self.embeddings = embeddings
        self.lengths = lengths
    }
}

/// One client's Backward in a batched server pass (``GeneralModelServer/backward(batch:)``).
public struct BackwardRequest {
    public var client: ClientID
    public var round: Int
    public var step: Int
    public var featureGradient: Tensor

    public init(client: ClientID, round: Int, step: Int, featureGradient: Tensor) {
        self.client = client
        self.round = round
        self.step = step
        self.featureGradient = featureGradient
    }
}

/// A general-model service that also takes the Forwards (and Backwards) of several clients'
/// steps at once, each request answered as its single call would be.
public protocol BatchedGeneralModelService: GeneralModelService {
    /// Answers `requests` (of distinct clients), in order.
    func forward(batch requests: [ForwardRequest]) -> [Result<Tensor, any Error>]
    /// Answers `requests` (of distinct clients), in order.
    func backward(batch requests: [BackwardRequest]) -> [Result<Tensor, any Error>]
}

/// One general-model pass over the concatenated embeddings of several clients' steps: its
/// graph (or, with recomputation, its input alone), kept until the members' Backwards.
final class BatchedPass {
    /// The members in batch order, with their steps and sample counts.
    let members: [ClientID]
    let steps: [Int]
    let counts: [Int]
    /// The segments the forward pass ran under (their leaves hold the parameter gradients).
    var segments: BatchSegments
    var input: Tensor
    let lengths: [Int]?
    /// The features, or the graph to them (set by the pass once it has run).
    var output = Tensor.zeros([0])
    let recompute: Bool

    init(members: [ClientID], steps: [Int], counts: [Int], segments: BatchSegments, input: Tensor, lengths: [Int]?, recompute: Bool) {
        self.members = members
        self.steps = steps
        self.counts = counts
        self.segments = segments
        self.input = input
        self.lengths = lengths
        self.recompute = recompute
    }

    /// Member k's rows along the batch dimension.
    func rows(of k: Int) -> Range<Int> {
        let start = counts[..<k].reduce(0, +)
        return start..<(start + counts[k])
    }
}

/// Batched server passes (`server.batchClients`): in gradient mode every client's step runs
/// at θ^t, so the Forwards of several clients for the same step can run as one pass over their
/// concatenated embeddings, and their Backwards as one backward pass. ``BatchSegments`` keeps
/// each client's parameter gradient apart, so each still gets its own Δ_k, and each sample's
/// features and embedding gradient are those of a pass over its client's batch alone (to float
/// tolerance: the GEMMs see more rows).
extension GeneralModelServer: BatchedGeneralModelService {
    /// Whether ``forward(batch:)`` can join clients' steps into one pass: gradient mode (in
    /// replica mode every client has its own replica).
    public var canBatchPasses: Bool { update == .gradient }

    /// Whether `client` has a Forward awaiting its Backward.
    public func awaitsBackward(_ client: ClientID) -> Bool { pending[client] != nil }

    /// The batched pass `client`'s pending step belongs to (an identity to group Backwards by)
    /// and its members still awaiting their Backwards (`client` among them); nil when the step
    /// is not part of a batched pass.
    public func batchedPass(of client: ClientID) -> (pass: ObjectIdentifier, awaiting: [ClientID])? {
        guard let pass = pending[client]?.group else { return nil }
        return (ObjectIdentifier(pass), pass.members.filter { pending[$0]?.group === pass })
    }

    /// Runs the Forwards `requests` (of different clients), as one general-model pass for
    /// those that are new steps with embeddings of one shape per sample (and lengths for all or
    /// none), and one at a time otherwise (retries, replica mode). Each client's samples draw
    /// their stochastic depth from that client's own stream, as its pass alone would.
    /// Each request gets what ``forward(client:round:step:embeddings:lengths:)`` would answer;
    /// a refused request changes nothing for the others.
    public func forward(batch requests: [ForwardRequest]) -> [Result<Tensor, any Error>] {
        var results = [Result<Tensor, any Error>?](repeating: nil, count: requests.count)
        var groups: [[Int]] = []
        var groupKeys: [[Int]] = []
        var seen = Set<ClientID>()
        for (i, r) in requests.enumerated() {
            guard seen.insert(r.client).inserted else {
                results[i] = .failure(GeneralModelServiceError.outOfOrder(client: r.client, reason: "two Forwards of one client in one batch"))
                continue
            }
            guard canBatchPasses, pending[r.client] == nil else { continue }
            do {
                try checkParticipant(r.client, round: r.round)
                try validate(r.embeddings, lengths: r.lengths, of: r.client)
            } catch {
                results[i] = .failure(error)
                continue
            }
            let key = Array(r.embeddings.shape.dropFirst()) + [r.lengths == nil ? 0 : 1]
            if let g = groupKeys.firstIndex(of: key) { groups[g].append(i) } else {
                groupKeys.append(key)
                groups.append([i])
            }
        }
        for group in groups where group.count > 1 {
            for (i, result) in zip(group, runPass(group.map { requests[$0] })) { results[i] = result }
        }
        return requests.indices.map { i in
            if let result = results[i] { return result }
            let r = requests[i]
            return Result { try forward(client: r.client, round: r.round, step: r.step, embeddings: r.embeddings, lengths: r.lengths) }
        }
    }

    /// One forward pass over `requests` (validated new steps of distinct participants).
    private func runPass(_ requests: [ForwardRequest]) -> [Result<Tensor, any Error>] {
        do { for r in requests { try prepareGradientSum(r.client) } } catch {
            return requests.map { _ in .failure(error) }
        }
        let counts = requests.map { $0.embeddings.shape[0] }
        let segments = BatchSegments(counts: counts)
        let joined = Tensor.concatenate(requests.map { $0.embeddings.detached() }, axis: 0)
        let lengths = requests[0].lengths == nil ? nil : requests.flatMap { $0.lengths ?? [] }
        clearGradients(of: model)
        let input = recomputeActivations ? joined : joined.requiringGrad()
        let pass = BatchedPass(members: requests.map(\.client), steps: requests.map(\.step), counts: counts, segments: segments,
                               input: input, lengths: lengths, recompute: recomputeActivations)
        reseedDropPath(for: pass)
        pass.output = recomputeActivations ? withoutGrad { segments.run { model(input, lengths: lengths) } }
                                           : segments.run { model(input, lengths: lengths) }
        batchedPasses += 1
        let features = pass.output.detached()
        return requests.enumerated().map { k, r in
            let part = features.slice(axis: 0, pass.rows(of: k))
            guard part.scalars.allSatisfy(\.isFinite) else {
                return .failure(GeneralModelServiceError.nonFiniteFeatures(client: r.client))
            }
            pending[r.client] = PendingStep(step: r.step, input: r.embeddings.detached(), lengths: r.lengths, output: part,
                                            recompute: true, group: pass)
            return .success(part)
        }
    }

    /// Runs the Backwards `requests` (of different clients): those whose Forwards ran as one
    /// pass run as one backward pass, the others one at a time. Each request gets what
    /// ``backward(client:round:step:featureGradient:)`` would answer. A member of a pass that
    /// sends no Backward here (or whose gradients come out non-finite) keeps its step pending,
    /// to be recomputed alone when its Backward comes.
    public func backward(batch requests: [BackwardRequest]) -> [Result<Tensor, any Error>] {
        var results = [Result<Tensor, any Error>?](repeating: nil, count: requests.count)
        var passes: [(pass: BatchedPass, members: [ClientID: (index: Int, gradient: Tensor)])] = []
        var seen = Set<ClientID>()
        for (i, r) in requests.enumerated() {
            guard seen.insert(r.client).inserted else {
                results[i] = .failure(GeneralModelServiceError.outOfOrder(client: r.client, reason: "two Backwards of one client in one batch"))
                continue
            }
            do {
                try checkParticipant(r.client, round: r.round)
                guard let pass = try pendingStep(client: r.client, step: r.step, featureGradient: r.featureGradient).group else { continue }
                if let p = passes.firstIndex(where: { $0.pass === pass }) {
                    passes[p].members[r.client] = (i, r.featureGradient)
                } else {
                    passes.append((pass, [r.client: (i, r.featureGradient)]))
                }
            } catch {
                results[i] = .failure(error)
            }
        }
        for (pass, members) in passes {
            for (client, result) in runBackward(pass, gradients: members.mapValues(\.gradient)) {
                if let index = members[client]?.index { results[index] = result }
            }
        }
        return requests.indices.map { i in
            if let result = results[i] { return result }
            let r = requests[i]
            return Result { try backward(client: r.client, round: r.round, step: r.step, featureGradient: r.featureGradient) }
        }
    }

    /// Seeds each member's drop-path draws for its segment of `pass` (nothing without stochastic depth).
    private func reseedDropPath(for pass: BatchedPass) {
        guard model.generalConfiguration.dropPathRate > 0 else { return }
        model.reseedDropPath(segments: zip(pass.members, pass.steps).map { dropPathGenerator(client: $0, step: $1) })
    }

    /// One backward pass through `pass` from the members' feature gradients (zero for a
    /// member without one); each member's parameter gradient goes to its own sum.
    private func runBackward(_ pass: BatchedPass, gradients: [ClientID: Tensor]) -> [ClientID: Result<Tensor, any Error>] {
        if pass.recompute {
            reseedDropPath(for: pass)
            pass.segments = BatchSegments(counts: pass.counts)
            pass.input = pass.input.detached().requiringGrad()
            pass.output = pass.segments.run { model(pass.input, lengths: pass.lengths) }
        }
        let memberShape = { (k: Int) in [pass.counts[k]] + Array(pass.output.shape.dropFirst()) }
        let seed = Tensor.concatenate(pass.members.indices.map { k in gradients[pass.members[k]]?.detached() ?? .zeros(memberShape(k)) }, axis: 0)
        pass.output.backward(seed)
        precondition(modelParameters.allSatisfy { $0.grad == nil },
                     "GeneralModelServer: a layer of the general model does not keep per-client gradients in a batched pass")
        let embeddingGradient = pass.input.grad ?? .zeros(pass.input.shape)
        var results: [ClientID: Result<Tensor, any Error>] = [:]
        for (k, member) in pass.members.enumerated() {
            // A member without a Backward here, or already dropped, leaves the pass.
            guard gradients[member] != nil, pending[member]?.group === pass else {
                if pending[member]?.group === pass { pending[member]?.group = nil }
                continue
            }
            let part = embeddingGradient.slice(axis: 0, pass.rows(of: k))
            let grads = modelParameters.map { pass.segments.gradient(of: $0.value, segment: k) }
            guard part.scalars.allSatisfy(\.isFinite), grads.allSatisfy({ $0?.scalars.allSatisfy(\.isFinite) ?? true }) else {
                pending[member]?.group = nil
                results[member] = .failure(GeneralModelServiceError.nonFiniteGradients(client: member))
                continue
            }
            pending[member] = nil
            accumulate(member, gradients: grads)
            batches[member, default: 0] += 1
            results[member] = .success(part)
        }
        pass.input = pass.input.detached()
        pass.output = pass.output.detached()
        return results
    }
}
