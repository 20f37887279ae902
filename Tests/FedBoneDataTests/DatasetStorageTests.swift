import Foundation
import Testing
import FedBoneData

@Suite struct DatasetStorageTests {
    @Test func writingAndReadingGivesTheSameDataset() throws {
        let dataset = TestData.scenes(count: 7)
        let folder = try TestData.folder()
        let manifest = try DatasetWriter.write(dataset, to: folder, shardSize: 3, source: ["seed": "4"])
        #expect(manifest.shards.map(\.count) == [3, 3, 1])
        #expect(manifest.imageStyles == dataset.imageStyles)
        let reader = try DatasetReader(directory: folder)
        #expect(reader.info == dataset.info)
        #expect(reader.manifest.source == ["seed": "4"])
        #expect(try reader.loadAll() == dataset)
        #expect(try reader.samples(at: [6, 0, 4]) == [dataset.samples[6], dataset.samples[0], dataset.samples[4]])
        #expect(try reader.sample(at: 5) == dataset.samples[5])
        var seen: [Range<Int>] = []
        try reader.forEachShard { range, samples in
            seen.append(range)
            #expect(samples == Array(dataset.samples[range]))
        }
        #expect(seen == [0..<3, 3..<6, 6..<7])
    }

    @Test func shardsHoldCompactDtypes() throws {
        let folder = try TestData.folder()
        let manifest = try DatasetWriter.write(TestData.scenes(count: 2), to: folder)
        #expect(manifest.tensors["rgb"] == .init(dtype: "U8", shape: [3, 16, 16], scale: 255))
        #expect(manifest.tensors["normals"] == .init(dtype: "I8", shape: [3, 16, 16], scale: 127))
        #expect(manifest.tensors["depth"] == .init(dtype: "F32", shape: [16, 16], scale: 1))
        let size = try FileManager.default.attributesOfItem(atPath: folder.appendingPathComponent(manifest.shards[0].file).path)[.size] as? Int
        // 3 + 1 + 1 + 4 + 3 + 1 + 1 bytes per pixel and one class byte per image, plus the header.
        #expect((size ?? 0) < 2 * (14 * 256 + 1) + 1024)
    }

    @Test func aTruncatedShardGivesAnErrorNamingTheFile() throws {
        let folder = try TestData.folder()
        let manifest = try DatasetWriter.write(TestData.scenes(count: 4), to: folder, shardSize: 2)
        let shard = folder.appendingPathComponent(manifest.shards[1].file)
        let bytes = try Data(contentsOf: shard)
        try bytes.prefix(bytes.count - 100).write(to: shard)
        let reader = try DatasetReader(directory: folder)
        #expect(try reader.sample(at: 0) == reader.shard(0)[0])
        let error = #expect(throws: DatasetError.self) { try reader.sample(at: 3) }
        guard case let .shardUnreadable(path, _)? = error else {
            Issue.record("expected shardUnreadable, got \(String(describing: error))")
            return
        }
        #expect(path == shard.path)
        #expect(error?.description.contains(manifest.shards[1].file) == true)
    }

    @Test func aShardOfTheWrongShapeIsRejected() throws {
        let folder = try TestData.folder()
        let manifest = try DatasetWriter.write(TestData.scenes(count: 2, size: 16), to: folder)
        let other = try TestData.folder("other")
        let otherManifest = try DatasetWriter.write(TestData.scenes(count: 2, size: 8), to: other)
        try FileManager.default.removeItem(at: folder.appendingPathComponent(manifest.shards[0].file))
        try FileManager.default.copyItem(at: other.appendingPathComponent(otherManifest.shards[0].file),
                                         to: folder.appendingPathComponent(manifest.shards[0].file))
        let error = #expect(throws: DatasetError.self) { try DatasetReader(directory: folder).loadAll() }
        guard case let .shardInvalid(path, reason)? = error else {
            Issue.record("expected shardInvalid, got \(String(describing: error))")
            return
        }
        #expect(path.hasSuffix(manifest.shards[0].file))
        #expect(reason.contains("shape"))
    }

    @Test func aMissingOrBadManifestGivesAnErrorNamingIt() throws {
        let folder = try TestData.folder()
        let manifestPath = folder.appendingPathComponent("manifest.json").path
        #expect(throws: DatasetError.manifestMissing(path: manifestPath)) { try DatasetReader(directory: folder) }

        try Data("{\"format\": \"fedbone-multitask\", ".utf8).write(to: folder.appendingPathComponent("manifest.json"))
        let notJSON = #expect(throws: DatasetError.self) { try DatasetReader(directory: folder) }
        guard case let .manifestInvalid(path, _)? = notJSON else {
            Issue.record("expected manifestInvalid, got \(String(describing: notJSON))")
            return
        }
        #expect(path == manifestPath)

        try DatasetWriter.write(TestData.scenes(count: 2), to: folder)
        let url = folder.appendingPathComponent("manifest.json")
        let text = try String(contentsOf: url, encoding: .utf8)
        try text.replacingOccurrences(of: "\"count\" : 2,", with: "\"count\" : 3,").write(to: url, atomically: true, encoding: .utf8)
        let inconsistent = #expect(throws: DatasetError.self) { try DatasetReader(directory: folder) }
        #expect(inconsistent?.description.hasPrefix(manifestPath) == true)

        try text.replacingOccurrences(of: "\"version\" : 1", with: "\"version\" : 9").write(to: url, atomically: true, encoding: .utf8)
        #expect(throws: DatasetError.unsupportedVersion(path: manifestPath, version: 9, supported: 1)) {
            try DatasetReader(directory: folder)
        }
    }

    @Test func writerRejectsSamplesThatDoNotFit() throws {
        var writer = try DatasetWriter(directory: try TestData.folder(), info: SceneGenerator(height: 8, width: 8).info)
        #expect(throws: DatasetError.self) { try writer.append(TestData.scenes(count: 1, size: 16).samples) }
        var partial = TestData.scenes(count: 1, size: 8).samples[0]
        partial.depth = nil
        #expect(throws: DatasetError.self) { try writer.append([partial]) }
    }
}
