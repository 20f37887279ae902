import FedBoneFederation

/// The key a bad config names when it is loaded and its clients' data are built
/// (``ConfigError/invalidValue(key:message:)``); nil when both succeed; another error's text.
func refusedConfigKey(_ yaml: String) -> String? {
    do {
        let config = try ExperimentConfig.load(yaml: yaml)
        _ = try DatasetFactory.makeClientDatasets(data: config.data, tasks: config.tasks, seed: 0)
        return nil
    } catch let ConfigError.invalidValue(key, _) {
        return key
    } catch {
        return "\(error)"
    }
}
