import Testing
import FedBoneLayers

@Suite struct ReexportTests {
    @Test func layersModuleExposesTheTensorEngine() {
        let t = Tensor.ones([2, 2]) + Tensor.ones([2])
        #expect(t.scalars == [2, 2, 2, 2])
    }
}
