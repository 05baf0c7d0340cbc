import Foundation
import Testing

@testable import ReconKit

/// A command stopped between a drop's archive and its entry leaves an archive no entry names,
/// the drop still waiting (in `Inbox/held/`, or the Inbox). `recon status` took an archived
/// drop for a recorded one: "held: 0" with a rerun owed, "ready to close" while the close
/// refused. And a rerun stopped by SIGTERM there said nothing was recorded, yet left the archive,
/// which both verifiers read as a cut ledger's until the next writer swept it.
struct UnrecordedArchiveTests {
    static let strace = ProcessRunner.executable(named: "strace")

    /// The archive an interrupted command leaves: the drop's bytes under their hash, no entry.
    func archiveUnrecorded(_ site: TestSite, _ drop: String) throws {
        let sha = try #require(Ingestor.sha256(ofDrop: site.path(drop)))
        try FileManager.default.copyItem(atPath: site.path(drop), toPath: site.path(Site.dropPath(sha256: sha)))
    }

    @Test func aHeldDropWhoseArchiveNoEntryNamesStillWaits() throws {
        let site = try TestSite.closedMarchSite()
        try archiveUnrecorded(site, "Inbox/held/usage-late.csv")
        let status = try site.recon(["status"], env: TestSite.rerunDay)
        #expect(status.code == 0 && status.out.contains("held: 1 (usage-late.csv)"), "\(status.out)\(status.err)")
    }

    @Test func anInboxDropWhoseArchiveNoEntryNamesHoldsTheClose() throws {
        let site = try TestSite.marchSite()
        try site.drop("usage-extra.csv", "report_id,reported_at,client_id,radiologist_id,modality,image_count\nX1,2026-03-20T10:00:00Z,C1,D1,CT,1\n")
        try archiveUnrecorded(site, "Inbox/usage-extra.csv")
        let status = try site.recon(["status"], env: TestSite.closeDay)
        #expect(status.out.contains("not ready to close: Inbox/ holds a drop not yet ingested (usage-extra.csv)")
                && !status.out.contains("\n  ready to close"), "\(status.out)")
    }

    @Test(.enabled(if: strace != nil, "needs strace (Debian strace) to stop the rerun as it archives its held drop"))
    func aRerunStoppedBeforeItsEntryLeavesNoArchive() throws {
        let site = try TestSite.closedMarchSite()
        let key = try site.operatorKey("asha", listed: true)
        let sha = try #require(Ingestor.sha256(ofDrop: site.path("Inbox/held/usage-late.csv")))
        let archive = site.path(Site.dropPath(sha256: sha))
        let before = try site.ledgerBytes()
        // SIGTERM as a shell delivers it (the test runner ignores it, and a child inherits that);
        // strace sends it at the rerun's first write, its held drop's staged bytes.
        let stopped = try ProcessRunner.run("/usr/bin/env",
            ["--default-signal=TERM", try #require(Self.strace), "-f", "-o", "/dev/null", "-e", "trace=write", "-e", "inject=write:signal=TERM:when=1",
             TestSite.binary, "rerun", "2026-03", "--reason", "late report", "--key", key, "--site", site.root], environment: TestSite.rerunDay)
        #expect(stopped.code == SIGTERM && stopped.err.contains("before anything was recorded"), "\(stopped.code) \(stopped.err)")
        #expect(try site.ledgerBytes() == before)
        #expect(!FileManager.default.fileExists(atPath: archive), "the archive of the drop no entry records stayed")
        #expect(site.exists("Inbox/held/usage-late.csv"))
        #expect(try site.recon(["verify", "--strict"]).code == 0)
        site.expectAuditorAccepts()
    }
}
