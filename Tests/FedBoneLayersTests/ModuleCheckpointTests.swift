import Foundation
import Testing
@testable import FedBoneLayers

private final class Tiny: Module, UnaryLayer {
    let fc1: Linear
    let fc2: Linear
    let runningMean = Buffer(.zeros([2]))
    init(generator: inout SeededGenerator) {
        fc1 = Linear(3, 4, generator: &generator)
        fc2 = Linear(4, 2, bias: false, generator: &generator)
    }
    func callAsFunction(_ x: Tensor) -> Tensor { fc2(fc1(x)) }
}

@Suite struct ModuleCheckpointTests {
    private func temporaryFile() throws -> (URL, () -> Void) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fedbone-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return (dir.appendingPathComponent("tiny.safetensors"), { try? FileManager.default.removeItem(at: dir) })
    }

    @Test func savedModuleLoadsIntoAFreshOne() throws {
        let (url, cleanUp) = try temporaryFile()
        defer { cleanUp() }
        var rng = SeededGenerator(seed: 3)
        let a = Tiny(generator: &rng), b = Tiny(generator: &rng)
        a.runningMean.value = try Tensor(shape: [2], scalars: [0.5, -1])
        try a.save(to: url, metadata: ["format": "pt"])
        let report = try b.load(from: url)
        #expect(report.isExact)
        #expect(report.loaded.count == 4)
        #expect(b.fc1.weight.value.scalars == a.fc1.weight.value.scalars)
        #expect(b.fc2.weight.value.scalars == a.fc2.weight.value.scalars)
        #expect(b.runningMean.value.scalars == [0.5, -1])
        let x = Tensor.ones([2, 3])
        #expect(b(x).scalars == a(x).scalars)
        #expect(b.fc1.weight.value.requiresGrad)
    }

    @Test func strictLoadOfAnotherModelFailsAndChangesNothing() throws {
        let (url, cleanUp) = try temporaryFile()
        defer { cleanUp() }
        var rng = SeededGenerator(seed: 4)
        try Linear(3, 4, generator: &rng).save(to: url)
        let tiny = Tiny(generator: &rng)
        let before = tiny.fc1.weight.value.scalars
        #expect(throws: ModuleError.self) { try tiny.load(from: url) }
        #expect(tiny.fc1.weight.value.scalars == before)
        let report = try tiny.load(from: url, strict: false)
        #expect(report.unexpected == ["bias", "weight"])
        #expect(report.loaded.isEmpty)
    }

    @Test func loadingAMissingFileNamesIt() {
        var rng = SeededGenerator(seed: 5)
        let url = URL(fileURLWithPath: "/nonexistent/tiny.safetensors")
        #expect(throws: SafetensorsError.fileNotFound(source: url.path)) {
            try Tiny(generator: &rng).load(from: url)
        }
    }
}
