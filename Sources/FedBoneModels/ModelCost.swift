import FedBoneLayers

/// Parameters and forward cost of the two sides of the split, like the paper's Table 3.
///
/// Costs are multiply-adds per sample, measured by running one forward pass (batch 1) with
/// ``FlopCounter``; "GFLOPs" in the tables is multiply-adds × 10⁻⁹, the convention of the
/// papers and of fvcore.
public struct SplitCost: Sendable, Equatable, Codable {
    /// Trainable scalars on the client (embedding, adaptation module, head).
    public var clientParameters: Int
    /// Forward multiply-adds per sample on the client.
    public var clientMultiplyAdds: Int
    /// Trainable scalars of the general model on the server.
    public var serverParameters: Int
    /// Forward multiply-adds per sample on the server.
    public var serverMultiplyAdds: Int

    /// Measures a client model and a general model by running one sample through them.
    public static func measure(client: ClientModel, general: any GeneralModel, inChannels: Int = 3) -> SplitCost {
        let image = Tensor.zeros([1, inChannels, client.imageSize.height, client.imageSize.width])
        let modes = (client.isTraining, general.isTraining)
        defer {
            client.train(modes.0)
            general.train(modes.1)
        }
        client.eval()
        general.eval()
        return withoutGrad {
            let (embedMACs, embeddings) = FlopCounter.count { client.embed(image) }
            let (serverMACs, features) = FlopCounter.count { general(embeddings) }
            let (headMACs, _) = FlopCounter.count { client.predict(features: features) }
            return SplitCost(clientParameters: client.parameterCount, clientMultiplyAdds: embedMACs + headMACs,
                             serverParameters: general.parameterCount, serverMultiplyAdds: serverMACs)
        }
    }

    /// Measures a text client and a transformer general model by running one sequence of
    /// `length` tokens through them.
    public static func measure(textClient client: TextClientModel, general: TransformerEncoder, length: Int) -> SplitCost {
        let modes = (client.isTraining, general.isTraining)
        defer {
            client.train(modes.0)
            general.train(modes.1)
        }
        client.eval()
        general.eval()
        let batch = TokenBatch([[Int](repeating: 0, count: length)], padding: 0, maxLength: length)
        return withoutGrad {
            let (embedMACs, embeddings) = FlopCounter.count { client.embed(batch) }
            let (serverMACs, features) = FlopCounter.count { general(embeddings, lengths: batch.lengths) }
            let (headMACs, _) = FlopCounter.count { client.predict(features: features, lengths: batch.lengths) }
            return SplitCost(clientParameters: client.parameterCount, clientMultiplyAdds: embedMACs + headMACs,
                             serverParameters: general.parameterCount, serverMultiplyAdds: serverMACs)
        }
    }
}
