import Foundation
import Testing

@testable import ReconKit

/// One byte changed anywhere — in the ledger, an archived drop or an issued document — and
/// `recon verify` fails (exit 4) naming the seq of the entry that no longer holds; a damaged
/// ledger stops every writing command.
@Suite("Ledger tampering — the recon binary finds every changed byte", .serialized)
struct LedgerTamperTests {
    @Test func aBuiltSiteVerifies() throws {
        let site = try TestSite.trustSite()
        let lines = try site.ledgerLines()
        let ok = try site.recon(["verify"])
        #expect(ok.code == 0, "\(ok.out)\(ok.err)")
        let head = try #require(try site.entries().last?["hash"] as? String)
        #expect(ok.out == "ok \(lines.count) \(head)\n")
        let json = try site.recon(["verify", "--json"])
        #expect(json.code == 0)
        #expect(json.out.contains("\"entries\":\(lines.count)") && json.out.contains(head))
        site.expectAuditorAccepts()
    }

    /// The close of March cut from the ledger's end, with the checkpoint written over it: its
    /// invoices stay in the Outbox, which `recon verify` names. A writer signed a credit note
    /// and a new checkpoint over that ledger; it refuses (exit 4) and appends nothing.
    @Test func aLedgerWhoseCloseWasCutFromItsEndIsNotWrittenTo() throws {
        let site = try TestSite.marchSite()
        #expect(try site.recon(["close", "2026-03"], env: TestSite.closeDay).code == 0)
        let lines = try site.ledgerLines()
        let firstIssued = try #require(try site.entries().firstIndex { ($0["kind"] as? String)?.hasSuffix(".issued") == true })
        try Data(lines[..<firstIssued].flatMap { $0 + [10] }).write(to: URL(fileURLWithPath: site.path("Ledger/ledger.jsonl")))
        for name in FileIO.list(site.path("Ledger/checkpoints")) {
            try FileManager.default.removeItem(atPath: site.path("Ledger/checkpoints/" + name))
        }
        let cut = try site.ledgerBytes()
        let verify = try site.recon(["verify"])
        #expect(verify.code == 4 && verify.out.contains("is a final document no ledger entry issued"), "\(verify.out)")
        try site.drop("usage-2026-04.csv", TestSite.april)
        for args in [["ingest"], ["close", "2026-03"]] {
            let run = try site.recon(args, env: TestSite.aprilLater)
            #expect(run.code == 4, "\(args): \(run.err)")
            #expect(run.err.contains("Outbox/2026-03/invoices/INV-2026-000001.xlsx is a final document no ledger entry issued"), "\(run.err)")
            #expect(try site.ledgerBytes() == cut, "\(args) appended")
        }
        #expect(FileIO.list(site.path("Ledger/checkpoints")).isEmpty, "no checkpoint is signed over the cut ledger")
    }

    /// A month no report was ever in closes (SPEC §5 sets no such bar), and says so: a mistyped
    /// year (2016 for 2026) locked it without a word, and a close cannot be undone.
    @Test func closingAMonthWithoutReportsIsSaid() throws {
        let site = try TestSite.marchSite()
        let close = try site.recon(["close", "2016-03"], env: TestSite.closeDay)
        #expect(close.code == 0, "\(close.err)")
        #expect(close.err.contains("2016-03 holds no report: it is closed with no document"), "\(close.err)")
    }

