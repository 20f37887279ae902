import Foundation
import Testing
import FedBoneData

/// Datasets written by the Python importers (`tools/import_nyud.py`,
/// `tools/import_pascal_context.py`) from the fake benchmark layouts of
/// `tools/test_importers.py`, committed under `Fixtures/python-*` (regenerate with
/// `python3 tools/test_importers.py --write-fixtures`). They prove that the importers write the
/// format `DatasetReader` reads.
@Suite struct PythonImportedDatasetTests {
    static func fixture(_ name: String) throws -> DatasetReader {
        let folder = try #require(Bundle.module.url(forResource: "Fixtures", withExtension: nil), "Fixtures folder missing from the test bundle")
        return try DatasetReader(directory: folder.appendingPathComponent(name))
    }

    // The fake NYUD layout: 4 images of 12×16, values a function of (image n, row y, column x).
    static let height = 12, width = 16

    static func rgb(_ n: Int, _ c: Int, _ y: Int, _ x: Int) -> UInt8 { UInt8([16 * x + n, 20 * y, 60 * n][c]) }
    static func semantic(_ n: Int, _ y: Int, _ x: Int) -> UInt8 {
        let raw = (x + 2 * y + n) % 41  // NYUD: 0 = void → 255, class k → k − 1
        return raw == 0 ? 255 : UInt8(raw - 1)
    }
    static func depth(_ n: Int, _ y: Int, _ x: Int) -> Float { y == 0 ? 0 : 1 + 0.5 * Float(n) + 0.125 * Float(x) }
    static func normal(_ y: Int, _ x: Int) -> [Int8] { y == height - 1 ? [0, 0, 0] : x < 8 ? [0, 0, 127] : [76, 0, 102] }
    static func boundary(_ n: Int, _ y: Int, _ x: Int) -> UInt8 { x == 3 + n || y == 5 ? 1 : 0 }

    @Test func theNYUDImportOpensWithItsSizeTasksAndSplits() throws {
        let reader = try Self.fixture("python-nyud")
        #expect(reader.count == 4)
        #expect(reader.info.name == "nyud-v2")
        #expect(reader.info.height == Self.height && reader.info.width == Self.width)
        #expect(reader.info.tasks.map(\.kind) == [.segmentation, .depth, .normals, .boundaries])
        #expect(reader.info.task(.segmentation)?.classes?.count == 40)
        #expect(reader.info.task(.segmentation)?.classes?.first == "wall")
        #expect(reader.info.taskSpecs.map(\.classes) == [40, 0, 0, 0])
        #expect(reader.info.styles == ["default"])
        #expect(reader.manifest.imageStyles == [0, 0, 0, 0])
        #expect(reader.manifest.splits == ["train": [0, 1, 2], "test": [3]])
        #expect(reader.manifest.shards.map(\.count) == [3, 1])
        #expect(reader.manifest.tensors["rgb"] == .init(dtype: "U8", shape: [3, 12, 16], scale: 255))
        #expect(reader.manifest.tensors["semantic"] == .init(dtype: "U8", shape: [12, 16], scale: 1))
        #expect(reader.manifest.tensors["depth"] == .init(dtype: "F32", shape: [12, 16], scale: 1))
        #expect(reader.manifest.tensors["normals"] == .init(dtype: "I8", shape: [3, 12, 16], scale: 127))
        #expect(reader.manifest.tensors["boundaries"] == .init(dtype: "U8", shape: [12, 16], scale: 1))
        #expect(reader.manifest.source == ["importer": "tools/import_nyud.py", "layout": "NYUD_MT"])
    }

    @Test func theNYUDImportHoldsTheFakeLayoutsValuesExactly() throws {
        let dataset = try Self.fixture("python-nyud").loadAll()
        let h = Self.height, w = Self.width, plane = h * w
        for (n, sample) in dataset.samples.enumerated() {
            var rgb: [UInt8] = [], semantic: [UInt8] = [], depth: [Float] = [], boundaries: [UInt8] = []
            var normals = [Int8](repeating: 0, count: 3 * plane)
            for c in 0..<3 { for y in 0..<h { for x in 0..<w { rgb.append(Self.rgb(n, c, y, x)) } } }
            for y in 0..<h {
                for x in 0..<w {
                    semantic.append(Self.semantic(n, y, x))
                    depth.append(Self.depth(n, y, x))
                    boundaries.append(Self.boundary(n, y, x))
                    for (c, v) in Self.normal(y, x).enumerated() { normals[c * plane + y * w + x] = v }
                }
            }
            #expect(sample.rgb == rgb, "image \(n)")
            #expect(sample.semantic == semantic, "image \(n)")
            #expect(sample.depth == depth, "image \(n)")
            #expect(sample.normals == normals, "image \(n)")
            #expect(sample.boundaries == boundaries, "image \(n)")
            #expect(sample.parts == nil && sample.saliency == nil && sample.imageClass == nil)
            #expect(sample.style == 0)
        }
        #expect(dataset.samples[0].semantic?[0] == 255)  // void at (0, 0) of image 0
        #expect(dataset.samples[3].normal(at: 8) == SIMD3<Float>(76, 0, 102) / (76 * 76 + 102 * 102 as Float).squareRoot())
    }

