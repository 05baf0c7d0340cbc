import Foundation
import Testing

@testable import ReconKit

/// SPEC §6, writers check before they write: a command that appends first checks the chain,
/// every checkpoint against the ledger, the privileged entries since the newest checkpoint,
/// the issued documents and every archived drop it reads; close, rerun and credit compute
/// from archived drops checked in that command, never from the cache. Anything wrong: exit
/// 4 and nothing appended. Each test runs the built `recon` binary on a real site.
@Suite("Writers check before they write — nothing is built on what does not verify", .serialized)
struct WriterCheckTests {
    /// The March site of the trust tests, but its provider card pays 1.50 an image too, so a
    /// report's image count reaches money:
    ///   PAY D1 = 3 reports × 50.00 + (2 + 2 + 3) images × 1.50 = 150.00 + 10.50 = 160.50
    ///   PAY D2 = 1 × 50.00 + 1 × 1.50 = 51.50
    static func perImageSite() throws -> TestSite {
        let site = try TestSite()
        let made = try site.recon(["init", "--name", "check-site", "--base-currency", "INR", "--timezone", "UTC"], env: TestSite.closeDay)
        #expect(made.code == 0, "\(made.err)")
        try site.drop("clients.csv", TestSite.trustClients)
        try site.drop("radiologists.csv", TestSite.trustRadiologists)
        try site.drop("provider_rates.csv", """
            effective_from,grade,modality,urgency,min_seniority_years,rate_per_report,rate_per_image,currency
            2026-03-01,*,*,*,0,50.00,1.50,INR
            """)
        try site.drop("client_rates.csv", TestSite.trustClientRates)
        try site.drop("usage-2026-03.csv", TestSite.trustMarch)
        let ingest = try site.recon(["ingest"], env: TestSite.closeDay)
        #expect(ingest.code == 0, "\(ingest.err)")
        return site
    }

    func sha(of kind: String, _ site: TestSite) throws -> String {
        let body = try #require(try site.bodies("drop.accepted").first { $0["kind"] as? String == kind })
        return try #require(body["sha256"] as? String)
    }

