import Testing
import FedBoneData
import FedBoneMetrics
import FedBoneModels

@Suite struct TrivialPredictorTests {
    @Test func segmentationPredictsTheMajorityClass() {
        let task = TaskSpec(.segmentation, classes: 3)
        let trivial = TrivialPredictor.fit(task: task, trainTargets: [.labels([2, 2, 255, 255, 255, 0]), .labels([2, 1])])
        #expect(trivial.constant == [0, 0, 1])
        let prediction = trivial.predict(count: 2, height: 1, width: 2)
        #expect(prediction.shape == [2, 3, 1, 2])
        var metric = SegmentationMetric(task: task)
        metric.update(prediction: prediction, target: .labels([2, 2, 0, 1]))
        #expect(close(metric.summary()["pixelAccuracy"], 0.5))
    }

    @Test func classificationPredictsTheMajorityClass() {
        let trivial = TrivialPredictor.fit(task: TaskSpec(.classification, classes: 3), trainTargets: [.labels([1, 0, 1])])
        #expect(trivial.predict(count: 2, height: 4, width: 4).shape == [2, 3])
        #expect(trivial.constant == [0, 1, 0])
    }

    @Test func textTasksPredictTheMajorityLabelForEverySequenceOrToken() {
        // Tags 255 (later word pieces, padding) do not count: tag 1 is the majority.
        let tagging = TrivialPredictor.fit(task: TaskSpec(.tokenTagging, classes: 3), trainTargets: [.labels([1, 255, 255, 1, 0, 2, 255])])
        #expect(tagging.constant == [0, 1, 0])
        let tokens = Batch(input: .tokens(TokenBatch([[4, 5, 6], [7]], padding: 0, maxLength: 8)), target: .labels([0, 1, 1, 2, 255, 255]))
        let tags = tagging.predict(for: tokens)
        #expect(tags.shape == [2, 3, 3], "[B, K, L]")
        #expect(tags.scalars == [0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0])
        var metric = ClassificationMetric(task: TaskSpec(.tokenTagging, classes: 3))
        metric.update(prediction: tags, target: .labels([0, 1, 1, 2, 255, 255]))
        // Four counted tokens, two of them tag 1.
        #expect(metric.summary().primary.value == 0.5)
        let topics = TrivialPredictor.fit(task: TaskSpec(.textClassification, classes: 2), trainTargets: [.labels([1, 1, 0])])
        #expect(topics.predict(for: Batch(input: tokens.input, target: .labels([0, 1]))).shape == [2, 2])
    }

    @Test func depthPredictsTheMeanValidDepth() {
        let depth = Tensor(uncheckedShape: [1, 1, 1, 4], scalars: [1, 0, 2, 6])
        let trivial = TrivialPredictor.fit(task: TaskSpec(.depth), trainTargets: [.map(depth)])
        #expect(trivial.constant == [3])
        let batch = Batch(images: .zeros([2, 3, 5, 4]), target: .map(.zeros([2, 1, 5, 4])))
        let prediction = trivial.predict(for: batch)
        #expect(prediction.shape == [2, 1, 5, 4])
        #expect(prediction.scalars.allSatisfy { $0 == 3 })
    }

    @Test func normalsPredictTheNormalisedMeanNormal() {
        // Valid normals (1,0,0) and (0,1,0); the third is invalid.
        let normals = Tensor(uncheckedShape: [1, 3, 1, 3], scalars: [1, 0, 0, 0, 1, 0, 0, 0, 0])
        let trivial = TrivialPredictor.fit(task: TaskSpec(.normals), trainTargets: [.map(normals)])
        let h = Float(0.5).squareRoot()
        #expect(trivial.constant.map { abs($0 - h) < 1e-6 } == [true, true, false])
        #expect(trivial.constant[2] == 0)
    }

    @Test func boundariesPredictNoBoundary() {
        let trivial = TrivialPredictor.fit(task: TaskSpec(.boundaries), trainTargets: [])
        var metric = BoundaryMetric()
        metric.update(prediction: trivial.predict(count: 1, height: 8, width: 8),
                      target: .map(pointMap([(1, 1)], height: 8, width: 8)))
        #expect(metric.summary()["odsF"] == 0)
    }

    @Test func saliencyPredictsTheSalientFraction() {
        let mask = Tensor(uncheckedShape: [1, 1, 1, 5], scalars: [1, 0, 0, 0, 255])
        let trivial = TrivialPredictor.fit(task: TaskSpec(.saliency), trainTargets: [.map(mask)])
        #expect(abs(trivial.constant[0] - logit(0.25)) < 1e-5)
    }

    @Test func aPerfectModelBeatsTheTrivialPredictor() {
        let task = TaskSpec(.segmentation, classes: 2)
        let labels = [0, 0, 0, 1]
        let trivial = TrivialPredictor.fit(task: task, trainTargets: [.labels(labels)])
        var trivialMetric = SegmentationMetric(task: task)
        trivialMetric.update(prediction: trivial.predict(count: 1, height: 2, width: 2), target: .labels(labels))
        var modelMetric = SegmentationMetric(task: task)
        modelMetric.update(prediction: oneHotLogits(labels, k: 2, height: 2, width: 2), target: .labels(labels))
        #expect(modelMetric.summary().primary.value > trivialMetric.summary().primary.value)
    }
}

@Suite struct MakeMetricTests {
    @Test func eachTaskGetsItsPrimaryMetric() {
        let expected: [(TaskSpec, String, Bool)] = [
            (TaskSpec(.segmentation, classes: 3), "mIoU", true),
            (TaskSpec(.parts, classes: 3), "mIoU", true),
            (TaskSpec(.depth), "rmse", false),
            (TaskSpec(.normals), "meanAngle", false),
            (TaskSpec(.boundaries), "odsF", true),
            (TaskSpec(.saliency), "maxF", true),
            (TaskSpec(.classification, classes: 3), "accuracy", true),
        ]
        for (task, name, higher) in expected {
            let metric = makeMetric(for: task)
            #expect(metric.task == task)
            #expect(metric.summary().primary.name == name)
            #expect(metric.summary().primary.higherIsBetter == higher)
        }
    }

    @Test func metricsWorkThroughTheProtocol() {
        var metric = makeMetric(for: TaskSpec(.depth))
        metric.update(prediction: .ones([1, 1, 2, 2]), target: .map(Tensor(repeating: 3, shape: [1, 1, 2, 2])))
        #expect(metric.summary().primary.value == 2)
    }
}
