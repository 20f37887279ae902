import Foundation
import Testing
@testable import FedBoneImport

/// The committed fixtures (written by `tools/make_import_fixtures.py`) and scratch folders.
enum Fixtures {
    /// The fixtures folder.
    static var root: URL {
        get throws {
            guard let url = Bundle.module.url(forResource: "Fixtures", withExtension: nil) else {
                throw ImportError.invalidOptions("the test bundle has no Fixtures folder")
            }
            return url
        }
    }

    /// A fixture file or folder.
    static func url(_ path: String) throws -> URL { try root.appendingPathComponent(path) }

    /// A value list from `expected.json` (what Pillow decodes or resizes).
    static func expected(_ key: String) throws -> [Int] {
        let data = try Data(contentsOf: url("expected.json"))
        let table = try JSONDecoder().decode([String: [Int]].self, from: data)
        guard let values = table[key] else { throw ImportError.invalidOptions("expected.json has no \(key)") }
        return values
    }

    /// A fresh empty folder under the system's temporary directory.
    static func scratch(_ name: String = #function) throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("fedbone-import-tests-\(UUID().uuidString)")
            .appendingPathComponent(name.filter { $0.isLetter || $0.isNumber })
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A copy of fixture folder `path` in a scratch folder, to change for one test.
    static func copy(_ path: String, name: String = #function) throws -> URL {
        let target = try scratch(name).appendingPathComponent(URL(fileURLWithPath: path).lastPathComponent)
        try FileManager.default.copyItem(at: url(path), to: target)
        return target
    }

    /// Replaces `file` with fixture `path`.
    static func replace(_ file: URL, with path: String) throws {
        try? FileManager.default.removeItem(at: file)
        try FileManager.default.copyItem(at: url(path), to: file)
    }

    /// The names in `folder` (hidden ones too).
    static func contents(_ folder: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
    }
}

/// Expects `body` to throw an ``ImportError`` whose description names every string of `names`,
/// and returns it.
@discardableResult
func expectImportError(naming names: [String], sourceLocation: SourceLocation = #_sourceLocation,
                       _ body: () throws -> Void) -> ImportError? {
    let error = #expect(throws: ImportError.self, sourceLocation: sourceLocation) { try body() }
    for name in names {
        #expect(error?.description.contains(name) == true, "\(String(describing: error)) does not name \(name)",
                sourceLocation: sourceLocation)
    }
    return error
}

/// Whether every value of `a` is within `tolerance` of the value of `b` at the same index.
func close(_ a: [Int], _ b: [Int], tolerance: Int = 1) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= tolerance }
}
