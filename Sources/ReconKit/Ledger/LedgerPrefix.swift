import Crypto
import Dispatch
import Foundation

/// `.recon/ledger-prefix.jsonl`: the ledger's entries before a close's `period.closed`, as a
/// command reads them, kept so that later commands need not parse and hash every line of
/// years of history. Since round 22 they include the documents and flags the close appends
/// before its `period.closed` (its 500 documents' lines, 6 MB, were otherwise read from the
/// ledger by every command of the month after); an earlier program's file ends before them.
///
/// A close writes it (its first line: how many entries, how many bytes of `ledger.jsonl`
/// they are, the SHA-256 of those bytes and the last entry's hash; then one line an entry:
/// its members, where its line lies and its body as read, with a document's
/// ``DeferredMembers/documentMembers`` and a close's or rerun's
/// ``DeferredMembers/closingMembers`` left in the ledger) and records the file's SHA-256 as
/// `ledger_prefix_sha256` in its own `period.closed` entry, which comes after those entries.
///
/// A later command (``LedgerFile/load(deferringLines:chunkBytes:prefix:)``) takes the
/// entries from here only when the ledger's first bytes still hash to what the file says —
/// the bytes whose chain the close checked, and those it wrote — and an entry read from the ledger after them,
/// checked and chained as ever, is a `period.closed` recording this file's SHA-256, covered
/// by a checkpoint the site key signed (anyone can chain an entry; only the key signs one):
/// the ledger vouches for the file, and the file for exactly those bytes. Anything else and the
/// whole ledger is read as before. It is a cache: lost without harm, never vouched by the
/// site key alone; `recon verify` reads the ledger whole and checks the file against it.
public struct LedgerPrefix {
    public static let relativePath = ".recon/ledger-prefix.jsonl"
    /// Where a close puts the next one until its entries are durable (``commit()``).
    static let nextRelativePath = ".recon/ledger-prefix.next"
    /// The version a close writes. Version 2 leaves a close's margins in the ledger too; a
    /// file of version 1 (documents' members only) is still read, and `recon verify` checks
    /// it as that version.
    static let version = 2

    /// Whether a file of `size` bytes could be a prefix of a ledger of `ledgerSize`: its lines are
    /// the ledger's entries less their documents' longest members, so one more than twice the
    /// ledger's size (and a megabyte) is not one, and is never read into memory.
    static func couldBe(size: Int64, ledgerSize: Int64) -> Bool { size <= 2 * ledgerSize + (1 << 20) }

    /// The first line's `format` of `version`: no other file reads as one.
    static func format(_ version: Int) -> String { "recon ledger prefix \(version)" }

    /// A prefix taken by a reading of the ledger: its entries, where their lines end, the
    /// file's SHA-256 (which an entry after them must record) and the rest of the ledger's
    /// chunk read with its last bytes (valid until the reader reads on), from offset `rest.offset`.
    struct Taken {
        var entries: [LedgerEntry]
        var ends: [Int]
        var sha256: String
        var rest: (lines: UnsafeBufferPointer<UInt8>, offset: Int)
    }

    /// What the first line says.
    struct Header: Equatable {
        var version: Int
        var entries: Int
        var length: Int
        var ledgerSha256: String
        var head: String
    }

    /// The file's text for `entries` (the ledger's first entries, each line ending at the
    /// offset after its newline in `ends`), whose bytes hash to `ledgerSha256`. The same
    /// entries give the same bytes whether read with their documents' members left in the
    /// ledger or whole (`recon verify` compares).
    /// `version`: the format's (``format(_:)``); a file is checked as the version it says.
    static func text(entries: ArraySlice<LedgerEntry>, ends: ArraySlice<Int>, ledgerSha256: String,
                     version: Int = LedgerPrefix.version) -> [UInt8] {
        precondition(entries.count == ends.count)
        let header: JSONValue = .object([
            "format": .string(format(version)), "entries": .int(Int64(entries.count)), "length": .int(Int64(ends.last ?? 0)),
            "ledger_sha256": .string(ledgerSha256), "head": .string(entries.last?.hash ?? LedgerEntry.zeroHash),
        ])
        var lines = [[UInt8]](repeating: [], count: entries.count)
        let base = entries.startIndex, n = entries.count
        // Six thousand entries after a year: made into text on every core.
        let parts = min(16, max(1, n / 256))
        lines.withUnsafeMutableBufferPointer { out in
            DispatchQueue.concurrentPerform(iterations: parts) { part in
                for i in (n * part / parts)..<(n * (part + 1) / parts) {
                    let start = i == 0 ? 0 : ends[base + i - 1]
                    out[i] = JCS.canonical(line(entries[base + i], start: start, end: ends[base + i], version: version)) + [10]
                }
            }
        }
        var text = JCS.canonical(header) + [10]
        text.reserveCapacity(text.count + lines.reduce(0) { $0 + $1.count })
        for line in lines { text += line }
        return text
    }