    /// A filing copy of an issued invoice in another month's folder bears a number the ledger
    /// issued: it still stands where no entry put a document (an auditor's verifier reports it
    /// too), but it is no trace of a cut ledger, and the advice was to restore the ledger from a
    /// backup. It is named as a copy, with where its entry put the document.
    @Test func aCopyOfAnIssuedDocumentElsewhereIsToldAsACopy() throws {
        let site = try TestSite.marchSite()
        #expect(try site.recon(["close", "2026-03"], env: TestSite.closeDay).code == 0)
        try FileManager.default.createDirectory(atPath: site.path("Outbox/2026-04/invoices"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: site.path("Outbox/2026-03/invoices/INV-2026-000001.xlsx"),
                                         toPath: site.path("Outbox/2026-04/invoices/INV-2026-000001.xlsx"))
        try site.drop("usage-2026-04.csv", TestSite.april)
        let ingest = try site.recon(["ingest"], env: TestSite.aprilLater)
        #expect(ingest.code == 4, "\(ingest.err)")
        #expect(ingest.err.contains("Outbox/2026-04/invoices/INV-2026-000001.xlsx is not where its entry put INV-2026-000001.xlsx "
            + "(Outbox/2026-03/invoices/INV-2026-000001.xlsx): a copy"), "\(ingest.err)")
        #expect(!ingest.err.contains("restore Ledger/"), "\(ingest.err)")
        try FileManager.default.removeItem(atPath: site.path("Outbox/2026-04/invoices/INV-2026-000001.xlsx"))
        #expect(try site.recon(["ingest"], env: TestSite.aprilLater).code == 0)
        site.expectAuditorAccepts()
    }

    /// Any file no entry issued in a folder of final documents fails `recon verify`, whatever
    /// its name: only `PREFIX-YYYY-NNNNNN.xlsx` names were looked at, so a renamed copy
    /// (`INV-2026-000001 (1).xlsx`) passed while an auditor's verifier failed it. A writer refuses
    /// it too (SPEC §6: nothing is appended to a ledger that does not verify): it refused only a
    /// name shaped like a document, and the next close signed its checkpoint over a site both
    /// verifiers refused. What an editor or a file browser leaves beside an open workbook
    /// (`.~lock.…#`, Office's `~$…`, `Thumbs.db`, `desktop.ini`) is no document to either:
    /// Office's lock file stopped every writer (exit 4, "the ledger does not verify").
    @Test(arguments: ["INV-2026-000001 (1).xlsx", "inv-2026-000001.xlsx", "INV-2026-000001.XLSX", "invoice.xlsx", "notes.txt"])
    func anyFileNoEntryIssuedInAFinalDocumentsFolderFailsVerification(name: String) throws {
        let site = try TestSite.marchSite()
        #expect(try site.recon(["close", "2026-03"], env: TestSite.closeDay).code == 0)
        for litter in [".~lock.INV-2026-000001.xlsx#", "~$INV-2026-000001.xlsx", "Thumbs.db", "desktop.ini"] {
            try "x".write(toFile: site.path("Outbox/2026-03/invoices/" + litter), atomically: false, encoding: .utf8)
        }
        let litter = try site.recon(["verify"])
        #expect(litter.code == 0, "an editor's or file browser's file is no document")
        // Said all the same: an auditor's verifier in strict mode names every one of them.
        #expect(litter.err.contains("Outbox/2026-03/invoices/Thumbs.db is no document") && litter.err.contains("strict mode names it"),
                "\(litter.err)")
        try FileManager.default.copyItem(atPath: site.path("Outbox/2026-03/invoices/INV-2026-000001.xlsx"),
                                         toPath: site.path("Outbox/2026-03/invoices/" + name))
        let verify = try site.recon(["verify"])
        #expect(verify.code == 4, "\(verify.out)")
        #expect(verify.out.contains("Outbox/2026-03/invoices/\(name) is in a folder of final documents, but no ledger entry issued it"),
                "\(verify.out)")
        try site.drop("usage-2026-04.csv", TestSite.april)
        let ledger = try site.ledgerBytes()
        let refused = try site.recon(["ingest"], env: TestSite.aprilLater)
        #expect(refused.code == 4 && refused.err.contains("Outbox/2026-03/invoices/\(name) is in a folder of final documents")
                && refused.err.contains("move it out of Outbox/"), "\(refused.err)")
        #expect(try site.ledgerBytes() == ledger && site.exists("Inbox/usage-2026-04.csv"))
        // Moved out, the same drop goes in.
        try FileManager.default.removeItem(atPath: site.path("Outbox/2026-03/invoices/" + name))
        #expect(try site.recon(["ingest"], env: TestSite.aprilLater).code == 0)
        #expect(try site.recon(["verify"]).code == 0)
    }

    /// A folder is no document either: one inside a documents folder holds files no check looks
    /// at (`sent/INV-2026-000001.xlsx`, a forged copy, passed verify), and one named like the
    /// next document stands where the close puts it (the close failed on it with exit 1).
    @Test func aFolderInAFinalDocumentsFolderIsAStray() throws {
        let site = try TestSite.marchSite()
        #expect(try site.recon(["close", "2026-03"], env: TestSite.closeDay).code == 0)
        try FileManager.default.createDirectory(atPath: site.path("Outbox/2026-03/invoices/sent"), withIntermediateDirectories: true)
        try "forged".write(toFile: site.path("Outbox/2026-03/invoices/sent/INV-2026-000001.xlsx"), atomically: false, encoding: .utf8)
        let verify = try site.recon(["verify"])
        #expect(verify.code == 4 && verify.out.contains("Outbox/2026-03/invoices/sent is a folder inside a folder of final documents"), "\(verify.out)")
        try FileManager.default.removeItem(atPath: site.path("Outbox/2026-03/invoices/sent"))
        // Hidden, or a copy under any name in a folder named as a documents folder (which an
        // auditor's verifier reads as an invoice no entry issued): strays too.
        for (folder, file) in [(".sent", "INV-2026-000001.xlsx"), ("sent/invoices", "copy.xlsx")] {
            let path = site.path("Outbox/2026-03/invoices/" + folder)
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            try "forged".write(toFile: path + "/" + file, atomically: false, encoding: .utf8)
            let hidden = try site.recon(["verify"])
            #expect(hidden.code == 4 && hidden.out.contains("is a folder inside a folder of final documents"), "\(folder): \(hidden.out)")
            try FileManager.default.removeItem(atPath: site.path("Outbox/2026-03/invoices/" + (folder.split(separator: "/").first.map(String.init) ?? folder)))
        }
        try FileManager.default.createDirectory(atPath: site.path("Outbox/2026-04/invoices/INV-2026-000003.xlsx"), withIntermediateDirectories: true)
        try site.drop("usage-2026-04.csv", TestSite.april)
        let before = try site.ledgerBytes()
        let ingest = try site.recon(["ingest"], env: TestSite.aprilLater)
        #expect(ingest.code == 4, "\(ingest.err)")
        #expect(try site.ledgerBytes() == before)
    }

    /// What a NAS or file system keeps in a folder of final documents — Synology's `@eaDir`
    /// (a folder a file, `INV-…xlsx@SynoEAStream`, holding its metadata), `#recycle`,
    /// `lost+found` — holds no document: every writer and `status` refused the site (exit 4,
    /// "restore it from a backup") while an auditor's verifier, which reads only the files in
    /// such folders, said ok. They go on; `recon verify` passes and notes each folder.
    @Test func aFolderANasKeepsBesideTheInvoicesStopsNothing() throws {
        let site = try TestSite.marchSite()
        #expect(try site.recon(["close", "2026-03"], env: TestSite.closeDay).code == 0)
        let invoices = "Outbox/2026-03/invoices/"
        try FileManager.default.createDirectory(atPath: site.path(invoices + "@eaDir/INV-2026-000001.xlsx@SynoEAStream"),
                                                withIntermediateDirectories: true)
        try "metadata".write(toFile: site.path(invoices + "@eaDir/INV-2026-000001.xlsx@SynoEAStream/stream"), atomically: false,
                             encoding: .utf8)
        for folder in ["#recycle", "lost+found"] {
            try FileManager.default.createDirectory(atPath: site.path(invoices + folder), withIntermediateDirectories: true)
        }
        let status = try site.recon(["status"], env: TestSite.aprilLater)
        #expect(status.code == 0, "\(status.err)")
        try site.drop("usage-2026-04.csv", TestSite.april)
        let ingest = try site.recon(["ingest"], env: TestSite.aprilLater)
        #expect(ingest.code == 0, "\(ingest.err)")
        let verify = try site.recon(["verify"])
        #expect(verify.code == 0, "\(verify.out)\(verify.err)")
        for folder in ["@eaDir", "#recycle", "lost+found"] {
            #expect(verify.err.contains("\(invoices)\(folder) is a folder inside a folder of final documents: no document is read"),
                    "\(verify.err)")
        }
        if let audit = try site.auditorVerify() { #expect(audit.code == 0, "\(audit.out)") }
    }

    /// `Ledger/ledger.jsonl` deleted from a site with a closed month: every command said "not
    /// a recon site … run `recon init`", and init then started a new ledger beside the old
    /// drops, checkpoints and invoices. The ledger is lost, not never made: commands say so
    /// (exit 4) and init refuses (exit 3).
    @Test func aSiteWhoseLedgerIsLostIsNotStartedAgain() throws {
        let site = try TestSite.marchSite()
        #expect(try site.recon(["close", "2026-03"], env: TestSite.closeDay).code == 0)
        try FileManager.default.removeItem(atPath: site.path("Ledger/ledger.jsonl"))
        let status = try site.recon(["status"], env: TestSite.rerunDay)
        #expect(status.code == 4, "\(status.err)")
        #expect(status.err.contains("Ledger/ledger.jsonl is missing, but the site holds"), "\(status.err)")
        #expect(status.err.contains("archived drops") && status.err.contains("1 month's folder in Outbox/"), "\(status.err)")
        let initAgain = try site.recon(["init", "--name", "again"], env: TestSite.rerunDay)
        #expect(initAgain.code == 3, "\(initAgain.err)")
        #expect(initAgain.err.contains("has no Ledger/ledger.jsonl but holds a site's files"), "\(initAgain.err)")
        #expect(!site.exists("Ledger/ledger.jsonl"))
    }

    /// 40 positions spread evenly over the whole file, the first byte and the final newline
    /// included, each changed alone (five different bit flips in turn, so some give other
    /// text and some invalid JSON or UTF-8): each names the line holding the byte. A line's
    /// newline belongs to it: changed, the line runs into the next and stops parsing, or,
    /// for the last line, is left without its end and is no entry.
    @Test func everySampledByteOfTheLedgerIsDetectedAtItsLine() throws {
        let site = try TestSite.trustSite()
        let path = site.path("Ledger/ledger.jsonl")
        let original = try Data(contentsOf: URL(fileURLWithPath: path))
        let lineOf = TestSite.lineNumbers(original)
        let masks: [UInt8] = [0x01, 0x20, 0x02, 0x80, 0x08]
        let positions = (0..<40).map { $0 * (original.count - 1) / 39 }
        #expect(Set(positions).count == 40 && positions.last == original.count - 1)
        for (i, position) in positions.enumerated() {
            var bytes = original
            bytes[position] ^= masks[i % masks.count]
            try bytes.write(to: URL(fileURLWithPath: path))
            let run = try site.recon(["verify"])
            let line = lineOf[position]
            #expect(run.code == 4, "byte \(position) (line \(line)): \(run.out)")
            #expect(run.out.hasPrefix("seq \(line): "), "byte \(position) should name seq \(line): \(run.out)")
            if i % 8 == 0 {
                // Nothing is appended to a ledger that does not verify, and it is left as it is.
                let write = try site.recon(["ingest"], env: TestSite.aprilLater)
                #expect(write.code == 4, "byte \(position): \(write.err)")
                #expect(write.err.contains("seq \(line): "), "\(write.err)")
                #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == bytes)
                if let audit = try site.auditorVerify() { #expect(audit.code == 4, "byte \(position): \(audit.out)") }
            }
        }
        try original.write(to: URL(fileURLWithPath: path))
        #expect(try site.recon(["verify"]).code == 0)
    }

    /// The last entry of this site (an ingest) is covered by no checkpoint, so nothing but
    /// the missing newline itself can give it away. A whole entry that lost its newline is
    /// damage, not a line cut short by a crash: a writer refuses rather than cut it away.
    @Test func aLastEntryWithoutItsNewlineIsDamageNotACrash() throws {
        let site = try TestSite.trustSite()
        let path = site.path("Ledger/ledger.jsonl")
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let count = try site.ledgerLines().count
        #expect(try site.entries().last?["kind"] as? String == "drop.accepted")
        bytes[bytes.count - 1] = UInt8(ascii: " ")
        try bytes.write(to: URL(fileURLWithPath: path))
        let run = try site.recon(["verify"])
        #expect(run.code == 4)
        #expect(run.out.hasPrefix("seq \(count): the last line holds a whole entry not followed by its newline"), "\(run.out)")
        let write = try site.recon(["ingest"], env: TestSite.aprilLater)
        #expect(write.code == 4, "\(write.err)")
        #expect(write.err.contains("seq \(count): the last line holds a whole entry not followed by its newline"), "\(write.err)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == bytes)

        // Its newline turned into more bytes than one (other bytes, the start of a next line):
        // still a whole entry first, which no write cut short leaves.
        for more in ["xx", " {\"seq\":\(count + 1)"] {
            var longer = bytes
            longer[longer.count - 1] = UInt8(ascii: "x")
            longer.append(contentsOf: Array(more.utf8))
            try longer.write(to: URL(fileURLWithPath: path))
            let verify = try site.recon(["verify"])
            #expect(verify.code == 4, "\(more): \(verify.out)")
            #expect(verify.out.hasPrefix("seq \(count): the last line holds a whole entry"), "\(more): \(verify.out)")
            let again = try site.recon(["ingest"], env: TestSite.aprilLater)
            #expect(again.code == 4, "\(more): \(again.err)")
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == longer, "\(more): nothing cut, nothing appended")
        }
    }

    /// A whole JSON object after the last entry, without its newline and not a valid entry (one
    /// member changed, its hash left as it was): a crash leaves the start of a line, never a
    /// whole object, so this was written — refused, not cut away as a half-written line.
    @Test func aWholeObjectThatIsNoEntryWithoutItsNewlineIsDamage() throws {
        let site = try TestSite.trustSite()
        let path = site.path("Ledger/ledger.jsonl")
        let lines = try site.ledgerLines()
        let count = lines.count
        // The next entry, made right, then its `by` changed: its hash no longer matches.
        let next = LedgerEntry(seq: count + 1, at: "2026-05-01T00:00:00Z", kind: "flag.decided",
                               body: ["id": "HARD-0000000000", "decision": "exclude", "by": "mallory", "note": ""],
                               prev: try #require(try site.entries().last?["hash"] as? String))
        var forged = Array(next.line.dropLast())  // no newline
        let text = String(decoding: forged, as: UTF8.self).replacingOccurrences(of: "mallory", with: "mall0ry")
        forged = Array(text.utf8)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        bytes.append(contentsOf: forged)
        try bytes.write(to: URL(fileURLWithPath: path))
        let run = try site.recon(["verify"])
        #expect(run.code == 4, "\(run.out)")
        #expect(run.out.hasPrefix("seq \(count + 1): the last line holds a whole JSON object that is not the next entry"), "\(run.out)")
        let write = try site.recon(["ingest"], env: TestSite.aprilLater)
        #expect(write.code == 4, "\(write.err)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == bytes, "nothing cut, nothing appended")
    }

    /// The last entry (an ingest, under no checkpoint) rewritten with another `at` and its hash
    /// redone, as anyone can without a key: a time that is no time, or one before the entry it
    /// follows, is damage. Else the clock check, which reads only the head's `at`, would let a
    /// credit note be dated years before its invoice (a document's issue date is its `at`).
    @Test func anEntryTimeThatIsNoTimeOrBeforeTheEntryItFollowsIsDamage() throws {
        let site = try TestSite.trustSite()
        let path = site.path("Ledger/ledger.jsonl")
        let lines = try site.ledgerLines()
        guard case .object(let last) = try JSONParser.parse(try #require(lines.last)),
              case .object(let body)? = last["body"], case .string(let kind)? = last["kind"], case .string(let prev)? = last["prev"]
        else { Issue.record("the last line is no entry"); return }
        #expect(try site.recon(["verify"]).code == 0)
        let key = site.path("operator-keys/asha.key")
        for at in ["yesterday", "2026-01-01T00:00:00Z", "2026-04-12T09:00:00+00:00", "2026-02-30T09:00:00Z"] {
            let forged = LedgerEntry(seq: lines.count, at: at, kind: kind, body: body, prev: prev)
            let bytes = Data(lines.dropLast().joined(separator: [10])) + Data([10]) + Data(forged.line)
            try bytes.write(to: URL(fileURLWithPath: path))
            let verify = try site.recon(["verify"])
            #expect(verify.code == 4, "\(at): \(verify.out)")
            #expect(verify.out.hasPrefix("seq \(lines.count): its at"), "\(at): \(verify.out)")
            let credit = try site.recon(["credit", "INV-2026-000003", "--amount", "10.00", "--reason", "backdated", "--key", key],
                                        env: ["RECON_NOW": "2026-01-02T09:00:00Z"])
            #expect(credit.code == 4, "\(at): \(credit.err)")
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == bytes, "\(at): nothing appended")
        }
    }

    /// The ledger replaced by a link to a copy elsewhere: appends would land outside the site,
    /// beside a writer lock that serialises nothing there. Refused, and the copy left alone.
    @Test func aLedgerThatIsALinkIsRefused() throws {
        let site = try TestSite.trustSite()
        let path = site.path("Ledger/ledger.jsonl")
        let elsewhere = site.path("ledger-elsewhere.jsonl")
        try FileManager.default.moveItem(atPath: path, toPath: elsewhere)
        try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: elsewhere)
        let before = try Data(contentsOf: URL(fileURLWithPath: elsewhere))
        let verify = try site.recon(["verify"])
        #expect(verify.code == 4, "\(verify.out)\(verify.err)")
        #expect((verify.out + verify.err).contains("symbolic link"), "\(verify.out)\(verify.err)")
        try site.drop("usage-r9.csv", "report_id,reported_at,client_id,radiologist_id,modality,image_count\nR9,2026-04-06T10:00:00Z,C1,D1,CT,1\n")
        let ingest = try site.recon(["ingest"], env: TestSite.aprilLater)
        #expect(ingest.code == 4, "\(ingest.err)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: elsewhere)) == before)
    }

    /// A credit's entries cut from the ledger's end with its checkpoint: the chain and the
    /// checkpoints left agree, but its credit note is still in the Outbox, which no command
    /// leaves without its entry (workbooks are put in place after their entries).
    @Test func aFinalDocumentNoEntryIssuedFailsVerification() throws {
        let site = try TestSite.trustSite()
        let lines = try site.ledgerLines()
        let key = site.path("operator-keys/asha.key")
        let credit = try site.recon(["credit", "INV-2026-000003", "--amount", "10.00", "--reason", "goodwill 2", "--key", key],
                                    env: TestSite.aprilLater)
        #expect(credit.code == 0, "\(credit.err)")
        let cut = try site.ledgerLines().count
        try site.writeLedgerLines(lines)
        try FileManager.default.removeItem(atPath: site.path("Ledger/checkpoints/\(cut).txt"))
        let verify = try site.recon(["verify"])
        #expect(verify.code == 4, "\(verify.out)")
        #expect(verify.out.contains("Outbox/2026-03/credit-notes/CN-2026-000003.xlsx is a final document no ledger entry issued"),
                "\(verify.out)")
    }

    /// A workbook named like an invoice in a folder named `invoices` outside any month's own
    /// (`Outbox/2026-10-old/invoices/`, `Outbox/statements/invoices/`): an auditor's verifier
    /// reads every such folder, and refused the site while `recon verify` said ok and a writer
    /// appended. Both refuse it now (exit 4), wherever the folder is.
    @Test(arguments: ["Outbox/2026-03-old/invoices", "Outbox/statements/invoices", "Outbox/2026-03/drafts/payouts"])
    func aDocumentNamedFileInAnyFolderOfFinalDocumentsFailsVerification(_ folder: String) throws {
        let site = try TestSite.closedMarchSite()
        try FileManager.default.createDirectory(atPath: site.path(folder), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: site.path("Outbox/2026-03/invoices/INV-2026-000001.xlsx"),
                                         toPath: site.path(folder + "/INV-2026-000999.xlsx"))
        let verify = try site.recon(["verify"])
        #expect(verify.code == 4 && verify.out.contains(folder + "/INV-2026-000999.xlsx"), "\(verify.out)")
        if let audit = try site.auditorVerify() { #expect(audit.code == 4, "\(audit.out)") }
        let before = try site.ledgerBytes()
        try site.drop("usage-2026-04.csv", TestSite.april)
        let ingest = try site.recon(["ingest"], env: TestSite.aprilLater)
        #expect(ingest.code == 4 && ingest.err.contains(folder + "/INV-2026-000999.xlsx"), "\(ingest.err)")
        #expect(try site.ledgerBytes() == before)
    }

    /// SPEC §6: the site key is readable by its owner only. Signing commands refuse it;
    /// `recon verify` said ok.
    @Test func aSiteKeyOthersCanReadFailsVerification() throws {
        let site = try TestSite.trustSite()
        chmod(site.path("Ledger/keys/site.key"), 0o644)
        let verify = try site.recon(["verify"])
        #expect(verify.code == 4, "\(verify.out)")
        #expect(verify.out.contains("can be read by others than its owner (mode 644)"), "\(verify.out)")

        // A private key reached through a link (a mounted secret) is judged by the key's own mode.
        let vault = site.path("vault.key")
        try FileManager.default.moveItem(atPath: site.path("Ledger/keys/site.key"), toPath: vault)
        chmod(vault, 0o600)
        try FileManager.default.createSymbolicLink(atPath: site.path("Ledger/keys/site.key"), withDestinationPath: vault)
        let linked = try site.recon(["verify"])
        #expect(linked.code == 0, "\(linked.out)")

        // A folder in the key's place is no key, as a missing one is: noted, and said so, not as a
        // mode to `chmod` — verify failed (exit 4) while every writer went on, told to chmod a folder.
        try FileManager.default.removeItem(atPath: site.path("Ledger/keys/site.key"))
        try FileManager.default.createDirectory(atPath: site.path("Ledger/keys/site.key"), withIntermediateDirectories: false)
        let folder = try site.recon(["verify"])
        #expect(folder.code == 0 && folder.err.contains("(the site's private key) is a folder, not the key file: no key"),
                "\(folder.out)\(folder.err)")
        try site.drop("usage-2026-04-b.csv", "report_id,reported_at,client_id,radiologist_id,modality,image_count\nR9,2026-04-05T10:00:00Z,C1,D1,CT,1\n")
        let ingest = try site.recon(["ingest"], env: TestSite.aprilLater)
        #expect(ingest.code == 0 && !ingest.err.contains("chmod"), "\(ingest.err)")
    }

    /// Another site's key pair copied into `Ledger/keys/`: every close, credit and rerun
    /// refuses it, and `recon verify` said ok. It names the key (exit 4).
    @Test func anotherSitesKeyFailsVerification() throws {
        let site = try TestSite.marchSite()
        let other = try TestSite.marchSite()
        for name in ["site.key", "site.pub"] {
            try FileManager.default.removeItem(atPath: site.path("Ledger/keys/" + name))
            try FileManager.default.copyItem(atPath: other.path("Ledger/keys/" + name), toPath: site.path("Ledger/keys/" + name))
        }
        let verify = try site.recon(["verify"])
        #expect(verify.code == 4, "\(verify.out)")
        #expect(verify.out.contains("which is not the site key site.init records"), "\(verify.out)")
    }

    @Test func aDeletedMiddleLineIsDetected() throws {
        let site = try TestSite.trustSite()
        let path = site.path("Ledger/ledger.jsonl")
        let lines = try site.ledgerLines()
        let k = lines.count / 2
        let cut = lines.enumerated().filter { $0.offset != k - 1 }.map(\.element)
        let bytes = Data(cut.joined(separator: [10])) + Data([10])
        try bytes.write(to: URL(fileURLWithPath: path))
        let run = try site.recon(["verify"])
        #expect(run.code == 4)
        #expect(run.out.hasPrefix("seq \(k): seq is \(k + 1), expected \(k)"), "\(run.out)")
        let write = try site.recon(["close", "2026-04"], env: TestSite.aprilLater)
        #expect(write.code == 4, "\(write.err)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == bytes)
        if let audit = try site.auditorVerify() { #expect(audit.code == 4) }
    }

    /// A file standing where the folder of issued documents should be is damage, as verify
    /// says: a writer refuses with exit 4 (it used to stop with exit 1, "cannot create the
    /// folder"), appends nothing, and regenerates the documents once the file is moved away.
    @Test func aFileInPlaceOfADocumentFolderIsRefusedAsDamage() throws {
        let site = try TestSite.trustSite()
        let folder = site.path("Outbox/2026-03/credit-notes")
        try FileManager.default.removeItem(atPath: folder)
        try Data("not a folder".utf8).write(to: URL(fileURLWithPath: folder))
        let before = try site.ledgerBytes()
        try site.drop("usage-2026-04-b.csv", "report_id,reported_at,client_id,radiologist_id,modality,image_count\nR9,2026-04-05T10:00:00Z,C1,D1,CT,1\n")
        let ingest = try site.recon(["ingest"], env: TestSite.aprilLater)
        #expect(ingest.code == 4, "\(ingest.err)")
        #expect(ingest.err.contains("Outbox/2026-03/credit-notes is not a folder"), "\(ingest.err)")
        #expect(try site.ledgerBytes() == before)
        let verify = try site.recon(["verify"])
        #expect(verify.code == 4 && verify.out.contains("is missing: Outbox/2026-03/credit-notes is not a folder"), "\(verify.out)")
        try FileManager.default.removeItem(atPath: folder)
        #expect(try site.recon(["ingest"], env: TestSite.aprilLater).code == 0)
        #expect(site.exists("Outbox/2026-03/credit-notes/CN-2026-000001.xlsx"))
        #expect(try site.recon(["verify"]).code == 0)
    }

    /// A checkpoint past the ledger's head (its last entries cut away) was shown by `status` as
    /// a negative count of entries since; then said plainly beside the figures. `status` now
    /// shows no figures of a ledger that does not check: it refuses (exit 4), naming it.
    @Test func statusSaysACheckpointPastTheHeadMeansEntriesWereRemoved() throws {
        let site = try TestSite.marchSite()
        #expect(try site.recon(["close", "2026-03"], env: TestSite.closeDay).code == 0)
        let lines = try site.ledgerLines()
        try site.writeLedgerLines(lines.dropLast())
        let status = try site.recon(["status"], env: TestSite.closeDay)
        #expect(status.code == 4 && status.out.isEmpty, "\(status.out)\(status.err)")
        #expect(status.err.contains("checkpoint \(lines.count).txt covers \(lines.count) entries but the ledger holds \(lines.count - 1): "
            + "entries were removed"), "\(status.err)")
        #expect(try site.recon(["verify"]).code == 4)
    }

    @Test func everyArchivedDropChangedByOneByteNamesItsEntry() throws {
        let site = try TestSite.trustSite()
        let drops = try site.entries().filter { $0["kind"] as? String == "drop.accepted" }
        #expect(drops.count == 8)
        for entry in drops {
            let seq = try #require(entry["seq"] as? Int)
            let sha = try #require((entry["body"] as? [String: Any])?["sha256"] as? String)
            let relative = "Ledger/drops/\(sha).csv"
            let url = URL(fileURLWithPath: site.path(relative))
            let original = try Data(contentsOf: url)
            var bytes = original
            bytes[bytes.count / 2] ^= 0x01
            try bytes.write(to: url)
            let run = try site.recon(["verify"])
            #expect(run.code == 4)
            #expect(run.out == "seq \(seq): archived drop \(relative) does not match its recorded SHA-256\n", "\(run.out)")
            try original.write(to: url)
        }
        #expect(try site.recon(["verify"]).code == 0)
    }

    @Test func everyIssuedDocumentChangedByOneByteNamesItsEntry() throws {
        let site = try TestSite.trustSite()
        let documents = try site.entries().filter { ($0["kind"] as? String)?.hasSuffix(".issued") == true }
        // 4 at the close, 4 from the rerun, 1 credit note.
        #expect(documents.count == 9)
        for entry in documents {
            let seq = try #require(entry["seq"] as? Int)
            let file = try #require((entry["body"] as? [String: Any])?["file"] as? String)
            let url = URL(fileURLWithPath: site.path(file))
            let original = try Data(contentsOf: url)
            var bytes = original
            bytes[(bytes.count * 2) / 3] ^= 0x01
            try bytes.write(to: url)
            let run = try site.recon(["verify"])
            #expect(run.code == 4)
            #expect(run.out == "seq \(seq): document \(file) does not match its recorded SHA-256 (changed since it was issued — a "
                + "spreadsheet's Save, say: move it out of Outbox/, keeping it if someone must see what was changed, and the next "
                + "writing command puts back the issued one from its entry, byte for byte)\n", "\(run.out)")
            try original.write(to: url)
        }
        #expect(try site.recon(["verify"]).code == 0)
    }

    /// A missing document is reported; the next writing command regenerates it from its
    /// entry, byte for byte.
    @Test func aDeletedDocumentIsReportedThenRegeneratedExactly() throws {
        let site = try TestSite.trustSite()
        let entry = try #require(try site.entries().first { ($0["body"] as? [String: Any])?["number"] as? String == "INV-2026-000003" })
        let file = "Outbox/2026-03/invoices/INV-2026-000003.xlsx"
        let original = try Data(contentsOf: URL(fileURLWithPath: site.path(file)))
        try FileManager.default.removeItem(atPath: site.path(file))
        let run = try site.recon(["verify"])
        #expect(run.code == 4)
        #expect(run.out == "seq \(entry["seq"] as? Int ?? 0): document \(file) is missing (deleted or moved since it was issued, or "
            + "left out by an interrupted command: the next writing command regenerates it from its entry, byte for byte)\n", "\(run.out)")
        let write = try site.recon(["ingest"], env: TestSite.aprilLater)
        #expect(write.code == 0, "\(write.err)")
        #expect(write.err.contains("put back \(file)"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: site.path(file))) == original)
        #expect(try site.recon(["verify"]).code == 0)
        site.expectAuditorAccepts()
    }
}

