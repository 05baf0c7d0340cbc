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
            #expect(try invoice.member("lines") == Self.lines)
            #expect(try read.entries[0].member("lines") == nil)
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
            #expect(throws: LedgerDamage.self) { try read.entries[1].member("lines") }
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
}
