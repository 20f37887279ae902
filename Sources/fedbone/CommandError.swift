/// A failure of a command that is not a usage mistake (a missing or unreadable file, say):
/// printed as `Error: <message>` without the usage text that `ValidationError` adds.
struct CommandError: Error, CustomStringConvertible {
    let description: String

    init(_ message: String) { description = message }
}
