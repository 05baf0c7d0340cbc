import Foundation
import Testing

@testable import ReconKit

/// A document entry's `lines` stay in the ledger file when a command reads it: they come back
/// exactly when asked for, checked against the entry's hash, and a line changed on disk since
/// is damage, never read as the entry.
@Suite("Deferred document lines")
struct DeferredLinesTests {
    static let lines: JSONValue = [
        ["modality": "CT", "urgency": "routine", "per": "report", "quantity": 3, "unit_amount": "50.00",
         "unit_currency": "INR", "amount": "150.00"],
        ["modality": "MR", "urgency": "stat", "per": "image", "quantity": 12, "unit_amount": "1.50",
         "unit_currency": "INR", "amount": "18.00"],
    ]

    func ledger(_ dir: String) throws -> LedgerFile {
        let file = LedgerFile(path: dir + "/ledger.jsonl")
        try file.append(kind: "site.init", body: ["site": "s"], at: "2026-03-01T00:00:00Z")
        try file.append(kind: "invoice.issued", body: ["number": "INV-1", "total": "168.00", "lines": Self.lines],
                        at: "2026-03-02T00:00:00Z")
        return file
    }

    @Test func theLinesComeBackAsWrittenAndVerifyHoldsThemParsed() throws {
        try withTemporaryFolder { dir in
            _ = try ledger(dir)
            let read = LedgerFile(path: dir + "/ledger.jsonl")
            try read.load()
            let invoice = read.entries[1]
            #expect(invoice.body["lines"] == nil)
            #expect(invoice.body["total"] == "168.00")
            #expect(try invoice.whole().body["lines"] == Self.lines)
            #expect(try read.entries[0].whole().body["lines"] == nil)
            let whole = LedgerFile(path: dir + "/ledger.jsonl")
            try whole.load(deferringLines: false)
            #expect(whole.entries[1].body["lines"] == Self.lines)
        }
    }

    @Test func aLineChangedOnDiskAfterReadingIsDamage() throws {
        try withTemporaryFolder { dir in
            _ = try ledger(dir)
            let path = dir + "/ledger.jsonl"
            let read = LedgerFile(path: path)
            try read.load()
            // Same length, another quantity: only the hash can tell.
            var text = try String(contentsOfFile: path, encoding: .utf8)
            text = text.replacingOccurrences(of: #""quantity":12"#, with: #""quantity":99"#)
            try text.write(toFile: path, atomically: false, encoding: .utf8)
            #expect(throws: LedgerDamage.self) { try read.entries[1].whole() }
        }
    }

    /// A line written otherwise than JCS writes it (an escaped slash in its lines) cannot be
    /// hashed in place: it is read in full, its lines held, and its hash checked as ever.
    @Test func aNonCanonicalLineKeepsItsLinesAndItsHashHolds() throws {
        try withTemporaryFolder { dir in
            let path = dir + "/ledger.jsonl"
            let file = LedgerFile(path: path)
            try file.append(kind: "site.init", body: ["site": "s"], at: "2026-03-01T00:00:00Z")
            let lines: JSONValue = [["description": "CT/MR", "amount": "1.00"]]
            try file.append(kind: "invoice.issued", body: ["number": "INV-1", "lines": lines], at: "2026-03-02T00:00:00Z")
            var text = try String(contentsOfFile: path, encoding: .utf8)
            text = text.replacingOccurrences(of: "CT/MR", with: #"CT\/MR"#)
            try text.write(toFile: path, atomically: false, encoding: .utf8)
            let read = LedgerFile(path: path)
            try read.load()
            #expect(read.entries[1].body["lines"] == lines)
            #expect(read.entries[1].body["number"] == "INV-1")
        }
    }

    /// What only a document's workbook shows stays in the file with its lines; the record read
    /// from the entry holds it all, as when the whole body was held. Another kind's member of
    /// the same name (`site` in `site.init`) is held.
    @Test func whatOnlyTheWorkbookShowsComesBackWithTheRecord() throws {
        try withTemporaryFolder { dir in
            let path = dir + "/ledger.jsonl"
            let file = LedgerFile(path: path)
            try file.append(kind: "site.init", body: ["site": "s", "timezone": "UTC"], at: "2026-03-01T00:00:00Z")
            let body: [String: JSONValue] = [
                "number": "INV-2026-000001", "period": "2026-02", "client_id": "C1", "client_name": "Clinic One",
                "currency": "INR", "subtotal": "168.00", "tax": "0.00", "total": "168.00", "tax_rate": "0", "taxes": [],
                "lines": Self.lines, "fx": [["from": "USD", "to": "INR", "rate": "83.1", "to_date": "2026-02-28"]],
                "issued_on": "2026-03-02", "due_on": "2026-04-01", "issued_under": ["head": "ab", "seq": 1],
                "party": ["address": ["1 Main St"], "tax_id": "T-9", "po_number": "", "email": "", "bank_details": ""],
                "paper": "A4", "layout": 4, "site": "s", "file": "Outbox/2026-02/invoices/INV-2026-000001.xlsx",
                "sha256": "00", "checkpoint": "Ledger/checkpoints/1.txt",
            ]
            try file.append(kind: "invoice.issued", body: body, at: "2026-03-02T00:00:00Z")
            let read = LedgerFile(path: path)
            try read.load()
            #expect(read.entries[0].body["site"] == "s")
            let invoice = read.entries[1]
            for key in ["lines", "fx", "issued_on", "issued_under", "party", "paper", "layout", "site", "client_name",
                        "tax_rate", "checkpoint"] {
                #expect(invoice.body[key] == nil, "\(key) is held")
            }
            for key in ["number", "period", "client_id", "currency", "subtotal", "tax", "total", "taxes", "due_on", "file", "sha256"] {
                #expect(invoice.body[key] == body[key], "\(key) is not held as written")
            }
            let whole = LedgerFile(path: path)
            try whole.load(deferringLines: false)
            #expect(whole.entries[1].body == body)
            let record = try DocumentRecord(entry: invoice)
            #expect(record == (try DocumentRecord(entry: whole.entries[1])))
            #expect(record.partyName == "Clinic One" && record.party.taxId == "T-9" && record.issuedUnderSeq == 1)
            #expect(record.fx.count == 1 && record.lines.count == 2 && record.checkpoint == "Ledger/checkpoints/1.txt")
        }
    }
}
