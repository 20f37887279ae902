import ArgumentParser
import FedBoneImport
import Foundation

/// `fedbone-bench import`: throughput and peak memory of `fedbone data import imagefolder` on
/// PNGs written by libpng into a temporary folder (removed afterwards).
struct ImportBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Time importing an image folder of PNGs (written first with libpng) and its peak memory.")

    @Option(help: "PNG files to import.")
    var images = 10_000

    @Option(help: "Side of the PNGs written.")
    var sourceSize = 64

    @Option(help: "Side N of the imported images.")
    var size = 64

    @Option(help: "Class folders the PNGs are spread over.")
    var classes = 10

    @Option(help: "Threads decoding (default: all cores).")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: "Write the JSON results to this file instead of stdout.")
    var json: String?

    func validate() throws {
        guard images >= classes, classes >= 2 else { throw ValidationError("--classes must be at least 2 and at most --images") }
        guard (1...4096).contains(sourceSize), (1...4096).contains(size) else { throw ValidationError("--source-size and --size must be in 1…4096") }
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
    }

    func run() throws {
        ComputeThreads.limit(to: threads)
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("fedbone-bench-import-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let source = root.appendingPathComponent("images")
        let clock = ContinuousClock()
        let writing = try clock.measure { try writeImages(to: source) }
        let bytes = try FileManager.default.subpathsOfDirectory(atPath: source.path).reduce(0) { total, path in
            total + ((try? FileManager.default.attributesOfItem(atPath: source.appendingPathComponent(path).path)[.size] as? Int) ?? 0)
        }
        print("fedbone-bench import: \(images) PNGs of \(sourceSize)×\(sourceSize) in \(classes) classes "
              + String(format: "(%.1f MiB, written in %.2f s) → %d×%d, threads %d", Double(bytes) / 1_048_576, seconds(writing), size, size, threads))

        let importer = try ImageFolderImport(source: source)
        let out = root.appendingPathComponent("dataset")
        var failure: Error?
        let cpuStart = processCPUSeconds()
        let start = clock.now
        let memory = PeakMemory.measure {
            do { try importer.write(to: out, options: ImportOptions(size: size)) } catch { failure = error }
        }
        let elapsed = seconds(clock.now - start)
        if let failure { throw failure }
        var result = BenchResult(name: "import.imagefolder", shape: "\(images)x[\(sourceSize),\(sourceSize)]->[\(size),\(size)]",
                                 medianSeconds: elapsed, minSeconds: elapsed, runs: 1, gflops: nil,
                                 gbps: Double(images * size * size * 3) / elapsed * 1e-9, threads: threads)
        result.cpuSeconds = processCPUSeconds() - cpuStart
        result.peakMiB = memory.map { $0.peak / 1_048_576 }
        result.stepMiB = memory.map { $0.growth / 1_048_576 }
        print(Table.header)
        print(Table.row(result))
        print(String(format: "%.0f images/s (%.1f µs an image, CPU %.2f s); peak RSS %.0f MiB, +%.0f MiB over the %.0f MiB before",
                     Double(images) / elapsed, elapsed / Double(images) * 1e6, result.cpuSeconds ?? 0,
                     result.peakMiB ?? 0, result.stepMiB ?? 0, (result.peakMiB ?? 0) - (result.stepMiB ?? 0)))
        let text = try jsonText([result])
        if let json {
            try (text + "\n").write(toFile: json, atomically: true, encoding: .utf8)
        } else {
            print(text)
        }
    }

    /// Writes `images` PNGs of smooth gradients with noise (so they compress like photographs,
    /// roughly in half), class folders `class-00`, … in turn.
    private func writeImages(to folder: URL) throws {
        let folders = (0..<classes).map { folder.appendingPathComponent(String(format: "class-%02d", $0)) }
        for url in folders { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) }
        // The options' property wrappers are slow to read: the loop reads plain copies.
        let side = sourceSize, count = images, classCount = classes
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        var pixels = [UInt8](repeating: 0, count: side * side * 3)
        for k in 0..<count {
            for p in 0..<(side * side) {
                let x = p % side, y = p / side
                state ^= state << 13
                state ^= state >> 7
                state ^= state << 17
                let noise = Int(state & 15)
                pixels[3 * p] = UInt8(truncatingIfNeeded: x * 3 + k + noise)
                pixels[3 * p + 1] = UInt8(truncatingIfNeeded: y * 2 + 7 * k + noise)
                pixels[3 * p + 2] = UInt8(truncatingIfNeeded: (x + y) + 13 * k + noise)
            }
            let raster = Raster(width: side, height: side, channels: 3, samples: pixels)
            try PNGWriter.encode(raster).write(to: folders[k % classCount].appendingPathComponent(String(format: "%06d.png", k)))
        }
    }

    private func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
    }
}