    /// One entry as the file holds it: `[seq, at, kind, prev, hash, start, end, deferred, body]`,
    /// an array rather than an object, so that reading six thousand of them builds no table of
    /// member names beside each body.
    private static func line(_ e: LedgerEntry, start: Int, end: Int, version: Int) -> JSONValue {
        let kind = e.eventKind
        let left = kind?.document != nil ? DeferredMembers.documentMembers.names
            : version >= 2 && (kind == .periodClosed || kind == .rerun) ? DeferredMembers.closingMembers : nil
        let body = left.map { left in e.body.filter { !left.contains($0.key) } } ?? e.body
        return .array([
            .int(Int64(e.seq)), .string(e.at), .string(e.kind), .string(e.prev), .string(e.hash), .int(Int64(start)),
            .int(Int64(end)), .bool(left != nil), .object(body),
        ])
    }

    /// The file's first line, when it is one.
    static func header(_ line: UnsafeBufferPointer<UInt8>) -> Header? {
        guard let value = try? JSONParser.parse(buffer: line), case .object(let o) = value,
              let version = (1...Self.version).first(where: { o["format"]?.stringValue == format($0) }),
              let entries = o["entries"]?.intValue, entries > 0,
              let length = o["length"]?.intValue, length > 0, let sha = o["ledger_sha256"]?.stringValue,
              let head = o["head"]?.stringValue else { return nil }
        return Header(version: version, entries: Int(entries), length: Int(length), ledgerSha256: sha, head: head)
    }

    /// The entries of the file's lines after the first (`lines`: each without its newline),
    /// their documents' members left in `ledgerPath`; nil when any line is not one, or they
    /// do not follow one another from seq 1 as the header says. Read in pieces on every core.
    /// `alongside`: work run first, each on a core of its own, while the lines are read on the
    /// others (hashing the ledger's bytes, and this file's).
    static func entries(_ bytes: UnsafeBufferPointer<UInt8>, lines: [Range<Int>], header: Header, ledgerPath: String,
                        alongside: [() -> Void]) -> (entries: [LedgerEntry], ends: [Int])? {
        let n = lines.count
        guard n == header.entries else {
            for work in alongside { work() }
            return nil
        }
        var ends = [Int](repeating: 0, count: n), starts = [Int](repeating: 0, count: n)
        var failed = false
        let lock = NSLock()
        let pieces = max(1, min(32, n / 128))
        let read = [LedgerEntry?](unsafeUninitializedCapacity: n) { out, initialized in
            ends.withUnsafeMutableBufferPointer { ends in starts.withUnsafeMutableBufferPointer { starts in
                DispatchQueue.concurrentPerform(iterations: pieces + alongside.count) { job in
                    // The work alongside goes first, so it is under way while the pieces are shared out.
                    guard job >= alongside.count else { return alongside[job]() }
                    let k = job - alongside.count
                    for i in (n * k / pieces)..<(n * (k + 1) / pieces) {
                        let e = entry(UnsafeBufferPointer(rebasing: bytes[lines[i]]), seq: i + 1, ledgerPath: ledgerPath)
                        (out.baseAddress! + i).initialize(to: e?.entry)
                        ends[i] = e?.end ?? 0
                        starts[i] = e?.start ?? -1
                        if e == nil {
                            lock.lock()
                            failed = true
                            lock.unlock()
                        }
                    }
                }
            } }
            initialized = n
        }
        guard !failed else { return nil }
        let entries = read.map { $0! }
        // Chained and laid end to end as the ledger's lines are: a file that says otherwise is not read.
        var prev = LedgerEntry.zeroHash, start = 0
        for (i, e) in entries.enumerated() {
            guard e.prev == prev, starts[i] == start else { return nil }
            prev = e.hash
            start = ends[i]
        }
        guard prev == header.head, start == header.length else { return nil }
        return (entries, ends)
    }

    private static func entry(_ line: UnsafeBufferPointer<UInt8>, seq: Int, ledgerPath: String)
        -> (entry: LedgerEntry, start: Int, end: Int)? {
        guard let value = try? JSONParser.parse(buffer: line), case .array(let a) = value, a.count == 9,
              a[0].intValue == Int64(seq), let at = a[1].stringValue, let kind = a[2].stringValue,
              let prev = a[3].stringValue, let hash = a[4].stringValue, let start = a[5].intValue, let end = a[6].intValue,
              start >= 0, end > start + 1, let deferred = a[7].boolValue, let body = a[8].objectValue
        else { return nil }
        let members = deferred ? DeferredMembers(path: ledgerPath, offset: Int(start), length: Int(end - start - 1)) : nil
        return (LedgerEntry(seq: seq, at: at, kind: kind, body: body, prev: prev, hash: hash, deferred: members), Int(start), Int(end))
    }

    /// The lines of `bytes` (each without its newline); nil unless every line ends with one.
    static func lineRanges(_ bytes: UnsafeBufferPointer<UInt8>) -> [Range<Int>]? {
        var out: [Range<Int>] = []
        var start = 0
        for end in LedgerReader.lineEnds(bytes) {
            out.append(start..<(end - 1))
            start = end
        }
        return start == bytes.count ? out : nil
    }

    /// Whether `entry` vouches for a prefix file whose bytes hash to `sha256`.
    static func vouches(_ entry: LedgerEntry, for sha256: String) -> Bool {
        entry.kind == "period.closed" && entry.body["ledger_prefix_sha256"]?.stringValue == sha256
    }
}
