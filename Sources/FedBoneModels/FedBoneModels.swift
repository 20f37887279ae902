@_exported import FedBoneLayers
