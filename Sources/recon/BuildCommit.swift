/// The commit this binary was built from. `scripts/package` builds from a clean export of a
/// commit and writes its short hash here; in the repository it stays unknown, so that no
/// binary ever claims a commit it was not built from.
enum BuildCommit {
    static let hash: String? = nil
}
