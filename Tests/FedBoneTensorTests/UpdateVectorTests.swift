import Foundation
import Testing
import FedBoneTensor

/// Update vectors on the heap and spilled to memory-mapped files: the same scalars, the same
/// Gram matrix and combination, no file left behind, and a clear error for a folder that
/// cannot take the file.
@Suite struct UpdateVectorTests {
    static func values(_ count: Int, seed: UInt64) -> [Float] {
        var rng = SeededGenerator(seed: seed)
        return Tensor.randn([count], generator: &rng).scalars
    }

    @Test func aSpilledVectorHoldsWhatAHeapVectorHoldsAndLeavesNoFile() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fedbone-spill-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let a = Self.values(5000, seed: 1), b = Self.values(5000, seed: 2)
        let heap = try UpdateVector(copying: a, spillDirectory: nil)
        let spilled = try UpdateVector(copying: a, spillDirectory: folder)
        #expect(!heap.isSpilled && spilled.isSpilled)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty, "the file is unlinked at once")
        for vector in [heap, spilled] {
            vector.add(b)
            vector.subtract(from: a)
            vector.divide(by: 4)
        }
        let expected = zip(a, b).map { x, y in (x - (x + y)) / 4 }
        #expect(heap.array == expected)
        spilled.releaseResidentPages()
        #expect(spilled.array == expected, "dropped pages come back from the file")
        let zeros = try UpdateVector(zeros: 3, spillDirectory: folder)
        #expect(zeros.array == [0, 0, 0])
        #expect(try UpdateVector(zeros: 0, spillDirectory: folder).array.isEmpty)
    }

    @Test func gramAndCombinationOfSpilledVectorsEqualThoseOfArrays() throws {
        let arrays = (0..<3).map { Self.values(4099, seed: UInt64(10 + $0)) }
        let spilled = try arrays.map { try UpdateVector(copying: $0, spillDirectory: FileManager.default.temporaryDirectory) }
        #expect(VectorGram.gram(spilled.map(\.readable)) == VectorGram.gram(arrays))
        let c = [0.5, -1.25, 2.0]
        #expect(VectorGram.combination(c, of: spilled.map(\.readable)) == VectorGram.combination(c, of: arrays))
    }

    @Test func aFolderThatCannotTakeTheFileIsAClearError() {
        do {
            _ = try UpdateVector(zeros: 10, spillDirectory: URL(fileURLWithPath: "/nonexistent/fedbone"))
            Issue.record("a spill into a missing folder succeeded")
        } catch {
            #expect("\(error)".contains("/nonexistent/fedbone") && "\(error)".contains("server.spillDirectory"), "\(error)")
        }
    }
}
