import Testing
import FedBoneData

@Suite struct AugmentationTests {
    let sample = TestData.scenes(count: 1, size: 12)[0]

    @Test func flipMirrorsEveryMapAndNegatesNormalX() throws {
        let flipped = Augmentation.transform(sample, flip: true, shiftY: 0, shiftX: 0)
        let h = sample.height, w = sample.width, plane = h * w
        for y in 0..<h {
            for x in 0..<w {
                let p = y * w + x, q = y * w + (w - 1 - x)
                for c in 0..<3 { #expect(flipped.rgb[c * plane + p] == sample.rgb[c * plane + q]) }
                #expect(flipped.semantic?[p] == sample.semantic?[q])
                #expect(flipped.parts?[p] == sample.parts?[q])
                #expect(flipped.depth?[p] == sample.depth?[q])
                #expect(flipped.boundaries?[p] == sample.boundaries?[q])
                #expect(flipped.saliency?[p] == sample.saliency?[q])
                let a = flipped.normal(at: p), b = sample.normal(at: q)
                #expect(a.x == -b.x && a.y == b.y && a.z == b.z)
            }
        }
        #expect(flipped.imageClass == sample.imageClass)
        #expect(Augmentation.transform(flipped, flip: true, shiftY: 0, shiftX: 0) == sample)
    }

    @Test func cropShiftsEveryMapTogetherAndPadsWithInvalidValues() throws {
        let moved = Augmentation.transform(sample, flip: false, shiftY: 2, shiftX: -3)
        let h = sample.height, w = sample.width, plane = h * w
        for y in 0..<h {
            for x in 0..<w {
                let p = y * w + x
                let sy = y + 2, sx = x - 3
                if sy < h && sx >= 0 {
                    let q = sy * w + sx
                    #expect(moved.rgb[plane + p] == sample.rgb[plane + q])
                    #expect(moved.semantic?[p] == sample.semantic?[q])
                    #expect(moved.depth?[p] == sample.depth?[q])
                    #expect(moved.normal(at: p) == sample.normal(at: q))
                } else {
                    #expect(moved.rgb[p] == 0 && moved.semantic?[p] == 255 && moved.parts?[p] == 255)
                    #expect(moved.depth?[p] == 0 && moved.normal(at: p) == .zero)
                    #expect(moved.boundaries?[p] == 0 && moved.saliency?[p] == 0)
                }
            }
        }
    }

    @Test func randomAugmentationIsSeededAndStaysWithinThePadding() {
        let augmentation = Augmentation(horizontalFlip: true, padding: 2)
        var a = SeededGenerator(seed: 6), b = SeededGenerator(seed: 6)
        let first = (0..<8).map { _ in augmentation.apply(sample, generator: &a) }
        #expect(first == (0..<8).map { _ in augmentation.apply(sample, generator: &b) })
        #expect(Set(first.map(\.rgb)).count > 1)
        var c = SeededGenerator(seed: 6)
        #expect(Augmentation.none.apply(sample, generator: &c) == sample)
    }
}

extension MultiTaskDataset {
    subscript(_ index: Int) -> MultiTaskSample { samples[index] }
}
