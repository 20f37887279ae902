/// Σ a_j b_j in double precision (the tests' own, independent of the product's).
func referenceDot(_ a: [Float], _ b: [Float]) -> Double {
    zip(a, b).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
}

/// Σ a_j b_j in double precision.
func referenceDot(_ a: [Double], _ b: [Double]) -> Double {
    zip(a, b).reduce(0.0) { $0 + $1.0 * $1.1 }
}
