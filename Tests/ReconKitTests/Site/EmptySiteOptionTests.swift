import Foundation
import Testing

/// `--site ""` (a script's `--site "$SITE"` with SITE unset) named the file system's root: an
/// init made a whole site at `/`, and every other command worked on it. It is bad usage.
@Suite("An empty --site is bad usage")
struct EmptySiteOptionTests {
    /// Reading commands only: were the check gone, nothing here writes at the root.
    @Test(arguments: [["status"], ["verify"], ["ingest", "--dry-run"], ["status", "--json"]])
    func anEmptySiteIsRefusedBeforeAnythingIsRead(_ command: [String]) throws {
        let r = try TestSite().recon(command + ["--site", ""], site: false)
        #expect(r.code == 1, "\(r.out)\(r.err)")
        #expect((r.out + r.err).contains("--site is empty: name the site folder"), "\(r.out)\(r.err)")
    }
}
