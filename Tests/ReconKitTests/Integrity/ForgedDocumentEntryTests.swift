import Crypto
import Foundation
import Testing

@testable import ReconKit

/// Someone who can write the site folder appends document entries by hand, chained and hashed
/// as recon would (no key needed): a negated copy of an invoice, the same invoice again, a
/// credit note without a signed request. Each would wipe what a client owes from every
/// statement. `recon verify` names the entry (exit 4) and writers refuse, appending nothing.
///
/// The site (``TestSite/closedMarchSite()``): March closed on 2 April, INV-2026-000001 to C1,
/// 3 reports × 100.00 = 300.00 + 18 % = 354.00.
@Suite("Ledger — document entries only a close, rerun or signed credit issues (SPEC §5, §6)", .serialized)
struct ForgedDocumentEntryTests {
    /// The first invoice's body, changed by `change`, appended as a new entry on 10 April.
    func appendCopyOfFirstInvoice(_ site: TestSite, kind: String = "invoice.issued",
                                  _ change: (inout [String: JSONValue]) -> Void) throws -> Int {
        let seq = try #require(try site.entries().first { $0["kind"] as? String == "invoice.issued" }?["seq"] as? Int)
        var body = try site.entryBody(seq)
        #expect(body["total"]?.stringValue == "354.00")
        change(&body)
        try site.appendEntry(kind: kind, body: body, at: "2026-04-10T10:00:00Z")
        return try #require(try site.entries().last?["seq"] as? Int)
    }

    /// What every forged site must show: verify names `seq`, and a writer appends nothing.
    func expectRefused(_ site: TestSite, seq: Int, saying words: String) throws {
        let verify = try site.recon(["verify"], env: TestSite.aprilLater)
        #expect(verify.code == 4, "\(verify.out)\(verify.err)")
        #expect(verify.out.contains("seq \(seq)") && verify.out.contains(words), "\(verify.out)")
        let before = try site.ledgerBytes()
        try site.drop("usage-2026-04.csv", TestSite.april)
        let ingest = try site.recon(["ingest"], env: TestSite.aprilLater)
        #expect(ingest.code == 4, "\(ingest.err)")
        #expect(try site.ledgerBytes() == before)
    }

