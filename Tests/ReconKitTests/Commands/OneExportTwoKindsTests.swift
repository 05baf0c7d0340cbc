import Foundation
import Testing

@testable import ReconKit

/// One export holding two kinds' columns, dropped as both, where a drop waits (held for a
/// rerun, or not yet ingested): a file's bytes are taken once, as one kind. The checks that a
/// file is a leftover of a drop taken already looked at its bytes alone: a held usage drop
/// whose bytes were then taken as clients was removed as "interrupted" and never billed, a
/// decisions copy of it was "held as" the usage drop and its exclusion lost, and a close
/// removed a usage drop waiting in the Inbox whose bytes were taken as clients, and closed
/// the month without it.
struct OneExportTwoKindsTests {
    /// Usage and clients columns in one file: a late March report, and C1's details as they stand.
    static let usageAndClients = "report_id,reported_at,client_id,radiologist_id,modality,image_count,name,currency,contract_type,"
        + "onboarded_on,max_images_per_case,tax_rate\nX1,2026-03-20T10:00:00Z,C1,D1,CT,1,City Hospital,INR,standard,2020-01-01,10,18\n"

    @Test func theSameBytesAsAHeldDropOfAnotherKindAreRejectedAndTheHeldDropWaits() throws {
        let site = try TestSite.marchSite()
        #expect(try site.recon(["close", "2026-03"], env: TestSite.closeDay).code == 0)
        try site.drop("usage-x.csv", Self.usageAndClients)
        #expect(try site.recon(["ingest"], env: TestSite.rerunDay).code == 3)
        #expect(site.exists("Inbox/held/usage-x.csv"))
        for (name, kind) in [("clients-x.csv", "clients"), ("decisions-x.csv", "decisions")] {
            try site.drop(name, Self.usageAndClients)
            let ingest = try site.recon(["ingest"], env: TestSite.rerunDay)
            #expect(ingest.code == 2, "\(name): \(ingest.err)")
            #expect(try site.read("Inbox/rejected/\(name).errors.txt") == "these bytes wait in Inbox/held/usage-x.csv as a usage drop "
                + "held for a rerun, and a file's bytes are taken once, as one kind: as a \(kind) drop they would never be applied — "
                + "export the \(kind) rows in a file of their own (its header holding only the \(kind) columns), then drop it\n")
        }
        // The held drop still waits, and the rerun bills X1: C1's March 3 + 1 reports.
        #expect(site.exists("Inbox/held/usage-x.csv") && !site.exists("Inbox/held/decisions-x.csv"))
        let key = try site.operatorKey("op", listed: true, env: TestSite.rerunDay)
        let rerun = try site.recon(["rerun", "2026-03", "--reason", "late X1", "--key", key], env: TestSite.rerunDay)
        #expect(rerun.code == 0 && rerun.out.contains("applied 1 held drop(s)"), "\(rerun.out)\(rerun.err)")
        site.expectAuditorAccepts()
    }

    @Test func aCloseWaitsForAUsageDropWhoseBytesWereTakenAsClients() throws {
        let site = try TestSite.marchSite()
        try site.drop("clients-x.csv", Self.usageAndClients)
        #expect(try site.recon(["ingest"], env: TestSite.closeDay).code == 0)
        try site.drop("usage-x.csv", Self.usageAndClients)
        let before = try site.ledgerBytes()
        let close = try site.recon(["close", "2026-03"], env: TestSite.closeDay)
        #expect(close.code == 3 && close.err.contains("Inbox/ holds a drop not yet ingested (usage-x.csv)"), "\(close.err)")
        #expect(try site.exists("Inbox/usage-x.csv") && site.ledgerBytes() == before)
        let status = try site.recon(["status"], env: TestSite.closeDay)
        #expect(!status.out.contains("ready to close") || status.out.contains("not ready to close"), "\(status.out)")
        // The dry run says what the ingest does: rejected, not removed as a duplicate.
        let dry = try site.recon(["ingest", "--dry-run"], env: TestSite.closeDay)
        #expect(dry.code == 2 && dry.out.contains("usage-x.csv: would be rejected"), "\(dry.out)\(dry.err)")
    }

    @Test func aDryRunOfBothNamesInOneBatchSaysTheSecondIsRejected() throws {
        let site = try RejectedDropsSaidTests.oneExportDroppedAsBoth().site
        let dry = try site.recon(["ingest", "--dry-run"], env: TestSite.closeDay)
        #expect(dry.code == 2 && dry.out.contains("radiologists.csv: would be rejected") && !dry.out.contains("would be removed"),
                "\(dry.out)\(dry.err)")
    }

    /// `recon ingest Inbox/*` names the Inbox's own folders too: `held/` was taken for a folder
    /// dropped in the Inbox and moved whole into `rejected/`, the drops waiting for a rerun with it.
    @Test func theInboxsOwnFoldersNamedAreNoDrops() throws {
        let site = try TestSite.closedMarchSite()
        #expect(site.exists("Inbox/held/usage-late.csv"))
        let named = try site.recon(["ingest", site.path("Inbox/held"), site.path("Inbox/rejected")], env: TestSite.rerunDay)
        #expect(named.code == 2 && named.err.contains("held: ignored (not taken: Inbox/held is the Inbox's own folder, not a drop")
                && named.err.contains("rejected: ignored (not taken: Inbox/rejected is the Inbox's own folder"), "\(named.err)")
        #expect(site.exists("Inbox/held/usage-late.csv") && !site.exists("Inbox/rejected/held"))
    }

    /// A usage file of an open month saved into `Inbox/held/` by hand: the close said it was
    /// "held whole because it also touches closed : a rerun applies it", and the rerun it asked
    /// for only rejected it, its signed request spent.
    @Test func aDropPutInHeldByHandIsSaidSo() throws {
        let site = try TestSite.closedMarchSite()
        try FileManager.default.removeItem(atPath: site.path("Inbox/held/usage-late.csv"))
        try TestSite.april.write(toFile: site.path("Inbox/held/usage-april.csv"), atomically: true, encoding: .utf8)
        let close = try site.recon(["close", "2026-04"], env: ["RECON_NOW": "2026-05-02T09:00:00Z"])
        #expect(close.code == 3 && close.err.contains("Inbox/held/usage-april.csv holds 2 reports of 2026-04 and touches no closed "
            + "month, so no rerun applies it: recon holds only drops that touch one, and this was put there by hand — move it into "
            + "Inbox/ and run `recon ingest`, then close 2026-04"), "\(close.err)")
    }
}
