import Foundation
import Testing

@testable import ReconKit

/// Links put where recon writes: a symbolic link in place of an open month's drafts folder or
/// of a cache folder under `.recon/`, and a copy of the site made with hard links. Each had a
/// command write through it into the site's vouched folders (or into the copy), after which
/// `recon verify` and the auditor's verifier refused a site that had been sound.
struct LinkedPlacesTests {
    static let aprilUsage = """
        report_id,reported_at,client_id,radiologist_id,modality,image_count
        R6,2026-04-01T10:00:00Z,C1,D1,CT,1
        """

    /// `Outbox/2026-04/drafts` made a link into `Ledger/drops`.
    func linkAprilDrafts(_ site: TestSite) throws {
        try FileManager.default.removeItem(atPath: site.path("Outbox/2026-04/drafts"))
        try FileManager.default.createSymbolicLink(atPath: site.path("Outbox/2026-04/drafts"), withDestinationPath: "../../Ledger/drops")
    }

    func workbooksIn(_ site: TestSite, _ folder: String) -> [String] {
        FileIO.list(site.path(folder)).filter { !$0.hasSuffix(".csv") }
    }

    /// The close issued March and then wrote April's drafts into `Ledger/drops` (exit 0); the
    /// site failed both verifiers from then on. Refused before the append, as an ingest is.
    @Test func aCloseRefusesAnotherOpenMonthsDraftsFolderThatIsALink() throws {
        let site = try TestSite.marchSite()
        try site.drop("usage-2026-04.csv", Self.aprilUsage)
        #expect(try site.recon(["ingest"], env: TestSite.closeDay).code == 0)
        #expect(site.exists("Outbox/2026-04/drafts/invoices.xlsx"))
        try linkAprilDrafts(site)
        let before = try site.ledgerBytes()
        let close = try site.recon(["close", "2026-03"], env: TestSite.closeDay)
        #expect(close.code == 3, "\(close.out)\(close.err)")
        #expect(close.err.contains("Outbox/2026-04/drafts: it is a symbolic link"), "\(close.err)")
        #expect(try site.ledgerBytes() == before)
        #expect(workbooksIn(site, "Ledger/drops").isEmpty)
        site.expectAuditorAccepts()
    }

    /// The signed rerun was appended and its checkpoint signed, then the open month's drafts
    /// landed in `Ledger/drops`. Refused before anything is appended.
    @Test func aRerunRefusesAnOpenMonthsDraftsFolderThatIsALink() throws {
        let site = try TestSite.closedMarchSite()
        let key = try site.operatorKey("asha", listed: true)
        try site.drop("usage-2026-04.csv", Self.aprilUsage)
        #expect(try site.recon(["ingest"], env: TestSite.rerunDay).code == 0)
        try linkAprilDrafts(site)
        let before = try site.ledgerBytes()
        let rerun = try site.recon(["rerun", "2026-03", "--reason", "late report", "--key", key], env: TestSite.rerunDay)
        #expect(rerun.code == 3, "\(rerun.out)\(rerun.err)")
        #expect(rerun.err.contains("Outbox/2026-04/drafts: it is a symbolic link"), "\(rerun.err)")
        #expect(try site.ledgerBytes() == before)
        #expect(workbooksIn(site, "Ledger/drops").isEmpty)
        site.expectAuditorAccepts()
    }

