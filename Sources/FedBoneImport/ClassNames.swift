import Foundation

/// Class lists given on the command line.
public enum ClassNames {
    /// `"21"` → the names `"0"`…`"20"`; `"cat,dog"` → those names. A dataset's label tasks need
    /// 2…255 classes.
    /// - Throws: ``ImportError/invalidOptions(_:)`` for another count, an empty or repeated name.
    public static func parse(_ text: String, option: String = "--classes") throws -> [String] {
        let names: [String]
        if let count = Int(text.trimmingCharacters(in: .whitespaces)) {
            guard (2...255).contains(count) else { throw ImportError.invalidOptions("\(option) must be 2…255 classes, got \(count)") }
            names = (0..<count).map(String.init)
        } else {
            names = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard (2...255).contains(names.count) else {
                throw ImportError.invalidOptions("\(option) must name 2…255 classes, got \(names.count)")
            }
            guard !names.contains(where: \.isEmpty) else { throw ImportError.invalidOptions("\(option) has an empty class name") }
            guard Set(names).count == names.count else { throw ImportError.invalidOptions("\(option) repeats a class name") }
        }
        return names
    }
}
