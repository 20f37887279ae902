import Foundation
import Testing
@testable import FedBoneTensor

/// Files crossing between PyTorch's safetensors library and ours.
@Suite struct PythonInteropTests {
    @Test func pythonWrittenFileReadsWithTheExpectedValues() throws {
        let url = try ParityFixture.url("python_written.safetensors")
        let (tensors, metadata) = try Safetensors.readWithMetadata(contentsOf: url)
        #expect(metadata == ["format": "pt", "producer": "make_fixtures.py"])
        #expect(tensors.keys.sorted() == ["bf16", "counter", "empty", "f16", "f16_special", "f32", "scalar"])

        #expect(tensors["f32"]?.shape == [2, 3, 4])
        #expect(tensors["f32"]?.scalars == (0..<24).map { Float($0) * 0.5 - 3 })
        #expect(tensors["f16"]?.shape == [3, 4])
        #expect(tensors["f16"]?.scalars == (0..<12).map { (Float($0) - 6) * 0.25 })
        #expect(tensors["bf16"]?.shape == [2, 5])
        #expect(tensors["bf16"]?.scalars == (0..<10).map { (Float($0) - 5) * 1.5 })
        #expect(tensors["scalar"]?.shape == [])
        #expect(tensors["scalar"]?.scalars == [3.25])
        #expect(tensors["empty"]?.shape == [0, 4])
        #expect(tensors["counter"]?.scalars == [7])

        let special = try #require(tensors["f16_special"]).scalars
        #expect(special.count == 6)
        #expect(special[0] == .infinity && special[1] == -.infinity && special[2].isNaN)
        #expect(special[3] == 0x1p-24 && special[4] == 65504)
        #expect(special[5] == 0 && special[5].sign == .minus)
    }

    /// The tensors that `tools/check_swift_safetensors.py` expects in a Swift-written file.
    static func swiftWrittenTensors() throws -> [String: Tensor] {
        [
            "arange": try Tensor(shape: [2, 3, 4], scalars: (0..<24).map { Float($0) * 0.25 - 1 }),
            "blocks.0.attn.qkv.weight": try Tensor(shape: [6, 2], scalars: (0..<12).map { (Float($0) - 6) / 8 }),
            "scalar": Tensor(3.5),
            "empty": .zeros([0, 3]),
            "special": try Tensor(shape: [5], scalars: [.nan, .infinity, -.infinity, -0.0, .leastNonzeroMagnitude]),
        ]
    }

    /// Writes `swift_written.safetensors`; with `FEDBONE_SAFETENSORS_OUT=<folder>` it is also
    /// copied there, for `python3 tools/check_swift_safetensors.py <folder>/swift_written.safetensors`.
    @Test func swiftWrittenFileMatchesPythonExpectations() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let url = dir.file("swift_written.safetensors")
        let tensors = try Self.swiftWrittenTensors()
        try Safetensors.write(tensors, metadata: ["format": "pt", "producer": "FedBone-Swift"], to: url)
        let read = try Safetensors.read(contentsOf: url)
        for (name, tensor) in tensors {
            #expect(read[name]?.shape == tensor.shape)
            #expect(read[name]?.scalars.map(\.bitPattern) == tensor.scalars.map(\.bitPattern))
        }
        if let folder = ProcessInfo.processInfo.environment["FEDBONE_SAFETENSORS_OUT"] {
            let destination = URL(fileURLWithPath: folder).appendingPathComponent("swift_written.safetensors")
            try? FileManager.default.removeItem(at: destination)
            try FileManager.default.copyItem(at: url, to: destination)
        }
    }
}
