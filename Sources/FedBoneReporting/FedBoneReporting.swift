@_exported import FedBoneMetrics
