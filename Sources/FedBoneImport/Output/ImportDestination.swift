import FedBoneData
import Foundation

/// Where an import writes: a temporary sibling of the output folder, renamed to it only when
/// the dataset is complete, so an interrupted or failed import never leaves a half-written
/// dataset under the output name.
struct ImportDestination {
    /// The folder the dataset ends up in.
    let directory: URL
    /// The temporary sibling `.<name>.importing-<uuid>` written first.
    let temporary: URL
    /// Whether an existing dataset folder is replaced.
    let replaces: Bool

    /// Checks the output and creates the temporary folder.
    /// - Throws: ``ImportError/outputExists(path:reason:)`` when `directory` exists and
    ///   `overwrite` is false, or when it exists but is neither empty nor a dataset folder (never
    ///   removed, even with `overwrite`); ``ImportError/writeFailed(path:reason:)`` when the
    ///   temporary folder cannot be made.
    init(_ directory: URL, overwrite: Bool) throws {
        let files = FileManager.default
        let directory = directory.standardizedFileURL
        var isFolder: ObjCBool = false
        let exists = files.fileExists(atPath: directory.path, isDirectory: &isFolder)
        if exists {
            guard overwrite else {
                throw ImportError.outputExists(path: directory.path, reason: "already exists; pass --force to replace it, or choose another --out")
            }
            let contents = isFolder.boolValue ? (try? files.contentsOfDirectory(atPath: directory.path)) : nil
            guard let contents, contents.isEmpty || contents.contains(DatasetManifest.fileName) else {
                throw ImportError.outputExists(path: directory.path, reason: "exists and is not a dataset folder (no \(DatasetManifest.fileName)); --force replaces only dataset folders")
            }
        }
        let parent = directory.deletingLastPathComponent()
        let temporary = parent.appendingPathComponent(".\(directory.lastPathComponent).importing-\(UUID().uuidString)")
        do {
            try files.createDirectory(at: temporary, withIntermediateDirectories: true)
            PendingImports.begin(temporary)
        } catch {
            throw ImportError.writeFailed(path: temporary.path, reason: FileErrors.reason(error))
        }
        self.directory = directory
        self.temporary = temporary
        replaces = exists
    }

    /// Moves the finished dataset into place; an existing dataset folder is first moved aside,
    /// then removed once the new one is in place.
    func commit() throws {
        let files = FileManager.default
        var aside: URL?
        do {
            if replaces {
                let old = directory.deletingLastPathComponent()
                    .appendingPathComponent(".\(directory.lastPathComponent).replaced-\(UUID().uuidString)")
                try files.moveItem(at: directory, to: old)
                aside = old
            }
            try files.moveItem(at: temporary, to: directory)
            PendingImports.end(temporary)
        } catch {
            if let aside { try? files.moveItem(at: aside, to: directory) }
            discard()
            throw ImportError.writeFailed(path: directory.path, reason: FileErrors.reason(error))
        }
        if let aside { try? files.removeItem(at: aside) }
    }

    /// Removes the temporary folder (after a failure).
    func discard() {
        try? FileManager.default.removeItem(at: temporary)
        PendingImports.end(temporary)
    }
}
