import Crypto
import Foundation
import Testing

@testable import ReconKit

/// A ledger large enough to be read in every piece at once (``LedgerReader``) reports the
/// first damaged line in file order, with the message reading line after line gives, in
/// whichever piece the damage lies and whatever lies in the pieces after it.
@Suite("A large ledger read in pieces", .serialized)
struct LedgerPiecesTests {
    static let count = 700

    /// 700 entries of about 1.6 KB (1.1 MB, 17 pieces), appended and fsynced as recon appends them.
    static func withLargeLedger(_ body: (_ path: String, _ lines: [String]) throws -> Void) throws {
        try withTemporaryFolder { folder in
            let path = folder + "/ledger.jsonl"
            let note = JSONValue.string(String(repeating: "x", count: 1_500))
            try LedgerFile(path: path).append((1...count).map { (kind: "drop.accepted", body: ["n": .int(Int64($0)), "note": note]) },
                                              at: "2026-04-02T09:00:00Z")
            let text = try String(contentsOfFile: path, encoding: .utf8)
            #expect(LedgerReader.pieceCount(bytes: text.utf8.count, lines: count) >= 16, "the ledger should be read in many pieces")
            try body(path, text.split(separator: "\n").map(String.init))
        }
    }

    /// The damage `load()` reports for `lines` written as the ledger.
    static func damage(_ lines: [String], at path: String) throws -> String? {
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: false, encoding: .utf8)
        do {
            try LedgerFile(path: path).load()
            return nil
        } catch let damage as LedgerDamage {
            return damage.description
        }
    }

    @Test func anUndamagedLedgerLoadsWhole() throws {
        try Self.withLargeLedger { path, lines in
            let ledger = LedgerFile(path: path)
            try ledger.load()
            #expect(ledger.entries.map(\.seq) == Array(1...Self.count))
            #expect(zip(ledger.entries.dropFirst(), ledger.entries).allSatisfy { $0.prev == $1.hash })
            #expect(ledger.headHash == (try JSONParser.parse(lines[lines.count - 1])["hash"]?.stringValue))
            #expect(ledger.halfWrittenBytes == 0 && !ledger.needsRepair)
        }
    }

    /// The ledger's SHA-256 (what the status cache is keyed by) covers its entries only: the
    /// whole file when it ends with a complete line, the bytes before a half-written last line
    /// otherwise — also for a ledger large enough to be read in more than one chunk.
    @Test func theLedgersHashCoversItsEntriesOnly() throws {
        try withTemporaryFolder { folder in
            let path = folder + "/ledger.jsonl"
            let note = JSONValue.string(String(repeating: "x", count: 7_000))
            try LedgerFile(path: path).append((1...700).map { (kind: "drop.accepted", body: ["n": .int(Int64($0)), "note": note]) },
                                              at: "2026-04-02T09:00:00Z")
            let entries = try Data(contentsOf: URL(fileURLWithPath: path))
            #expect(entries.count > LedgerFile.chunkBytes, "the ledger should be read in more than one chunk")
            let whole = LedgerFile(path: path)
            try whole.load()
            // Against the library's one-shot hash of the same bytes, never the code under test.
            #expect(whole.contentSha256 == Hex.string(SHA256.hash(data: entries)))
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            try handle.seekToEnd()
            try handle.write(contentsOf: Data(#"{"at":"2026-04-02T09:00:00Z","body":{"n":701,"#.utf8))
            try handle.close()
            let cut = LedgerFile(path: path)
            try cut.load()
            #expect(cut.halfWrittenBytes > 0 && cut.entries.count == 700)
            #expect(cut.contentSha256 == Hex.string(SHA256.hash(data: entries)))
        }
    }

    /// One changed byte in every 61st line, alone: each is named.
    @Test func aChangedLineIsNamedInEveryPiece() throws {
        try Self.withLargeLedger { path, lines in
            for n in stride(from: 1, through: Self.count, by: 61) {
                var damaged = lines
                damaged[n - 1] = damaged[n - 1].replacingOccurrences(of: "xxx", with: "xyx")
                let found = try Self.damage(damaged, at: path)
                #expect(found?.hasPrefix("seq \(n): hash does not match the content") == true, "line \(n): \(found ?? "no damage")")
            }
        }
    }

    /// A recorded hash changed in its last digit is named with both hashes whole: shortened,
    /// the recorded and the computed one read the same, and the reader cannot tell which
    /// bytes are wrong.
    @Test func aChangedHashIsNamedWithBothHashesWhole() throws {
        try Self.withLargeLedger { path, lines in
            let original = try #require(try JSONParser.parse(lines[299])["hash"]?.stringValue)
            let changed = String(original.dropLast()) + (original.hasSuffix("0") ? "1" : "0")
            var damaged = lines
            damaged[299] = damaged[299].replacingOccurrences(of: #""hash":"\#(original)""#, with: #""hash":"\#(changed)""#)
            #expect(damaged[299] != lines[299])
            let found = try Self.damage(damaged, at: path)
            #expect(found == "seq 300: hash does not match the content (recorded \(changed), computed \(original))",
                    "\(found ?? "no damage")")
        }
    }

    /// Each piece chains its own lines and its first line to the piece before: a changed byte
    /// or a wrong `prev` on the first or the last line of any piece is named as on any other.
    @Test func damageWhereOnePieceMeetsTheNextIsNamed() throws {
        try Self.withLargeLedger { path, lines in
            let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
            let bounds = bytes.withUnsafeBufferPointer { LedgerReader.pieceBounds(LedgerReader.lineEnds($0)) }
            #expect(bounds.count >= 17 && bounds.first == 0 && bounds.last == Self.count)
            let seqs = Set(bounds.dropFirst().dropLast().flatMap { [$0, $0 + 1] })
            for seq in seqs.sorted() {
                var changed = lines
                changed[seq - 1] = changed[seq - 1].replacingOccurrences(of: "xxx", with: "xyx")
                let found = try Self.damage(changed, at: path)
                #expect(found?.hasPrefix("seq \(seq): hash does not match the content") == true, "line \(seq): \(found ?? "no damage")")
                var unlinked = lines
                unlinked[seq - 1] = unlinked[seq - 1].replacingOccurrences(of: #""prev":""#, with: #""prev":"0"#)
                let unlinkedFound = try Self.damage(unlinked, at: path)
                #expect(unlinkedFound == "seq \(seq): prev does not match the hash of seq \(seq - 1)", "line \(seq): \(unlinkedFound ?? "no damage")")
            }
        }
    }

    /// The first damage wins, though later pieces hold worse: a line that is no JSON, a
    /// missing line, and on the first damaged line both a wrong prev and a wrong hash (prev
    /// is named, as it is checked first).
    @Test func theFirstDamageInFileOrderIsReported() throws {
        try Self.withLargeLedger { path, lines in
            var found: String?
            var damaged = lines
            damaged[649] = "{" + damaged[649]
            damaged.remove(at: 399)
            damaged[99] = damaged[99].replacingOccurrences(of: "xxx", with: "xyx")
            found = try Self.damage(damaged, at: path)
            #expect(found?.hasPrefix("seq 100: hash does not match the content") == true, "\(found ?? "no damage")")
            damaged[49] = damaged[49].replacingOccurrences(of: #""prev":""#, with: #""prev":"0"#)
            found = try Self.damage(damaged, at: path)
            #expect(found == "seq 50: prev does not match the hash of seq 49", "\(found ?? "no damage")")
            damaged = lines
            damaged.remove(at: 399)
            damaged[649] = "{" + damaged[649]
            found = try Self.damage(damaged, at: path)
            #expect(found == "seq 400: seq is 401, expected 400 (an entry is missing, added or moved)", "\(found ?? "no damage")")
            damaged = lines
            damaged[649] = "{" + damaged[649]
            found = try Self.damage(damaged, at: path)
            #expect(found?.hasPrefix("seq 650: line 650 is not a JSON object: ") == true, "\(found ?? "no damage")")
        }
    }

    /// Entries nested as deep as the parser allows are read in any piece, whether hashed in
    /// place or written out again (a line with a space in it); one level more is damage.
    @Test func theDeepestEntriesAreReadInAnyPiece() throws {
        try Self.withLargeLedger { path, lines in
            // The line's object and its body are two levels; the arrays fill the rest.
            func nested(_ levels: Int) -> JSONValue { (1..<levels).reduce(JSONValue.array([])) { inner, _ in .array([inner]) } }
            let at = "2026-04-02T09:00:00Z"
            let head = try #require(try JSONParser.parse(lines[lines.count - 1])["hash"]?.stringValue)
            let deepest = LedgerEntry(seq: Self.count + 1, at: at, kind: "note", body: ["deep": nested(JSONParser.maxDepth - 2)], prev: head)
            let spaced = String(decoding: deepest.line.dropLast(), as: UTF8.self).replacingOccurrences(of: #""deep":"#, with: #""deep": "#)
            let tooDeep = LedgerEntry(seq: Self.count + 1, at: at, kind: "note", body: ["deep": nested(JSONParser.maxDepth - 1)], prev: head)
            var found = try Self.damage(lines + [String(decoding: deepest.line.dropLast(), as: UTF8.self)], at: path)
            #expect(found == nil, "\(found ?? "")")
            found = try Self.damage(lines + [spaced], at: path)
            #expect(found == nil, "\(found ?? "")")
            found = try Self.damage(lines + [String(decoding: tooDeep.line.dropLast(), as: UTF8.self)], at: path)
            #expect(found?.hasPrefix("seq \(Self.count + 1): line \(Self.count + 1) is not a JSON object: ") == true, "\(found ?? "no damage")")
            #expect(found?.contains("deeper than \(JSONParser.maxDepth) levels") == true, "\(found ?? "no damage")")
        }
    }
}
