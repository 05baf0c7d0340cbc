import Foundation
import Testing

@testable import ReconKit

/// A file the finance team made owner-only stays so where recon keeps it: an operator's
/// private key written into a site's Inbox by `recon keygen --dir` was taken by the next
/// ingest and kept in `Inbox/rejected/` readable by everyone.
@Suite("Owner-only files stay owner-only, and keys stay out of a site's folders", .serialized)
struct OwnerOnlyDropTests {
    static func mode(_ path: String) -> mode_t {
        var st = stat()
        return stat(path, &st) == 0 ? st.st_mode & 0o777 : 0
    }

    @Test func keygenRefusesAFolderOfASite() throws {
        let site = try TestSite.marchSite()
        for dir in ["Inbox", "Inbox/new-keys", "Ledger", "Outbox", ".recon"] {
            let run = try site.recon(["keygen", "dana", "--dir", site.path(dir)], site: false)
            #expect(run.code == 3, "\(dir): \(run.out)\(run.err)")
            #expect(run.err.contains("lies inside the site"), "\(run.err)")
            #expect(!site.exists(dir + "/dana.key") && !site.exists("Inbox/new-keys"))
        }
        // Beside the site's folders is the operator's choice.
        #expect(try site.recon(["keygen", "dana", "--dir", site.path("operator-keys")], site: false).code == 0)
    }

    @Test func heldAndRejectedDropsKeepTheirPermissions() throws {
        let site = try TestSite.closedMarchSite()
        try site.drop("dana.key", "PRIVATE+KEY+bytes\n")
        try site.drop("usage-late-2.csv", """
            report_id,reported_at,client_id,radiologist_id,modality,image_count
            R9,2026-03-21T10:00:00Z,C1,D1,CT,1
            """)
        #expect(chmod(site.path("Inbox/dana.key"), 0o600) == 0 && chmod(site.path("Inbox/usage-late-2.csv"), 0o600) == 0)
        let ingest = try site.recon(["ingest"], env: TestSite.rerunDay)
        #expect(ingest.code == 2 || ingest.code == 3, "\(ingest.err)")
        #expect(site.exists("Inbox/rejected/dana.key") && site.exists("Inbox/held/usage-late-2.csv"), "\(ingest.err)")
        #expect(Self.mode(site.path("Inbox/rejected/dana.key")) == 0o600)
        // Its errors file quotes the drop: no more readable than it.
        #expect(Self.mode(site.path("Inbox/rejected/dana.key.errors.txt")) == 0o600)
        #expect(Self.mode(site.path("Inbox/held/usage-late-2.csv")) == 0o600)
        // A drop as files usually come stays as it was.
        #expect(Self.mode(site.path("Inbox/held/usage-late.csv")) == 0o644)
    }

    /// Exactly the drop's permissions, whatever the umask: a group-writable drop (0664) was kept
    /// 0644 under the usual umask 022, and a 0644 one 0600 under 077. Its errors file, which recon
    /// writes, is no more readable than the drop nor than the umask allows: exactly the drop's, it
    /// was world-readable under a service's `UMask=0027` (README: never world-readable).
    @Test(arguments: [(mode_t(0o002), mode_t(0o664), mode_t(0o664)), (0o022, 0o664, 0o644), (0o027, 0o644, 0o640)])
    func aKeptDropsPermissionsAreExactlyItsOwn(mask: mode_t, drop: mode_t, errors: mode_t) throws {
        let site = try TestSite.marchSite()
        try site.drop("usage-bad.csv", "report_id\nX\n")
        #expect(chmod(site.path("Inbox/usage-bad.csv"), drop) == 0)
        let old = umask(mask)
        defer { umask(old) }
        let ingest = try site.recon(["ingest"], env: TestSite.closeDay)
        #expect(ingest.code == 2, "\(ingest.err)")
        #expect(Self.mode(site.path("Inbox/rejected/usage-bad.csv")) == drop)
        #expect(Self.mode(site.path("Inbox/rejected/usage-bad.csv.errors.txt")) == errors)
    }
}