// MARK: - The site the trust tests build

/// A small site taken through every privileged and final step by the `recon` binary.
///
/// March: clients C1 (INR, tax 18 %) and C2 (INR, no tax), radiologists D1 and D2, one
/// provider card (50.00 a report) and one client card (100.00 a report) from 2026-03-01,
/// reports R1–R3 (C1, D1) and R4 (C2, D2). Closed on 2 April:
///   INV-2026-000001 C1 3 × 100.00 = 300.00 + 18 % 54.00 = 354.00   INV-2026-000002 C2 100.00
///   PAY-2026-000001 D1 3 × 50.00 = 150.00                          PAY-2026-000002 D2 50.00
/// On 10 April a client card for 2026-03-01 gives C1 120.00 (others still 100.00) and a late
/// report R5 (C1, D1) is held; operator asha's rerun applies both:
///   CN-2026-000001 C1 354.00 (refers to INV-2026-000001)
///   INV-2026-000003 C1 4 × 120.00 = 480.00 + 86.40 = 566.40
///   PAYADJ-2026-000001 D1 150.00, PAY-2026-000003 D1 4 × 50.00 = 200.00; C2 and D2 unchanged.
/// Then `recon credit INV-2026-000003 --amount 100.00` (CN-2026-000002) and, on 12 April, an
/// April usage drop into the open month.
extension TestSite {
    static let closeDay = ["RECON_NOW": "2026-04-02T09:00:00Z"]
    static let rerunDay = ["RECON_NOW": "2026-04-10T09:00:00Z"]
    static let aprilLater = ["RECON_NOW": "2026-04-12T09:00:00Z"]

