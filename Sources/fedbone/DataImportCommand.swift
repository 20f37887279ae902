import ArgumentParser
import FedBoneImport
import FedBoneReporting
import Foundation

/// `fedbone data import`: convert ordinary files into a dataset folder.
struct DataImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Convert an image folder, image/ground-truth pairs or IDX files into a dataset folder (docs/data.md, \"Importers\").",
        discussion: """
        The dataset is written shard by shard into a temporary sibling of --out and renamed to \
        --out only when complete; after an error nothing is left. An existing --out is replaced \
        only with --force, and only when it is a dataset folder (or empty).
        """,
        subcommands: [ImageFolder.self, Pairs.self, IDX.self, DataImportText.self]
    )

    /// `fedbone data import imagefolder`.
    struct ImageFolder: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "imagefolder",
            abstract: "Import SRC/<class>/*.png|jpg as a classification dataset (classes = sorted subfolder names).")

        @Argument(help: "Folder with one subfolder of PNG/JPEG images per class.")
        var source: String

        @OptionGroup var options: ImportCommandOptions

        func run() throws {
            let importer = try ImageFolderImport(source: URL(fileURLWithPath: source))
            let manifest = try options.write(count: importer.images.count) { try importer.write(to: $0, options: $1, progress: $2) }
            print("classes: " + importer.classes.joined(separator: ", "))
            options.report(manifest)
        }
    }

    /// `fedbone data import pairs`.
    struct Pairs: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import SRC/images/<id>.png|jpg with per-pixel ground truth SRC/<task>/<id>.png.",
            discussion: """
            Task folders: segmentation, parts (8-bit grey or palette labels, 255 = ignore), depth \
            (16-bit grey, --depth-scale units per metre, 0 = invalid), normals (8-bit RGB, \
            n = 2·rgb/255 − 1, x right, y up, z towards the camera unless --normals-axes says \
            otherwise), boundaries and saliency (grey, thresholded to {0, 1}). Every folder present \
            becomes a task unless --tasks chooses.
            """)

        @Argument(help: "Folder holding images/ and one folder per task.")
        var source: String

        @Option(help: "Comma-separated tasks to import (default: every task folder present).")
        var tasks: String?

        @Option(help: "Segmentation classes: a count N (names 0…N−1) or comma-separated names.")
        var classes: String?

        @Option(help: "Parts classes: a count N or comma-separated names.")
        var partsClasses: String?

        @Option(help: "Depth PNG units per metre (1000 = millimetres).")
        var depthScale: Float = 1000

        @Option(help: "The format's x,y,z axes as signed PNG channels, e.g. x,-y,-z for OpenCV's frame (y down, z away).")
        var normalsAxes = "x,y,z"

        @Option(help: "Boundary PNG values at or above this are boundary.")
        var boundaryThreshold = 1

        @Option(help: "Saliency PNG values at or above this (after resizing) are salient.")
        var saliencyThreshold = 128

        @Option(name: .customLong("folder"), help: ArgumentHelp("A task's folder name if not the task's, e.g. --folder segmentation=semseg (repeatable).", valueName: "task=name"))
        var folders: [String] = []

        @Option(help: "The images folder inside SRC.")
        var images = "images"

        @OptionGroup var options: ImportCommandOptions

        func pairsOptions() throws -> PairsOptions {
            func kind(_ name: Substring) throws -> TaskKind {
                let name = name.trimmingCharacters(in: .whitespaces)
                guard let kind = TaskKind(rawValue: name), PairsOptions.denseTasks.contains(kind) else {
                    throw ValidationError("unknown task '\(name)'; pairs import \(PairsOptions.denseTasks.map(\.rawValue).joined(separator: ", "))")
                }
                return kind
            }
            var named: [TaskKind: String] = [:]
            for entry in folders {
                let parts = entry.split(separator: "=", maxSplits: 1)
                guard parts.count == 2, !parts[1].isEmpty else { throw ValidationError("--folder takes task=name, got '\(entry)'") }
                named[try kind(parts[0])] = String(parts[1])
            }
            return PairsOptions(
                tasks: try tasks.map { try $0.split(separator: ",").map(kind) }, folders: named, imagesFolder: images,
                segmentationClasses: try classes.map { try ClassNames.parse($0, option: "--classes") },
                partsClasses: try partsClasses.map { try ClassNames.parse($0, option: "--parts-classes") },
                depthScale: depthScale, normalsAxes: try NormalsAxes(normalsAxes),
                boundaryThreshold: boundaryThreshold, saliencyThreshold: saliencyThreshold)
        }

        func run() throws {
            let importer = try PairsImport(source: URL(fileURLWithPath: source), options: try pairsOptions())
            let manifest = try options.write(count: importer.images.count) { try importer.write(to: $0, options: $1, progress: $2) }
            options.report(manifest)
        }
    }

    /// `fedbone data import idx`.
    struct IDX: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "idx",
            abstract: "Import MNIST-style IDX files (gzipped or not) as a classification dataset.",
            discussion: """
            SRC is a folder with MNIST's file names (train-images-idx3-ubyte[.gz] and \
            train-labels-idx1-ubyte[.gz], t10k-… for the test split), or an images file with \
            --labels. Grey becomes RGB; images that fit are zero-padded to N×N, centred, others \
            (or all, with --resize) are resized.
            """)

        @Argument(help: "A folder of MNIST-named IDX files, or an IDX images file.")
        var source: String

        @Option(help: "The IDX labels file (when SRC is an images file).")
        var labels: String?

        @Option(help: "Classes: a count N (names 0…N−1) or comma-separated names (default: 0…largest label).")
        var classes: String?

        @Flag(help: "Resize images to N×N even when they fit (default: pad).")
        var resize = false

        @OptionGroup var options: ImportCommandOptions

        func run() throws {
            let url = URL(fileURLWithPath: source)
            var isFolder: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder)
            let parts: [IDXImport.Part]
            if isFolder.boolValue {
                guard labels == nil else { throw ValidationError("--labels goes with an images file, not a folder") }
                parts = try IDXImport.parts(inFolder: url)
            } else {
                guard let labels else { throw ValidationError("an IDX images file needs --labels FILE") }
                parts = [IDXImport.Part(split: nil, images: url, labels: URL(fileURLWithPath: labels))]
            }
            let importer = try IDXImport(parts: parts, classes: try classes.map { try ClassNames.parse($0) }, resize: resize)
            let manifest = try options.write(count: importer.counts.reduce(0, +)) { try importer.write(to: $0, options: $1, progress: $2) }
            print("classes: " + importer.classes.joined(separator: ", "))
            options.report(manifest)
        }
    }
}

