import ArgumentParser
import FedBoneData
import Foundation

/// `fedbone-bench data`: how long the procedural scene generator takes.
struct DataBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Time generating procedural multi-task scenes in memory (median of --repeats runs after one warm-up).")

    @Option(help: "Images per run.")
    var images = 2000

    @Option(help: "Image side in pixels.")
    var size = 64

    @Option(help: "Threads for the engine's parallel loops (default: all cores).")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: "Timed runs.")
    var repeats = 3

    func validate() throws {
        guard images >= 1, size >= 8 else { throw ValidationError("--images must be at least 1 and --size at least 8") }
        guard threads >= 1, repeats >= 1 else { throw ValidationError("--threads and --repeats must be at least 1") }
    }

    func run() throws {
        ComputeThreads.limit(to: threads)
        let generator = SceneGenerator(height: size, width: size)
        let count = images
        let workload = Workload(name: "scenes.generate", shape: "\(images)x[\(size),\(size)]",
                                work: .bytes(Double(images * size * size * 14))) {
            { _ = generator.generate(count: count, seed: 1) }
        }
        let result = measure(workload, warmup: 1, repeats: repeats, threads: threads)
        print(Table.header)
        print(Table.row(result))
        print(String(format: "%d images of %d×%d in %.3f s (%.0f images/s, %d threads)",
                     images, size, size, result.medianSeconds, Double(images) / result.medianSeconds, threads))
    }
}