    static let trustClients = """
        client_id,name,currency,contract_type,onboarded_on,max_images_per_case,tax_rate
        C1,City Hospital,INR,standard,2020-01-01,10,18
        C2,Harbor Clinic,INR,standard,2021-06-01,10,0
        """
    static let trustRadiologists = """
        radiologist_id,name,grade,seniority_years,currency
        D1,Dr Rao,consultant,10,INR
        D2,Dr Lee,junior,2,INR
        """
    static let trustProviderRates = """
        effective_from,grade,modality,urgency,min_seniority_years,rate_per_report,rate_per_image,currency
        2026-03-01,*,*,*,0,50.00,0,INR
        """
    static let trustClientRates = """
        effective_from,client_id,contract_type,modality,urgency,tier_from,tier_to,unit_price,currency,tier_mode
        2026-03-01,*,*,*,*,1,,100.00,INR,volume
        """
    static let trustMarch = """
        report_id,reported_at,client_id,radiologist_id,modality,image_count
        R1,2026-03-02T10:00:00Z,C1,D1,CT,2
        R2,2026-03-03T10:00:00Z,C1,D1,CT,2
        R3,2026-03-04T10:00:00Z,C1,D1,MR,3
        R4,2026-03-05T10:00:00Z,C2,D2,CT,1
        """
    /// The March card again, with C1 at 120.00: it replaces the whole card of 2026-03-01.
    static let retroactiveCard = """
        effective_from,client_id,contract_type,modality,urgency,tier_from,tier_to,unit_price,currency,tier_mode
        2026-03-01,C1,*,*,*,1,,120.00,INR,volume
        2026-03-01,*,*,*,*,1,,100.00,INR,volume
        """
    static let lateMarch = """
        report_id,reported_at,client_id,radiologist_id,modality,image_count
        R5,2026-03-20T10:00:00Z,C1,D1,CT,1
        """
    static let april = """
        report_id,reported_at,client_id,radiologist_id,modality,image_count
        R6,2026-04-03T10:00:00Z,C1,D1,CT,1
        R7,2026-04-04T10:00:00Z,C2,D2,XR,1
        """