    /// `kind` with `body` appended by hand on 10 April, chained and hashed: what every forged
    /// entry below must meet (``expectRefused(_:seq:saying:)``).
    func expectRefused(_ site: TestSite, appending kind: String, _ body: [String: JSONValue], saying words: String) throws {
        try site.appendEntry(kind: kind, body: body, at: "2026-04-10T10:00:00Z")
        try expectRefused(site, seq: try #require(try site.entries().last?["seq"] as? Int), saying: words)
    }

    /// A hard flag's `flag.raised` body, its reason as the forger writes it.
    func hardFlag(id: String, subject: String, reason: String) -> [String: JSONValue] {
        ["id": .string(id), "severity": .string("hard"), "code": .string(HardGate.code), "subject": .string(subject),
         "period": .string("2026-03"), "reason": .string(reason), "score": .string("1")]
    }

    @Test func aNegatedCopyOfAnInvoiceIsNoDocumentRecon() throws {
        let site = try TestSite.closedMarchSite()
        let seq = try appendCopyOfFirstInvoice(site) { body in
            body["number"] = .string("INV-2026-000003")  // the next number: C2's invoice is 000002
            for key in ["subtotal", "tax", "total"] { body[key] = .string("-" + (body[key]?.stringValue ?? "")) }
        }
        try expectRefused(site, seq: seq, saying: "not an amount of at least zero")
    }

    @Test func theSameInvoiceAppendedAgainIsRefused() throws {
        let site = try TestSite.closedMarchSite()
        let seq = try appendCopyOfFirstInvoice(site) { _ in }
        try expectRefused(site, seq: seq, saying: "INV-2026-000001, but the next INV number of 2026")
    }

    @Test func aWellNumberedInvoiceNoCloseIssuedIsRefused() throws {
        let site = try TestSite.closedMarchSite()
        let seq = try appendCopyOfFirstInvoice(site) { body in body["number"] = .string("INV-2026-000003") }
        try expectRefused(site, seq: seq, saying: "is issued by no close or rerun")
    }

    /// The credit note a rerun would issue, without its rerun entry and without a signed request.
    @Test func aCreditNoteWithoutASignedRequestIsRefused() throws {
        let site = try TestSite.closedMarchSite()
        let seq = try appendCopyOfFirstInvoice(site, kind: "credit_note.issued") { body in
            body["number"] = .string("CN-2026-000001")
            body["due_on"] = nil
            body["refers_to"] = .array([.string("INV-2026-000001")])
        }
        try expectRefused(site, seq: seq, saying: "carries no signed request")
        let statement = try site.recon(["statement", "C1"], env: TestSite.aprilLater)
        #expect(statement.code == 4, "\(statement.out)\(statement.err)")
    }

    /// A second `period.closed` for March, listing a new invoice: a period closes once.
    @Test func aPeriodClosedTwiceIsRefused() throws {
        let site = try TestSite.closedMarchSite()
        _ = try appendCopyOfFirstInvoice(site) { body in body["number"] = .string("INV-2026-000003") }
        try site.appendEntry(kind: "period.closed", body: ["period": .string("2026-03"), "documents": .array([.string("INV-2026-000003")])],
                             at: "2026-04-10T10:00:00Z")
        let seq = try #require(try site.entries().last?["seq"] as? Int)
        // A close is followed by its checkpoint: the forger signs one with the site key found
        // in its default place, so that the checkpoints hold and the close itself is judged.
        let head = try #require(try site.entries().last?["hash"] as? String)
        try SignedNote.sign(text: try SignedNote.checkpointText(origin: "trust-site", count: seq, headHex: head),
                            with: try SigningKey.read(from: site.path("Ledger/keys/site.key")))
            .write(toFile: site.path("Ledger/checkpoints/\(seq).txt"), atomically: true, encoding: .utf8)
        try expectRefused(site, seq: seq, saying: "2026-03 is closed a second time")
    }

    /// A decision appended by hand for a report of closed March, as if `recon decide` had
    /// given it: a rerun then left the report off the reissued invoice on its word, and both
    /// verifiers said ok. recon decides a closed period's flags only through a held decisions drop.
    @Test func aDecisionOfAClosedPeriodThatNoDecisionsDropGaveIsRefused() throws {
        let site = try TestSite.closedMarchSite()
        let id = HardGate.flagId(reportId: "T1")
        try expectRefused(site, appending: "flag.decided", ["id": .string(id), "subject": .string(id), "decision": .string("exclude"),
                                                            "by": .string("someone"), "note": .string(""), "period": .string("2026-03"),
                                                            "report_id": .string("T1")],
                          saying: "decides a flag of 2026-03, closed before it, and is no row of a decisions drop")
    }

    /// A decision of a raised hard flag of open April, as `recon decide` gives one, but with no
    /// one named as deciding it (`by` gone, empty, a number, a control character, 201
    /// characters), no `note`, or a `subject` that is another flag: each approved the flag, the
    /// close sealed it, and only the auditor's verifier refused the ledger then.
    @Test(arguments: ["no by", "empty by", "numeric by", "control by", "long by", "no note", "other subject"])
    func aDecisionRecordedOtherwiseThanReconWritesOneIsRefused(_ forged: String) throws {
        let site = try TestSite.closedMarchSite()
        try site.drop("usage-2026-04.csv", """
            report_id,reported_at,client_id,radiologist_id,modality,image_count
            A9,2026-04-03T10:00:00Z,C1,D1,CT,60
            """)
        #expect(try site.recon(["ingest"], env: TestSite.aprilLater).code == 0)
        let id = HardGate.flagId(reportId: "A9")
        #expect(try site.recon(["decide", id, "approve", "--by", "Asha"], env: TestSite.aprilLater).code == 0)
        try site.rewriteLedger { _, kind, body in
            guard kind == "flag.decided", body["id"]?.stringValue == id else { return }
            switch forged {
            case "no by": body["by"] = nil
            case "empty by": body["by"] = .string("")
            case "numeric by": body["by"] = .int(5)
            case "control by": body["by"] = .string("As\u{7}ha")
            case "long by": body["by"] = .string(String(repeating: "a", count: 201))
            case "no note": body["note"] = nil
            default: body["subject"] = .string(HardGate.flagId(reportId: "R1"))
            }
        }
        let seq = try #require(try site.entries().last?["seq"] as? Int)
        let verify = try site.recon(["verify"], env: TestSite.aprilLater)
        #expect(verify.code == 4 && verify.out.contains("seq \(seq): flag.decided \(id)") && verify.out.contains("recon writes no such entry"),
                "\(forged): \(verify.out)")
        let before = try site.ledgerBytes()
        let close = try site.recon(["close", "2026-04"], env: ["RECON_NOW": "2026-05-02T09:00:00Z"])
        #expect(close.code == 4, "\(forged): \(close.err)")
        #expect(try site.ledgerBytes() == before)
    }

    /// The same for an open month: `recon decide` decides a hard flag only once it is raised.
    @Test func aDecisionOfAHardFlagNeverRaisedIsRefused() throws {
        let site = try TestSite.closedMarchSite()
        try expectRefused(site, appending: "flag.decided", ["id": .string("HARD-0000000000"), "subject": .string("HARD-0000000000"),
                                                            "decision": .string("approve"), "by": .string("someone"),
                                                            "note": .string(""), "period": .string("2026-04")],
                          saying: "decides a hard flag no flag.raised before it raised")
    }