/// The options every `fedbone data import` kind takes.
struct ImportCommandOptions: ParsableArguments {
    @Option(help: "Dataset folder to write.")
    var out: String

    @Option(help: "Side N of the square images written.")
    var size = 64

    @Option(help: "stretch: resize the whole image to N×N; crop: cut the centred square, then resize.")
    var fit = ImageFit.stretch.rawValue

    @Option(help: "Images per shard file.")
    var shardSize = 256

    @Option(help: "The dataset's name in the manifest (default: the source folder's name).")
    var name: String?

    @Flag(help: "Replace --out if it is a dataset folder.")
    var force = false

    @Option(help: "Threads decoding images (default: all cores).")
    var threads = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: "Progress on stderr: \(ProgressDisplay.Style.allCases.map(\.rawValue).joined(separator: ", ")).")
    var progress = ProgressDisplay.Style.automatic.rawValue

    func validate() throws {
        guard size >= 1 && size <= 4096 else { throw ValidationError("--size must be in 1…4096") }
        guard shardSize >= 1 else { throw ValidationError("--shard-size must be at least 1") }
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
        guard ImageFit(rawValue: fit) != nil else {
            throw ValidationError("--fit must be one of \(ImageFit.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard ProgressDisplay.Style(rawValue: progress) != nil else {
            throw ValidationError("--progress must be one of \(ProgressDisplay.Style.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    /// Runs `body(out, options, progress)` with a progress display of `count` images.
    func write(count: Int, _ body: (URL, ImportOptions, (Int) -> Void) throws -> DatasetManifest) throws -> DatasetManifest {
        ComputeThreads.limit(to: threads)
        ImportInterrupt.install()
        let options = ImportOptions(size: size, fit: ImageFit(rawValue: fit) ?? .stretch, shardSize: shardSize, name: name, overwrite: force)
        let display = ProgressDisplay("import", total: count, unit: "images", style: ProgressDisplay.Style(rawValue: progress) ?? .automatic)
        do {
            let manifest = try body(URL(fileURLWithPath: out), options) { display.update(completed: $0) }
            display.finish()
            return manifest
        } catch {
            // End a bar drawn in place, so that the error starts on a line of its own.
            if display.style == .bar && display.completed > 0 { FileHandle.standardError.write(Data("\n".utf8)) }
            throw error
        }
    }

    /// Prints what was written.
    func report(_ manifest: DatasetManifest) {
        print("wrote \(manifest.count) images of \(manifest.width)×\(manifest.height) in \(manifest.shards.count) shards to \(out)")
        print("tasks: " + manifest.tasks.map(\.kind.rawValue).joined(separator: ", "))
    }
}
