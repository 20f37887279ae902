@_exported import FedBoneData
