@_exported import FedBoneTensor
