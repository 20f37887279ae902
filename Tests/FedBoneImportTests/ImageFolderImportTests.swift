import Foundation
import Testing
import FedBoneImport

@Suite struct ImageFolderImportTests {
    @Test func classesAreTheSortedSubfoldersAndTheDatasetReadsBack() throws {
        let source = try ImageFolderImport(source: Fixtures.url("imagefolder"))
        #expect(source.classes == ["apple", "banana"])
        #expect(source.images.map(\.file.lastPathComponent) == ["photo.jpg", "red-green.png", "grey.png", "wide.png"])
        let out = try Fixtures.scratch().appendingPathComponent("fruit")
        var reported: [Int] = []
        let manifest = try source.write(to: out, options: ImportOptions(size: 2, fit: .crop, shardSize: 3, name: "fruit")) {
            reported.append($0)
        }
        #expect(reported == [3, 4])
        #expect(manifest.count == 4 && manifest.name == "fruit" && manifest.shards.map(\.count) == [3, 1])
        #expect(manifest.tasks == [DatasetTask(kind: .classification, classes: ["apple", "banana"])])
        #expect(manifest.source?["importer"] == "fedbone data import imagefolder")
        let reader = try DatasetReader(directory: out)
        #expect(reader.manifest == manifest)
        let samples = try reader.loadAll().samples
        #expect(samples.map(\.imageClass) == [0, 0, 1, 1])
        #expect(samples.allSatisfy { $0.height == 2 && $0.width == 2 })
        #expect(samples[1].rgb == [255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255])
        #expect(samples[2].rgb == [0, 64, 128, 255, 0, 64, 128, 255, 0, 64, 128, 255])
        // The 4×2 image's centred 2×2 square: columns 1 and 2.
        #expect(samples[3].rgb == [40, 70, 160, 190, 50, 80, 170, 200, 60, 90, 180, 210])
    }

    @Test func stretchResizesTheWholeImage() throws {
        let out = try Fixtures.scratch().appendingPathComponent("fruit")
        try ImageFolderImport(source: Fixtures.url("imagefolder")).write(to: out, options: ImportOptions(size: 4))
        let samples = try DatasetReader(directory: out).loadAll().samples
        // The 2×2 red/green/blue/white image upscaled to 4×4: corners keep their colours.
        let red = Array(samples[1].rgb[0..<16])
        #expect(red[0] == 255 && red[3] == 0 && red[12] == 0 && red[15] == 255)
        #expect(red[1] > 0 && red[1] < 255)
    }

    @Test func anEmptyClassFolderIsAnErrorNamingIt() throws {
        let source = try Fixtures.copy("imagefolder")
        let empty = source.appendingPathComponent("cherry")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        try Data("no images here".utf8).write(to: empty.appendingPathComponent("notes.txt"))
        let error = expectImportError(naming: [empty.path, "no PNG or JPEG"]) { _ = try ImageFolderImport(source: source) }
        #expect(error == .emptyClassFolder(path: empty.path))
    }

    @Test func oneClassFolderIsNotEnough() throws {
        let source = try Fixtures.copy("imagefolder")
        try FileManager.default.removeItem(at: source.appendingPathComponent("banana"))
        expectImportError(naming: [source.path, "at least 2"]) { _ = try ImageFolderImport(source: source) }
    }

    @Test func aTruncatedImageStopsTheImportAndLeavesNothingBehind() throws {
        let source = try Fixtures.copy("imagefolder")
        let bad = source.appendingPathComponent("banana/zz-truncated.jpg")
        try Fixtures.replace(bad, with: "broken/truncated.jpg")
        let parent = try Fixtures.scratch()
        let out = parent.appendingPathComponent("fruit")
        expectImportError(naming: [bad.path, "truncated"]) {
            try ImageFolderImport(source: source).write(to: out, options: ImportOptions(size: 2, shardSize: 2))
        }
        #expect(try Fixtures.contents(parent).isEmpty)
    }
}
