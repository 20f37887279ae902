import Foundation
import Testing
@testable import FedBoneImport

@Suite struct ResizeTests {
    private func resized(_ fit: ImageFit, to size: Int) throws -> [Int] {
        let raster = try ImageFile.read(Fixtures.url("resize.png"), as: .rgb8)
        #expect(raster.width == 6 && raster.height == 4)
        let filter = FilterResize(width: 6, height: 4, region: fit.region(width: 6, height: 4), target: size)
        return filter.resize(raster.samples, channels: 3).map(Int.init)
    }

    @Test func downscalingAndUpscalingMatchPillowsBilinearResize() throws {
        #expect(close(try resized(.stretch, to: 3), try Fixtures.expected("resize-stretch-3")))
        #expect(close(try resized(.stretch, to: 9), try Fixtures.expected("resize-stretch-9")))
    }

    @Test func cropCutsTheCentredSquareFirst() throws {
        #expect(ImageFit.crop.region(width: 6, height: 4) == Region(x: 1, y: 0, width: 4, height: 4))
        #expect(ImageFit.crop.region(width: 3, height: 8) == Region(x: 0, y: 2, width: 3, height: 3))
        #expect(close(try resized(.crop, to: 3), try Fixtures.expected("resize-crop-3")))
    }

    @Test func theSameSizeLeavesPixelsAsTheyAre() {
        let filter = FilterResize(width: 2, height: 2, region: Region(x: 0, y: 0, width: 2, height: 2), target: 2)
        #expect(filter.isIdentity)
        let values: [Float] = [1, 2, 3, 4]
        #expect(filter.resize(values, channels: 1, valid: nil).0 == values)
    }

    @Test func invalidPixelsDoNotBlendIntoValidOnes() {
        // 4×1 → 2×2: on each row the left output averages 2 and 4, the right one weighs 4 and 6
        // and not the invalid pixel between them.
        let filter = FilterResize(width: 4, height: 1, region: Region(x: 0, y: 0, width: 4, height: 1), target: 2)
        let taps = FilterResize.Taps(size: 4, start: 0, length: 4, target: 2)
        #expect(taps.first == [0, 1])
        let (values, valid) = filter.resize([2, 4, 0, 6], channels: 1, valid: [true, true, false, true])
        #expect(valid == [true, true, true, true])
        #expect(abs(values[0] - 3) < 1e-5)
        #expect(abs(values[1] - 5.5) < 1e-5 && values[2...] == values[..<2])
        let (_, none) = filter.resize([0, 0, 0, 0], channels: 1, valid: [false, false, false, false])
        #expect(none == [false, false, false, false])
    }

    @Test func labelsTakeTheNearestPixelAndEdgesSurviveDownscaling() {
        let labels: [UInt8] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]
        let whole = Region(x: 0, y: 0, width: 4, height: 4)
        #expect(MaskResize.nearest(labels, width: 4, region: whole, target: 2) == [5, 7, 13, 15])
        #expect(MaskResize.nearest(labels, width: 4, region: whole, target: 8).prefix(8) == [0, 0, 1, 1, 2, 2, 3, 3])
        var edge = [UInt8](repeating: 0, count: 16)
        edge[1 * 4 + 0] = 1  // one pixel in the top-left 2×2 block, not the block's nearest pixel
        #expect(MaskResize.any(edge, width: 4, region: whole, target: 2) == [1, 0, 0, 0])
        #expect(MaskResize.nearest(edge, width: 4, region: whole, target: 2) == [0, 0, 0, 0])
    }
}
