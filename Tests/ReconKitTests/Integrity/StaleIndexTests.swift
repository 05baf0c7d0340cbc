import Foundation
import Testing

@testable import ReconKit

/// `.recon/` put back from a backup taken before a rerun: the closed month's index is a real
/// index recon wrote, the one the close vouched for, but not the one the rerun's entry vouches
/// for. Writers once warned and signed over it while `recon verify` refused the site; then every
/// writer refused it (exit 4, "find out who changed it") until someone deleted the file — an
/// innocent restore stopped the site. Now each says what it is, reads around it, and the first
/// command that reads settled months rebuilds it; an index no entry ever vouched for still
/// stops writers.
@Suite("A cache or index the ledger does not vouch for stops writers", .serialized)
struct StaleIndexTests {
    @Test func anIndexFromBeforeARerunIsReadAroundAndRebuilt() throws {
        let site = try TestSite.closedMarchSite()
        let index = site.path(".recon/closed/2026-03.idx")
        let backup = try Data(contentsOf: URL(fileURLWithPath: index))
        let key = try site.operatorKey("asha", listed: true)
        let rerun = try site.recon(["rerun", "2026-03", "--reason", "late usage", "--key", key], env: TestSite.rerunDay)
        #expect(rerun.code == 0, "\(rerun.err)")
        let vouched = try Data(contentsOf: URL(fileURLWithPath: index))
        #expect(vouched != backup)
        try backup.write(to: URL(fileURLWithPath: index))

        let said = "the closed-period index .recon/closed/2026-03.idx is the one seq"
        let verify = try site.recon(["verify"])
        #expect(verify.code == 0 && verify.err.contains(said) && verify.err.contains("put back from an older backup"), "\(verify.out)\(verify.err)")
        site.expectAuditorAccepts()
        // The first writer says so and rebuilds it: the index the rerun vouched for.
        let invoice = try #require(try site.bodies("invoice.issued").last?["number"] as? String)
        let credit = try site.recon(["credit", invoice, "--amount", "1.00", "--reason", "goodwill", "--key", key], env: TestSite.aprilLater)
        #expect(credit.code == 0 && credit.err.contains(said) && credit.err.contains("it is rebuilt from the archived drops"),
                "\(credit.out)\(credit.err)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: index)) == vouched)
        try site.drop("usage-2026-04.csv", TestSite.april)
        let ingest = try site.recon(["ingest"], env: TestSite.aprilLater)
        #expect(ingest.code == 0 && !ingest.err.contains(said), "\(ingest.err)")
        let again = try site.recon(["verify"])
        #expect(again.code == 0 && !again.out.contains(said), "\(again.out)")
        site.expectAuditorAccepts()
    }

    /// An index the ledger never vouched for (its bytes changed) still stops every writer.
    @Test func anIndexNoEntryVouchedForStopsEveryWriter() throws {
        let site = try TestSite.closedMarchSite()
        let index = site.path(".recon/closed/2026-03.idx")
        var bytes = try Data(contentsOf: URL(fileURLWithPath: index))
        bytes[bytes.count - 9] ^= 0x01  // the table's last byte: its SHA-256 is no entry's
        try bytes.write(to: URL(fileURLWithPath: index))
        #expect(try site.recon(["verify"]).code == 4)
        let before = try site.ledgerBytes()
        try site.drop("usage-2026-04.csv", TestSite.april)
        let ingest = try site.recon(["ingest"], env: TestSite.aprilLater)
        #expect(ingest.code == 4 && ingest.err.contains("the closed-period index .recon/closed/2026-03.idx does not match the "
            + "report_index_sha256 of seq") && ingest.err.contains("delete it"), "\(ingest.err)")
        #expect(try site.ledgerBytes() == before && site.exists("Inbox/usage-2026-04.csv"))
    }
}