    /// `status` rebuilt a closed month's index through a link at `.recon/closed` into
    /// `Ledger/drops` (exit 4, and every writer refused the site); a link at `.recon/cache`
    /// into a folder of invoices put a cache file among them. The link is replaced by a folder
    /// of recon's own, the caches rebuilt there; what it pointed to is untouched.
    @Test(arguments: [(".recon/closed", "../Ledger/drops"), (".recon/cache", "../Outbox/2026-03/invoices"), (".recon", "Ledger/drops")])
    func aCacheFolderThatIsALinkIsReplacedNotWrittenThrough(place: String, target: String) throws {
        let site = try TestSite.marchSite()
        #expect(try site.recon(["close", "2026-03"], env: TestSite.closeDay).code == 0)
        let pointedTo = FileIO.parent(of: site.path(place)) + "/" + target
        let before = FileIO.list(pointedTo)
        try FileManager.default.removeItem(atPath: site.path(place))
        try FileManager.default.createSymbolicLink(atPath: site.path(place), withDestinationPath: target)
        let status = try site.recon(["status"], env: TestSite.closeDay)
        #expect(status.code == 0, "\(status.out)\(status.err)")
        #expect(status.err.contains("\(place) was a symbolic link (to \(target))"), "\(status.err)")
        #expect(FileIO.list(pointedTo) == before, "a cache was written through the link")
        #expect(!FileIO.isSymbolicLink(site.path(place)) && FileIO.isDirectory(site.path(place)))
        site.expectAuditorAccepts()
        try site.drop("usage-2026-04.csv", Self.aprilUsage)
        let ingest = try site.recon(["ingest"], env: TestSite.closeDay)
        #expect(ingest.code == 0, "\(ingest.err)")
        site.expectAuditorAccepts()
    }

    /// A snapshot made with `cp -al` before a close shared the ledger file with the site: the
    /// close appended into both, and the snapshot (entries without their documents or
    /// checkpoint) failed every verifier. The site now appends to a file of its own.
    @Test func aCopyMadeWithHardLinksKeepsTheLedgerItWasMadeWith() throws {
        let site = try TestSite.marchSite()
        let snapshot = try TestSite()
        try FileManager.default.removeItem(atPath: snapshot.root)
        let copy = try ProcessRunner.run("/bin/cp", ["-al", site.root, snapshot.root])
        #expect(copy.code == 0, "\(copy.err)")
        let taken = try snapshot.ledgerBytes()
        let close = try site.recon(["close", "2026-03"], env: TestSite.closeDay)
        #expect(close.code == 0, "\(close.err)")
        #expect(close.err.contains("Ledger/ledger.jsonl had 2 names"), "\(close.err)")
        #expect(try snapshot.ledgerBytes() == taken)
        snapshot.expectAuditorAccepts()
        site.expectAuditorAccepts()
        // The snapshot is a site in its own right: closed there too, the same invoices.
        let again = try snapshot.recon(["close", "2026-03"], env: TestSite.closeDay)
        #expect(again.code == 0, "\(again.err)")
        #expect(snapshot.exists("Outbox/2026-03/invoices/INV-2026-000001.xlsx"))
        snapshot.expectAuditorAccepts()
    }

    /// A copy made while a batch of drops is being taken (a watcher's, or `ingest` of a full
    /// Inbox): the ledger's names were looked at once, as the batch began, and every later drop's
    /// entry landed in the copy too. Each append looks. strace holds the second drop's read while
    /// the ledger gets a second name, as a `cp -al` gives it.
    @Test(.enabled(if: ProcessRunner.executable(named: "strace") != nil, "needs strace (Debian strace) to hold the batch"))
    func aCopyMadeWithHardLinksDuringABatchKeepsTheLedgerItWasMadeWith() throws {
        let site = try TestSite.marchSite()
        let header = "report_id,reported_at,client_id,radiologist_id,modality,image_count\n"
        try site.drop("usage-a.csv", header + "L1,2026-03-10T10:00:00Z,C1,D1,CT,1\n")
        try site.drop("usage-b.csv", header + "L2,2026-03-11T10:00:00Z,C1,D1,CT,1\n")
        let before = try site.ledgerBytes().count
        let ingest = try RunningProcess(try #require(ProcessRunner.executable(named: "strace")),
            ["-f", "-o", "/dev/null", "-P", site.path("Inbox/usage-b.csv"), "-e", "trace=openat",
             "-e", "inject=openat:delay_enter=3000000:when=1", TestSite.binary, "ingest", "--site", site.root],
            environment: TestSite.closeDay)
        let copy = site.path("ledger-copy.jsonl")
        let firstIn = try ProcessRunner.wait(upTo: 20) { try site.ledgerBytes().count > before }
        #expect(firstIn, "usage-a.csv was not recorded")
        try FileManager.default.linkItem(atPath: site.path("Ledger/ledger.jsonl"), toPath: copy)
        let taken = try Data(contentsOf: URL(fileURLWithPath: copy))
        let run = ingest.finish()
        #expect(run.code == 0, "\(run.err)")
        #expect(run.err.contains("Ledger/ledger.jsonl had 2 names"), "\(run.err)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: copy)) == taken, "the copy took the second drop's entry")
        #expect(try site.ledgerBytes().count > taken.count)
        try FileManager.default.removeItem(atPath: copy)
        site.expectAuditorAccepts()
    }

