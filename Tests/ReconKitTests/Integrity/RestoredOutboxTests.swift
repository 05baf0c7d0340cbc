import Foundation
import Testing

@testable import ReconKit

/// `Outbox/` put back from a backup older than the ledger (a share wiped by mistake, last
/// night's copy restored): the issued documents came back, byte for byte, but the closed
/// month's review stayed the backup's open-month draft — its month shown as not closed — and
/// the margin summary the one from before the close, while every check passed. Only a missing
/// review was looked for. The next writer writes both again, and `status` says so meanwhile;
/// a site copied whole (`cp -a`) keeps its workbooks.
struct RestoredOutboxTests {
    static func copyTree(_ from: String, _ to: String) throws {
        #expect(try ProcessRunner.run("/bin/cp", ["-a", from, to]).code == 0)
    }

    static func texts(_ path: String) throws -> [String] {
        try PrintedSheet(path).cells.values.compactMap(\.text).sorted()
    }

    @Test func aClosedMonthsReviewPutBackFromAnOlderBackupIsWrittenAgain() throws {
        let site = try TestSite.marchSite()
        let backup = FileManager.default.temporaryDirectory.appendingPathComponent("recon-outbox-backup-\(getpid())").path
        try? FileManager.default.removeItem(atPath: backup)
        defer { try? FileManager.default.removeItem(atPath: backup) }
        try Self.copyTree(site.path("Outbox"), backup)
        #expect(try site.recon(["close", "2026-03"], env: TestSite.closeDay).code == 0)
        let final = try Self.texts(site.path("Outbox/2026-03/review.xlsx"))
        #expect(try Self.texts(backup + "/2026-03/review.xlsx") != final)  // the draft shows what the final one does not
        // A copy of the whole site keeps sizes and times: nothing to write again there.
        let copy = site.root + "-copy"
        try Self.copyTree(site.root, copy)
        defer { try? FileManager.default.removeItem(atPath: copy) }
        let copied = try ProcessRunner.run(TestSite.binary, ["status", "--site", copy], environment: TestSite.closeDay)
        #expect(copied.code == 0 && !copied.err.contains("recon last wrote"), "\(copied.err)")

        try FileManager.default.removeItem(atPath: site.path("Outbox"))
        try Self.copyTree(backup, site.path("Outbox"))
        let status = try site.recon(["status"], env: TestSite.closeDay)
        #expect(status.code == 0 && status.err.contains("Outbox/2026-03/review.xlsx, Outbox/margin-summary.xlsx are not the workbooks "
            + "recon last wrote (an older copy put back from a backup, or edited)"), "\(status.err)")
        let repair = try site.recon(["watch", "--once"], env: TestSite.closeDay)
        #expect(repair.code == 0 && repair.err.contains("wrote Outbox/2026-03/review.xlsx again: the one there was not the one recon "
            + "last wrote"), "\(repair.err)")
        #expect(try Self.texts(site.path("Outbox/2026-03/review.xlsx")) == final)
        #expect(!site.exists("Outbox/2026-03/drafts"))
        let after = try site.recon(["status"], env: TestSite.closeDay)
        #expect(!after.err.contains("recon last wrote"), "\(after.err)")
        site.expectAuditorAccepts()
    }
}