    /// A second `site.init` (another key, another base currency) after the last checkpoint:
    /// `recon verify` named it, yet every writer appended and signed checkpoints over it.
    @Test func aSecondSiteInitStopsEveryWriter() throws {
        let site = try TestSite.closedMarchSite()
        var body = try site.entryBody(1)
        body["base_currency"] = .string("USD")
        try expectRefused(site, appending: "site.init", body, saying: "a second site.init")
    }

    /// A hard flag's id follows from its report: one whose subject was moved to another report
    /// (its id left as it was) is not a flag recon raised, and no writer builds on it.
    @Test func aFlagWhoseIdIsNotItsFindingsStopsEveryWriter() throws {
        let site = try TestSite.closedMarchSite()
        try expectRefused(site, appending: "flag.raised", hardFlag(id: "HARD-1234567890", subject: "T1", reason: "30 images in one case"),
                          saying: "is not the hard flag of report T1")
    }

    /// A `drop.accepted` whose path names another drop's archive: the path is the drop's own SHA-256.
    @Test func aDropEntryNamingAnotherDropsArchiveIsRefused() throws {
        let site = try TestSite.closedMarchSite()
        let drops = try site.bodies("drop.accepted")
        var body = try #require(try site.entries().last { $0["kind"] as? String == "drop.accepted" }.flatMap { $0["seq"] as? Int }
            .map { try site.entryBody($0) })
        let other = try #require(drops.compactMap { $0["path"] as? String }.first { $0 != body["path"]?.stringValue })
        body["path"] = .string(other)
        body["name"] = .string("usage-again.csv")
        try expectRefused(site, appending: "drop.accepted", body, saying: "drop.accepted records path \(other), but its drop is archived as")
    }

    /// A hard flag with its right id but a reason that is not its report's: R1 has 2 images,
    /// the flag says 30. It blocked the close until finance decided on a report that never
    /// exceeded its contract; `recon verify` said ok.
    @Test func aHardFlagWhoseReasonIsNotItsReportsFailsVerification() throws {
        let site = try TestSite.marchSite()
        let id = HardGate.flagId(reportId: "R1")
        try site.appendEntry(kind: "flag.raised", body: hardFlag(id: id, subject: "R1", reason: "30 images in one case; the contract of C1 allows 10"),
                             at: "2026-04-02T10:00:00Z")
        let verify = try site.recon(["verify"], env: TestSite.closeDay)
        #expect(verify.code == 4, "\(verify.out)\(verify.err)")
        #expect(verify.out.contains("says 30 images in one case, but its report R1 has 2"), "\(verify.out)")
    }

    /// A `drop.accepted` rewritten to say its drop holds 40 rows (hashes redone; no checkpoint
    /// yet): `recon verify` reads every archived drop and names the entry.
    @Test func aDropEntryLyingAboutItsRowsFailsVerification() throws {
        let site = try TestSite.marchSite()
        try site.rewriteLedger { _, kind, body in
            if kind == "drop.accepted", body["kind"]?.stringValue == "usage" { body["rows"] = 40 }
        }
        let verify = try site.recon(["verify"], env: TestSite.closeDay)
        #expect(verify.code == 4, "\(verify.out)\(verify.err)")
        #expect(verify.out.contains("drop.accepted records 40 rows, but its archived drop"), "\(verify.out)")
    }

    /// A decision appended by hand right after a real decisions drop, stamped with its time,
    /// passed for one of that drop's: a signed rerun then left R1 off the reissued invoice.
    /// A decision after a decisions drop is the drop's only when one of its archived rows
    /// gives it; any other is judged as one `recon decide` gave, never for a closed month.
    @Test func aDecisionSlippedInAfterARealDecisionsDropIsRefused() throws {
        let site = try TestSite.closedMarchSite()
        try site.drop("usage-2026-04.csv", TestSite.april)
        #expect(try site.recon(["ingest"], env: TestSite.aprilLater).code == 0)
        try site.drop("decisions-apr.csv", "subject,decision,by,note\nR1,approve,carol,fine\n")
        let taken = try site.recon(["ingest"], env: TestSite.aprilLater)
        #expect(taken.code == 3, "\(taken.err)")  // R1 is of closed March: held
        let at = try #require(try site.entries().last?["at"] as? String)
        // The held drop is no entry yet: make one as a rerun would, then slip a second decision in.
        let decisions = try site.read("Inbox/held/decisions-apr.csv")
        let digest = SHA256.hash(data: Data(decisions.utf8)).map { String(format: "%02x", $0) }.joined()
        try FileManager.default.copyItem(atPath: site.path("Inbox/held/decisions-apr.csv"), toPath: site.path("Ledger/drops/\(digest).csv"))
        try site.appendEntry(kind: "drop.accepted", body: ["name": .string("decisions-apr.csv"), "kind": .string("decisions"),
                                                           "sha256": .string(digest), "rows": 1, "path": .string("Ledger/drops/\(digest).csv"),
                                                           "periods": .array([.string("2026-03")])], at: at)
        let id = HardGate.flagId(reportId: "R1")
        for (decision, by, note) in [("approve", "carol", "fine"), ("exclude", "carol", "dup")] {
            try site.appendEntry(kind: "flag.decided", body: ["id": .string(id), "subject": .string("R1"), "decision": .string(decision),
                                                              "by": .string(by), "note": .string(note), "period": .string("2026-03"),
                                                              "report_id": .string("R1")], at: at)
        }
        let seq = try #require(try site.entries().last?["seq"] as? Int)
        try FileManager.default.removeItem(atPath: site.path("Inbox/held/decisions-apr.csv"))
        // The first is the drop's row; the second, no row of it, is judged as `recon decide`'s.
        try expectRefused(site, seq: seq, saying: "decides a flag of 2026-03, closed before it, and is no row of a decisions drop")
    }

    /// An invoice's entry rewritten to name another client's workbook (its own deleted), every
    /// hash redone and the checkpoints signed again with the site key: both verifiers said ok,
    /// and nothing put the invoice's own workbook back. SPEC §7 puts each document at its
    /// number's path: refused by `recon verify` and writers alike.
    @Test func aDocumentEntryNamingAnotherDocumentsFileIsRefused() throws {
        let site = try TestSite.closedMarchSite()
        let first = try #require(try site.entries().first { $0["kind"] as? String == "invoice.issued" }?["seq"] as? Int)
        let firstBody = try site.entryBody(first)
        var seq = 0
        try site.rewriteLedger { s, kind, body in
            guard kind == "invoice.issued", body["number"]?.stringValue == "INV-2026-000002" else { return }
            body["file"] = firstBody["file"]
            body["sha256"] = firstBody["sha256"]
            seq = s
        }
        try FileManager.default.removeItem(atPath: site.path("Outbox/2026-03/invoices/INV-2026-000002.xlsx"))
        try CreditNoteOfAnotherClientTests().resignEveryCheckpoint(site)
        try expectRefused(site, seq: seq, saying: "invoice.issued INV-2026-000002 names the file Outbox/2026-03/invoices/INV-2026-000001.xlsx, "
            + "but INV-2026-000002's workbook is Outbox/2026-03/invoices/INV-2026-000002.xlsx")
    }

    /// A copy of a usage drop's `drop.accepted`, its cache signature and all, appended: `recon
    /// verify` named it only through the cache, while a close trusted the signed cache and
    /// billed every report of the drop twice, and signed a checkpoint over it. A second
    /// acceptance of one drop is refused by every writer and by `recon verify`, also without
    /// its cache members once `.recon/cache` is gone (both verifiers then said ok).
    @Test(arguments: [true, false])
    func aSecondAcceptanceOfOneDropIsRefused(withCache: Bool) throws {
        let site = try TestSite.closedMarchSite()
        try site.drop("usage-2026-04.csv", TestSite.april)
        #expect(try site.recon(["ingest"], env: TestSite.aprilLater).code == 0)
        let original = try #require(try site.entries().last { $0["kind"] as? String == "drop.accepted" }?["seq"] as? Int)
        var body = try site.entryBody(original)
        if !withCache {
            body = body.filter { !$0.key.hasPrefix("cache_") }
            try FileManager.default.removeItem(atPath: site.path(".recon/cache"))
        }
        try site.appendEntry(kind: "drop.accepted", body: body, at: try #require(try site.entries().last?["at"] as? String))
        let seq = try #require(try site.entries().last?["seq"] as? Int)
        let verify = try site.recon(["verify"], env: TestSite.aprilLater)
        #expect(verify.code == 4 && verify.out.contains("seq \(seq): drop.accepted of usage-2026-04.csv records the drop")
            && verify.out.contains("accepted already at seq \(original)"), "\(verify.out)")
        let before = try site.ledgerBytes()
        let close = try site.recon(["close", "2026-04"], env: ["RECON_NOW": "2026-05-02T09:00:00Z"])
        #expect(close.code == 4, "\(close.out)\(close.err)")
        #expect(try site.ledgerBytes() == before && !site.exists("Outbox/2026-04/invoices"))
    }

    /// Every site the commands write passes, reruns and credits included.
    @Test func whatRecnWritesPasses() throws {
        let site = try TestSite.trustSite()
        let verify = try site.recon(["verify"], env: TestSite.aprilLater)
        #expect(verify.code == 0, "\(verify.out)\(verify.err)")
        site.expectAuditorAccepts()
    }
}
