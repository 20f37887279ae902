import Foundation
import Testing
@testable import FedBoneImport

/// An import that does not finish leaves nothing behind: its temporary folder is known while
/// it runs (``PendingImports``), and `fedbone data import` removes it on Ctrl-C.
@Suite struct ImportInterruptTests {
    /// The `fedbone` executable the test build produced, if any.
    static var fedboneExecutable: URL? {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let candidate = root.appendingPathComponent(".build/debug/fedbone")
        return FileManager.default.isExecutableFile(atPath: candidate.path) ? candidate : nil
    }

    /// The pending temporary folders under `parent`.
    private func pending(under parent: URL) -> [String] {
        PendingImports.paths.filter { $0.hasPrefix(parent.path + "/") }
    }

    @Test func aRunningImportsTemporaryFolderIsPendingUntilItFinishesOrFails() throws {
        let parent = try Fixtures.scratch()
        let out = parent.appendingPathComponent("fruit")
        var seen: [String] = []
        _ = try ImageFolderImport(source: Fixtures.url("imagefolder"))
            .write(to: out, options: ImportOptions(size: 2)) { _ in seen = pending(under: parent) }
        #expect(seen.count == 1 && seen[0].hasPrefix(parent.appendingPathComponent(".fruit.importing-").path), "\(seen)")
        #expect(pending(under: parent).isEmpty)
        let broken = parent.appendingPathComponent("source/broken")
        try FileManager.default.createDirectory(at: broken, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: Fixtures.url("broken/truncated.png"), to: broken.appendingPathComponent("truncated.png"))
        #expect(throws: ImportError.self) {
            try ImageFolderImport(source: parent.appendingPathComponent("source")).write(to: parent.appendingPathComponent("failed"),
                                                                                         options: ImportOptions(size: 2))
        }
        #expect(pending(under: parent).isEmpty)
        #expect(try Fixtures.contents(parent) == ["fruit", "source"])
    }

    @Test(.enabled(if: fedboneExecutable != nil, "needs the fedbone executable in .build/debug"))
    func ctrlCDuringAnImportRemovesItsTemporaryFolder() throws {
        let executable = try #require(Self.fedboneExecutable)
        let parent = try Fixtures.scratch()
        let png = try Data(contentsOf: Fixtures.url("imagefolder/banana/wide.png"))
        for name in ["wide", "narrow"] {
            let folder = parent.appendingPathComponent("source/\(name)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            for i in 0..<2_000 { try png.write(to: folder.appendingPathComponent("\(i).png")) }
        }
        let process = Process()
        process.executableURL = executable
        process.arguments = ["data", "import", "imagefolder", parent.appendingPathComponent("source").path,
                             "--out", parent.appendingPathComponent("out").path, "--size", "64", "--threads", "1", "--progress", "quiet"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Polls on this thread, not with Task.sleep: the other tests can keep the concurrency
        // pool's threads busy for longer than the import takes.
        let deadline = ContinuousClock.now + .seconds(60)
        while try !Fixtures.contents(parent).contains(where: { $0.hasPrefix(".out.importing-") }), process.isRunning, ContinuousClock.now < deadline {
            usleep(5_000)
        }
        usleep(50_000)
        #expect(process.isRunning, "the import finished before it could be interrupted")
        process.interrupt()
        process.waitUntilExit()
        #expect(process.terminationStatus == 128 + SIGINT)
        #expect(try Fixtures.contents(parent) == ["source"])
    }
}