    /// Issue 9, critical 1: C1's tax edited from 18 to 0 in its archived clients drop. The
    /// close refuses instead of issuing an invoice of 300.00 with no tax, and appends nothing.
    @Test func closeRefusesAnEditedArchivedDrop() throws {
        let site = try TestSite.marchSite()
        let path = site.path("Ledger/drops/\(try sha(of: "clients", site)).csv")
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.contains(",10,18\n"))
        try text.replacingOccurrences(of: ",10,18\n", with: ",10,0\n").write(toFile: path, atomically: false, encoding: .utf8)
        let before = try site.ledgerBytes()
        let close = try site.recon(["close", "2026-03"], env: TestSite.closeDay)
        #expect(close.code == 4, "\(close.out)\(close.err)")
        #expect(close.err.contains("does not match its recorded SHA-256"), "\(close.err)")
        #expect(try site.ledgerBytes() == before)
        #expect(!site.exists("Outbox/2026-03/invoices/INV-2026-000001.xlsx"))
        #expect(!FileManager.default.fileExists(atPath: site.path("Ledger/checkpoints")) || Checkpointer(site: Site(root: site.root)).all().isEmpty)
    }

    /// Issue 9, critical 2: R1's image count changed from 2 to 5 inside the usage drop's cache
    /// file. `verify` names the cache, and so does the close, refusing (exit 4) to append over
    /// a site `verify` refuses; the file deleted, it pays D1 160.50 from the archived drop, never
    /// the 150.00 + 10 × 1.50 = 165.00 the tampered cache would give.
    @Test func aTamperedCacheIsFoundAndNeverReachesAnIssuedAmount() throws {
        let site = try Self.perImageSite()
        let usage = try sha(of: "usage", site)
        let cachePath = site.path(".recon/cache/\(usage).bin")
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: cachePath)))
        // A report is its id (length in one byte, then UTF-8), then at (Int64 LE), then day,
        // client, radiologist, modality and image count, each 4 bytes LE, in the cache's layout RCNU5.
        let id: [UInt8] = [2] + Array("R1".utf8)
        let start = try #require((0...(bytes.count - id.count)).first { Array(bytes[$0..<($0 + id.count)]) == id })
        let images = start + id.count + 8 + 4 * 4
        #expect(bytes[images] == 2)
        bytes[images] = 5
        try Data(bytes).write(to: URL(fileURLWithPath: cachePath))

        let verify = try site.recon(["verify"])
        #expect(verify.code == 4, "\(verify.out)")
        #expect(verify.out.contains(".recon/cache/\(usage).bin"), "\(verify.out)")

        let before = try site.ledgerBytes()
        let refused = try site.recon(["close", "2026-03"], env: TestSite.closeDay)
        #expect(refused.code == 4, "\(refused.err)")
        #expect(refused.err.contains(".recon/cache/\(usage).bin does not match the cache_sha256 of seq"), "\(refused.err)")
        #expect(refused.err.contains("delete it"), "\(refused.err)")
        #expect(try site.ledgerBytes() == before)
        try FileManager.default.removeItem(atPath: cachePath)
        let close = try site.recon(["close", "2026-03"], env: TestSite.closeDay)
        #expect(close.code == 0, "\(close.err)")
        let payout = try #require(try site.document("PAY-2026-000001"))
        #expect(payout["radiologist_id"] as? String == "D1")
        #expect(payout["total"] as? String == "160.50")
        #expect(try site.document("PAY-2026-000002")?["total"] as? String == "51.50")
    }

    /// Issue 9, high 6: a forged `checkpoints/999.txt` (a copy of a real one) stops writers.
    @Test func aForgedCheckpointStopsWriters() throws {
        let site = try TestSite.marchSite()
        #expect(try site.recon(["close", "2026-03"], env: TestSite.closeDay).code == 0)
        let real = try #require(Checkpointer(site: Site(root: site.root)).latest())
        try FileManager.default.copyItem(atPath: site.path(real), toPath: site.path("Ledger/checkpoints/999.txt"))
        try site.drop("usage-2026-04.csv", TestSite.april)
        let before = try site.ledgerBytes()
        let ingest = try site.recon(["ingest"], env: TestSite.aprilLater)
        #expect(ingest.code == 4, "\(ingest.err)")
        #expect(ingest.err.contains("checkpoint 999.txt"), "\(ingest.err)")
        #expect(try site.ledgerBytes() == before)
        #expect(site.exists("Inbox/usage-2026-04.csv"))
    }

    /// Issue 9, high 6 and 7: the ledger cut behind its checkpoint. Writers refuse, so the
    /// redone history can never be signed over the checkpoint that names the old head.
    @Test func aLedgerCutBehindItsCheckpointStopsWritersAndKeepsTheCheckpoint() throws {
        let site = try TestSite.marchSite()
        #expect(try site.recon(["close", "2026-03"], env: TestSite.closeDay).code == 0)
        let checkpoint = try #require(Checkpointer(site: Site(root: site.root)).latest())
        let signed = try Data(contentsOf: URL(fileURLWithPath: site.path(checkpoint)))
        let lines = try site.ledgerLines()
        let cut = Data(lines.prefix(6).joined(separator: [10])) + Data([10])  // up to the March usage drop
        try cut.write(to: URL(fileURLWithPath: site.path("Ledger/ledger.jsonl")))
        for (args, env) in [(["decide", "R1", "approve", "--by", "mallory"], TestSite.closeDay),
                            (["close", "2026-03"], TestSite.closeDay), (["ingest"], TestSite.aprilLater)] {
            let run = try site.recon(args, env: env)
            #expect(run.code == 4, "\(args): \(run.err)")
            #expect(run.err.contains("entries were removed"), "\(args): \(run.err)")
            #expect(try site.ledgerBytes() == cut)
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: site.path(checkpoint))) == signed)
    }

    /// The same cut with its traces taken too — the close's checkpoint and documents deleted —
    /// leaves `.recon/ledger-prefix.jsonl`, which the close's `period.closed` recorded and no
    /// entry now does: `recon verify` named it (exit 4), but writers only warned and read the
    /// ledger whole, so the close ran again, issued INV-2026-000001 anew over the number the
    /// client holds, and the next verify said ok. Every writer refuses as `verify` does.
    @Test func aLedgerCutPastACloseWithItsTracesTakenStillStopsWriters() throws {
        let site = try TestSite.marchSite()
        let before = try site.ledgerLines().count
        #expect(try site.recon(["close", "2026-03"], env: TestSite.closeDay).code == 0)
        #expect(site.exists(LedgerPrefix.relativePath))
        let cut = Data(try site.ledgerLines().prefix(before).joined(separator: [10])) + Data([10])
        try cut.write(to: URL(fileURLWithPath: site.path("Ledger/ledger.jsonl")))
        for folder in ["Ledger/checkpoints", "Outbox/2026-03/invoices", "Outbox/2026-03/payouts"] {
            for name in try FileManager.default.contentsOfDirectory(atPath: site.path(folder)) {
                try FileManager.default.removeItem(atPath: site.path(folder + "/" + name))
            }
        }
        try? FileManager.default.removeItem(atPath: site.path("Ledger/documents.seal"))
        let verify = try site.recon(["verify"], env: TestSite.closeDay)
        #expect(verify.code == 4 && verify.out.contains("is not the ledger prefix any period.closed entry records"), "\(verify.out)")
        for (args, env) in [(["close", "2026-03"], TestSite.closeDay), (["decide", "R1", "approve", "--by", "mallory"], TestSite.closeDay),
                            (["ingest"], TestSite.aprilLater)] {
            let run = try site.recon(args, env: env)
            #expect(run.code == 4, "\(args): \(run.out)\(run.err)")
            // Named by the prefix, or by the month's index, both traces of the close cut away.
            #expect(run.err.contains("is not the ledger prefix any period.closed entry records")
                || run.err.contains(".recon/closed/2026-03.idx is the index of a close of 2026-03 that the ledger does not hold"),
                    "\(args): \(run.err)")
            #expect(try site.ledgerBytes() == cut)
        }
        #expect(!site.exists("Outbox/2026-03/invoices/INV-2026-000001.xlsx"))
    }

    /// Issue 9, high 6: one flipped byte in an issued invoice stops writers (a missing one is
    /// regenerated, see LedgerTamperTests; a changed one is not silently kept). `recon watch
    /// --once` meets the same refusal and ends with its exit code (4) for cron to report,
    /// not 0; the drop waits in the Inbox.
    @Test(arguments: [["ingest"], ["watch", "--once", "--stable", "0"]])
    func aChangedIssuedDocumentStopsWriters(command: [String]) throws {
        let site = try TestSite.marchSite()
        #expect(try site.recon(["close", "2026-03"], env: TestSite.closeDay).code == 0)
        let file = try #require(try site.document("INV-2026-000001")?["file"] as? String)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: site.path(file)))
        bytes[bytes.count / 2] ^= 0x01
        try bytes.write(to: URL(fileURLWithPath: site.path(file)))
        try site.drop("usage-2026-04.csv", TestSite.april)
        let before = try site.ledgerBytes()
        let run = try site.recon(command, env: TestSite.aprilLater)
        #expect(run.code == 4, "\(run.out)\(run.err)")
        #expect(run.err.contains("document \(file) does not match its recorded SHA-256"), "\(run.err)")
        #expect(try site.ledgerBytes() == before)
        #expect(site.exists("Inbox/usage-2026-04.csv"))
        // What it says to do works: the changed copy moved out of Outbox/, the next writer puts
        // back the issued one (the only advice was a backup or an auditor).
        #expect(run.err.contains("move it out of Outbox/, keeping it if someone must see what was changed, and the next writing "
            + "command puts back the issued one from its entry, byte for byte"), "\(run.err)")
        try FileManager.default.moveItem(atPath: site.path(file), toPath: site.root + "-changed-copy.xlsx")
        defer { try? FileManager.default.removeItem(atPath: site.root + "-changed-copy.xlsx") }
        let again = try site.recon(command, env: TestSite.aprilLater)
        #expect(again.code == 0 && again.err.contains("put back \(file)"), "\(again.err)")
        site.expectAuditorAccepts()
    }

    /// The writer checks run beside the rebuilding of the state, and still speak first: with
    /// an issued invoice changed and the open month's archived usage drop edited too, an ingest
    /// names the invoice (as when the checks ran before the state was rebuilt), not the drop,
    /// and appends nothing; with the invoice put back, the same ingest names the drop.
    @Test func theWriterChecksSpeakBeforeTheRebuiltStateDoes() throws {
        let site = try TestSite.marchSite()
        #expect(try site.recon(["close", "2026-03"], env: TestSite.closeDay).code == 0)
        try site.drop("usage-2026-04.csv", TestSite.april)
        #expect(try site.recon(["ingest"], env: TestSite.aprilLater).code == 0)
        let file = try #require(try site.document("INV-2026-000001")?["file"] as? String)
        let issued = try Data(contentsOf: URL(fileURLWithPath: site.path(file)))
        var changed = issued
        changed[changed.count / 2] ^= 0x01
        try changed.write(to: URL(fileURLWithPath: site.path(file)))
        let april = try #require(try site.bodies("drop.accepted").last { $0["kind"] as? String == "usage" }?["path"] as? String)
        let edited = try String(contentsOfFile: site.path(april), encoding: .utf8).replacingOccurrences(of: "XR,1", with: "XR,2")
        try edited.write(toFile: site.path(april), atomically: false, encoding: .utf8)
        try site.drop("usage-2026-04b.csv", """
            report_id,reported_at,client_id,radiologist_id,modality,image_count
            R8,2026-04-05T10:00:00Z,C1,D1,CT,1
            """)
        let before = try site.ledgerBytes()
        let run = try site.recon(["ingest"], env: TestSite.aprilLater)
        #expect(run.code == 4, "\(run.out)\(run.err)")
        #expect(run.err.contains("document \(file) does not match its recorded SHA-256"), "\(run.err)")
        #expect(!run.err.contains("archived drop"), "\(run.err)")
        #expect(try site.ledgerBytes() == before)
        try issued.write(to: URL(fileURLWithPath: site.path(file)))
        let again = try site.recon(["ingest"], env: TestSite.aprilLater)
        #expect(again.code == 4, "\(again.out)\(again.err)")
        #expect(again.err.contains("archived drop \(april) does not match its recorded SHA-256"), "\(again.err)")
        #expect(try site.ledgerBytes() == before)
        #expect(site.exists("Inbox/usage-2026-04b.csv"))
    }

    /// Issue 9, high 8: an intent record claiming the last five entries (covered by the close's
    /// checkpoint) are an unfinished append — signed, as only a holder of the site key could.
    /// No crash leaves that: nothing is cut; writers and verify refuse.
    @Test func aForgedIntentRecordNeverCutsCheckpointedEntries() throws {
        let site = try TestSite.marchSite()
        #expect(try site.recon(["close", "2026-03"], env: TestSite.closeDay).code == 0)
        let lines = try site.ledgerLines()
        let start = lines.dropLast(5).reduce(0) { $0 + $1.count + 1 }
        let before = try site.ledgerBytes()
        try SignedNote.sign(text: LedgerFile.intentText(start: start, end: before.count + 100),
                            with: try SiteKeyFile.load(Site(root: site.root)))
            .write(toFile: site.path("Ledger/ledger.jsonl.intent"), atomically: true, encoding: .utf8)
        try site.drop("usage-2026-04.csv", TestSite.april)
        let ingest = try site.recon(["ingest"], env: TestSite.aprilLater)
        #expect(ingest.code == 4, "\(ingest.err)")
        #expect(try site.ledgerBytes() == before)
        let verify = try site.recon(["verify"])
        #expect(verify.code == 4)
        #expect(verify.out.contains("Ledger/ledger.jsonl.intent would cut 5 complete entries that checkpoint"), "\(verify.out)")
    }

    /// A forged intent record naming the last entry, which no checkpoint covers yet, as part of
    /// an append that never finished (SPEC §6: a writer never cuts a complete entry). Only an
    /// intent the site key signed is taken at its word; this one is ignored and removed, the
    /// entry stays, and the writer says so.
    @Test func aForgedIntentRecordNeverCutsAnEntry() throws {
        let site = try TestSite.trustSite()  // seq 22, an April ingest, after the last checkpoint (21)
        let lines = try site.ledgerLines()
        let before = try site.ledgerBytes()
        let start = lines.dropLast().reduce(0) { $0 + $1.count + 1 }
        try "\(start) \(before.count + 57)\n".write(toFile: site.path("Ledger/ledger.jsonl.intent"), atomically: true, encoding: .utf8)
        let verify = try site.recon(["verify"])
        #expect(verify.code == 0 && verify.out.hasPrefix("ok 22 "), "\(verify.out)\(verify.err)")
        #expect(verify.err.contains("ledger.jsonl.intent is not signed by the site key"), "\(verify.err)")
        try site.drop("usage-2026-04b.csv", "report_id,reported_at,client_id,radiologist_id,modality,image_count\n"
                      + "R8,2026-04-05T10:00:00Z,C1,D1,CT,1\n")
        let ingest = try site.recon(["ingest"], env: TestSite.aprilLater)
        #expect(ingest.code == 0, "\(ingest.err)")
        #expect(ingest.err.contains("ignored and removed Ledger/ledger.jsonl.intent: it is not signed by the site key"), "\(ingest.err)")
        #expect(try site.ledgerBytes().prefix(before.count) == before, "seq 22 stays")
        #expect(try site.entries().count == 23)
        #expect(!site.exists("Ledger/ledger.jsonl.intent"))
        site.expectAuditorAccepts()
    }

    /// SPEC §5: a period closes once its last day has ended in the site's time zone.
    /// On 2 April (UTC) March may close; April and January 2027 may not.
    @Test(arguments: [("2026-04", "2026-04-02T09:00:00Z"), ("2027-01", "2026-04-02T09:00:00Z")])
    func closeRefusesAPeriodThatHasNotEnded(period: String, now: String) throws {
        let site = try TestSite.marchSite()
        let before = try site.ledgerBytes()
        let close = try site.recon(["close", period], env: ["RECON_NOW": now])
        #expect(close.code == 3, "\(close.out)\(close.err)")
        #expect(close.err.contains("has not ended"), "\(close.err)")
        #expect(try site.ledgerBytes() == before)
    }

    /// Issue 9, medium: an Outbox the close cannot write into. The close refuses before it
    /// appends (it used to commit, then exit 1), and closes once the Outbox is back.
    @Test func aCloseThatCannotWriteItsDocumentsRefusesBeforeAppending() throws {
        let site = try TestSite.marchSite()
        try FileManager.default.removeItem(atPath: site.path("Outbox"))
        try "not a folder\n".write(toFile: site.path("Outbox"), atomically: true, encoding: .utf8)
        let before = try site.ledgerBytes()
        let close = try site.recon(["close", "2026-03"], env: TestSite.closeDay)
        #expect(close.code == 3, "\(close.err)")
        #expect(close.err.contains("cannot write into Outbox"), "\(close.err)")
        #expect(try site.ledgerBytes() == before)
        try FileManager.default.removeItem(atPath: site.path("Outbox"))
        try FileManager.default.createDirectory(atPath: site.path("Outbox"), withIntermediateDirectories: true)
        let again = try site.recon(["close", "2026-03"], env: TestSite.closeDay)
        #expect(again.code == 0, "\(again.err)")
        site.expectAuditorAccepts()
    }

    /// Issue 9, medium: the close's review workbook cannot be replaced (a folder holds its
    /// name). The close used to append its entries and then exit 1; it refuses first now.
    @Test func aCloseWhoseReviewCannotBeWrittenRefusesBeforeAppending() throws {
        let site = try TestSite.marchSite()
        try? FileManager.default.removeItem(atPath: site.path("Outbox/2026-03/review.xlsx"))  // the draft review
        try FileManager.default.createDirectory(atPath: site.path("Outbox/2026-03/review.xlsx"), withIntermediateDirectories: true)
        let before = try site.ledgerBytes()
        let close = try site.recon(["close", "2026-03"], env: TestSite.closeDay)
        #expect(close.code == 3, "\(close.err)")
        #expect(close.err.contains("Outbox/2026-03/review.xlsx"), "\(close.err)")
        #expect(try site.ledgerBytes() == before)
        #expect(!site.exists("Outbox/2026-03/invoices/INV-2026-000001.xlsx"))
    }

    /// Issue 9, medium: a close whose checkpoint cannot be signed (the site key is not a
    /// readable key file) used to append its entries and then fail; it refuses first now,
    /// and closes once the key is back.
    @Test func aCloseWhoseCheckpointCannotBeSignedRefusesBeforeAppending() throws {
        let site = try TestSite.marchSite()
        let key = site.path("Ledger/keys/site.key")
        try FileManager.default.moveItem(atPath: key, toPath: key + ".aside")
        try FileManager.default.createDirectory(atPath: key, withIntermediateDirectories: false)
        let before = try site.ledgerBytes()
        let close = try site.recon(["close", "2026-03"], env: TestSite.closeDay)
        #expect(close.code == 3, "\(close.err)")
        #expect(close.err.contains("site key"), "\(close.err)")
        #expect(try site.ledgerBytes() == before)
        try FileManager.default.removeItem(atPath: key)
        try FileManager.default.moveItem(atPath: key + ".aside", toPath: key)
        let again = try site.recon(["close", "2026-03"], env: TestSite.closeDay)
        #expect(again.code == 0, "\(again.err)")
        site.expectAuditorAccepts()
    }

    /// Issue 9, medium: a cache write cut short (a full disk) leaves its temporary file; the
    /// next writing command removes it.
    @Test func leftoverCacheTemporaryFilesAreSwept() throws {
        let site = try TestSite.marchSite()
        let leftover = site.path(".recon/cache/.\(String(repeating: "a", count: 64)).bin.4242.tmp")
        try Data(repeating: 7, count: 100).write(to: URL(fileURLWithPath: leftover))
        try site.drop("usage-2026-04.csv", TestSite.april)
        #expect(try site.recon(["ingest"], env: TestSite.aprilLater).code == 0)
        #expect(!FileManager.default.fileExists(atPath: leftover))
    }
}
