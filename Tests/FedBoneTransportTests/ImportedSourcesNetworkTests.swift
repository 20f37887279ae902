import FedBoneImport
import Foundation
import Testing
@testable import FedBoneTransport

/// A federation of the experiment's scene clients and two clients that bring folders made by
/// the importers (an image folder for classification, an images + masks `pairs` folder for
/// segmentation), at two image sizes, ends over loopback gRPC with `join --data` clients where
/// the simulation of an experiment that describes the same folders does.
@Suite(.serialized) struct ImportedSourcesNetworkTests {
    /// Writes `sample`'s image as an RGB PNG.
    private static func writeImage(_ sample: MultiTaskSample, size: Int, to url: URL) throws {
        let plane = size * size
        let interleaved = (0..<plane).flatMap { p in (0..<3).map { sample.rgb[$0 * plane + p] } }
        try PNGWriter.encode(Raster(width: size, height: size, channels: 3, samples: interleaved)).write(to: url)
    }

    /// An ImageFolder source: the scenes' images sorted into two classes by their style.
    private static func writeImageFolder(to source: URL, size: Int, count: Int) throws {
        let generator = SceneGenerator(height: size, width: size)
        for index in 0..<count {
            let style = index % 2
            let folder = source.appendingPathComponent(style == 0 ? "first" : "second")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try writeImage(generator.sample(seed: 21, index: index, style: style), size: size,
                           to: folder.appendingPathComponent("image-\(index).png"))
        }
    }

    /// A pairs source: scene images beside their segmentation masks (grey PNG labels).
    private static func writePairs(to source: URL, size: Int, count: Int) throws -> [String] {
        let generator = SceneGenerator(height: size, width: size)
        let images = source.appendingPathComponent("images"), masks = source.appendingPathComponent("segmentation")
        for folder in [images, masks] { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) }
        for index in 0..<count {
            let sample = generator.sample(seed: 22, index: index)
            try writeImage(sample, size: size, to: images.appendingPathComponent("\(index).png"))
            let labels = try #require(sample.semantic)
            try PNGWriter.encode(Raster(width: size, height: size, channels: 1, samples: labels))
                .write(to: masks.appendingPathComponent("\(index).png"))
        }
        return try #require(generator.info.tasks.first { $0.kind == .segmentation }?.classes)
    }

    @Test func importedFoldersBesideSceneClientsEndLikeTheSimulationThatDescribesThem() async throws {
        try await run(joinProcess: nil)
    }

    @Test(.enabled(if: NetworkFederationTests.fedboneExecutable != nil, "needs the fedbone executable in .build/debug"))
    func importedFoldersJoinedByFedboneJoinProcessesEndLikeTheSimulation() async throws {
        try await run(joinProcess: try #require(NetworkFederationTests.fedboneExecutable))
    }

    /// Imports both folders, runs the federation (the two `--data` clients as `fedbone join`
    /// processes of `joinProcess` when given) and compares it with the simulation.
    private func run(joinProcess: URL?) async throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("fedbone-imported-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let photoSource = scratch.appendingPathComponent("photos-source"), photos = scratch.appendingPathComponent("photos")
        try Self.writeImageFolder(to: photoSource, size: 20, count: 12)
        _ = try ImageFolderImport(source: photoSource).write(to: photos, options: ImportOptions(size: 24))
        let pairSource = scratch.appendingPathComponent("pairs-source"), parts = scratch.appendingPathComponent("parts")
        let classes = try Self.writePairs(to: pairSource, size: 20, count: 12)
        _ = try PairsImport(source: pairSource, options: PairsOptions(segmentationClasses: classes))
            .write(to: parts, options: ImportOptions(size: 24))

        let server = try ExperimentConfig.load(yaml: OwnDataNetworkTests.serverYAML.replacingOccurrences(of: "synthetic-shapes", with: "scenes"))
        var described = server
        described.tasks += [
            TaskConfig(kind: .classification, clients: 1, name: "photos", data: TaskDataSource(dataset: photos.path)),
            TaskConfig(kind: .segmentation, clients: 1, name: "parts", data: TaskDataSource(dataset: parts.path)),
        ]
        let expected = try NetworkFederationTests.inProcessGeneralModel(described, scratch: scratch)
        let outcome = try await DeploymentLoopback.run(
            experiment: server,
            clients: [.init(name: "segmentation-0"), .init(name: "depth-0"),
                      .init(name: "photos-0", data: .folder(photos, task: .classification, classes: 2), executable: joinProcess),
                      .init(name: "parts-0", data: .folder(parts, task: .segmentation, classes: nil), executable: joinProcess)],
            runDirectory: scratch.appendingPathComponent("serve"))
        let last = try #require(outcome.last)
        NetworkFederationTests.expectClose(try Safetensors.read(contentsOf: last.appendingPathComponent("general.safetensors")), expected)
        #expect(outcome.log.contains { $0.contains("aggregated over segmentation-0, depth-0, photos-0, parts-0") }, "\(outcome.log)")
    }
}
