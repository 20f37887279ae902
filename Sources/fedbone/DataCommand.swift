import ArgumentParser
import FedBoneData
import Foundation

/// `fedbone data`: make and inspect multi-task datasets.
struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Generate, import and inspect multi-task datasets (see docs/data.md).",
        subcommands: [Generate.self, DataGenerateText.self, Show.self, DataImportCommand.self, DataSplitCommand.self, DataVocabCommand.self]
    )

    /// `fedbone data generate`: writes a folder of procedural scenes.
    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Render procedural multi-task scenes into a dataset folder (manifest.json + safetensors shards).")

        @Option(help: "Dataset folder to write.")
        var out: String

        @Option(help: "Number of images.")
        var images = 2000

        @Option(help: "Image side in pixels (square images).")
        var size = 64

        @Option(help: "Seed; the same seed gives the same bytes.")
        var seed: UInt64 = 0

        @Option(help: "Comma-separated styles to draw from: \(SceneStyle.presets.map(\.name).joined(separator: ", ")).")
        var styles = SceneStyle.presets.map(\.name).joined(separator: ",")

        @Option(help: "Images per shard file.")
        var shardSize = 256

        func validate() throws {
            guard images >= 1 else { throw ValidationError("--images must be at least 1") }
            guard size >= 8 else { throw ValidationError("--size must be at least 8") }
            guard shardSize >= 1 else { throw ValidationError("--shard-size must be at least 1") }
            _ = try chosenStyles()
        }

        func chosenStyles() throws -> [SceneStyle] {
            try styles.split(separator: ",").map { name in
                let name = name.trimmingCharacters(in: .whitespaces)
                guard let style = SceneStyle.named(name) else {
                    throw ValidationError("unknown style '\(name)'; known styles: \(SceneStyle.presets.map(\.name).joined(separator: ", "))")
                }
                return style
            }
        }

        func run() throws {
            let generator = SceneGenerator(height: size, width: size, styles: try chosenStyles())
            let source = ["generator": SceneGenerator.datasetName, "seed": String(seed),
                          "styles": generator.styles.map(\.name).joined(separator: ",")]
            var writer = try DatasetWriter(directory: URL(fileURLWithPath: out), info: generator.info,
                                           shardSize: shardSize, source: source)
            let clock = ContinuousClock(), start = clock.now
            var classCounts = [Int](repeating: 0, count: SceneClasses.image.count)
            var styleCounts = [Int](repeating: 0, count: generator.styles.count)
            var first = 0
            while first < images {
                let range = first..<min(first + shardSize, images)
                let samples = generator.samples(range, seed: seed)
                for sample in samples {
                    if let c = sample.imageClass, c < classCounts.count { classCounts[c] += 1 }
                    styleCounts[sample.style] += 1
                }
                try writer.append(samples)
                first = range.upperBound
                FileHandle.standardError.write(Data("generated \(first)/\(images) images\n".utf8))
            }
            let manifest = try writer.finish()
            let seconds = (clock.now - start).components
            let elapsed = Double(seconds.seconds) + Double(seconds.attoseconds) * 1e-18
            print("wrote \(manifest.count) images of \(size)×\(size) in \(manifest.shards.count) shards to \(out) (\(String(format: "%.2f", elapsed)) s)")
            print("tasks: " + manifest.tasks.map(\.kind.rawValue).joined(separator: ", "))
            print("styles: " + zip(generator.styles, styleCounts).map { "\($0.name) \($1)" }.joined(separator: ", "))
            print("image classes: " + zip(SceneClasses.image, classCounts).map { "\($0) \($1)" }.joined(separator: ", "))
        }
    }

    /// `fedbone data show`: a PNG strip of one sample and its ground truth.
    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a PNG strip of one sample: the image, then each dense task's ground truth.",
            discussion: """
            Tiles: image, then the dataset's dense tasks in manifest order — labels in the PASCAL VOC
            colour map (255 pale beige), depth from yellow (near) to purple (far), normals as
            (n+1)/2 in RGB, masks in grey; invalid pixels black. The image class is printed.
            """)

        @Argument(help: "Dataset folder.")
        var dataset: String

        @Option(help: "Sample index.")
        var index = 0

        @Option(help: "PNG file to write.")
        var out = "sample.png"

        @Option(help: "Pixels per sample pixel.")
        var scale = 4

        func validate() throws {
            guard scale >= 1 && scale <= 32 else { throw ValidationError("--scale must be in 1…32") }
        }

        func run() throws {
            let reader = try DatasetReader(directory: URL(fileURLWithPath: dataset))
            let sample = try reader.sample(at: index)
            let info = reader.info
            let strip = SampleStrip.render(sample, tasks: info.tasks.map(\.kind), scale: scale)
            try PNGEncoder.encode(width: strip.width, height: strip.height, rgb: strip.rgb)
                .write(to: URL(fileURLWithPath: out))
            let tiles = ["image"] + info.tasks.map(\.kind).filter { $0.isDense && sample.has($0) }.map(\.rawValue)
            print("sample \(index) of \(reader.count), style \(info.styles[sample.style])")
            if let c = sample.imageClass, let names = info.task(.classification)?.classes {
                print("image class: \(c < names.count ? names[c] : "unknown") (\(c))")
            }
            print("wrote \(out): \(strip.width)×\(strip.height), tiles: \(tiles.joined(separator: ", "))")
        }
    }
}
