import Foundation
import Testing

@testable import ReconKit

/// `Ledger/ledger.jsonl` replaced by a copy of itself while a writer held the site lock (an
/// rsync, a `sed -i`, a restore: a new file renamed over the name). The writer had opened the
/// file before, and appended to the one replaced: the close said it closed the month, issued
/// its invoices and signed a checkpoint over entries the ledger at the name never held (every
/// later writer refused, exit 4); an ingest said a drop was accepted and removed it from the
/// Inbox. strace holds the writer after its intent; the test renames the copy in then.
struct ReplacedLedgerTests {
    static let strace = ProcessRunner.executable(named: "strace")

    /// March closed (its card and a late report held, ``TestSite/closedMarchSite()``) and an
    /// April report ingested: April open, to close.
    static func aprilSite() throws -> TestSite {
        let site = try TestSite.closedMarchSite()
        try site.drop("usage-2026-04.csv", "report_id,reported_at,client_id,radiologist_id,modality,image_count\n"
            + "A1,2026-04-02T10:00:00Z,C1,D1,CT,1\n")
        #expect(try site.recon(["ingest"], env: TestSite.aprilLater).code == 0)
        return site
    }

    /// `recon close PERIOD` held by strace for 3 s at its file-system sync before its append,
    /// returned once it has begun writing its workbooks (after the writer checks and the repair).
    static func holdingClose(_ period: String, of site: TestSite, env: [String: String]) throws -> RunningProcess {
        let closing = try RunningProcess(try #require(strace),
            ["-f", "-o", "/dev/null", "-e", "trace=syncfs", "-e", "inject=syncfs:delay_exit=3000000:when=1",
             TestSite.binary, "close", period, "--site", site.root], environment: env)
        #expect(ProcessRunner.wait(upTo: 60) {
            (FileManager.default.enumerator(atPath: site.path("Outbox/\(period)"))?.allObjects as? [String])?.contains { $0.hasSuffix(".tmp") } ?? false
        }, "the close wrote no workbook")
        return closing
    }

    @Test(.enabled(if: strace != nil, "needs strace (Debian strace) to hold the writer between its intent and its append"),
          arguments: ["close", "ingest"])
    func aLedgerReplacedMidAppendGetsNothingAndNothingIsIssued(command: String) throws {
        let site = try TestSite.marchSite()
        let ledger = site.path("Ledger/ledger.jsonl")
        if command == "ingest" {
            try site.drop("usage-late.csv", "report_id,reported_at,client_id,radiologist_id,modality,image_count\n"
                + "L1,2026-03-10T10:00:00Z,C1,D1,CT,1\n")
        }
        let before = try site.ledgerBytes()
        let checkpoints = try FileManager.default.contentsOfDirectory(atPath: site.path("Ledger/checkpoints")).count
        let args = command == "close" ? ["close", "2026-03"] : ["ingest"]
        let running = try RunningProcess(try #require(Self.strace),
            ["-f", "-o", "/dev/null", "-P", ledger + ".intent", "-e", "trace=rename,renameat,renameat2",
             "-e", "inject=rename,renameat,renameat2:delay_exit=3000000:when=1",
             TestSite.binary] + args + ["--site", site.root], environment: TestSite.closeDay)
        #expect(ProcessRunner.wait(upTo: 60) { FileManager.default.fileExists(atPath: ledger + ".intent") }, "the writer wrote no intent")
        try Data(before).write(to: URL(fileURLWithPath: site.path("ledger-copy.jsonl")))
        #expect(rename(site.path("ledger-copy.jsonl"), ledger) == 0)
        let run = running.finish()
        #expect(run.code == 4 && run.err.contains("was replaced by another file while this command held the site lock")
                && run.err.contains("nothing was appended"), "\(run.out)\(run.err)")
        #expect(try site.ledgerBytes() == before)
        #expect(!site.exists("Ledger/ledger.jsonl.intent"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: site.path("Ledger/checkpoints")).count == checkpoints)
        #expect(!site.exists("Outbox/2026-03/invoices/INV-2026-000001.xlsx"))
        if command == "ingest" { #expect(site.exists("Inbox/usage-late.csv"), "the drop left the Inbox unrecorded") }
        // Nothing of it stands: the same command goes on against the ledger now there.
        let again = try site.recon(args, env: TestSite.closeDay)
        #expect(again.code == 0, "\(again.err)")
        #expect(try site.recon(["verify", "--strict"]).code == 0)
        site.expectAuditorAccepts()
    }

    /// The same before the append began, with a file of the same length: only the length was
    /// compared, so a copy renamed over the ledger, or the ledger written in place (one entry's
    /// byte changed), had the close chain its entries onto entries no one checked, issue, and
    /// sign a checkpoint over a ledger no verifier accepts. strace holds the close at the
    /// file-system sync before its append.
    @Test(.enabled(if: strace != nil, "needs strace (Debian strace) to hold the close before its append"),
          arguments: ["copy", "in place", "in place, its time put back"])
    func aLedgerOfTheSameLengthChangedBeforeTheAppendGetsNothing(change: String) throws {
        let site = try TestSite.marchSite()
        let ledger = site.path("Ledger/ledger.jsonl")
        let before = try site.ledgerBytes()
        let closing = try Self.holdingClose("2026-03", of: site, env: TestSite.closeDay)
        // One byte of the last entry's hash changed, the length kept.
        var edited = before
        let at = try #require(edited.lastRange(of: Data("\"hash\":\"".utf8))).upperBound
        let byte = edited[at] == UInt8(ascii: "0") ? UInt8(ascii: "1") : UInt8(ascii: "0")
        edited[at] = byte
        if change == "copy" {
            try edited.write(to: URL(fileURLWithPath: site.path("ledger-copy.jsonl")))
            #expect(rename(site.path("ledger-copy.jsonl"), ledger) == 0)
        } else {
            var was = stat()
            #expect(lstat(ledger, &was) == 0)
            let fd = open(ledger, O_WRONLY)
            #expect(fd >= 0 && pwrite(fd, [byte], 1, off_t(at)) == 1)
            close(fd)
            // `touch -r`: the modification time as it was, to the nanosecond (only the status-change time tells).
            if change.hasSuffix("put back") {
                var times = [was.st_atim, was.st_mtim]
                #expect(utimensat(AT_FDCWD, ledger, &times, 0) == 0)
            }
        }
        let run = closing.finish()
        #expect(run.code == 4 && run.err.contains("changed on disk while this command held the site lock")
                && run.err.contains("nothing was appended"), "\(run.out)\(run.err)")
        #expect(try site.ledgerBytes() == edited)
        #expect(!site.exists("Outbox/2026-03/invoices/INV-2026-000001.xlsx"))
        #expect(try site.bodies("period.closed").isEmpty)
    }

    /// A checkpoint the writer checks found, removed before the append: the close signed its own
    /// checkpoint over a site both verifiers then refused. strace holds the close at its sync.
    @Test(.enabled(if: strace != nil, "needs strace (Debian strace) to hold the close before its append"))
    func aCheckpointRemovedBeforeTheAppendIsNeverSignedOver() throws {
        let site = try Self.aprilSite()
        let checkpoint = try #require(try FileManager.default.contentsOfDirectory(atPath: site.path("Ledger/checkpoints")).sorted().first)
        let before = try site.ledgerBytes()
        let closing = try Self.holdingClose("2026-04", of: site, env: ["RECON_NOW": "2026-05-02T09:00:00Z"])
        try FileManager.default.moveItem(atPath: site.path("Ledger/checkpoints/" + checkpoint), toPath: site.path(checkpoint + ".aside"))
        let run = closing.finish()
        #expect(run.code == 4 && run.err.contains("Ledger/checkpoints/\(checkpoint) was removed while this command ran")
                && run.err.contains("nothing was appended"), "\(run.out)\(run.err)")
        #expect(try site.ledgerBytes() == before)
        try FileManager.default.moveItem(atPath: site.path(checkpoint + ".aside"), toPath: site.path("Ledger/checkpoints/" + checkpoint))
        #expect(try site.recon(["verify", "--strict"]).code == 0)
    }

    /// A file the writer checks found as the ledger records it, changed before the append: a
    /// checkpoint's bytes, an archived drop, an issued invoice. The close appended, issued and
    /// signed a new checkpoint over a site both verifiers then refused (exit 0): it looked again
    /// only at which checkpoints were there. strace holds the close at its sync.
    @Test(.enabled(if: strace != nil, "needs strace (Debian strace) to hold the close before its append"),
          arguments: ["checkpoint", "archived drop", "invoice", "site.pub", "drop cache", "a new checkpoint", "a stray invoice"])
    func aVouchedFileChangedBeforeTheAppendIsNeverSignedOver(file: String) throws {
        let site = try Self.aprilSite()
        let relative: String
        switch file {
        case "site.pub":
            relative = Site.publicKeyRelativePath
        case "drop cache":
            let sha = try #require(try site.bodies("drop.accepted").last?["sha256"] as? String)
            relative = ".recon/cache/\(sha).bin"
        case "a new checkpoint":
            // A forged one, put there meanwhile: the close signed over it, and both verifiers refused.
            relative = "Ledger/checkpoints/999.txt"
        case "a stray invoice":
            // A copy named as an invoice no entry issued: what a cut ledger leaves.
            relative = "Outbox/2026-03/invoices/INV-2026-000099.xlsx"
        case "checkpoint":
            relative = "Ledger/checkpoints/" + (try #require(try FileManager.default.contentsOfDirectory(atPath: site.path("Ledger/checkpoints")).first))
        case "archived drop":
            let sha = try #require(try site.bodies("drop.accepted").first?["sha256"] as? String)
            relative = "Ledger/drops/\(sha).csv"
        default:
            relative = "Outbox/2026-03/invoices/INV-2026-000001.xlsx"
        }
        let before = try site.ledgerBytes()
        let closing = try Self.holdingClose("2026-04", of: site, env: ["RECON_NOW": "2026-05-02T09:00:00Z"])
        if file == "a new checkpoint" {
            let first = try #require(FileIO.list(site.path("Ledger/checkpoints")).first)
            try FileManager.default.copyItem(atPath: site.path("Ledger/checkpoints/" + first), toPath: site.path(relative))
        } else if file == "a stray invoice" {
            try FileManager.default.copyItem(atPath: site.path("Outbox/2026-03/invoices/INV-2026-000001.xlsx"), toPath: site.path(relative))
        } else if file == "site.pub" {
            // Another key: one letter of it changed (a trailing newline would be the same key).
            var text = try site.read(relative)
            let last = try #require(text.lastIndex { $0.isLetter })
            text.replaceSubrange(last...last, with: text[last] == "A" ? "B" : "A")
            try text.write(toFile: site.path(relative), atomically: false, encoding: .utf8)
        } else {
            let handle = try #require(FileHandle(forWritingAtPath: site.path(relative)))
            handle.seekToEndOfFile()
            handle.write(Data("\n".utf8))
            handle.closeFile()
        }
        let run = closing.finish()
        let said = switch file {
        case "a new checkpoint": "\(relative) appeared while this command ran"
        case "a stray invoice": "\(relative) is a final document no ledger entry issued"
        default: "\(relative) changed while this command ran"
        }
        #expect(run.code == 4 && run.err.contains(said)
                && (run.err.contains("nothing was appended") || run.err.contains("nothing is written")), "\(run.out)\(run.err)")
        #expect(try site.ledgerBytes() == before)
        #expect(FileIO.list(site.path("Outbox/2026-04/invoices")).filter { $0.hasSuffix(".xlsx") }.isEmpty, "an invoice was issued")
        #expect(try site.recon(["verify"]).code == 4)
    }

    /// The same change made just after the close's own checks read the file, as it closes it
    /// (strace holds that `close()`; its trace shows the call begun): the last look compared
    /// with a stamp taken after the change, and the close signed its checkpoint over an archive
    /// edited with its time put back, or a checkpoint whose signature was flipped (exit 0). A
    /// closed month's index (March's, which the replay opens) was never looked at again: one
    /// swapped for another month's while a close ran was signed over, and the next `recon
    /// verify` refused the site; here a byte of its reports flipped, its table as vouched.
    @Test(.enabled(if: strace != nil, "needs strace (Debian strace) to hold the close as it reads a file"),
          arguments: ["archived drop", "checkpoint", "closed index"])
    func aVouchedFileChangedAsTheChecksReadItIsNeverSignedOver(file: String) throws {
        let site = try Self.aprilSite()
        let relative: String
        if file == "checkpoint" {
            // An operator added after April's drop: March's checkpoint is no longer the newest, which
            // the ledger's load and the state's replay read too; only the writer checks read it.
            _ = try site.operatorKey("op", listed: true, env: ["RECON_NOW": "2026-04-20T09:00:00Z"])
            let seqs = FileIO.list(site.path("Ledger/checkpoints")).compactMap { Int($0.dropLast(4)) }.sorted()
            #expect(seqs.count == 2, "\(seqs)")
            relative = Checkpointer.relativePath(seq: try #require(seqs.first))
        } else if file == "closed index" {
            relative = ClosedPeriodIndex.relativePath(try #require(Period("2026-03")))
        } else {
            // April's drop: the replay reads its cache and hashes it (an open month's drop).
            let sha = try #require(try site.bodies("drop.accepted").last?["sha256"] as? String)
            relative = "Ledger/drops/\(sha).csv"
        }
        let path = site.path(relative)
        let trace = FileManager.default.temporaryDirectory.path + "/recon-hold-\(UUID().uuidString).trace"
        defer { try? FileManager.default.removeItem(atPath: trace) }
        let before = try site.ledgerBytes()
        let closing = try RunningProcess(try #require(Self.strace),
            ["-f", "-qq", "-o", trace, "-P", path, "-e", "trace=close", "-e", "inject=close:delay_enter=3000000:when=1",
             TestSite.binary, "close", "2026-04", "--site", site.root], environment: ["RECON_NOW": "2026-05-02T09:00:00Z"])
        // The call is written to the trace as it begins, its result once it returns.
        #expect(ProcessRunner.wait(upTo: 60) {
            (try? String(contentsOfFile: trace, encoding: .utf8))?.contains("close(") == true
        }, "the close never read \(relative)")
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let times = try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date
        if file == "checkpoint" {
            // One bit of the signature, the note still well formed.
            var lines = String(decoding: bytes, as: UTF8.self).components(separatedBy: "\n")
            let i = try #require(lines.firstIndex { $0.hasPrefix("\u{2014} ") })
            var parts = lines[i].components(separatedBy: " ")
            var signature = try #require(Data(base64Encoded: parts[2]))
            signature[signature.count - 1] ^= 0x01
            parts[2] = signature.base64EncodedString()
            lines[i] = parts.joined(separator: " ")
            bytes = Data(lines.joined(separator: "\n").utf8)
        } else if file == "closed index" {
            bytes[0] ^= 0x01  // a report's fingerprint: the first bytes, before the table at the end
        } else {
            bytes[bytes.count - 2] ^= 0x01  // a digit of the last row
        }
        let handle = try #require(FileHandle(forWritingAtPath: path))
        handle.write(bytes)
        handle.closeFile()
        if let times { try FileManager.default.setAttributes([.modificationDate: times], ofItemAtPath: path) }
        let run = closing.finish()
        #expect(run.code == 4 && run.err.contains("\(relative) changed while this command ran")
                && run.err.contains("nothing was appended"), "\(run.out)\(run.err)")
        #expect(try site.ledgerBytes() == before)
        #expect(try site.bodies("period.closed").filter { $0["period"] as? String == "2026-04" }.isEmpty)
    }

    /// A backup tool at work on the site while a close runs changes no byte: a hard-link
    /// snapshot (`cp -al`), `chmod`, `touch`. The close refused (exit 4, "the ledger does not
    /// verify … restore it from a backup") when only a file's status-change or modification
    /// time moved; the bytes decide, hashed again, and it closes.
    @Test(.enabled(if: strace != nil, "needs strace (Debian strace) to hold the close before its append"))
    func aBackupToolTouchingTheSiteMidCloseChangesNothing() throws {
        let site = try Self.aprilSite()
        let closing = try Self.holdingClose("2026-04", of: site, env: ["RECON_NOW": "2026-05-02T09:00:00Z"])
        let snapshot = site.root + "-snapshot"
        try FileManager.default.createDirectory(atPath: snapshot, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: snapshot) }
        let sha = try #require(try site.bodies("drop.accepted").first?["sha256"] as? String)
        let checkpoint = "Ledger/checkpoints/" + (try #require(try FileManager.default.contentsOfDirectory(atPath: site.path("Ledger/checkpoints")).first))
        for (i, relative) in ["Ledger/ledger.jsonl", checkpoint, "Ledger/drops/\(sha).csv", "Outbox/2026-03/invoices/INV-2026-000001.xlsx"].enumerated() {
            #expect(link(site.path(relative), snapshot + "/\(i)") == 0, "\(relative)")
            #expect(utimensat(AT_FDCWD, site.path(relative), nil, 0) == 0)  // `touch`: both times now
        }
        #expect(chmod(site.path("Outbox/2026-03/invoices/INV-2026-000001.xlsx"), 0o640) == 0)
        let run = closing.finish()
        #expect(run.code == 0, "\(run.out)\(run.err)")
        #expect(try site.recon(["verify", "--strict"]).code == 0)
        site.expectAuditorAccepts()
    }

    /// An issued document missing when the close opened is put back from its entry, then
    /// changed before the close's append: the close looked again only at the files it had found
    /// in place, and signed over the changed one (exit 0; both verifiers then refused the site).
    @Test(.enabled(if: strace != nil, "needs strace (Debian strace) to hold the close before its append"))
    func aDocumentPutBackAndChangedBeforeTheAppendIsNeverSignedOver() throws {
        let site = try Self.aprilSite()
        let invoice = site.path("Outbox/2026-03/invoices/INV-2026-000001.xlsx")
        try FileManager.default.removeItem(atPath: invoice)
        let before = try site.ledgerBytes()
        let closing = try Self.holdingClose("2026-04", of: site, env: ["RECON_NOW": "2026-05-02T09:00:00Z"])
        #expect(FileManager.default.fileExists(atPath: invoice), "the close did not put the invoice back")
        let handle = try #require(FileHandle(forWritingAtPath: invoice))
        handle.seekToEndOfFile()
        handle.write(Data("\n".utf8))
        handle.closeFile()
        let run = closing.finish()
        #expect(run.code == 4 && run.err.contains("Outbox/2026-03/invoices/INV-2026-000001.xlsx changed while this command ran"),
                "\(run.out)\(run.err)")
        #expect(try site.ledgerBytes() == before)
    }

    /// A copy of the ledger before the close's entries renamed over it after the append, before
    /// the checkpoint: the close signed a checkpoint over entries the ledger there does not hold
    /// and exited 0. It signs none (exit 4). strace holds the close after its ledger prefix.
    @Test(.enabled(if: strace != nil, "needs strace (Debian strace) to hold the close after its append"))
    func aLedgerReplacedAfterTheAppendIsNeverSigned() throws {
        let site = try TestSite.marchSite()
        let ledger = site.path("Ledger/ledger.jsonl")
        let before = try site.ledgerBytes()
        let checkpoints = try FileManager.default.contentsOfDirectory(atPath: site.path("Ledger/checkpoints")).count
        let closing = try RunningProcess(try #require(Self.strace),
            // The ledger prefix's renameat is after the documents' and the append, before the checkpoint.
            ["-f", "-o", "/dev/null", "-P", site.path(LedgerPrefix.relativePath), "-e", "trace=renameat",
             "-e", "inject=renameat:delay_exit=3000000:when=1", TestSite.binary, "close", "2026-03", "--site", site.root],
            environment: TestSite.closeDay)
        #expect(ProcessRunner.wait(upTo: 60) { ((try? site.ledgerBytes().count) ?? 0) > before.count }, "the close never appended")
        try before.write(to: URL(fileURLWithPath: site.path("ledger-copy.jsonl")))
        #expect(rename(site.path("ledger-copy.jsonl"), ledger) == 0)
        let closed = closing.finish()
        #expect(closed.code == 4 && closed.err.contains("no checkpoint is signed over it"), "\(closed.out)\(closed.err)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: site.path("Ledger/checkpoints")).count == checkpoints)
    }
}