    /// Initialised, master data and cards in, March usage ingested (not closed). A test may
    /// give its own clients or March usage, and the ingest's exit code it expects.
    static func marchSite(name: String = "trust-site", clients: String = trustClients, march: String = trustMarch,
                          ingestExits: Int32 = 0) throws -> TestSite {
        let site = try TestSite()
        let initialised = try site.recon(["init", "--name", name, "--base-currency", "INR", "--timezone", "UTC"], env: closeDay)
        #expect(initialised.code == 0, "\(initialised.err)")
        try site.drop("clients.csv", clients)
        try site.drop("radiologists.csv", trustRadiologists)
        try site.drop("provider_rates.csv", trustProviderRates)
        try site.drop("client_rates.csv", trustClientRates)
        try site.drop("usage-2026-03.csv", march)
        let ingest = try site.recon(["ingest"], env: closeDay)
        #expect(ingest.code == ingestExits, "\(ingest.err)")
        return site
    }

    /// March closed; the retroactive card accepted and the late report held.
    static func closedMarchSite() throws -> TestSite {
        let site = try marchSite()
        let close = try site.recon(["close", "2026-03"], env: closeDay)
        #expect(close.code == 0, "\(close.err)")
        try site.drop("client_rates-2026-03-c1.csv", retroactiveCard)
        try site.drop("usage-late.csv", lateMarch)
        let held = try site.recon(["ingest"], env: rerunDay)
        #expect(held.code == 3, "\(held.err)")
        #expect(site.exists("Inbox/held/usage-late.csv"))
        return site
    }

