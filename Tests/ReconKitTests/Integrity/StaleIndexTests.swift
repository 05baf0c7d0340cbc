import Foundation
import Testing

@testable import ReconKit

/// `.recon/` put back from a backup taken before a rerun: the closed month's index is a real
/// index recon wrote, but not the one the rerun's entry vouches for. `recon verify` names it
/// (exit 4), and no writer appends over it — each used to warn, sign checkpoints and go on,
/// so the site never verified again until someone deleted the file.
@Suite("A cache or index the ledger does not vouch for stops writers", .serialized)
struct StaleIndexTests {
    @Test func anIndexFromBeforeARerunStopsEveryWriterUntilDeleted() throws {
        let site = try TestSite.closedMarchSite()
        let index = site.path(".recon/closed/2026-03.idx")
        let backup = try Data(contentsOf: URL(fileURLWithPath: index))
        let key = try site.operatorKey("asha", listed: true)
        let rerun = try site.recon(["rerun", "2026-03", "--reason", "late usage", "--key", key], env: TestSite.rerunDay)
        #expect(rerun.code == 0, "\(rerun.err)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: index)) != backup)
        try backup.write(to: URL(fileURLWithPath: index))

        let verify = try site.recon(["verify"])
        #expect(verify.code == 4 && verify.out.contains(".recon/closed/2026-03.idx"), "\(verify.out)")
        let before = try site.ledgerBytes()
        let invoice = try #require(try site.bodies("invoice.issued").last?["number"] as? String)
        try site.drop("usage-2026-04.csv", TestSite.april)
        // A writer that reads the index (settled months stay on disk), one that reads every
        // report (a rerun, opening no index), and a credit: each refuses, appending nothing.
        let runs = [
            try site.recon(["ingest"], env: TestSite.aprilLater),
            try site.recon(["rerun", "2026-03", "--reason", "again", "--key", key], env: TestSite.aprilLater),
            try site.recon(["credit", invoice, "--amount", "1.00", "--reason", "goodwill", "--key", key], env: TestSite.aprilLater),
        ]
        for run in runs {
            #expect(run.code == 4, "\(run.out)\(run.err)")
            #expect(run.err.contains("the closed-period index .recon/closed/2026-03.idx does not match the report_index_sha256 of seq"),
                    "\(run.err)")
            #expect(run.err.contains("delete it"), "\(run.err)")
        }
        #expect(try site.ledgerBytes() == before)
        #expect(site.exists("Inbox/usage-2026-04.csv"))
        // A reader still shows its figures, saying what it did not read.
        let status = try site.recon(["status"], env: TestSite.aprilLater)
        #expect(status.code == 0 && status.err.contains(".recon/closed/2026-03.idx"), "\(status.err)")

        try FileManager.default.removeItem(atPath: index)
        let ingest = try site.recon(["ingest"], env: TestSite.aprilLater)
        #expect(ingest.code == 0, "\(ingest.err)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: index)) != backup)
        #expect(try site.recon(["verify"]).code == 0)
        site.expectAuditorAccepts()
    }
}
