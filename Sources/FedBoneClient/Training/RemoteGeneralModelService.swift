import Dispatch
import Synchronization

/// The federation's ``GeneralModelService`` over gRPC: what a ``TaskClient`` in `fedbone join`
/// trains through, unchanged from the in-process simulation.
///
/// `GeneralModelService` is synchronous and the gRPC client is async, so each call runs the
/// async call in a task and waits for it. Use it only from a thread of your own (not from a
/// Swift concurrency task), as ``FederationClientRunner`` does. The `client` argument of each
/// call is ignored: the server knows the caller from its token.
public final class RemoteGeneralModelService: GeneralModelService {
    /// The connection to the server.
    public let connection: FedBoneTransportClient
    /// The answer of the latest EndRound barrier.
    public private(set) var lastBarrier: RoundBarrierResult?

    /// A service over a client that has joined.
    public init(connection: FedBoneTransportClient) {
        self.connection = connection
    }

    public func forward(client: ClientID, round: Int, step: Int, embeddings: Tensor, lengths: [Int]?) throws -> Tensor {
        let input = TensorValue(embeddings), connection = self.connection
        return try Self.blocking {
            TensorValue(try await connection.forward(round: round, step: step, embeddings: input.tensor, lengths: lengths))
        }.tensor
    }

    public func backward(client: ClientID, round: Int, step: Int, featureGradient: Tensor) throws -> Tensor {
        let input = TensorValue(featureGradient), connection = self.connection
        return try Self.blocking {
            TensorValue(try await connection.backward(round: round, step: step, featureGradient: input.tensor))
        }.tensor
    }

    public func infer(client: ClientID, embeddings: Tensor, lengths: [Int]?) throws -> Tensor {
        let input = TensorValue(embeddings), connection = self.connection
        return try Self.blocking { TensorValue(try await connection.infer(embeddings: input.tensor, lengths: lengths)) }.tensor
    }

    public func endRound(client: ClientID, round: Int) throws -> Int {
        let connection = self.connection
        let result = try Self.blocking { try await connection.endRound(round: round) }
        lastBarrier = result
        return result.nextRound
    }

    /// Runs `body` in a task and blocks the calling thread until it finishes.
    public static func blocking<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
        let semaphore = DispatchSemaphore(value: 0)
        let outcome = Mutex<Result<T, any Error>?>(nil)
        Task {
            let result: Result<T, any Error>
            do { result = .success(try await body()) } catch { result = .failure(error) }
            outcome.withLock { $0 = result }
            semaphore.signal()
        }
        semaphore.wait()
        guard let result = outcome.withLock({ $0 }) else { preconditionFailure("RemoteGeneralModelService: the call ended without a result") }
        return try result.get()
    }
}

/// A tensor's shape and values, detached from any autograd graph, to cross task boundaries.
struct TensorValue: Sendable {
    var shape: [Int]
    var scalars: [Float]

    init(_ tensor: Tensor) {
        shape = tensor.shape
        scalars = tensor.scalars
    }

    var tensor: Tensor { Tensor(uncheckedShape: shape, scalars: scalars) }
}
