/// A value a peer sent, as a status message may show it: at most `limit` Unicode scalars; a
/// longer one is cut, marked with an ellipsis and its length in bytes. Every value the server
/// echoes back in an error goes through here, so a peer's megabyte string never comes back
/// (a status message that large would arrive as RESOURCE_EXHAUSTED or a reset connection
/// instead of the real refusal).
package func echoed(_ value: some CustomStringConvertible, limit: Int = 64) -> String {
    let text = value.description
    var cut = String.UnicodeScalarView()
    for scalar in text.unicodeScalars.prefix(limit + 1) { cut.append(scalar) }
    guard cut.count > limit else { return text }
    cut.removeLast()
    return String(cut) + "… (\(text.utf8.count) bytes)"
}
