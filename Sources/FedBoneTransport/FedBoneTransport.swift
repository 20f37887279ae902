@_exported import FedBoneModels
