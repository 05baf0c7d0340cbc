/// Why one of the site's signed caches (the document seal, the status cache) is not used:
/// the file, relative to the site, and what is wrong with it.
struct SignedCacheProblem: Error, CustomStringConvertible {
    let file: String
    let reason: String

    var description: String { "\(file): \(reason)" }
}