    @Test func clientsOfTheNYUDImportGiveBatches() throws {
        let reader = try Self.fixture("python-nyud")
        let clients = try ScenePartition.make(reader: reader, tasks: reader.info.taskSpecs, clientsPerTask: 2,
                                              disjointTasks: false, augmentation: .none, seed: 3)
        #expect(clients.map(\.name) == ["segmentation-0", "segmentation-1", "depth-0", "depth-1",
                                        "normals-0", "normals-1", "boundaries-0", "boundaries-1"])
        #expect(clients.allSatisfy { $0.trainCount == 1 && $0.testCount == 1 })
        let h = Self.height, w = Self.width
        for client in clients {
            var generator = SeededGenerator(seed: 5)
            let batches = client.trainBatches(batchSize: 4, generator: &generator)
            #expect(batches.count == 1)
            #expect(batches[0].images.shape == [1, 3, h, w])
            let test = try #require(client.testBatches(batchSize: 4).first)
            let n = client.testIndices[0]
            #expect(test.images.shape == [1, 3, h, w])
            #expect(test.images.scalars[0] == Float(Self.rgb(n, 0, 0, 0)) / 255)
            switch (client.task.kind, test.target) {
            case let (.segmentation, .labels(labels)):
                #expect(labels == (0..<(h * w)).map { Int(Self.semantic(n, $0 / w, $0 % w)) })
            case let (.depth, .map(map)):
                #expect(map.shape == [1, 1, h, w])
                #expect(map.scalars == (0..<(h * w)).map { Self.depth(n, $0 / w, $0 % w) })
            case let (.normals, .map(map)):
                #expect(map.shape == [1, 3, h, w])
                #expect(map.scalars[2 * h * w] == 1)              // z of pixel (0, 0): (0, 0, 1)
                #expect(map.scalars[(h - 1) * w] == 0)            // last row invalid
            case let (.boundaries, .map(map)):
                #expect(map.scalars == (0..<(h * w)).map { Float(Self.boundary(n, $0 / w, $0 % w)) })
            default:
                Issue.record("client \(client.name) has target \(test.target)")
            }
        }
    }

    @Test func thePASCALImportOpensWithItsTasksAndValues() throws {
        let reader = try Self.fixture("python-pascal")
        #expect(reader.count == 3)
        #expect(reader.info.name == "pascal-context")
        #expect(reader.info.height == 8 && reader.info.width == 10)
        #expect(reader.info.tasks.map(\.kind) == [.segmentation, .parts, .saliency, .normals, .boundaries])
        #expect(reader.info.taskSpecs.map(\.classes) == [21, 7, 0, 0, 0])
        #expect(reader.manifest.splits == ["train": [0, 1], "test": [2]])
        let samples = try reader.loadAll().samples
        var semantic: [UInt8] = (0..<80).map { $0 % 10 >= 5 ? 15 : 0 }  // person on the right half
        semantic[0] = 255
        #expect(samples.allSatisfy { $0.semantic == semantic })
        #expect(samples[0].parts?[0] == 1 && samples[0].parts?[20] == 3)  // head, left upper arm
        #expect(samples[2].parts == [UInt8](repeating: 255, count: 80))   // no person annotation
        #expect(samples.allSatisfy { $0.saliency == (0..<80).map { $0 >= 40 ? 1 : 0 } })
        #expect(samples.allSatisfy { $0.boundaries == (0..<80).map { $0 % 10 == 4 ? 1 : 0 } })
        #expect(samples[1].normal(at: 0) == SIMD3<Float>(0, 0, 1))
        #expect(samples[1].normal(at: 5) == .zero)                        // LabelMap 2: no normals
        let clients = try ScenePartition.make(reader: reader, tasks: [TaskSpec(.parts, classes: 7)], clientsPerTask: 1, seed: 1)
        #expect(clients.count == 1 && clients[0].trainCount == 2 && clients[0].testCount == 1)
    }
}