    /// The whole story of the type's description, ending with an April ingest.
    static func trustSite() throws -> TestSite {
        let site = try closedMarchSite()
        let key = try site.operatorKey("asha", listed: true)
        let rerun = try site.recon(["rerun", "2026-03", "--reason", "C1 card agreed in April for March", "--key", key], env: rerunDay)
        #expect(rerun.code == 0, "\(rerun.err)")
        let credit = try site.recon(["credit", "INV-2026-000003", "--amount", "100.00", "--reason", "goodwill", "--key", key],
                                    env: rerunDay)
        #expect(credit.code == 0, "\(credit.err)")
        try site.drop("usage-2026-04.csv", april)
        let ingest = try site.recon(["ingest"], env: aprilLater)
        #expect(ingest.code == 0, "\(ingest.err)")
        return site
    }

    /// Writes an operator key pair with `recon keygen` beside the site's folders and, when
    /// `listed`, adds it to the ledger with `recon operator add` (signed by the site key, or by
    /// `signer`'s key from the same folder). Returns the private key file.
    func operatorKey(_ name: String, listed: Bool, signer: String? = nil, env: [String: String] = TestSite.rerunDay) throws -> String {
        let dir = path("operator-keys")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let made = try recon(["keygen", name, "--dir", dir], site: false)
        #expect(made.code == 0, "\(made.err)")
        if listed {
            let add = try recon(["operator", "add", name, dir + "/" + name + ".pub"] + (signer.map { ["--key", dir + "/" + $0 + ".key"] } ?? []),
                                env: env)
            #expect(add.code == 0, "\(add.err)")
        }
        return dir + "/" + name + ".key"
    }

