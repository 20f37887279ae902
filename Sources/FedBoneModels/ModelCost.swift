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

    /// Measures a client and the general model by running one sample through them: `input`,
    /// or (nil) the longest the client sends (``InputDescription/probe`` of its ``SplitClientModel/input``).
    public static func measure(client: any SplitClientModel, general: any GeneralModel, input: ModelInput? = nil) -> SplitCost {
        let sample = input ?? client.input.probe
        return measure(client: client, general: general, embed: { client.embed(sample) },
                       serve: { general($0, lengths: sample.lengths) },
                       predict: { client.predict(features: $0, input: sample) })
    }

    /// Counts the three steps of one sample's forward pass in evaluation mode, without a graph,
    /// and puts both modules back in the mode they were in.
    private static func measure(client: Module, general: Module, embed: () -> Tensor, serve: (Tensor) -> Tensor,
                                predict: (Tensor) -> Tensor) -> SplitCost {
        let modes = (client.isTraining, general.isTraining)
        defer {
            client.train(modes.0)
            general.train(modes.1)
        }
        client.eval()
        general.eval()
        return withoutGrad {
            let (embedMACs, embeddings) = FlopCounter.count(embed)
            let (serverMACs, features) = FlopCounter.count { serve(embeddings) }
            let (headMACs, _) = FlopCounter.count { predict(features) }
            return SplitCost(clientParameters: client.parameterCount, clientMultiplyAdds: embedMACs + headMACs,
                             serverParameters: general.parameterCount, serverMultiplyAdds: serverMACs)
        }
    }
}
