import Testing
import FedBoneData

@Suite struct BatchTests {
    @Test func countIsTheBatchDimension() {
        let b = Batch(images: .zeros([3, 3, 4, 4]), target: .labels([0, 1, 2]))
        #expect(b.count == 3)
    }
}
