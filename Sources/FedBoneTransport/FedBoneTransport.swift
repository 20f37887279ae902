@_exported import FedBoneClient
