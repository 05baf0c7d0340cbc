import Foundation
import Testing

@testable import ReconKit

/// SPEC §6/§8, all or nothing: once a command's entries are in, the workbooks it derives
/// from the ledger (drafts, a period's review workbook, the margin summary) never turn it
/// into a failure. One that cannot be written is a warning naming the file and the cause,
/// and the next writing command puts it back. What can be checked before the append (the
/// Outbox folders a close writes into) is still refused before it. Each test runs the built
/// `recon` binary on a real site, with a real full disk (a file-size limit) or a real
/// read-only folder.
@Suite("Derived outputs never fail a committed command", .serialized)
struct DerivedOutputTests {
    /// A file-size limit (RLIMIT_FSIZE) the March close's ledger (about 8 KB) and final
    /// documents (9.5–9.8 KB each, layout 5) fit under, but not its review workbook (about
    /// 10.9 KB) or the margin summary (about 14 KB): a disk that fills up right after the commit.
    static let fileSizeLimit = 10_400

    static func which(_ tool: String) -> String? {
        ["/usr/bin/", "/bin/", "/usr/sbin/", "/sbin/"].map { $0 + tool }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static var isRoot: Bool { getuid() == 0 }
    /// Root ignores permissions: a read-only folder is only read-only to an unprivileged user,
    /// who must be able to run the built binary and reach the temporary folder the sites are in.
    static let canDropPrivileges: Bool = {
        guard isRoot else { return true }
        guard let setpriv = which("setpriv") else { return false }
        let temporary = FileManager.default.temporaryDirectory.path
        let probe = try? ProcessRunner.run(setpriv, ["--reuid=65534", "--regid=65534", "--clear-groups", "/bin/sh", "-c",
                                                     "test -w \"$1\" && test -x \"$1\" && \"$2\" --version", "probe", temporary, TestSite.binary])
        return probe?.code == 0
    }()

    /// Whether an immutable file can be made here (`chattr +i`: root, and a file system that has them).
    static let canMakeImmutable: Bool = {
        guard isRoot, let chattr = which("chattr") else { return false }
        let probe = FileManager.default.temporaryDirectory.appendingPathComponent("recon-immutable-probe-\(getpid())").path
        defer {
            _ = try? ProcessRunner.run(chattr, ["-i", probe])
            try? FileManager.default.removeItem(atPath: probe)
        }
        guard FileManager.default.createFile(atPath: probe, contents: Data()) else { return false }
        return (try? ProcessRunner.run(chattr, ["+i", probe]))?.code == 0
    }()

    func chattr(_ flag: String, _ path: String) throws {
        let run = try ProcessRunner.run(try #require(Self.which("chattr")), [flag, path])
        #expect(run.code == 0, "\(run.err)")
    }

    /// An Inbox that will not let a taken drop go (here immutable: as a read-only Inbox is to
    /// its user): the drop is recorded and stays, said in a warning; sent again it is a
    /// duplicate left in place. It was said "removed" both times, while the watcher took it
    /// again on every pass.
    @Test(.enabled(if: canMakeImmutable, "as root, needs e2fsprogs chattr and a file system with immutable files"))
    func aTakenDropTheInboxWillNotLetGoIsSaidToStay() throws {
        let site = try TestSite.marchSite()
        try site.drop("usage-late.csv", TestSite.lateMarch)
        try chattr("+i", site.path("Inbox"))
        defer { _ = try? ProcessRunner.run("/usr/bin/chattr", ["-i", site.path("Inbox")]) }
        let first = try site.recon(["ingest"], env: TestSite.closeDay)
        #expect(first.code == 0, "\(first.err)")
        #expect(first.err.contains("usage-late.csv is taken (recorded), but it could not be removed from Inbox/ (Operation not "
            + "permitted): it stays"), "\(first.err)")
        let again = try site.recon(["ingest"], env: TestSite.closeDay)
        #expect(again.code == 0 && again.err.contains("usage-late.csv: duplicate of the drop accepted at seq 7; left in place")
                && again.err.contains("could not be removed"), "\(again.err)")
        try chattr("-i", site.path("Inbox"))
        let next = try site.recon(["ingest"], env: TestSite.closeDay)
        #expect(next.code == 0 && !site.exists("Inbox/usage-late.csv"), "\(next.err)")
        site.expectAuditorAccepts()
    }

    /// A copy in `Inbox/held/` of a drop accepted already (a command stopped before it took the
    /// file out) is no held drop: status said it waited for `recon rerun`, a signed command.
    @Test func aCopyOfAnAcceptedDropInHeldIsNotSaidToWait() throws {
        let site = try TestSite.closedMarchSite()
        let sha = try #require(try site.bodies("drop.accepted").last { $0["kind"] as? String == "usage" }?["sha256"] as? String)
        try FileManager.default.createDirectory(atPath: site.path("Inbox/held"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: site.path(Site.dropPath(sha256: sha)), toPath: site.path("Inbox/held/usage-1.csv"))
        let status = try site.recon(["status"], env: TestSite.rerunDay)
        #expect(status.out.contains("held: 1 (usage-late.csv)") && !status.out.contains("usage-1.csv"), "\(status.out)")
    }

    /// A file in the Inbox holding the bytes of a drop accepted already is no drop waiting:
    /// status listed it as holding the close ("not ready to close: Inbox/ holds a drop not yet
    /// ingested"), and with an Inbox that would not let it go the close refused, telling the
    /// user to run the ingest they had just run. The close goes on, saying the file stays.
    @Test(.enabled(if: canMakeImmutable, "as root, needs e2fsprogs chattr and a file system with immutable files"))
    func aCopyOfAnAcceptedDropHoldsNoClose() throws {
        let site = try TestSite.marchSite()
        try site.drop("usage-late.csv", TestSite.lateMarch)
        #expect(try site.recon(["ingest"], env: TestSite.closeDay).code == 0)
        try site.drop("usage-late-copy.csv", TestSite.lateMarch)
        let status = try site.recon(["status"], env: TestSite.closeDay)
        #expect(status.code == 0 && !status.out.contains("not yet ingested"), "\(status.out)")
        try chattr("+i", site.path("Inbox"))
        defer { _ = try? ProcessRunner.run("/usr/bin/chattr", ["-i", site.path("Inbox")]) }
        let close = try site.recon(["close", "2026-03"], env: TestSite.closeDay)
        #expect(close.code == 0, "\(close.out)\(close.err)")
        #expect(close.err.contains("Inbox/usage-late-copy.csv: the same bytes were accepted at seq 7, but it could not be removed "
            + "(Operation not permitted): it is no drop waiting"), "\(close.err)")
        try chattr("-i", site.path("Inbox"))
        site.expectAuditorAccepts()
    }

    /// The margin summary a decision's drafts could not write (an Outbox that takes no file):
    /// the note held only the drafts, which were written, so it went — status said nothing was
    /// owed and the summary kept the figures before the decision. It stays owed until written.
    @Test(.enabled(if: canMakeImmutable, "as root, needs e2fsprogs chattr and a file system with immutable files"))
    func aMarginSummaryNotWrittenAfterADecisionStaysOwed() throws {
        let site = try TestSite.marchSite()
        let summary = try Data(contentsOf: URL(fileURLWithPath: site.path("Outbox/margin-summary.xlsx")))
        try chattr("+i", site.path("Outbox"))
        defer { _ = try? ProcessRunner.run("/usr/bin/chattr", ["-i", site.path("Outbox")]) }
        let decide = try site.recon(["decide", "R1", "exclude", "--by", "Asha"], env: TestSite.closeDay)
        #expect(decide.code == 0 && decide.err.contains("margin-summary.xlsx"), "\(decide.err)")
        try chattr("-i", site.path("Outbox"))
        let status = try site.recon(["status", "--json"], env: TestSite.closeDay)
        #expect(status.out.contains("Outbox/margin-summary.xlsx is out of date"), "\(status.out)")
        #expect(try site.recon(["watch", "--once", "--stable", "0.2"], env: TestSite.closeDay).code == 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: site.path("Outbox/margin-summary.xlsx"))) != summary)
        #expect(!site.exists(".recon/derived.pending"))
        site.expectAuditorAccepts()
    }

    /// A closed period's review workbook that could not be replaced (here an immutable file:
    /// neither written over nor removed) stays owed in `.recon/derived.pending`, so the next
    /// writer writes the final review once the cause is gone. It used to be taken off the note
    /// at once, and the draft review, still on disk, was never replaced.
    @Test(.enabled(if: canMakeImmutable, "as root, needs e2fsprogs chattr and a file system with immutable files"))
    func aClosedReviewThatCouldNotReplaceTheDraftIsWrittenByTheNextWriter() throws {
        let site = try TestSite.marchSite()
        let review = site.path("Outbox/2026-03/review.xlsx")
        let draft = try Data(contentsOf: URL(fileURLWithPath: review))
        try chattr("+i", review)
        defer { _ = try? ProcessRunner.run("/usr/bin/chattr", ["-i", review]) }
        // A day after the draft was written: the final review differs from it (its date at least).
        let later = ["RECON_NOW": "2026-04-03T09:00:00Z"]
        let close = try site.recon(["close", "2026-03"], env: later)
        #expect(close.code == 0, "\(close.err)")
        #expect(close.err.contains("could not write Outbox/2026-03/review.xlsx"), "\(close.err)")
        #expect(try site.read(".recon/derived.pending").contains("review 2026-03"))
        // Still immutable: the next writer tries again and keeps it owed.
        #expect(try site.recon(["watch", "--once"], env: later).code == 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: review)) == draft)
        #expect(try site.read(".recon/derived.pending").contains("review 2026-03"))
        try chattr("-i", review)
        let next = try site.recon(["watch", "--once"], env: later)
        #expect(next.code == 0, "\(next.err)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: review)) != draft)
        #expect(!site.exists(".recon/derived.pending"))
        #expect(try site.recon(["verify"]).code == 0)
    }

    /// The March site with rate drops ingested until its ledger is within `margin` bytes of
    /// ``fileSizeLimit``: the next command's entries then cross it.
    func marchSiteWithLedger(within margin: Int) throws -> TestSite {
        let site = try TestSite.marchSite()
        var day = 1
        while try site.ledgerBytes().count < Self.fileSizeLimit - margin {
            try site.drop("fx_rates-\(day).csv", "date,currency,rate\n2026-01-\(String(format: "%02d", day)),USD,83.\(day)\n")
            #expect(try site.recon(["ingest"], env: TestSite.closeDay).code == 0)
            day += 1
        }
        return site
    }

    /// Runs `recon ARGS --site ROOT` under a file-size limit, through util-linux `prlimit`, with
    /// SIGXFSZ at its default action (a test runner may ignore it, and the ignored disposition
    /// would be inherited): recon itself must keep a write past the limit from killing it.
    func reconLimited(_ site: TestSite, bytes: Int, _ args: [String], env: [String: String]) throws -> TestSite.Run {
        let prlimit = try #require(Self.which("prlimit"))
        return try ProcessRunner.run(prlimit, ["--fsize=\(bytes)", "/usr/bin/env", "--default-signal=XFSZ", TestSite.binary]
                                         + args + ["--site", site.root], environment: env)
    }

    /// Runs `recon ARGS --site ROOT` as an unprivileged user (nobody, through util-linux
    /// `setpriv`) when the tests run as root; directly otherwise.
    func reconUnprivileged(_ site: TestSite, _ args: [String], env: [String: String]) throws -> TestSite.Run {
        guard Self.isRoot else { return try site.recon(args, env: env) }
        let setpriv = try #require(Self.which("setpriv"))
        return try ProcessRunner.run(setpriv, ["--reuid=65534", "--regid=65534", "--clear-groups", TestSite.binary] + args + ["--site", site.root],
                                     environment: env)
    }

    /// Gives the whole site to nobody (when root), so only the folder made read-only is refused.
    func giveToNobody(_ site: TestSite) throws {
        guard Self.isRoot else { return }
        let chown = try ProcessRunner.run("/bin/chown", ["-R", "65534:65534", site.root])
        #expect(chown.code == 0, "\(chown.err)")
    }

    func setMode(_ mode: Int, _ site: TestSite, _ relative: String) throws {
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: site.path(relative))
    }

    /// An ingest appends a drop's entry, then the hard flags its reports raise. The disk fills
    /// up between the two: the drop stands (exit 0, a warning names the flags and why), the
    /// ingest cuts the flags' torn append itself so the ledger keeps only whole entries, and
    /// the next writer records the flags.
    @Test(.enabled(if: which("prlimit") != nil, "needs util-linux prlimit for a real file-size limit"))
    func anIngestWhoseHardFlagsCannotBeAppendedKeepsItsDropAndTheNextIngestRecordsThem() throws {
        let site = try TestSite.marchSite()
        // R9: 11 images where C1's contract allows 10, a hard flag.
        try site.drop("usage-2026-03-late.csv", """
            report_id,reported_at,client_id,radiologist_id,modality,image_count
            R9,2026-03-20T10:00:00Z,C1,D1,CT,11
            """)
        // The same ingest on a copy of the site shows where the flag's entry starts in the ledger.
        let copy = try TestSite()
        try FileManager.default.removeItem(atPath: copy.root)
        try FileManager.default.copyItem(atPath: site.root, toPath: copy.root)
        #expect(try copy.recon(["ingest"], env: TestSite.closeDay).code == 0)
        let copied = try copy.ledgerBytes()
        let flagLine = try #require(copied.range(of: Data("\"kind\":\"flag.raised\"".utf8)))
        let flagStart = try #require(copied[..<flagLine.lowerBound].lastIndex(of: 10)) + 1
        let limit = flagStart + 40
        #expect(try site.ledgerBytes().count < limit)

        let ingest = try reconLimited(site, bytes: limit, ["ingest"], env: TestSite.closeDay)
        #expect(ingest.code == 0, "\(ingest.err)")
        #expect(ingest.err.contains("could not record the hard flags of 2026-03"), "\(ingest.err)")
        #expect(ingest.err.contains("File too large"), "\(ingest.err)")
        #expect(try site.bodies("drop.accepted").count == 6)
        #expect(try site.bodies("flag.raised").isEmpty)
        #expect(try site.ledgerBytes().last == 10 && !site.exists("Ledger/ledger.jsonl.intent"))

        try site.drop("fx_rates.csv", "date,currency,rate\n2026-03-31,USD,83.10\n")
        let next = try site.recon(["ingest"], env: TestSite.closeDay)
        #expect(next.code == 0, "\(next.err)")
        #expect(try site.bodies("flag.raised").map { $0["subject"] as? String } == ["R9"])
        #expect(try site.recon(["verify"]).code == 0)
        site.expectAuditorAccepts()
    }

    /// A drop of megabytes goes to its archive straight to the disk, around the page cache
    /// (``DirectWriter``). A disk that cannot take it (a file-size limit below its size, crossed
    /// by a direct write) refuses it whole: exit 1 with what to do, nothing appended, no archive
    /// or hidden file left, the drop waiting in the Inbox. With room again, the next ingest takes
    /// it, and the archive holds the drop byte for byte.
    @Test(.enabled(if: which("prlimit") != nil, "needs util-linux prlimit for a real file-size limit"))
    func aBigDropTheDiskCannotArchiveIsRefusedWholeAndTakenLater() throws {
        let site = try TestSite.marchSite()
        let rows = (0..<60_000).map { i in
            "B\(100_000 + i),2026-03-\(String(format: "%02d", 1 + i % 28))T11:00:00Z,C\(1 + i % 2),D\(1 + i % 2),CT,1"
        }
        let text = "report_id,reported_at,client_id,radiologist_id,modality,image_count\n" + rows.joined(separator: "\n") + "\n"
        #expect(text.utf8.count > 2 * DirectWriter.bufferBytes)
        try site.drop("usage-2026-03-big.csv", text)
        let before = try site.ledgerBytes()
        let drops = try FileManager.default.contentsOfDirectory(atPath: site.path("Ledger/drops"))

        let refused = try reconLimited(site, bytes: 1_500_000, ["ingest"], env: TestSite.closeDay)
        #expect(refused.code == 1, "\(refused.out)\(refused.err)")
        #expect(refused.err.contains("could not keep usage-2026-03-big.csv in Ledger/drops"), "\(refused.err)")
        #expect(refused.err.contains("File too large"), "\(refused.err)")
        #expect(try site.ledgerBytes() == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: site.path("Ledger/drops")).sorted() == drops.sorted())
        #expect(site.exists("Inbox/usage-2026-03-big.csv"))

        let taken = try site.recon(["ingest"], env: TestSite.closeDay)
        #expect(taken.code == 0, "\(taken.err)")
        let accepted = try #require(try site.bodies("drop.accepted").last)
        #expect(accepted["name"] as? String == "usage-2026-03-big.csv")
        #expect(accepted["rows"] as? Int == 60_000)
        let archive = try #require(accepted["path"] as? String)
        #expect(try Data(contentsOf: URL(fileURLWithPath: site.path(archive))) == Data(text.utf8))
        #expect(try site.recon(["verify"]).code == 0)
        site.expectAuditorAccepts()
    }

    /// The disk fills up while the close appends its entries (the ledger grows past a file-size
    /// limit its documents fit under): the close cuts what it had written itself and says
    /// nothing was recorded (exit 1). No complete line is left for the next writer to cut
    /// (SPEC §6: it never cuts a complete entry); the next close issues the same numbers.
    @Test(.enabled(if: which("prlimit") != nil, "needs util-linux prlimit for a real file-size limit"))
    func aCloseWhoseEntriesTheDiskCannotTakeCutsItsOwnAppend() throws {
        // The close's ~5 KB of entries cross the limit.
        let site = try marchSiteWithLedger(within: 600)
        let before = try site.ledgerBytes()
        let close = try reconLimited(site, bytes: Self.fileSizeLimit, ["close", "2026-03"], env: TestSite.closeDay)
        #expect(close.code == 1, "\(close.out)\(close.err)")
        #expect(close.err.contains("Nothing was recorded"), "\(close.err)")
        #expect(try site.ledgerBytes() == before)
        #expect(!site.exists("Ledger/ledger.jsonl.intent"))
        let again = try site.recon(["close", "2026-03"], env: TestSite.closeDay)
        #expect(again.code == 0, "\(again.out)\(again.err)")
        #expect(!again.err.contains("cut away"), "\(again.err)")
        #expect(site.exists("Outbox/2026-03/invoices/INV-2026-000001.xlsx"))
        site.expectAuditorAccepts()
    }

    /// Standard error that takes no write (a cron job's log on a full disk, here `/dev/full`):
    /// the command does its work and exits 0, its messages lost. A log line that could not be
    /// written trapped (`FileHandle.write`), after the entries were in: exit 132, no confirmation.
    @Test func aStandardErrorThatTakesNoWriteNeverCrashesTheCommand() throws {
        let site = try TestSite.marchSite()
        try site.drop("usage-late.csv", TestSite.lateMarch)
        for args in [["ingest"], ["decide", "R2", "approve", "--by", "Asha"], ["close", "2026-03"], ["status"]] {
            let run = try ProcessRunner.run("/bin/sh", ["-c", "exec \"$0\" \"$@\" 2>/dev/full", TestSite.binary] + args + ["--site", site.root],
                                            environment: TestSite.closeDay)
            #expect(run.code == 0, "\(args): exit \(run.code)")
        }
        #expect(try site.bodies("period.closed").count == 1)
        site.expectAuditorAccepts()
    }

    /// Standard output that takes no write (`recon status --json > report.json` on a full
    /// disk): the answer is lost, so the command exits 1 and says so on standard error. It exited
    /// 0 with nothing written, and a script took the empty file for the site's state. A writer
    /// that has recorded (`ingest --json`) keeps its outcome, exit 0, and warns its answer is lost.
    @Test func aStandardOutputThatTakesNoWriteFailsTheCommandAndSaysSo() throws {
        let site = try TestSite.marchSite()
        for args in [["status", "--json"], ["status"], ["verify"], ["status", "--help"], ["--version"]] {
            let run = try ProcessRunner.run("/bin/sh", ["-c", "exec \"$0\" \"$@\" >/dev/full", TestSite.binary] + args + ["--site", site.root],
                                            environment: TestSite.closeDay)
            #expect(run.code == 1, "\(args): exit \(run.code)")
            #expect(run.err.contains("could not be written to standard output"), "\(args): \(run.err)")
        }
        try site.drop("usage-late.csv", TestSite.lateMarch)
        let ingest = try ProcessRunner.run("/bin/sh", ["-c", "exec \"$0\" \"$@\" >/dev/full", TestSite.binary, "ingest", "--json", "--site", site.root],
                                           environment: TestSite.closeDay)
        #expect(ingest.code == 0, "exit \(ingest.code)")
        #expect(ingest.err.contains("its work is done and recorded"), "\(ingest.err)")
        #expect(!site.exists("Inbox/usage-late.csv"))
        #expect(try site.recon(["verify"]).code == 0)
        site.expectAuditorAccepts()
        func toFull(_ args: [String], site withSite: Bool = true) throws -> ProcessOutput {
            try ProcessRunner.run("/bin/sh", ["-c", "exec \"$0\" \"$@\" >/dev/full", TestSite.binary] + args
                                  + (withSite ? ["--site", site.root] : []), environment: TestSite.closeDay)
        }
        // A rejection's JSON lost: its exit code stands (2), and the loss is said.
        try site.drop("usage-bad.csv", "report_id,reported_at\nX1,2026-03-10T10:00:00Z\n")
        let rejected = try toFull(["ingest", "--json"])
        #expect(rejected.code == 2 && rejected.err.contains("could not be written to standard output"), "\(rejected.err)")
        // keygen made its pair: run again, it would refuse the names. Exit 0, and the loss said.
        let keys = site.root + "-keys"
        defer { try? FileManager.default.removeItem(atPath: keys) }
        let keygen = try toFull(["keygen", "ivan", "--dir", keys], site: false)
        #expect(keygen.code == 0 && keygen.err.contains("its work is done (its files are written)"), "\(keygen.err)")
        #expect(FileManager.default.fileExists(atPath: keys + "/ivan.key"))
        // The scores are outliers' answer: lost, exit 1, said as the others say it.
        try "a,b\n1,2\n3,4\n".write(toFile: keys + "/o.csv", atomically: true, encoding: .utf8)
        let outliers = try toFull(["outliers", "--input", keys + "/o.csv"], site: false)
        #expect(outliers.code == 1 && outliers.err.contains("the command's answer could not be written to standard output (No space "
            + "left on device)"), "\(outliers.err)")
    }

    /// Standard error sent into a pipe whose reader has gone (a `| logger` that died): SIGPIPE
    /// killed the ingest (exit 141) after its first drop was committed, the second never taken
    /// and its drafts owed. Run with SIGPIPE at its default action, as a shell started it.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/bin/bash"), "needs bash for a pipe whose reader is gone"))
    func aStandardErrorWhoseReaderIsGoneNeverKillsTheCommand() throws {
        let site = try TestSite.marchSite()
        try site.drop("usage-late-a.csv", "report_id,reported_at,client_id,radiologist_id,modality,image_count\nW1,2026-03-20T10:00:00Z,C1,D1,CT,1\n")
        try site.drop("usage-late-b.csv", "report_id,reported_at,client_id,radiologist_id,modality,image_count\nW2,2026-03-21T10:00:00Z,C1,D1,CT,1\n")
        let script = "set -o pipefail; /usr/bin/env --default-signal=PIPE \"$0\" ingest --site \"$1\" 2>&1 >/dev/null | (exec 0<&-; sleep 1)"
        let run = try ProcessRunner.run("/bin/bash", ["-c", script, TestSite.binary, site.root], environment: TestSite.closeDay)
        #expect(run.code == 0, "exit \(run.code)")
        #expect(try site.entries().filter { ($0["body"] as? [String: Any])?["name"] as? String == "usage-late-b.csv" }.count == 1)
        #expect(!site.exists(".recon/derived.pending"))
        site.expectAuditorAccepts()
    }

    /// The disk fills up as an ingest appends its entry: nothing is recorded (exit 1), the drop
    /// stays in the Inbox, and the archived copy put in place just before is taken away again.
    /// It was left in `Ledger/drops/` named by no entry, and an auditor's verifier failed the
    /// site ("ledger tail cut?") until the same bytes were dropped again.
    @Test(.enabled(if: which("prlimit") != nil, "needs util-linux prlimit for a real file-size limit"))
    func anIngestWhoseEntryTheDiskCannotTakeLeavesNoArchive() throws {
        let site = try marchSiteWithLedger(within: 200)
        let before = try site.ledgerBytes()
        let archived = FileIO.list(site.path("Ledger/drops"))
        try site.drop("usage-late.csv", TestSite.lateMarch)
        let ingest = try reconLimited(site, bytes: Self.fileSizeLimit, ["ingest"], env: TestSite.closeDay)
        #expect(ingest.code == 1, "\(ingest.out)\(ingest.err)")
        #expect(ingest.err.contains("Nothing was recorded"), "\(ingest.err)")
        #expect(try site.ledgerBytes() == before)
        #expect(FileIO.list(site.path("Ledger/drops")) == archived, "an archive no entry names was left")
        #expect(site.exists("Inbox/usage-late.csv"))
        site.expectAuditorAccepts()
        let again = try site.recon(["ingest"], env: TestSite.closeDay)
        #expect(again.code == 0, "\(again.err)")
        site.expectAuditorAccepts()
    }

    /// The disk fills up part way through a batch of drops: those before were recorded, and the
    /// error said "Nothing was recorded" without naming the drop it stopped at. It names that
    /// drop and says which seqs this run recorded before it; that drop and the rest wait.
    @Test(.enabled(if: which("prlimit") != nil, "needs util-linux prlimit for a real file-size limit"))
    func aBatchStoppedByAFullDiskNamesTheDropAndWhatWentInBefore() throws {
        let site = try marchSiteWithLedger(within: 2_000)
        for i in 1...10 {
            try site.drop(String(format: "usage-late-%02d.csv", i),
                          "report_id,reported_at,client_id,radiologist_id,modality,image_count\nL\(i),2026-03-\(10 + i)T10:00:00Z,C1,D1,CT,1\n")
        }
        let before = try site.entries().count
        let ingest = try reconLimited(site, bytes: Self.fileSizeLimit, ["ingest"], env: TestSite.closeDay)
        #expect(ingest.code == 1, "\(ingest.err)")
        let taken = try site.entries().dropFirst(before).compactMap { ($0["body"] as? [String: Any])?["name"] as? String }
        #expect(!taken.isEmpty && taken.count < 10, "\(taken)")
        let stopped = String(format: "usage-late-%02d.csv", taken.count + 1)
        let recorded = taken.count == 1 ? "the drop before it was recorded (seq \(before + 1))"
            : "the \(taken.count) drops before it were recorded (seq \(before + 1)–\(before + taken.count))"
        #expect(ingest.err.contains("\(stopped): could not append") && ingest.err.contains("of this run, \(recorded), and it and any "
            + "after it were not taken"), "\(ingest.err)")
        #expect(site.exists("Inbox/\(stopped)"))
        site.expectAuditorAccepts()
    }

    /// The disk fills up after the close's entries, documents and checkpoint are in: the close
    /// exits 0 with a warning naming the review workbook and the margin summary and why; the
    /// draft review is not left to pass for the final one; the ledger verifies; the next
    /// writing command writes both, the review byte for byte as a close that could write it.
    @Test(.enabled(if: which("prlimit") != nil, "needs util-linux prlimit for a real file-size limit"))
    func aCloseThatCannotWriteItsReviewAfterTheCommitSucceedsAndTheNextCommandPutsItBack() throws {
        let site = try TestSite.marchSite()
        let close = try reconLimited(site, bytes: Self.fileSizeLimit, ["close", "2026-03", "--json"], env: TestSite.closeDay)
        #expect(close.code == 0, "\(close.out)\(close.err)")
        #expect(close.out.contains("\"ok\":true"), "\(close.out)")
        #expect(close.err.contains("Outbox/2026-03/review.xlsx"), "\(close.err)")
        #expect(close.err.contains("Outbox/margin-summary.xlsx"), "\(close.err)")
        #expect(close.err.contains("File too large"), "\(close.err)")
        #expect(close.err.contains("next writing command"), "\(close.err)")
        #expect(try site.bodies("period.closed").count == 1)
        for number in ["INV-2026-000001", "INV-2026-000002"] { #expect(site.exists("Outbox/2026-03/invoices/\(number).xlsx")) }
        #expect(!site.exists("Outbox/2026-03/review.xlsx"), "the draft review must not stay in place of the final one")
        #expect(!site.exists("Outbox/margin-summary.xlsx"))
        site.expectAuditorAccepts()

        let next = try site.recon(["ingest"], env: TestSite.closeDay)
        #expect(next.code == 0, "\(next.err)")
        #expect(next.err.contains("wrote Outbox/2026-03/review.xlsx again: it was missing"), "\(next.err)")
        #expect(site.exists("Outbox/margin-summary.xlsx"))
        let control = try TestSite.marchSite()
        #expect(try control.recon(["close", "2026-03"], env: TestSite.closeDay).code == 0)
        let restored = try Data(contentsOf: URL(fileURLWithPath: site.path("Outbox/2026-03/review.xlsx")))
        let written = try Data(contentsOf: URL(fileURLWithPath: control.path("Outbox/2026-03/review.xlsx")))
        #expect(restored == written, "the review put back is the close's final review")
        // Nothing missing: the next command leaves them alone.
        let quiet = try site.recon(["ingest"], env: TestSite.closeDay)
        #expect(!quiet.err.contains("put back"), "\(quiet.err)")
    }

    /// A closed month's review put back after its client's limit was lowered: it judged the
    /// month against today's contract, and showed hard flags raised (blocking the close) that
    /// the ledger never raised, on a month closed and invoiced. It is judged on the terms its
    /// documents were billed on, as the close judged it: the same texts as the close's review.
    @Test func aClosedMonthsReviewPutBackIsJudgedOnTheTermsItClosedWith() throws {
        let site = try TestSite.marchSite()
        #expect(try site.recon(["close", "2026-03"], env: TestSite.closeDay).code == 0)
        let review = site.path("Outbox/2026-03/review.xlsx")
        let atClose = try zipEntry(review, "xl/sharedStrings.xml")
        #expect(!atClose.contains("IMAGES_OVER_CONTRACT"))
        try site.drop("clients-lower.csv", "client_id,name,currency,contract_type,onboarded_on,max_images_per_case,tax_rate\n"
            + "C1,City Hospital,INR,standard,2020-01-01,1,18\n")
        #expect(try site.recon(["ingest"], env: TestSite.aprilLater).code == 0)
        try FileManager.default.removeItem(atPath: review)
        let next = try site.recon(["ingest"], env: TestSite.aprilLater)
        #expect(next.code == 0 && next.err.contains("wrote Outbox/2026-03/review.xlsx again: it was missing"), "\(next.err)")
        let putBack = try zipEntry(review, "xl/sharedStrings.xml")
        #expect(putBack == atClose, "\(putBack)")
        #expect(try site.bodies("flag.raised").isEmpty)
    }

    /// A folder where the margin summary goes: rather than append and then fail the summary,
    /// the ingest refuses before appending (exit 3), as a close does, and leaves the drop in
    /// the Inbox; with the place cleared, the drop is taken and the summary written.
    @Test func anIngestWhoseMarginSummaryCannotBeWrittenRefusesBeforeAppending() throws {
        let site = try TestSite.marchSite()
        try FileManager.default.removeItem(atPath: site.path("Outbox/margin-summary.xlsx"))
        try FileManager.default.createDirectory(atPath: site.path("Outbox/margin-summary.xlsx/kept"), withIntermediateDirectories: true)
        try site.drop("usage-2026-04.csv", TestSite.april)
        let before = try site.ledgerBytes()
        let ingest = try site.recon(["ingest", "--json"], env: TestSite.aprilLater)
        #expect(ingest.code == 3, "\(ingest.out)\(ingest.err)")
        #expect((ingest.out + ingest.err).contains("cannot write Outbox/margin-summary.xlsx: something other than a file is in its place"),
                "\(ingest.out)\(ingest.err)")
        #expect(try site.ledgerBytes() == before)
        #expect(site.exists("Inbox/usage-2026-04.csv"))
        #expect(FileIO.list(site.path("Outbox")).filter { $0.hasPrefix(".") } == [])

        try FileManager.default.removeItem(atPath: site.path("Outbox/margin-summary.xlsx"))
        let next = try site.recon(["ingest"], env: TestSite.aprilLater)
        #expect(next.code == 0, "\(next.err)")
        #expect(!next.err.contains("left by an interrupted command"), "\(next.err)")
        #expect(FileIO.isRegularFile(site.path("Outbox/margin-summary.xlsx")))
        #expect(try site.bodies("drop.accepted").contains { $0["name"] as? String == "usage-2026-04.csv" })
        site.expectAuditorAccepts()
    }

    /// The same through `recon watch --once`: refused before appending, the drop left to be
    /// taken once the place is cleared, and the watcher's exit says so.
    @Test func aWatchWhoseMarginSummaryCannotBeWrittenTakesNothing() throws {
        let site = try TestSite.marchSite()
        try FileManager.default.removeItem(atPath: site.path("Outbox/margin-summary.xlsx"))
        try FileManager.default.createDirectory(atPath: site.path("Outbox/margin-summary.xlsx/kept"), withIntermediateDirectories: true)
        try site.drop("usage-2026-04.csv", TestSite.april)
        let before = try site.ledgerBytes()
        let watch = try site.recon(["watch", "--once", "--stable", "0.2"], env: TestSite.aprilLater)
        #expect(watch.code == 3, "\(watch.err)")
        #expect(watch.err.contains("cannot write Outbox/margin-summary.xlsx"), "\(watch.err)")
        #expect(try site.ledgerBytes() == before)
        #expect(site.exists("Inbox/usage-2026-04.csv"))
    }

    /// A read-only `Outbox/2026-03` (for an unprivileged user): the close refuses before it
    /// appends (exit 3, the ledger untouched), and an ingest, whose drafts of March cannot be
    /// written, keeps its drops and exits 0 with a warning; once the folder is writable again,
    /// the next ingest writes March's review workbook.
    @Test(.enabled(if: canDropPrivileges, "as root, needs util-linux setpriv, and the built recon and the temporary folder reachable by nobody (65534), to run recon unprivileged"))
    func aReadOnlyPeriodFolderRefusesTheCloseAndDoesNotFailAnIngest() throws {
        let site = try TestSite.marchSite()
        try FileManager.default.removeItem(atPath: site.path("Outbox/2026-03/review.xlsx"))
        try giveToNobody(site)
        try setMode(0o555, site, "Outbox/2026-03")
        defer { try? setMode(0o755, site, "Outbox/2026-03") }
        let before = try site.ledgerBytes()
        let close = try reconUnprivileged(site, ["close", "2026-03"], env: TestSite.closeDay)
        #expect(close.code == 3, "\(close.out)\(close.err)")
        #expect(close.err.contains("Outbox/2026-03"), "\(close.err)")
        #expect(try site.ledgerBytes() == before)

        try site.drop("usage-2026-04.csv", TestSite.april)
        try giveToNobody(site)
        let ingest = try reconUnprivileged(site, ["ingest"], env: TestSite.aprilLater)
        #expect(ingest.code == 0, "\(ingest.out)\(ingest.err)")
        #expect(ingest.err.contains("Outbox/2026-03/review.xlsx"), "\(ingest.err)")
        #expect(ingest.err.contains("Permission denied"), "\(ingest.err)")
        // The folder by its place in the site, never the descriptor it is written through (`/proc/self/fd/12`).
        #expect(ingest.err.contains("the folder \(site.path("Outbox/2026-03")) is not writable") && !ingest.err.contains("/proc/self/fd"),
                "\(ingest.err)")
        #expect(try site.bodies("drop.accepted").contains { $0["name"] as? String == "usage-2026-04.csv" })
        #expect(!site.exists("Outbox/2026-03/review.xlsx"))
        site.expectAuditorAccepts()

        try setMode(0o755, site, "Outbox/2026-03")
        let next = try reconUnprivileged(site, ["ingest"], env: TestSite.aprilLater)
        #expect(next.code == 0, "\(next.err)")
        #expect(site.exists("Outbox/2026-03/review.xlsx"))
    }

    /// A folder a drop is kept in that cannot take it (here a read-only `Inbox/rejected`):
    /// the ingest says which folder and what to do (exit 1), records nothing for the drop and
    /// leaves it in the Inbox; once the folder is writable the next ingest rejects it.
    @Test(.enabled(if: canDropPrivileges, "as root, needs util-linux setpriv, and the built recon and the temporary folder reachable by nobody (65534), to run recon unprivileged"))
    func aFolderThatCannotKeepADropSaysWhatToDo() throws {
        let site = try TestSite.marchSite()
        try FileManager.default.createDirectory(atPath: site.path("Inbox/rejected"), withIntermediateDirectories: true)
        try site.drop("usage-bad.csv", "report_id,reported_at,client_id,radiologist_id,modality,image_count\nR9,2026-02-30T10:00:00Z,C1,D1,CT,1\n")
        try giveToNobody(site)
        try setMode(0o555, site, "Inbox/rejected")
        defer { try? setMode(0o755, site, "Inbox/rejected") }
        let before = try site.ledgerBytes()
        let ingest = try reconUnprivileged(site, ["ingest"], env: TestSite.closeDay)
        #expect(ingest.code == 1, "\(ingest.out)\(ingest.err)")
        #expect(ingest.err.contains("could not keep usage-bad.csv in Inbox/rejected"), "\(ingest.err)")
        // Said as the permission it is (it said to free some disk space, as for a full disk).
        #expect(ingest.err.contains("give this user write permission on Inbox/rejected") && !ingest.err.contains("disk space"),
                "\(ingest.err)")
        #expect(try site.ledgerBytes() == before)
        #expect(site.exists("Inbox/usage-bad.csv"))
        try setMode(0o755, site, "Inbox/rejected")
        #expect(try reconUnprivileged(site, ["ingest"], env: TestSite.closeDay).code == 2)
        #expect(site.exists("Inbox/rejected/usage-bad.csv") && !site.exists("Inbox/usage-bad.csv"))
    }

    /// `Outbox` a link to a folder elsewhere, as a site may keep its documents (README): every
    /// writer took it for a folder replaced while it wrote the margin summary, removed the
    /// summary and warned. The drafts and the summary are written there, and nothing is said.
    @Test func aLinkedOutboxTakesTheDerivedWorkbooks() throws {
        let site = try TestSite.marchSite()
        let elsewhere = site.root + "-documents"
        #expect(rename(site.path("Outbox"), elsewhere) == 0)
        try FileManager.default.createSymbolicLink(atPath: site.path("Outbox"), withDestinationPath: elsewhere)
        defer { try? FileManager.default.removeItem(atPath: elsewhere) }
        try site.drop("usage-late.csv", TestSite.lateMarch)
        let ingest = try site.recon(["ingest"], env: TestSite.closeDay)
        #expect(ingest.code == 0 && !ingest.err.contains("warning"), "\(ingest.err)")
        #expect(FileIO.isRegularFile(elsewhere + "/margin-summary.xlsx") && FileIO.isRegularFile(elsewhere + "/2026-03/drafts/invoices.xlsx"))
    }

    /// `Outbox/` removed on a site with an open month only: the next ingest wrote no draft,
    /// review or summary, warning of each. It makes the folder again, as it did before.
    @Test func aRemovedOutboxIsMadeAgainForTheDrafts() throws {
        let site = try TestSite.marchSite()
        try FileManager.default.removeItem(atPath: site.path("Outbox"))
        try site.drop("usage-late.csv", TestSite.lateMarch)
        let ingest = try site.recon(["ingest"], env: TestSite.closeDay)
        #expect(ingest.code == 0 && !ingest.err.contains("could not write"), "\(ingest.err)")
        #expect(site.exists("Outbox/margin-summary.xlsx") && site.exists("Outbox/2026-03/drafts/invoices.xlsx")
                && site.exists("Outbox/2026-03/review.xlsx"))
    }
}
