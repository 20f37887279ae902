import Testing
import FedBoneFederation

@Suite struct FederationModuleImportTests {
    @Test func engineIsReachable() {
        #expect(Tensor.ones([2]).sum().item == 2)
    }
}
