import Testing
import FedBoneReporting

@Suite struct ReportingModuleImportTests {
    @Test func engineIsReachable() {
        #expect(Tensor.ones([2]).sum().item == 2)
    }
}
