@_exported import FedBoneMetrics
@_exported import FedBoneReporting
