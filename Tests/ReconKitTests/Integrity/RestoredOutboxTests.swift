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

    /// `site`'s `Outbox/` copied (`cp -a`) to a fresh folder `name` in the temporary directory, as a backup.
    static func backUpOutbox(of site: TestSite, as name: String) throws -> String {
        let backup = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(getpid())").path
        try? FileManager.default.removeItem(atPath: backup)
        try copyTree(site.path("Outbox"), backup)
        return backup
    }

    static func texts(_ path: String) throws -> [String] {
        try PrintedSheet(path).cells.values.compactMap(\.text).sorted()
    }

    /// Every cell's text or number, by reference: a draft's amounts are numbers.
    static func values(_ path: String) throws -> [String] {
        try PrintedSheet(path).cells.map { "\($0.key)=\($0.value.text ?? $0.value.number ?? "")" }.sorted()
    }

    /// The same draft review put back with `.recon/` from the same backup (its stamps agree with
    /// it), or with the stamps lost: nothing told it from the final review, and the closed month's
    /// review showed the draft's "blocks close" for good. A review's stamp records the ledger's
    /// length it was written at: one written before its period's close, or with no stamp at all,
    /// is written again.
    @Test(arguments: ["with .recon", "stamps lost"])
    func aClosedMonthsDraftReviewPutBackWithItsStampsIsWrittenAgain(how: String) throws {
        let site = try TestSite.marchSite()
        let backup = try Self.backUpOutbox(of: site, as: "recon-outbox-draft-\(how == "with .recon" ? "a" : "b")")
        let recon = backup + "-recon"
        try? FileManager.default.removeItem(atPath: recon)
        try Self.copyTree(site.path(".recon"), recon)
        defer { try? FileManager.default.removeItem(atPath: backup); try? FileManager.default.removeItem(atPath: recon) }
        #expect(try site.recon(["close", "2026-03"], env: TestSite.closeDay).code == 0)
        let final = try Self.texts(site.path("Outbox/2026-03/review.xlsx"))
        #expect(try Self.texts(backup + "/2026-03/review.xlsx") != final)
        if how == "with .recon" {
            for folder in ["Outbox", ".recon"] { try FileManager.default.removeItem(atPath: site.path(folder)) }
            try Self.copyTree(backup, site.path("Outbox"))
            try Self.copyTree(recon, site.path(".recon"))
        } else {
            try FileManager.default.removeItem(atPath: site.path("Outbox/2026-03/review.xlsx"))
            try Self.copyTree(backup + "/2026-03/review.xlsx", site.path("Outbox/2026-03/review.xlsx"))
            try FileManager.default.removeItem(atPath: site.path(".recon/derived.stamps"))
        }
        let status = try site.recon(["status"], env: TestSite.closeDay)
        #expect(status.code == 0 && status.err.contains("Outbox/2026-03/review.xlsx"), "\(status.err)")
        let repair = try site.recon(["watch", "--once"], env: TestSite.closeDay)
        #expect(repair.code == 0 && repair.err.contains("wrote Outbox/2026-03/review.xlsx again: the one there was written before the "
            + "period was closed or last rerun, or recon kept no record of writing it"), "\(repair.err)")
        #expect(try Self.texts(site.path("Outbox/2026-03/review.xlsx")) == final)
        // Once written again, nothing more is said or written.
        let after = try site.recon(["watch", "--once"], env: TestSite.closeDay)
        #expect(after.code == 0 && !after.err.contains("review.xlsx"), "\(after.err)")
        site.expectAuditorAccepts()
    }

    @Test func aClosedMonthsReviewPutBackFromAnOlderBackupIsWrittenAgain() throws {
        let site = try TestSite.marchSite()
        let backup = try Self.backUpOutbox(of: site, as: "recon-outbox-backup")
        defer { try? FileManager.default.removeItem(atPath: backup) }
        #expect(try site.recon(["close", "2026-03"], env: TestSite.closeDay).code == 0)
        let final = try Self.texts(site.path("Outbox/2026-03/review.xlsx"))
        #expect(try Self.texts(backup + "/2026-03/review.xlsx") != final)  // the draft shows what the final one does not
        // A copy of the whole site keeps sizes and times: nothing to write again there.
        let copy = site.root + "-copy"
        try Self.copyTree(site.root, copy)
        defer { try? FileManager.default.removeItem(atPath: copy) }
        let copied = try ProcessRunner.run(TestSite.binary, ["status", "--site", copy], environment: TestSite.closeDay)
        #expect(copied.code == 0 && !copied.err.contains("recon last wrote"), "\(copied.err)")
        // So does one put back from a tar archive, which keeps times to the second only.
        let archive = site.root + "-copy.tar", untarred = site.root + "-untarred"
        defer { try? FileManager.default.removeItem(atPath: archive); try? FileManager.default.removeItem(atPath: untarred) }
        #expect(try ProcessRunner.run("/bin/tar", ["-C", site.root, "-cf", archive, "--format=ustar", "."]).code == 0)
        try FileManager.default.createDirectory(atPath: untarred, withIntermediateDirectories: false)
        #expect(try ProcessRunner.run("/bin/tar", ["-C", untarred, "-xf", archive]).code == 0)
        let untarredStatus = try ProcessRunner.run(TestSite.binary, ["status", "--site", untarred], environment: TestSite.closeDay)
        #expect(untarredStatus.code == 0 && !untarredStatus.err.contains("recon last wrote"), "\(untarredStatus.err)")

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

    /// `Outbox/` alone put back from a backup taken before the month's latest drop: the open
    /// month's drafts and draft review stayed the backup's (the new reports left out) until the
    /// next ingest or decision, and `status` said nothing — only closed reviews and the summary
    /// were compared with what recon last wrote. Said, and written again by the next writer.
    @Test func anOpenMonthsDraftsPutBackFromAnOlderBackupAreWrittenAgain() throws {
        let site = try TestSite.marchSite()
        let backup = try Self.backUpOutbox(of: site, as: "recon-drafts-backup")
        defer { try? FileManager.default.removeItem(atPath: backup) }
        try site.drop("usage-more.csv", "report_id,reported_at,client_id,radiologist_id,modality,image_count\nR9,2026-03-20T10:00:00Z,C1,D1,CT,1\n")
        #expect(try site.recon(["ingest"], env: TestSite.closeDay).code == 0)
        let drafts = ["Outbox/2026-03/drafts/invoices.xlsx", "Outbox/2026-03/drafts/payouts.xlsx", "Outbox/2026-03/review.xlsx"]
        let current = try drafts.map { try Self.values(site.path($0)) }
        #expect(try Self.values(backup + "/2026-03/drafts/invoices.xlsx") != current[0])  // the backup's leave R9 out

        try FileManager.default.removeItem(atPath: site.path("Outbox"))
        try Self.copyTree(backup, site.path("Outbox"))
        let status = try site.recon(["status"], env: TestSite.closeDay)
        #expect(status.code == 0 && status.err.contains(drafts.joined(separator: ", ")) && status.err.contains("are not the workbooks recon "
            + "last wrote (an older copy put back from a backup, or edited)"), "\(status.err)")
        let repair = try site.recon(["watch", "--once"], env: TestSite.closeDay)
        #expect(repair.code == 0 && repair.err.contains("wrote again the open months' drafts and review (\(drafts.joined(separator: ", "))): "
            + "the ones there were not the ones recon last wrote"), "\(repair.err)")
        #expect(try drafts.map { try Self.values(site.path($0)) } == current)
        let after = try site.recon(["status"], env: TestSite.closeDay)
        #expect(!after.err.contains("recon last wrote"), "\(after.err)")
        // Removed by hand, they come back too.
        try FileManager.default.removeItem(atPath: site.path("Outbox/2026-03/drafts"))
        // `status` says so (its kept figures stood for a healthy site, and it said nothing).
        let missing = try site.recon(["status"], env: TestSite.closeDay)
        #expect(missing.code == 0 && missing.err.contains("Outbox/2026-03/drafts/invoices.xlsx, Outbox/2026-03/drafts/payouts.xlsx are "
            + "missing (deleted, or left out of a restore); the next writing command writes them again"), "\(missing.err)")
        let again = try site.recon(["watch", "--once"], env: TestSite.closeDay)
        #expect(again.code == 0 && again.err.contains("wrote again the open months' drafts and review (Outbox/2026-03/drafts/invoices.xlsx, "
            + "Outbox/2026-03/drafts/payouts.xlsx): they were missing"), "\(again.err)")
        #expect(try drafts.map { try Self.values(site.path($0)) } == current)
        site.expectAuditorAccepts()
    }

    /// `recon ingest` and `recon decide` write the open months' drafts whatever they do, and
    /// wrote stale ones again without a word, where the other writers said so.
    @Test func anIngestSaysItWritesMissingDraftsAgain() throws {
        let site = try TestSite.marchSite()
        try FileManager.default.removeItem(atPath: site.path("Outbox/2026-03/drafts"))
        let ingest = try site.recon(["ingest"], env: TestSite.closeDay)
        #expect(ingest.code == 0 && ingest.err.contains("writes again the open months' drafts and review (Outbox/2026-03/drafts/"
            + "invoices.xlsx, Outbox/2026-03/drafts/payouts.xlsx): they are missing"), "\(ingest.err)")
        #expect(site.exists("Outbox/2026-03/drafts/invoices.xlsx") && site.exists("Outbox/2026-03/drafts/payouts.xlsx"))
        let again = try site.recon(["ingest"], env: TestSite.closeDay)
        #expect(again.code == 0 && !again.err.contains("writes again"), "\(again.err)")
    }

    /// Stamps kept by an earlier build, times to the nanosecond (`SIZE SEC.NNNNNNNNN`): the
    /// first command after the upgrade took every workbook that build wrote for an older copy
    /// put back ("an older copy put back from a backup, or edited") and wrote them all again.
    /// An upgrade is no restore: they are taken as they are, and their stamps kept anew.
    @Test func stampsAnEarlierBuildKeptInAnotherFormAreNoRestore() throws {
        let site = try TestSite.closedMarchSite()
        let relatives = ["Outbox/2026-03/review.xlsx", "Outbox/margin-summary.xlsx"]
        let earlier = try relatives.map { relative -> String in
            let stamp = try #require(FileStamp.of(site.path(relative)))
            return "\(relative)\t\(stamp.size) \(stamp.modified.text)\n"
        }.joined()
        try earlier.write(toFile: site.path(".recon/derived.stamps"), atomically: true, encoding: .utf8)
        let status = try site.recon(["status"], env: TestSite.rerunDay)
        #expect(status.code == 0 && !status.err.contains("recon last wrote"), "\(status.err)")
        let watch = try site.recon(["watch", "--once"], env: TestSite.rerunDay)
        #expect(watch.code == 0 && !watch.err.contains("recon last wrote"), "\(watch.err)")
        let kept = try site.read(".recon/derived.stamps")
        for relative in relatives {
            let line = kept.split(separator: "\n").first { $0.hasPrefix(relative + "\t") }
            #expect(line.map { !$0.dropFirst(relative.count + 1).contains(".") } == true, "\(relative): \(kept)")  // whole seconds now
        }
    }

    /// A closed month's review replaced by a link to a forged workbook, or by a FIFO: only a
    /// regular file's size and time were compared, so a link or FIFO was never taken as replaced —
    /// `status` said nothing and no writer wrote the review again.
    @Test(arguments: ["link", "fifo"])
    func aClosedMonthsReviewReplacedByALinkOrFIFOIsWrittenAgain(kind: String) throws {
        let site = try TestSite.closedMarchSite()
        let review = site.path("Outbox/2026-03/review.xlsx")
        let final = try Self.texts(review)
        let forged = site.path("forged-review.xlsx")
        try FileManager.default.copyItem(atPath: review, toPath: forged)
        try FileManager.default.removeItem(atPath: review)
        #expect(kind == "link" ? symlink(forged, review) == 0 : mkfifo(review, 0o644) == 0)
        let status = try site.recon(["status"], env: TestSite.rerunDay)
        #expect(status.code == 0 && status.err.contains("Outbox/2026-03/review.xlsx is not the workbook recon last wrote"), "\(status.err)")
        let repair = try site.recon(["watch", "--once"], env: TestSite.rerunDay)
        #expect(repair.code == 0 && repair.err.contains("wrote Outbox/2026-03/review.xlsx again"), "\(repair.err)")
        guard FileStatus.of(review)?.kind == .regularFile else {
            Issue.record("Outbox/2026-03/review.xlsx is still a \(kind)")
            return
        }
        #expect(try Self.texts(review) == final)
    }

    /// `.recon/` left root's (`chown -R clinic site/*` skips it), the site's user may not record
    /// what it writes: every writing command found every closed review "replaced" and wrote them
    /// all again, each time. It compares only what it can record. (As `nobody`: needs root.)
    @Test(.enabled(if: getuid() == 0 && ProcessRunner.executable(named: "setpriv") != nil, "needs root and setpriv to run as another user"))
    func aReconFolderThisUserCannotWriteStartsNoRewrites() throws {
        let site = try TestSite.closedMarchSite()
        let binary = try site.handedToNobody()
        #expect(chown(site.path(".recon"), 0, 0) == 0 && chmod(site.path(".recon"), 0o755) == 0)
        // March's review written again by root (as a restore would): its time is not the one kept.
        #expect(try ProcessRunner.run("/usr/bin/touch", ["-d", "2026-01-01", site.path("Outbox/2026-03/review.xlsx")]).code == 0)
        for _ in 0..<2 {
            let run = try ProcessRunner.runAsNobody(binary, ["watch", "--once", "--site", site.root], environment: TestSite.rerunDay)
            #expect(run.code == 0 && !run.err.contains("again: the one there was not the one recon last wrote"), "\(run.err)")
        }
        #expect(chown(site.path(".recon"), 65534, 65534) == 0)
    }
}
