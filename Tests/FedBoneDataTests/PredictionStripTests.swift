import Testing
import FedBoneData

@Suite struct PredictionStripTests {
    /// The colour at sample pixel (`x`, `y`) of tile `tile` in row `row` of a strip drawn at scale 1.
    private func pixel(_ strip: (width: Int, height: Int, rgb: [UInt8]), row: Int, tile: Int, x: Int, y: Int, side: Int) -> [UInt8] {
        let o = 3 * ((row * (side + 2) + y) * strip.width + tile * (side + 2) + x)
        return Array(strip.rgb[o..<(o + 3)])
    }

    @Test func rowsShowInputTruthAndPredictionOfSegmentation() {
        // Two 2×2 images; 3 classes; the prediction is the truth except one pixel of image 1.
        let images = Tensor(uncheckedShape: [2, 3, 2, 2], scalars: (0..<24).map { Float($0) / 23 })
        let labels = [0, 1, 2, 255, 2, 2, 1, 0]
        var logits = [Float](repeating: 0, count: 2 * 3 * 4)
        for (i, l) in labels.enumerated() where l != 255 { logits[((i / 4) * 3 + l) * 4 + i % 4] = 1 }
        logits[(1 * 3 + 2) * 4 + 0] = 0
        logits[(1 * 3 + 1) * 4 + 0] = 1
        let strip = PredictionStrip.render(task: .segmentation, images: images, target: .labels(labels),
                                           prediction: Tensor(uncheckedShape: [2, 3, 2, 2], scalars: logits), scale: 1)
        #expect(strip.width == 3 * 2 + 2 * 2 && strip.height == 2 * 2 + 2)
        #expect(pixel(strip, row: 0, tile: 0, x: 0, y: 0, side: 2) == [0, 44, 89], "input in [0, 1] scaled by 255")
        #expect(pixel(strip, row: 0, tile: 1, x: 1, y: 1, side: 2) == [224, 224, 192], "ignored pixels in the void colour")
        #expect(pixel(strip, row: 0, tile: 2, x: 1, y: 0, side: 2) == [128, 0, 0], "class 1 in the VOC colour map")
        #expect(pixel(strip, row: 1, tile: 1, x: 0, y: 0, side: 2) == [0, 128, 0], "truth: class 2")
        #expect(pixel(strip, row: 1, tile: 2, x: 0, y: 0, side: 2) == [128, 0, 0], "prediction: class 1")
    }

    @Test func masksAreGreyAfterSigmoidAndDepthSharesTheTruthRange() {
        let images = Tensor.zeros([1, 3, 1, 2])
        let mask = PredictionStrip.render(task: .saliency, images: images, target: .map(Tensor(uncheckedShape: [1, 1, 1, 2], scalars: [0, 1])),
                                          prediction: Tensor(uncheckedShape: [1, 1, 1, 2], scalars: [-20, 0]), scale: 1)
        #expect(pixel(mask, row: 0, tile: 1, x: 1, y: 0, side: 2) == [255, 255, 255])
        #expect(pixel(mask, row: 0, tile: 2, x: 0, y: 0, side: 2) == [0, 0, 0])
        #expect(pixel(mask, row: 0, tile: 2, x: 1, y: 0, side: 2) == [127, 127, 127])
        let depth = PredictionStrip.render(task: .depth, images: images, target: .map(Tensor(uncheckedShape: [1, 1, 1, 2], scalars: [1, 3])),
                                           prediction: Tensor(uncheckedShape: [1, 1, 1, 2], scalars: [1, 3]), scale: 1)
        #expect(pixel(depth, row: 0, tile: 1, x: 0, y: 0, side: 2) == pixel(depth, row: 0, tile: 2, x: 0, y: 0, side: 2))
        #expect(pixel(depth, row: 0, tile: 1, x: 1, y: 0, side: 2) == pixel(depth, row: 0, tile: 2, x: 1, y: 0, side: 2))
        #expect(pixel(depth, row: 0, tile: 1, x: 0, y: 0, side: 2) == [240, 249, 33], "near is yellow")
    }

    @Test func pngStartsWithTheSignature() {
        let png = PredictionStrip.png(task: .normals, images: .zeros([1, 3, 2, 2]), target: .map(.zeros([1, 3, 2, 2])),
                                      prediction: .ones([1, 3, 2, 2]), scale: 2)
        #expect(Array(png.prefix(8)) == PNGEncoder.signature)
    }
}
