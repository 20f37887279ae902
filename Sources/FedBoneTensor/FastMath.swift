/// Branch-free `Float` approximations of `erf` and `exp` that the compiler vectorises, for the
/// hot elementwise loops (GELU, attention softmax). Both are within a few units in the last
/// place of the exact functions where it matters (see the tests in `FastMathTests`).

/// erf(x) as a rational function (odd degree-13 numerator over even degree-8 denominator; the
/// coefficients of Eigen's and XLA's float `erf`), with x clamped to [−4, 4] where erf is ±1 in
/// `Float`. Absolute error below 5·10⁻⁷.
@inline(__always)
func fastErf(_ value: Float) -> Float {
    let x = Swift.min(Swift.max(value, -4), 4)
    let x2 = x * x
    var p: Float = -2.72614225801306e-10
    p = p * x2 + 2.77068142495902e-08
    p = p * x2 - 2.10102402082508e-06
    p = p * x2 - 5.69250639462346e-05
    p = p * x2 - 7.34990630326855e-04
    p = p * x2 - 2.95459980854025e-03
    p = p * x2 - 1.60960333262415e-02
    var q: Float = -1.45660718464996e-05
    q = q * x2 - 2.13374055278905e-04
    q = q * x2 - 1.68282697438203e-03
    q = q * x2 - 7.37332916720468e-03
    q = q * x2 - 1.42647390514189e-02
    return x * p / q
}

/// eˣ as 2ⁿ·eʳ (Cephes' `expf`): n = round(x·log₂e), r = x − n·ln 2 with ln 2 split in two
/// parts (Cody–Waite) so r is exact, and eʳ (|r| ≤ ½ln 2) from a degree-7 polynomial; relative
/// error about 2·10⁻⁷ on [−87, 87]. Inputs below −87 give 0 (never a subnormal: subnormal
/// products make later GEMMs crawl, e.g. attention weights under a −100 mask); inputs above 87
/// give e⁸⁷ ≈ 6·10³⁷ instead of more or infinity.
/// The rounding uses the 1.5·2²³ trick (adding it leaves n in the low mantissa bits), so the
/// loop needs no rounding instruction or call.
@inline(__always)
func fastExp(_ value: Float) -> Float {
    let x = Swift.min(Swift.max(value, -87), 87)
    let shifted = x * 1.44269504088896341 + 12_582_912
    let n = shifted - 12_582_912
    let r = (x - n * 0.693359375) + n * 2.12194440e-4
    var p: Float = 1.9875691500e-4
    p = p * r + 1.3981999507e-3
    p = p * r + 8.3334519073e-3
    p = p * r + 4.1665795894e-2
    p = p * r + 1.6666665459e-1
    p = p * r + 5.0000001201e-1
    let er = p * r * r + r + 1
    // The low bits of `shifted` hold n + 2²² (as 0x4B400000 + n); move n + 127 into the exponent.
    let exponent = (shifted.bitPattern &- 0x4B40_0000 &+ 127) &<< 23
    return value < -87 ? 0 : er * Float(bitPattern: exponent)
}
