import Crypto
import Foundation
import Testing

@testable import ReconKit

/// `format_version` in `site.init` (SPEC §1): written as 1 from now on; a site written before
/// it existed is format 1 and still verifies and opens; a site of a newer format is refused.
@Suite("Ledger format — old sites open, newer ones are refused", .serialized)
struct SiteFormatTests {
    /// `Tests/Fixtures/site-format1`: written by the recon before `format_version` (see its README).
    static var fixture: String {
        var dir = URL(fileURLWithPath: #filePath)  // <repo>/Tests/ReconKitTests/Site/SiteFormatTests.swift
        dir.deleteLastPathComponent()
        dir.deleteLastPathComponent()
        dir.deleteLastPathComponent()
        return dir.path + "/Fixtures/site-format1"
    }

    static func copyOfFixture() throws -> TestSite {
        let site = try TestSite()
        try FileManager.default.removeItem(atPath: site.root)
        try FileManager.default.copyItem(atPath: fixture, toPath: site.root)
        for dir in ["Inbox/held", "Inbox/rejected", "Ledger/checkpoints"] {
            try FileManager.default.createDirectory(atPath: site.path(dir), withIntermediateDirectories: true)
        }
        chmod(site.path("Ledger/keys/site.key"), 0o600)  // git keeps no mode but the executable bit
        return site
    }

    @Test func initRecordsFormatVersionOne() throws {
        let site = try TestSite()
        #expect(try site.recon(["init", "--name", "fmt", "--base-currency", "INR"], env: TestSite.closeDay).code == 0)
        let body = try #require(try site.entries().first?["body"] as? [String: Any])
        #expect(body["format_version"] as? Int == 1)
        site.expectAuditorAccepts()
    }

    /// The old site verifies as it is, takes an April drop (its cache is rebuilt, since the
    /// fixture ships none) and still verifies, with the auditor's verifier too.
    @Test func aSiteWrittenBeforeFormatVersionVerifiesAndOpens() throws {
        let site = try Self.copyOfFixture()
        let body = try #require(try site.entries().first?["body"] as? [String: Any])
        #expect(body["format_version"] == nil)
        let verify = try site.recon(["verify"])
        #expect(verify.code == 0, "\(verify.out)\(verify.err)")
        #expect(verify.out.hasPrefix("ok 11 "))
        site.expectAuditorAccepts()
        #expect(try site.recon(["status"], env: TestSite.aprilLater).code == 0)
        try site.drop("usage-2026-04.csv", TestSite.april)
        let ingest = try site.recon(["ingest"], env: TestSite.aprilLater)
        #expect(ingest.code == 0, "\(ingest.err)")
        #expect(try site.entries().count == 12)
        site.expectAuditorAccepts()
    }

    /// Its invoices recorded no due date: they were aged as due the day they were issued
    /// (INV-2026-000001, issued 2026-04-02, "1-30" overdue on 2026-04-15), while each printed 30
    /// days' terms. Due after the client's terms, as printed: current to 2026-05-02, then 1-30.
    @Test func anInvoiceOfABuildThatRecordedNoDueDateIsDueAfterItsTerms() throws {
        let site = try Self.copyOfFixture()
        try FileManager.default.createDirectory(atPath: site.path("Inbox"), withIntermediateDirectories: true)
        let fortnight = try site.recon(["statement", "C1", "--as-of", "2026-04-15"])
        #expect(fortnight.code == 0 && fortnight.out.contains("total due: 354.00 INR (current 354.00, 1-30 0.00"), "\(fortnight.out)")
        let due = try site.recon(["statement", "C1", "--as-of", "2026-05-02"])
        #expect(due.out.contains("(current 354.00, 1-30 0.00"), "\(due.out)")
        let late = try site.recon(["statement", "C1", "--as-of", "2026-05-03"])
        #expect(late.out.contains("(current 0.00, 1-30 354.00"), "\(late.out)")
    }

    /// A site.init of format 2, hashed and chained like any entry: every command refuses it
    /// (exit 3) and names the format; nothing is written.
    @Test func aSiteOfANewerFormatIsRefused() throws {
        let site = try TestSite()
        #expect(try site.recon(["init", "--name", "fmt", "--base-currency", "INR"], env: TestSite.closeDay).code == 0)
        let entry = try #require(try site.entries().first)
        let old = try #require(entry["body"] as? [String: Any])
        let ledgerPath = site.path("Ledger/ledger.jsonl")
        try FileManager.default.removeItem(atPath: ledgerPath)
        var body: [String: JSONValue] = [:]
        for (k, v) in old { if let s = v as? String { body[k] = .string(s) } }
        body["format_version"] = .int(2)
        try LedgerFile(path: ledgerPath).append(kind: "site.init", body: body, at: try #require(entry["at"] as? String))
        let before = try Data(contentsOf: URL(fileURLWithPath: ledgerPath))
        try site.drop("clients.csv", TestSite.trustClients)
        for args in [["ingest"], ["status"], ["verify"]] {
            let run = try site.recon(args, env: TestSite.closeDay)
            #expect(run.code == 3, "\(args): \(run.out)\(run.err)")
            #expect((run.out + run.err).contains("format 2"), "\(args): \(run.out)\(run.err)")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: ledgerPath)) == before)
    }

    /// `refers_to` is written as a JSON array now; a credit note written before, naming the
    /// invoices it reverses in one comma-joined string, reads as the same invoices.
    @Test(arguments: [JSONValue.string("INV-2026-000001, INV-2026-000002"),
                      .array([.string("INV-2026-000001"), .string("INV-2026-000002")])])
    func refersToReadsAsAListEitherWay(value: JSONValue) throws {
        let text = try String(contentsOfFile: Self.fixture + "/Ledger/ledger.jsonl", encoding: .utf8)
        let line = try #require(text.split(separator: "\n").first { $0.contains("\"invoice.issued\"") })
        var body = try #require(try JSONParser.parse(String(line)).objectValue?["body"]?.objectValue)
        body["refers_to"] = value
        let entry = LedgerEntry(seq: 12, at: "2026-04-10T09:00:00Z", kind: "credit_note.issued", body: body, prev: LedgerEntry.zeroHash)
        guard case .documentIssued(let issued) = try LedgerEvent(entry: entry) else {
            Issue.record("a credit note did not read as an issued document")
            return
        }
        #expect(issued.record.kind == .creditNote)
        #expect(issued.record.refersTo == "INV-2026-000001, INV-2026-000002")
        #expect(LedgerEvent.documentIssued(issued).body["refers_to"] == .array([.string("INV-2026-000001"), .string("INV-2026-000002")]))
    }

    /// Layout 3: a payout adjustment reads as one — "Total adjusted", "Adjustment, not a
    /// payment" and no bank details to pay into — where layout 2 labelled it as a payment to
    /// the payee; the `Lines` sheet centres its currency codes. A layout-2 record still prints
    /// as layout 2 did (an issued document regenerates byte for byte).
    @Test func aPayoutAdjustmentOfLayoutThreeReadsAsAnAdjustment() throws {
        let line = DocumentLine(modality: "CT", urgency: .routine, per: "report", quantity: 2, unitAmount: Fixture.d("70"),
                                unitCurrency: Fixture.inr, amount: Fixture.d("140.00"))
        let draft = try DocumentDraft(kind: .payoutAdjustment, partyId: "D1", partyName: "Dr Rao", currency: Fixture.inr,
                                      taxRate: .zero, lines: [line], reportCount: 2)
        var record = DocumentRecord(draft: draft, number: "PAYADJ-2026-000001", period: Period(year: 2026, month: 3), site: "s",
                                    issuedUnderSeq: 1, issuedUnderHash: "h", checkpoint: nil, refersTo: "PAY-2026-000001")
        #expect(record.layout >= 3)
        /// The texts of the workbook `record` makes, as its string table holds them.
        func texts(_ record: DocumentRecord, in folder: String) throws -> String {
            try DocumentWorkbook.write(record, at: "2026-04-02T09:00:00Z", to: folder + "/\(record.layout).xlsx")
            return try zipEntry(folder + "/\(record.layout).xlsx", "xl/sharedStrings.xml")
        }
        try withTemporaryFolder { folder in
            let strings = try texts(record, in: folder)
            #expect(strings.contains("Total adjusted (INR)") && strings.contains("Adjustment, not a payment"), "\(strings)")
            #expect(strings.contains("reduces what was paid on PAY-2026-000001") && !strings.contains("Payment to the payee"))
            record.layout = 2
            let old = try texts(record, in: folder)
            #expect(old.contains("Payment to the payee") && !old.contains("Total adjusted"))
        }
    }

    /// `Tests/Fixtures/credit-note-layout1`: a credit note and its entry, as recon 0.6.0 issued
    /// them (from `recon demo`), before credit notes printed the seller's payment instructions.
    /// Its entry has no `layout`, so it regenerates byte for byte as it was printed; the same
    /// record in today's layout prints the seller's pay-to line.
    @Test func aCreditNoteIssuedBeforeLayoutTwoRegeneratesAsPrinted() throws {
        let fixture = try DocumentFixture("credit-note-layout1", seq: 659, kind: "credit_note.issued")
        #expect(fixture.entry.body["layout"] == nil)
        var record = try DocumentRecord(entry: fixture.entry)
        #expect(record.layout == 1)
        try withTemporaryFolder { folder in
            let printed = try fixture.printed("CN-2026-000002.xlsx")
            let regenerated = try fixture.regenerated(record, in: folder, as: "old.xlsx")
            #expect(regenerated == printed)
            #expect(Hex.string(SHA256.hash(data: regenerated)) == fixture.entry.body["sha256"]?.stringValue)

            record.layout = 2
            #expect(try fixture.regenerated(record, in: folder, as: "new.xlsx") != printed)
        }
        #expect(record.body(sha256: "x")["layout"] == .int(2))
    }
}