    /// `Ledger/keys` moved out and linked back: `verify` said ok, and `operator add` read the
    /// site key through the link, signed a checkpoint with it and wrote `site.pub` outside the
    /// site. It is damage as a link in place of `Ledger/drops` is (a key kept elsewhere is named
    /// by `site_key`); so is a link in place of `site.pub`, the key an auditor pins. (The
    /// private key may be a link to a mounted secret: `aSiteKeyOthersCanReadFailsVerification`.)
    @Test(arguments: ["Ledger/keys", "Ledger/keys/site.pub"])
    func aLinkWhereTheSiteKeysLiveIsDamage(place: String) throws {
        let site = try TestSite.marchSite()
        let outside = site.root + "-moved"
        defer { try? FileManager.default.removeItem(atPath: outside) }
        try FileManager.default.moveItem(atPath: site.path(place), toPath: outside)
        try FileManager.default.createSymbolicLink(atPath: site.path(place), withDestinationPath: outside)
        if place == "Ledger/keys" { try FileManager.default.removeItem(atPath: outside + "/site.pub") }
        let before = try site.ledgerBytes()
        let verify = try site.recon(["verify"])
        #expect(verify.code == 4 && verify.out.contains("\(place) is a symbolic link (to \(outside))"), "\(verify.out)\(verify.err)")
        try site.drop("usage-late.csv", TestSite.lateMarch)
        let ingest = try site.recon(["ingest"], env: TestSite.closeDay)
        #expect(ingest.code == 4 && ingest.err.contains("\(place) is a symbolic link"), "\(ingest.err)")
        #expect(try site.ledgerBytes() == before)
        if place == "Ledger/keys" { #expect(!FileManager.default.fileExists(atPath: outside + "/site.pub"), "site.pub was written outside") }
    }

    /// A closed month's index moved out and linked back, the same bytes: `recon verify`
    /// refused it, and every writer read through it and signed checkpoints over a site its own
    /// verify refused. Writers refuse it too (exit 4), until it is deleted and rebuilt.
    @Test func aClosedIndexThatIsALinkIsRefusedByWriters() throws {
        let site = try TestSite.marchSite()
        #expect(try site.recon(["close", "2026-03"], env: TestSite.closeDay).code == 0)
        let index = site.path(".recon/closed/2026-03.idx"), outside = site.root + "-2026-03.idx"
        defer { try? FileManager.default.removeItem(atPath: outside) }
        try FileManager.default.moveItem(atPath: index, toPath: outside)
        try FileManager.default.createSymbolicLink(atPath: index, withDestinationPath: outside)
        #expect(try site.recon(["verify"]).code == 4)
        let before = try site.ledgerBytes()
        try site.drop("usage-2026-04.csv", Self.aprilUsage)
        let ingest = try site.recon(["ingest"], env: TestSite.closeDay)
        #expect(ingest.code == 4 && ingest.err.contains(".recon/closed/2026-03.idx is a symbolic link"), "\(ingest.err)")
        #expect(try site.ledgerBytes() == before)
        try FileManager.default.removeItem(atPath: index)
        #expect(try site.recon(["ingest"], env: TestSite.closeDay).code == 0)
        site.expectAuditorAccepts()
    }
}

/// `Inbox/rejected` replaced by a link into the Outbox while an ingest ran (it is checked when
/// the command opens; someone with write access to the Inbox only can do it): the rejected file
/// landed among March's invoices as one no entry issued, and every writer then refused the site.
/// It comes back to the Inbox and the ingest refuses (exit 3). strace holds the ingest at its
/// first rename (the rejection's errors file) while the folder is replaced.
struct RejectedFolderLinkedMidIngestTests {
    @Test(.enabled(if: ProcessRunner.executable(named: "strace") != nil, "needs strace (Debian strace) to hold the ingest"))
    func aRejectedDropNeverLandsThroughALinkSwappedInMidIngest() throws {
        let site = try TestSite.marchSite()
        #expect(try site.recon(["close", "2026-03"], env: TestSite.closeDay).code == 0)
        try site.drop("INV-2026-000007.xlsx", "not an invoice\n")
        try FileManager.default.createDirectory(atPath: site.path("Inbox/rejected"), withIntermediateDirectories: true)
        let ingest = try RunningProcess(try #require(ProcessRunner.executable(named: "strace")),
            ["-f", "-o", "/dev/null", "-e", "trace=renameat", "-e", "inject=renameat:delay_exit=3000000:when=1",
             TestSite.binary, "ingest", "--site", site.root], environment: TestSite.rerunDay)
        #expect(ProcessRunner.wait(upTo: 30) {
            (try? FileManager.default.contentsOfDirectory(atPath: site.path("Inbox/rejected")))?.contains { $0.hasSuffix(".errors.txt") } ?? false
        }, "no errors file was written")
        #expect(rename(site.path("Inbox/rejected"), site.path("Inbox/rejected.orig")) == 0)
        try FileManager.default.createSymbolicLink(atPath: site.path("Inbox/rejected"), withDestinationPath: "../Outbox/2026-03/invoices")
        let run = ingest.finish()
        #expect(run.code == 3 && run.err.contains("Inbox/rejected is not a folder of the site"), "\(run.out)\(run.err)")
        #expect(!site.exists("Outbox/2026-03/invoices/INV-2026-000007.xlsx"), "the rejected file landed among the invoices")
        #expect(site.exists("Inbox/INV-2026-000007.xlsx"))
        try FileManager.default.removeItem(atPath: site.path("Inbox/rejected"))
        #expect(rename(site.path("Inbox/rejected.orig"), site.path("Inbox/rejected")) == 0)
        #expect(try site.recon(["verify", "--strict"]).code == 0)
        site.expectAuditorAccepts()
    }
}

