import Foundation
import Testing
import FedBoneImport

@Suite struct PairsImportTests {
    private let classes = ["0", "1", "2", "3"]

    private func importPairs(_ source: URL, size: Int = 4, _ options: PairsOptions? = nil) throws -> (DatasetManifest, [MultiTaskSample]) {
        let importer = try PairsImport(source: source, options: options ?? PairsOptions(segmentationClasses: classes))
        let out = try Fixtures.scratch().appendingPathComponent("pairs")
        let manifest = try importer.write(to: out, options: ImportOptions(size: size))
        return (manifest, try DatasetReader(directory: out).loadAll().samples)
    }

    @Test func everyTaskFolderBecomesATaskWithItsValues() throws {
        let (manifest, samples) = try importPairs(Fixtures.url("pairs"))
        #expect(manifest.tasks.map(\.kind) == [.segmentation, .depth, .normals, .boundaries, .saliency])
        #expect(manifest.tasks[0].classes == classes)
        #expect(manifest.count == 2 && samples.count == 2)
        let a = samples[0], b = samples[1]
        #expect(a.semantic == [0, 0, 1, 1, 0, 2, 2, 1, 255, 2, 2, 1, 3, 3, 255, 0])
        #expect(b.semantic == [1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 0, 0, 255, 255])
        let depth: [Float] = [1, 1.5, 2, 0, 1, 1.5, 2, 0, 0.5, 0.5, 65.535, 0, 0.25, 0.25, 0.25, 0]
        #expect(zip(a.depth ?? [], depth).allSatisfy { abs($0 - $1) < 1e-5 } && a.depth?.count == 16)
        #expect(b.depth == [Float](repeating: 3, count: 16))
        // Top half faces the camera, bottom left faces right, bottom right is invalid (black).
        let facing: [Int8] = [0, 0, 0, 0, 0, 0, 0, 0, 127, 127, 0, 0, 127, 127, 0, 0]
        let z: [Int8] = [127, 127, 127, 127, 127, 127, 127, 127, 0, 0, 0, 0, 0, 0, 0, 0]
        #expect(a.normals == facing + [Int8](repeating: 0, count: 16) + z)
        #expect(b.normals == [Int8](repeating: 0, count: 16) + [Int8](repeating: 127, count: 16) + [Int8](repeating: 0, count: 16))
        #expect(a.boundaries == [0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0])
        #expect(b.boundaries == [0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0])
        #expect(a.saliency == [0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 1, 1])
        #expect(b.saliency == [UInt8](repeating: 1, count: 16))
        let jpeg = try Fixtures.expected("pairs-b.jpg")
        let planar = (0..<3).flatMap { c in (0..<16).map { jpeg[3 * $0 + c] } }
        #expect(close(b.rgb.map(Int.init), planar))
    }

    @Test func downscalingKeepsLabelsAndEdges() throws {
        let (_, samples) = try importPairs(Fixtures.url("pairs"), size: 2)
        #expect(samples[0].semantic == [2, 1, 3, 0])
        #expect(samples[0].boundaries == [1, 1, 0, 0])
        #expect(samples[1].boundaries == [1, 0, 1, 0])
        #expect(samples[1].depth == [3, 3, 3, 3])
        // Normals are averaged over valid pixels and renormalised: the top-left output leans
        // towards the camera, every output is a unit vector.
        let normals = (samples[0].normals ?? []).map(Float.init)
        #expect(normals.count == 12 && normals[8] > 120 && normals[0] > 0 && abs(normals[4]) <= 1)
        for p in 0..<4 {
            let length = (normals[p] * normals[p] + normals[4 + p] * normals[4 + p] + normals[8 + p] * normals[8 + p]).squareRoot()
            #expect(abs(length - 127) < 1.5)
        }
    }

