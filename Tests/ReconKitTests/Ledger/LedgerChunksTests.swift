import Crypto
import Foundation
import Testing

@testable import ReconKit

/// The ledger is read a chunk of whole lines at a time through one buffer (``LineChunkReader``):
/// whatever the chunk size, the entries, their deferred document lines, the hash and the
/// damage named are those of the file read whole.
@Suite("The ledger read a chunk at a time")
struct LedgerChunksTests {
    /// Every chunk is whole lines ending in a newline, at the offset it says; together with the
    /// tail they are the file, for files with and without a last newline, lines longer than the
    /// buffer, and none at all.
    @Test func chunksAreTheFilesWholeLinesAndTheTailIsWhatFollows() throws {
        try withTemporaryFolder { dir in
            let long = String(repeating: "y", count: 300)
            let texts = ["", "no newline", "\n", "a\n", "a\nbb\nccc", "one\n" + long + "\nthree\n" + long, long + "\n" + long + "\n"]
            for text in texts {
                let path = dir + "/lines.txt"
                try text.write(toFile: path, atomically: false, encoding: .utf8)
                let bytes = Array(text.utf8)
                let lastNewline = bytes.lastIndex(of: 10).map { $0 + 1 } ?? 0
                for chunkBytes in [1, 7, 64, 1 << 20] {
                    let reader = try LineChunkReader(path: path, followingLinks: false, chunkBytes: chunkBytes)
                    var joined: [UInt8] = []
                    while let chunk = try reader.next() {
                        #expect(chunk.offset == joined.count, "\(text.debugDescription) at \(chunkBytes)")
                        #expect(chunk.lines.last == 10 && !chunk.lines.isEmpty)
                        joined += chunk.lines
                    }
                    #expect(joined == Array(bytes[..<lastNewline]), "\(text.debugDescription) at \(chunkBytes)")
                    #expect(reader.tail == Array(bytes[lastNewline...]), "\(text.debugDescription) at \(chunkBytes)")
                    #expect(reader.consumed == bytes.count)
                }
            }
        }
    }

    /// 120 invoices of about 1.4 KB: read in chunks smaller than a line, of a few lines and
    /// whole, the entries are the same, and each invoice's deferred lines come back from
    /// their place in the file as the entry read whole holds them.
    @Test func entriesAndDeferredLinesAreTheSameInChunksOfAnySize() throws {
        try withTemporaryFolder { dir in
            let path = dir + "/ledger.jsonl"
            try Self.writeInvoices(path, count: 120)
            let whole = LedgerFile(path: path)
            try whole.load(deferringLines: false)
            #expect(whole.entries.count == 121)
            for chunkBytes in [1_000, 8_000, LedgerFile.chunkBytes] {
                let read = LedgerFile(path: path)
                try read.load(chunkBytes: chunkBytes)
                #expect(read.entries.map(\.hash) == whole.entries.map(\.hash), "chunks of \(chunkBytes)")
                #expect(read.entries.map(\.seq) == Array(1...121))
                #expect(read.contentSha256 == whole.contentSha256 && read.contentLength == whole.contentLength)
                for (entry, held) in zip(read.entries, whole.entries).dropFirst() {
                    #expect(entry.body["lines"] == nil, "the lines are deferred")
                    #expect(try entry.whole().body == held.body, "seq \(entry.seq), chunks of \(chunkBytes)")
                }
            }
        }
    }

    /// A changed byte, or a `prev` that does not chain, in any line — at a chunk's start, its
    /// end or inside it — is named exactly as reading the file whole names it.
    @Test func damageInAnyChunkIsNamedAsWhenReadWhole() throws {
        try withTemporaryFolder { dir in
            let path = dir + "/ledger.jsonl"
            try Self.writeInvoices(path, count: 60)
            let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
            for n in 2...lines.count {
                var changed = lines
                changed[n - 1] = changed[n - 1].replacingOccurrences(of: "Scan", with: "Sxan")
                #expect(try Self.damage(changed, at: path)?.hasPrefix("seq \(n): hash does not match the content") == true, "line \(n)")
                var unlinked = lines
                unlinked[n - 1] = unlinked[n - 1].replacingOccurrences(of: #""prev":""#, with: #""prev":"0"#)
                #expect(try Self.damage(unlinked, at: path) == "seq \(n): prev does not match the hash of seq \(n - 1)", "line \(n)")
                var missing = lines
                missing.remove(at: n - 1)
                let gap = try Self.damage(missing, at: path)
                #expect(gap?.hasPrefix("seq \(n): seq is \(n + 1), expected \(n)") == true || (n == lines.count && gap == nil), "line \(n): \(gap ?? "none")")
            }
        }
    }

    /// A half-written last line after many chunks: the entries before it, its bytes counted as
    /// half written, and the hash of the entries' bytes only (the library's one-shot hash).
    @Test func aHalfWrittenLastLineAfterManyChunks() throws {
        try withTemporaryFolder { dir in
            let path = dir + "/ledger.jsonl"
            try Self.writeInvoices(path, count: 40)
            let entries = try Data(contentsOf: URL(fileURLWithPath: path))
            let halfLine = Data(#"{"at":"2026-04-02T09:00:00Z","body":{"number":"#.utf8)
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            try handle.seekToEnd()
            try handle.write(contentsOf: halfLine)
            try handle.close()
            for chunkBytes in [700, 5_000] {
                let cut = LedgerFile(path: path)
                try cut.load(chunkBytes: chunkBytes)
                #expect(cut.entries.count == 41 && cut.halfWrittenBytes == halfLine.count && cut.wholeTail == nil)
                #expect(cut.contentSha256 == Hex.string(SHA256.hash(data: entries)) && cut.contentLength == entries.count)
            }
        }
    }

    /// `site.init`, then `count` invoices with two document lines each, appended as recon appends.
    static func writeInvoices(_ path: String, count: Int) throws {
        let file = LedgerFile(path: path)
        try file.append(kind: "site.init", body: ["site": "s"], at: "2026-03-01T00:00:00Z")
        let note = JSONValue.string("Scan " + String(repeating: "z", count: 900))
        try file.append((1...count).map { n -> (kind: String, body: [String: JSONValue]) in
            let lines: JSONValue = [["modality": "CT", "quantity": .int(Int64(n)), "amount": .string("\(n).00"), "description": note],
                                    ["modality": "MR", "quantity": 1, "amount": "2.50"]]
            return (kind: "invoice.issued", body: ["number": .string("INV-\(n)"), "total": .string("\(n + 2).50"), "lines": lines])
        }, at: "2026-03-02T00:00:00Z")
    }

    /// The damage a load in chunks of 4,000 bytes (two or three lines) reports for `lines`.
    static func damage(_ lines: [String], at path: String) throws -> String? {
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: false, encoding: .utf8)
        do {
            try LedgerFile(path: path).load(chunkBytes: 4_000)
            return nil
        } catch let damage as LedgerDamage {
            return damage.description
        }
    }
}
