import Foundation
import FedBoneData

/// Small datasets and temporary folders for the tests.
enum TestData {
    /// A dataset of `count` procedural scenes of 16×16.
    static func scenes(count: Int, seed: UInt64 = 4, size: Int = 16) -> MultiTaskDataset {
        SceneGenerator(height: size, width: size).generate(count: count, seed: seed)
    }

    /// A fresh empty folder under the system's temporary directory.
    static func folder(_ name: String = #function) throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("fedbone-data-tests-\(UUID().uuidString)")
            .appendingPathComponent(name.filter { $0.isLetter || $0.isNumber })
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
