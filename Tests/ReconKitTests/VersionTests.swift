import Foundation
import Testing

/// `recon --version`: the version and the commit, or an honest "unknown" for a plain build.
struct VersionTests {
    @Test func versionNamesTheVersionAndWhatIsKnownOfTheCommit() throws {
        let r = try TestSite().recon(["--version"], site: false)
        #expect(r.code == 0)
        let line = r.out.trimmingCharacters(in: .newlines)
        // `swift build` cannot see git: the commit is unknown; scripts/package writes the real one.
        let pattern = #"^recon [0-9]+\.[0-9]+\.[0-9]+ \((commit [0-9a-f]{7,40}|commit unknown: built outside scripts/package)\)$"#
        #expect(line.range(of: pattern, options: .regularExpression) != nil, "\(line)")
    }
}
