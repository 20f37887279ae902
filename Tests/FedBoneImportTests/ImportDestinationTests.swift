import Foundation
import Testing
import FedBoneImport

@Suite struct ImportDestinationTests {
    private func write(_ out: URL, overwrite: Bool = false, size: Int = 2) throws {
        try ImageFolderImport(source: Fixtures.url("imagefolder")).write(to: out, options: ImportOptions(size: size, overwrite: overwrite))
    }

    @Test func anExistingOutputIsKeptWithoutForce() throws {
        let parent = try Fixtures.scratch()
        let out = parent.appendingPathComponent("fruit")
        try write(out)
        let error = expectImportError(naming: [out.path, "--force"]) { try write(out, size: 3) }
        guard case .outputExists? = error else {
            Issue.record("expected outputExists, got \(String(describing: error))")
            return
        }
        #expect(try DatasetReader(directory: out).info.height == 2)
        #expect(try Fixtures.contents(parent) == ["fruit"])
    }

    @Test func forceReplacesADatasetFolder() throws {
        let parent = try Fixtures.scratch()
        let out = parent.appendingPathComponent("fruit")
        try write(out)
        try write(out, overwrite: true, size: 3)
        #expect(try DatasetReader(directory: out).info.height == 3)
        #expect(try Fixtures.contents(parent) == ["fruit"])
    }

    @Test func forceNeverRemovesAFolderThatIsNoDataset() throws {
        let parent = try Fixtures.scratch()
        let out = parent.appendingPathComponent("documents")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        try Data("keep me".utf8).write(to: out.appendingPathComponent("letter.txt"))
        expectImportError(naming: [out.path, "not a dataset folder"]) { try write(out, overwrite: true) }
        #expect(try Fixtures.contents(out) == ["letter.txt"])
        #expect(try Fixtures.contents(parent) == ["documents"])
    }

    @Test func badOptionsAreRefusedBeforeAnythingIsWritten() throws {
        let parent = try Fixtures.scratch()
        expectImportError(naming: ["--size"]) { try write(parent.appendingPathComponent("fruit"), size: 0) }
        #expect(try Fixtures.contents(parent).isEmpty)
    }
}