    @Test func chosenTasksFoldersAndAxes() throws {
        let options = PairsOptions(tasks: [.normals], normalsAxes: try NormalsAxes("x,-y,-z"))
        let (manifest, samples) = try importPairs(Fixtures.url("pairs"), options)
        #expect(manifest.tasks.map(\.kind) == [.normals])
        #expect(samples[1].normals == [Int8](repeating: 0, count: 16) + [Int8](repeating: -127, count: 16) + [Int8](repeating: 0, count: 16))
        #expect(throws: ImportError.self) { _ = try NormalsAxes("x,x,z") }
        let source = try Fixtures.copy("pairs")
        try FileManager.default.moveItem(at: source.appendingPathComponent("depth"), to: source.appendingPathComponent("depth_mm"))
        let renamed = PairsOptions(tasks: [.depth], folders: [.depth: "depth_mm"], depthScale: 100)
        let (_, depth) = try importPairs(source, renamed)
        #expect(depth[1].depth == [Float](repeating: 30, count: 16))
    }

    @Test func aMaskOfAnotherSizeIsAnErrorNamingBothFiles() throws {
        let source = try Fixtures.copy("pairs")
        let mask = source.appendingPathComponent("segmentation/a.png")
        try Fixtures.replace(mask, with: "bad/mask-3x3.png")
        let image = source.appendingPathComponent("images/a.png")
        let error = expectImportError(naming: [mask.path, image.path, "3×3", "4×4"]) { _ = try importPairs(source) }
        #expect(error == .sizeMismatch(image: image.path, imageWidth: 4, imageHeight: 4, groundTruth: mask.path, width: 3, height: 3))
    }

    @Test func aLabelOutsideTheClassesIsAnErrorNamingTheFileAndPixel() throws {
        let source = try Fixtures.copy("pairs")
        let mask = source.appendingPathComponent("segmentation/a.png")
        try Fixtures.replace(mask, with: "bad/mask-label-9.png")
        expectImportError(naming: [mask.path, "label 9", "(x 3, y 2)", "4 classes"]) { _ = try importPairs(source) }
        // With 10 classes the same mask is valid.
        let (_, samples) = try importPairs(source, PairsOptions(tasks: [.segmentation], segmentationClasses: (0..<10).map(String.init)))
        #expect(samples[0].semantic?[11] == 9)
    }

    @Test func aMissingGroundTruthFileIsAnErrorNamingTheImageAndTheFile() throws {
        let source = try Fixtures.copy("pairs")
        let depth = source.appendingPathComponent("depth/b.png")
        try FileManager.default.removeItem(at: depth)
        let image = source.appendingPathComponent("images/b.jpg")
        let error = expectImportError(naming: [image.path, depth.path, "depth"]) {
            _ = try PairsImport(source: source, options: PairsOptions(segmentationClasses: classes))
        }
        #expect(error == .missingGroundTruth(image: image.path, task: "depth", expected: depth.path))
    }

    @Test func unreadableAndWrongKindFilesAreErrorsNamingThem() throws {
        let cases = [("images/a.png", "broken/truncated.png", "truncated"), ("segmentation/a.png", "bad/mask-rgb.png", "RGB"),
                     ("depth/a.png", "bad/depth-8bit.png", "16-bit"), ("saliency/b.png", "broken/not-an-image.png", "not a PNG")]
        for (target, replacement, words) in cases {
            let source = try Fixtures.copy("pairs", name: "case\(target.filter(\.isLetter))")
            let file = source.appendingPathComponent(target)
            try Fixtures.replace(file, with: replacement)
            expectImportError(naming: [file.path, words]) { _ = try importPairs(source) }
        }
    }

    @Test func labelTasksNeedTheirClasses() throws {
        expectImportError(naming: ["segmentation", "--classes"]) { _ = try PairsImport(source: Fixtures.url("pairs")) }
        expectImportError(naming: ["--classes", "2…255"]) { _ = try ClassNames.parse("1") }
        #expect(try ClassNames.parse("3") == ["0", "1", "2"])
        #expect(try ClassNames.parse("sky, road") == ["sky", "road"])
    }
}
