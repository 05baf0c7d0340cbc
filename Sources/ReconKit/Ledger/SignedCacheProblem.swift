/// Why one of the site's signed caches (the document seal, the status cache) is not used:
/// the file, relative to the site, and what is wrong with it.
struct SignedCacheProblem: Error, CustomStringConvertible {
    let file: String
    let reason: String
    /// The file this user may not open, when that is what is wrong: no damage, so `recon verify`
    /// says it cannot judge it (exit 1, its owner named) where it named a damaged cache (4).
    var unreadable: FileIO.Failure?

    var description: String { "\(file): \(reason)" }
}
