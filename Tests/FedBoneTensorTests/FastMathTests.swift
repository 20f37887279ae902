import Foundation
import Testing
@testable import FedBoneTensor

/// The vectorisable `erf` and `exp` used by GELU and attention, against libm.
@Suite struct FastMathTests {
    @Test func fastErfIsWithinFiveTenMillionthsOfErf() {
        var worst: Double = 0
        for i in -60_000...60_000 {
            let x = Float(i) * 1e-4
            worst = max(worst, abs(Double(fastErf(x)) - Foundation.erf(Double(x))))
        }
        #expect(worst < 5e-7, "max |fastErf − erf| = \(worst)")
    }

    @Test func fastExpHasRelativeErrorBelowHalfAMillionth() {
        var worst: Double = 0
        for i in -86_999...86_999 {
            let x = Float(i) * 1e-3
            let exact = Foundation.exp(Double(x))
            worst = max(worst, abs(Double(fastExp(x)) - exact) / exact)
        }
        #expect(worst < 5e-7, "max relative error of fastExp = \(worst)")
        #expect(fastExp(-87.5) == 0 && fastExp(-200) == 0)
    }

    @Test func geluStaysWithinAMillionthOfTheExactFormula() {
        var worst: Double = 0
        for i in -10_000...10_000 {
            let x = Double(i) * 1e-3
            let exact = 0.5 * x * (1 + Foundation.erf(x / 2.0.squareRoot()))
            worst = max(worst, abs(Double(geluValue(Float(x))) - exact) / max(1, abs(x)))
        }
        #expect(worst < 1e-6, "max |gelu − exact| / max(1, |x|) = \(worst)")
    }
}