    /// The ledger file's bytes, to compare before and after a command that must append nothing.
    func ledgerBytes() throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path("Ledger/ledger.jsonl"))) }

    /// Writes `lines` as the whole ledger, each ended by a newline: a ledger cut or edited by hand.
    func writeLedgerLines<Lines: Sequence>(_ lines: Lines) throws where Lines.Element == Data {
        try (Data(lines.joined(separator: [10])) + Data([10])).write(to: URL(fileURLWithPath: path("Ledger/ledger.jsonl")))
    }

    /// The ledger's lines, without their newlines (a last line without one included).
    func ledgerLines() throws -> [Data] {
        let bytes = try ledgerBytes()
        var lines = bytes.split(separator: 10, omittingEmptySubsequences: false).map { Data($0) }
        if lines.last?.isEmpty == true { lines.removeLast() }
        return lines
    }

    /// Entries of the ledger's complete lines, as dictionaries.
    func entries() throws -> [[String: Any]] {
        let bytes = try ledgerBytes()
        let complete = bytes.lastIndex(of: 10).map { bytes[...$0] } ?? Data()
        return try complete.split(separator: 10).map {
            try #require(try JSONSerialization.jsonObject(with: Data($0)) as? [String: Any])
        }
    }

    /// Bodies of the entries of one kind.
    func bodies(_ kind: String) throws -> [[String: Any]] {
        try entries().filter { $0["kind"] as? String == kind }.compactMap { $0["body"] as? [String: Any] }
    }

    /// The body of the document entry numbered `number`.
    func document(_ number: String) throws -> [String: Any]? {
        try entries().compactMap { $0["body"] as? [String: Any] }.first { $0["number"] as? String == number && $0["file"] != nil }
    }

    /// For each byte of `bytes`, the 1-based line holding it (a newline belongs to its line).
    static func lineNumbers(_ bytes: Data) -> [Int] {
        var out: [Int] = []
        out.reserveCapacity(bytes.count)
        var line = 1
        for b in bytes {
            out.append(line)
            if b == 10 { line += 1 }
        }
        return out
    }

    /// `recon verify` says ok, and so does the auditor's own verifier in strict mode.
    func expectAuditorAccepts(sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            let ours = try recon(["verify"])
            #expect(ours.code == 0, "recon verify: \(ours.out)\(ours.err)", sourceLocation: sourceLocation)
            if let audit = try auditorVerify() {
                #expect(audit.code == 0, "ledger_verify.py --strict: \(audit.out)\(audit.err)", sourceLocation: sourceLocation)
            }
        } catch {
            Issue.record("could not run a verifier: \(error)", sourceLocation: sourceLocation)
        }
    }

    /// A member of the zip container of an XLSX workbook, read with python3's zipfile (nil
    /// when python3 is not here).
    func zipMember(_ relative: String, _ member: String) throws -> String? {
        let run = try ProcessRunner.run(
            "/usr/bin/env",
            ["python3", "-c", "import sys, zipfile; sys.stdout.write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]).decode())",
             path(relative), member])
        return run.code == 0 ? run.out : nil
    }
}
