@_exported import FedBoneFederation
