import Foundation
import Testing
import FedBoneModels

/// The closed-form parameter values of `tools/make_model_fixtures.py` (`formula_values`), so
/// parity tests need no weight files.
enum FormulaWeights {
    static func keyOffset(_ name: String) -> Double {
        0.013 * Double(name.unicodeScalars.reduce(0) { $0 + Int($1.value) } % 997)
    }

    static func values(name: String, shape: [Int]) -> Tensor {
        let n = shape.reduce(1, *)
        let parts = name.split(separator: ".")
        let isNormWeight = parts.count >= 2 && parts[parts.count - 2].contains("norm") && name.hasSuffix("weight")
        let offset = keyOffset(name)
        let scalars = (0..<n).map { i -> Float in
            let d = Double(i)
            let wave = sin(0.731 * d + 0.0173 * d * d + offset)
            if isNormWeight { return Float(1 + 0.1 * wave) }
            if shape.count >= 2 && !name.hasSuffix("relative_position_bias_table") {
                return Float(wave / Double(shape.dropFirst().reduce(1, *)).squareRoot())
            }
            return Float(0.02 * wave)
        }
        return Tensor(uncheckedShape: shape, scalars: scalars)
    }

    /// `sin(0.05 i + phase)` over the flat index.
    static func probe(_ shape: [Int], phase: Double) -> Tensor {
        Tensor(uncheckedShape: shape, scalars: (0..<shape.reduce(1, *)).map { Float(sin(0.05 * Double($0) + phase)) })
    }

    /// Fills every parameter of `module` from the formula.
    static func fill(_ module: Module) {
        for (name, p) in module.namedParameters() {
            try! p.assign(values(name: name, shape: p.shape))
        }
    }

    static func fixture(_ name: String) throws -> [String: Tensor] {
        let folder = try #require(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
        return try Safetensors.read(contentsOf: folder.appendingPathComponent("\(name).safetensors"))
    }
}
