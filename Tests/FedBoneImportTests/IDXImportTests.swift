import Foundation
import Testing
import FedBoneImport

@Suite struct IDXImportTests {
    @Test func mnistFilesGiveTrainThenTestPaddedToN() throws {
        let parts = try IDXImport.parts(inFolder: Fixtures.url("idx"))
        #expect(parts.map(\.split) == ["train", "test"])
        #expect(parts[0].images.lastPathComponent == "train-images-idx3-ubyte.gz")
        #expect(parts[1].images.lastPathComponent == "t10k-images-idx3-ubyte")
        let importer = try IDXImport(parts: parts)
        #expect(importer.classes == ["0", "1", "2"] && importer.counts == [3, 2])
        let out = try Fixtures.scratch().appendingPathComponent("digits")
        let manifest = try importer.write(to: out, options: ImportOptions(size: 7, shardSize: 2))
        #expect(manifest.splits == ["train": [0, 1, 2], "test": [3, 4]])
        #expect(manifest.tasks == [DatasetTask(kind: .classification, classes: ["0", "1", "2"])])
        let samples = try DatasetReader(directory: out).loadAll().samples
        #expect(samples.map(\.imageClass) == [2, 0, 1, 1, 2])
        let grey = try Fixtures.expected("idx-train") + Fixtures.expected("idx-test")
        for (k, sample) in samples.enumerated() {
            // 4×4 in 7×7: one row and column before, two after.
            var plane = [UInt8](repeating: 0, count: 49)
            for y in 0..<4 { for x in 0..<4 { plane[(y + 1) * 7 + x + 1] = UInt8(grey[k * 16 + y * 4 + x]) } }
            #expect(sample.rgb == plane + plane + plane)
        }
    }

    @Test func smallerSizesAndResizeResizeTheImages() throws {
        let out = try Fixtures.scratch().appendingPathComponent("digits")
        let importer = try IDXImport(parts: IDXImport.parts(inFolder: Fixtures.url("idx")), resize: true)
        try importer.write(to: out, options: ImportOptions(size: 4))
        let samples = try DatasetReader(directory: out).loadAll().samples
        let grey = try Fixtures.expected("idx-train")
        #expect(samples[0].rgb.prefix(16).map(Int.init) == Array(grey.prefix(16)))
        let half = try Fixtures.scratch().appendingPathComponent("half")
        try IDXImport(parts: IDXImport.parts(inFolder: Fixtures.url("idx"))).write(to: half, options: ImportOptions(size: 2))
        #expect(try DatasetReader(directory: half).sample(at: 0).rgb.count == 12)
    }

    @Test func aTruncatedGzipFileIsAnErrorNamingIt() throws {
        let folder = try Fixtures.url("idx-broken")
        let images = folder.appendingPathComponent("train-images-idx3-ubyte.gz")
        let parent = try Fixtures.scratch()
        expectImportError(naming: [images.path]) {
            try IDXImport(parts: IDXImport.parts(inFolder: folder)).write(to: parent.appendingPathComponent("digits"), options: ImportOptions(size: 4))
        }
        #expect(try Fixtures.contents(parent).isEmpty)
    }

    @Test func badLabelsAndLayoutsAreErrorsNamingTheFile() throws {
        let parts = try IDXImport.parts(inFolder: Fixtures.url("idx"))
        expectImportError(naming: [parts[0].labels.path, "label 2", "item 0"]) { _ = try IDXImport(parts: parts, classes: ["a", "b"]) }
        let swapped = IDXImport.Part(split: nil, images: parts[0].labels, labels: parts[0].images)
        expectImportError(naming: [parts[0].labels.path, "dimensions"]) { _ = try IDXImport(parts: [swapped]) }
        let mismatched = IDXImport.Part(split: nil, images: parts[0].images, labels: parts[1].labels)
        expectImportError(naming: [parts[1].labels.path, "2 labels", "3 images"]) { _ = try IDXImport(parts: [mismatched]) }
        let empty = try Fixtures.scratch()
        expectImportError(naming: [empty.path, "train-images-idx3-ubyte"]) { _ = try IDXImport.parts(inFolder: empty) }
    }
}
