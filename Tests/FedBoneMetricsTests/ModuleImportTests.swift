import Testing
import FedBoneMetrics

@Suite struct MetricsModuleImportTests {
    @Test func engineIsReachable() {
        #expect(Tensor.ones([2]).sum().item == 2)
    }
}
