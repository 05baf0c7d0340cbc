/// The version `recon --version` prints, kept here and nowhere else (`scripts/package` reads it).
enum ReconVersion {
    static let number = "0.8.0"

    /// `recon 0.8.0 (commit 1a2b3c4)`; a plain `swift build` cannot know its commit and says so.
    static var text: String {
        "recon \(number) (" + (BuildCommit.hash.map { "commit \($0)" } ?? "commit unknown: built outside scripts/package") + ")"
    }
}
