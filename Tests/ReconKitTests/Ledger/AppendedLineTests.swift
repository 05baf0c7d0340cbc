import Foundation
import Testing

@testable import ReconKit

/// An append serialises each entry once (its body in JCS form, on every core for a batch, then
/// the hash member put in after the body): the lines and hashes must be exactly those of the
/// whole entry put in JCS form as an object, the way an auditor's verifier computes them.
@Suite("Appended lines are the JCS form of their entries")
struct AppendedLineTests {
    /// Bodies whose JCS form exercises member order (UTF-16, not UTF-8: "é" < "😀" differs),
    /// escapes, nesting, integers at the exact limit, empty containers and non-ASCII text.
    static let bodies: [[String: JSONValue]] = [
        [:],
        ["name": "usage-2026-10.csv", "rows": 120, "lines": [], "note": nil, "ok": true],
        ["é": "accent", "😀": "emoji", "z": "last", "A": "upper", "\u{7f}": "delete"],
        ["text": .string("quote \" backslash \\ tab \t newline \n control \u{01} slash / unicode ü € 𝄞")],
        ["big": .int(JSONValue.maxExactInteger), "small": .int(-JSONValue.maxExactInteger), "zero": 0],
        ["lines": [["modality": "CT", "quantity": 3, "amount": "601.955"], ["modality": "MR", "per": "image"]],
         "party": ["address": ["1 Road", "Town"], "tax_id": ""], "taxes": [["name": "CGST", "rate": "9", "amount": "0.00"]]],
    ]

    @Test func eachLineAndHashIsTheWholeEntrysJCSForm() throws {
        var prev = LedgerEntry.zeroHash
        for (i, body) in Self.bodies.enumerated() {
            let whole = LedgerEntry(seq: i + 1, at: "2026-11-21T10:00:0\(i)Z", kind: "drop.accepted", body: body, prev: prev)
            let (entry, line) = LedgerEntry.chained(seq: i + 1, at: whole.at, kind: whole.kind, body: body,
                                                    canonicalBody: JCS.canonical(.object(body)), prev: prev)
            #expect(entry.hash == whole.hash, "body \(i)")
            #expect(line == whole.line, "body \(i): \(String(decoding: line, as: UTF8.self))")
            prev = entry.hash
        }
    }

    /// A batch large enough to be serialised on every core, appended to a real file: read
    /// back, every line verifies (hash, chain) and is byte for byte the whole entry's JCS form.
    @Test func aBatchAppendedOnEveryCoreReadsBackAsWritten() throws {
        try withTemporaryFolder { folder in
            let path = folder + "/ledger.jsonl"
            let items = (0..<300).map { n in
                (kind: n % 2 == 0 ? "invoice.issued" : "payout.issued", body: Self.bodies[n % Self.bodies.count].merging(["n": .int(Int64(n))]) { a, _ in a })
            }
            let ledger = LedgerFile(path: path)
            try ledger.append([(kind: "site.init", body: ["site": "s"])], at: "2026-11-21T10:00:00Z")
            let appended = try ledger.append(items, at: "2026-11-21T10:00:01Z")
            let read = LedgerFile(path: path)
            try read.load(deferringLines: false)
            #expect(read.entries.count == 301)
            #expect(read.headHash == appended.last?.hash)
            let lines = try Data(contentsOf: URL(fileURLWithPath: path)).split(separator: 10).map { Array($0) + [10] }
            for (k, e) in appended.enumerated() {
                let whole = LedgerEntry(seq: e.seq, at: e.at, kind: e.kind, body: items[k].body, prev: e.prev)
                #expect(whole.hash == e.hash && whole.line == lines[k + 1], "entry \(e.seq)")
            }
        }
    }
}
