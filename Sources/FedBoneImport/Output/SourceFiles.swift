import Foundation

/// Listing the files of a source folder.
enum SourceFiles {
    /// The extensions read as images (case-insensitive).
    static let imageExtensions: Set<String> = ["png", "jpg", "jpeg"]

    /// Whether `url` names a PNG or JPEG file by its extension.
    static func isImage(_ url: URL) -> Bool { imageExtensions.contains(url.pathExtension.lowercased()) }

    /// Strings in Unicode code-point order (Python's `sorted`, which torchvision uses).
    static func codePointOrder(_ a: String, _ b: String) -> Bool {
        a.unicodeScalars.lexicographicallyPrecedes(b.unicodeScalars)
    }

    /// The entries of `folder` that are not hidden, split into folders and files.
    /// - Throws: ``ImportError/unreadableFile(path:reason:)`` when it cannot be listed,
    ///   ``ImportError/invalidSource(path:reason:)`` when it is not a folder.
    static func entries(of folder: URL) throws -> (folders: [URL], files: [URL]) {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isFolder) else {
            throw ImportError.unreadableFile(path: folder.path, reason: "no such folder")
        }
        guard isFolder.boolValue else { throw ImportError.invalidSource(path: folder.path, reason: "is a file, expected a folder") }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        } catch {
            throw ImportError.unreadableFile(path: folder.path, reason: FileErrors.reason(error))
        }
        var folders: [URL] = [], files: [URL] = []
        for name in names.sorted(by: codePointOrder) where !name.hasPrefix(".") {
            let url = folder.appendingPathComponent(name)
            var isSubfolder: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: url.path, isDirectory: &isSubfolder)
            if isSubfolder.boolValue { folders.append(url) } else { files.append(url) }
        }
        return (folders, files)
    }

    /// The PNG and JPEG files under `folder`, in its subfolders too, sorted by path.
    static func images(under folder: URL) throws -> [URL] {
        let (folders, files) = try entries(of: folder)
        var out = files.filter(isImage)
        for subfolder in folders { out += try images(under: subfolder) }
        return out.sorted { codePointOrder($0.path, $1.path) }
    }
}
