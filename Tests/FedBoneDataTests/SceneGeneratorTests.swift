import Testing
@testable import FedBoneData

@Suite struct SceneGeneratorTests {
    let generator = SceneGenerator(height: 24, width: 32)

    @Test func sameSeedGivesIdenticalSamplesWhateverTheThreading() {
        let parallel = generator.samples(0..<4, seed: 11)
        let again = generator.samples(0..<4, seed: 11)
        #expect(parallel == again)
        let oneByOne = (0..<4).map { generator.sample(seed: 11, index: $0) }
        #expect(parallel == oneByOne)
        #expect(generator.samples(2..<3, seed: 11)[0] == parallel[2])
    }

    @Test func differentSeedsAndIndicesDiffer() {
        let a = generator.sample(seed: 1, index: 0)
        #expect(a.rgb != generator.sample(seed: 2, index: 0).rgb)
        #expect(a.rgb != generator.sample(seed: 1, index: 1).rgb)
    }

    @Test func everyMapHasTheImageSizeAndValuesInRange() throws {
        for sample in generator.samples(0..<6, seed: 5) {
            #expect(sample.sizeProblem() == nil)
            #expect(sample.height == 24 && sample.width == 32 && sample.rgb.count == 3 * 24 * 32)
            let semantic = try #require(sample.semantic), parts = try #require(sample.parts)
            #expect(semantic.allSatisfy { $0 < SceneClasses.semantic.count || $0 == 255 })
            #expect(parts.allSatisfy { $0 < SceneClasses.parts.count || $0 == 255 })
            #expect(try #require(sample.boundaries).allSatisfy { $0 <= 1 })
            #expect(try #require(sample.saliency).allSatisfy { $0 <= 1 })
            let imageClass = try #require(sample.imageClass)
            #expect((0..<SceneClasses.image.count).contains(imageClass))
            // The image class is a foreground class that is visible.
            #expect(semantic.contains(SceneClasses.firstForeground + UInt8(imageClass)))
            let depth = try #require(sample.depth)
            for p in 0..<(24 * 32) {
                let n = sample.normal(at: p)
                #expect(depth[p] >= 0)
                // Depth and normals are valid on the same pixels; valid normals are unit.
                #expect((depth[p] > 0) == (n != .zero))
                if n != .zero { #expect(abs((n * n).sum() - 1) < 1e-4) }
                // Part labels only on figures; saliency only on foreground objects.
                if semantic[p] != 255 && semantic[p] != SceneClasses.figure { #expect(parts[p] == 0 || parts[p] == 255) }
                if semantic[p] != 255 && semantic[p] < SceneClasses.firstForeground { #expect(sample.saliency?[p] == 0) }
            }
        }
    }

    /// Label 255 marks exactly the pixels whose centre and corners see more than one class.
    @Test func ignoreLabelMarksExactlyTheMixedPixels() throws {
        let h = 20, w = 28
        for index in 0..<3 {
            var g = SeededGenerator(seed: 99).fork(UInt64(index))
            let layout = SceneLayout.random(style: .indoor, aspect: Float(w) / Float(h), generator: &g)
            guard let sample = SceneRenderer.render(layout, height: h, width: w, style: 0, generator: &g) else { continue }
            let semantic = try #require(sample.semantic)
            func label(_ i: Float, _ j: Float) -> UInt8 {
                let d = layout.camera.ray(u: 2 * j / Float(w) - 1, v: 1 - 2 * i / Float(h))
                return layout.semantic(of: layout.trace(origin: layout.camera.position, dir: d).surface)
            }
            var mixed = 0
            for i in 0..<h {
                for j in 0..<w {
                    let y = Float(i), x = Float(j)
                    let seen = Set([label(y + 0.5, x + 0.5), label(y, x), label(y, x + 1), label(y + 1, x), label(y + 1, x + 1)])
                    if semantic[i * w + j] == 255 {
                        mixed += 1
                        #expect(seen.count > 1, "pixel (\(i), \(j)) is 255 but its centre and corners agree")
                    } else {
                        #expect(seen == [semantic[i * w + j]], "pixel (\(i), \(j)) sees \(seen)")
                    }
                }
            }
            #expect(mixed > 0 && mixed < h * w / 3)
        }
    }

    @Test func stylesAreSelectablePerGeneratorAndPerImage() throws {
        let toys = SceneGenerator(height: 16, width: 16, styles: [.toy])
        for sample in toys.samples(0..<4, seed: 3) {
            #expect(sample.style == 0)
            // The toy style has no figures.
            #expect(try #require(sample.semantic).allSatisfy { $0 != SceneClasses.figure })
        }
        let all = SceneGenerator(height: 16, width: 16)
        #expect(all.sample(seed: 3, index: 0, style: 2).style == 2)
        #expect(all.info.styles == ["indoor", "sunlit", "dusk", "toy"])
        #expect(Set(all.samples(0..<24, seed: 3).map(\.style)).count > 2)
    }

    @Test func datasetInfoListsEveryTaskWithClassNames() {
        let info = SceneGenerator(height: 8, width: 8).info
        #expect(info.taskSpecs == [TaskSpec(.segmentation, classes: 7), TaskSpec(.parts, classes: 7), TaskSpec(.depth),
                                   TaskSpec(.normals), TaskSpec(.boundaries), TaskSpec(.saliency),
                                   TaskSpec(.classification, classes: 4)])
    }
}
