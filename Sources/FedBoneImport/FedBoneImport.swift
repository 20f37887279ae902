@_exported import FedBoneData

// FedBoneImport converts folders of ordinary files into the FedBone dataset format
// (docs/data.md, "Importers"): ``ImageFolderImport`` (one folder of PNG/JPEG files per class),
// ``PairsImport`` (images plus per-pixel ground-truth PNGs) and ``IDXImport`` (MNIST-style IDX
// files). Images are decoded by libpng and libjpeg-turbo through the C shim `CImageCodecs`,
// gzip by zlib; datasets are written shard by shard with `DatasetWriter` into a temporary
// sibling folder that is renamed into place only when complete.
//
// The target is kept apart from FedBoneData so that the library products an edge app embeds
// (FedBoneClient and below) do not link the image libraries.
