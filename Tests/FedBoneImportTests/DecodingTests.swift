import Foundation
import Testing
@testable import FedBoneImport

@Suite struct DecodingTests {
    @Test func aPNGDecodesToItsChosenColours() throws {
        let raster = try ImageFile.read(Fixtures.url("imagefolder/apple/red-green.png"), as: .rgb8)
        #expect(raster.width == 2 && raster.height == 2 && raster.channels == 3)
        #expect(raster.samples == [255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255])
        #expect(raster.planarRGB == [255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255])
    }

    @Test func greyscaleIsReplicatedToRGB() throws {
        let raster = try ImageFile.read(Fixtures.url("imagefolder/banana/grey.png"), as: .rgb8)
        #expect(raster.samples == [0, 0, 0, 64, 64, 64, 128, 128, 128, 255, 255, 255])
        let grey = try ImageFile.read(Fixtures.url("imagefolder/banana/grey.png"), as: .gray8)
        #expect(grey.channels == 1 && grey.samples == [0, 64, 128, 255])
    }

    @Test func aJPEGDecodesAsPillowDecodesIt() throws {
        let raster = try ImageFile.read(Fixtures.url("imagefolder/apple/photo.jpg"), as: .rgb8)
        #expect(raster.width == 8 && raster.height == 8)
        #expect(close(raster.samples.map(Int.init), try Fixtures.expected("photo.jpg")))
    }

    @Test func paletteMasksGiveTheirIndicesAndSixteenBitDepthItsValues() throws {
        let labels = try ImageFile.read(Fixtures.url("pairs/segmentation/b.png"), as: .label8)
        #expect(labels.samples == [1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 0, 0, 255, 255])
        let depth = try ImageFile.readGray16(Fixtures.url("pairs/depth/a.png"))
        #expect(Array(depth.samples.prefix(4)) == [1000, 1500, 2000, 0])
        #expect(depth.samples[10] == 65535)
    }

    @Test func truncatedFilesAreErrorsNamingTheFile() throws {
        for name in ["broken/truncated.png", "broken/truncated.jpg"] {
            let file = try Fixtures.url(name)
            let error = expectImportError(naming: [file.path, "truncated"]) { _ = try ImageFile.read(file, as: .rgb8) }
            guard case .truncatedFile? = error else {
                Issue.record("expected truncatedFile for \(name), got \(String(describing: error))")
                continue
            }
        }
    }

    @Test func aFileThatIsNoImageIsAnErrorNamingIt() throws {
        let file = try Fixtures.url("broken/not-an-image.png")
        expectImportError(naming: [file.path, "not a PNG or JPEG"]) { _ = try ImageFile.read(file, as: .rgb8) }
        let missing = try Fixtures.url("broken/missing.png")
        expectImportError(naming: [missing.path, "no such file"]) { _ = try ImageFile.read(missing, as: .rgb8) }
    }

    @Test func imagesOfTheWrongKindAreRefused() throws {
        let rgb = try Fixtures.url("bad/mask-rgb.png")
        expectImportError(naming: [rgb.path, "8-bit RGB", "label"]) { _ = try ImageFile.read(rgb, as: .label8) }
        let eightBit = try Fixtures.url("bad/depth-8bit.png")
        expectImportError(naming: [eightBit.path, "16-bit grayscale"]) { _ = try ImageFile.readGray16(eightBit) }
        let jpeg = try Fixtures.url("pairs/images/b.jpg")
        expectImportError(naming: [jpeg.path, "use a PNG"]) { _ = try ImageFile.read(jpeg, as: .label8) }
    }

    @Test func pngsWrittenWithLibpngReadBack() throws {
        let folder = try Fixtures.scratch()
        let colour = Raster<UInt8>(width: 3, height: 2, channels: 3, samples: (0..<18).map { UInt8($0 * 14) })
        let colourFile = folder.appendingPathComponent("colour.png")
        try PNGWriter.encode(colour).write(to: colourFile)
        #expect(try ImageFile.read(colourFile, as: .rgb8) == colour)
        let depth = Raster<UInt16>(width: 2, height: 2, channels: 1, samples: [0, 1, 256, 65535])
        let depthFile = folder.appendingPathComponent("depth.png")
        try PNGWriter.encode(depth, level: 9).write(to: depthFile)
        #expect(try ImageFile.readGray16(depthFile) == depth)
    }
}