/// A copy of the site made with hard links (`cp -al`) after a writer opened the ledger for its
/// append, before its bytes: the batch landed in the copy too, which then failed both verifiers
/// (its entries without their documents). strace holds the close after its intent.
struct LedgerLinkedMidAppendTests {
    @Test(.enabled(if: ProcessRunner.executable(named: "strace") != nil, "needs strace (Debian strace) to hold the close after its intent"))
    func aHardLinkMadeAfterTheOpenGetsNoneOfTheBatch() throws {
        let site = try TestSite.marchSite()
        let ledger = site.path("Ledger/ledger.jsonl")
        let before = try site.ledgerBytes()
        let closing = try RunningProcess(try #require(ProcessRunner.executable(named: "strace")),
            ["-f", "-o", "/dev/null", "-P", ledger + ".intent", "-e", "trace=rename,renameat,renameat2",
             "-e", "inject=rename,renameat,renameat2:delay_exit=3000000:when=1",
             TestSite.binary, "close", "2026-03", "--site", site.root], environment: TestSite.closeDay)
        #expect(ProcessRunner.wait(upTo: 60) { FileManager.default.fileExists(atPath: ledger + ".intent") }, "the close wrote no intent")
        let copy = site.path("ledger-snapshot.jsonl")
        #expect(link(ledger, copy) == 0)
        let closed = closing.finish()
        #expect(closed.code == 0, "\(closed.out)\(closed.err)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: copy)) == before, "the snapshot took the close's entries")
        #expect(try site.ledgerBytes().count > before.count)
        try FileManager.default.removeItem(atPath: copy)
        site.expectAuditorAccepts()
    }
}
