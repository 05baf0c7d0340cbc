#if canImport(Glibc)
import Glibc
#endif

/// `Ledger/ledger.jsonl`: read and checked whole, appended to, never rewritten.
///
/// Reading checks every line's JSON, `seq`, `prev` and `hash`. A last line without its
/// newline is what a crash leaves: it is not an entry, and the next writing command cuts
/// it away (``cutHalfWrittenTail()``). Any other damage stops every writer.
public final class LedgerFile {
    public let path: String
    public private(set) var entries: [LedgerEntry] = []
    /// Bytes after the last newline (a half-written line), if any.
    public private(set) var halfWrittenBytes = 0
    private var validLength = 0

    public init(path: String) { self.path = path }

    public var head: LedgerEntry? { entries.last }
    public var headHash: String { entries.last?.hash ?? LedgerEntry.zeroHash }

    /// Reads and checks the whole file.
    public func load() throws {
        let bytes = try FileIO.read(path)
        entries = []
        entries.reserveCapacity(bytes.count / 300)
        var prev = LedgerEntry.zeroHash
        var start = 0
        var seq = 0
        try bytes.withUnsafeBufferPointer { buf in
            while let nl = buf[start...].firstIndex(of: 10) {
                seq += 1
                let entry = try LedgerFile.parse(UnsafeBufferPointer(rebasing: buf[start..<nl]), expectedSeq: seq, prev: prev)
                entries.append(entry)
                prev = entry.hash
                start = nl + 1
            }
        }
        validLength = start
        halfWrittenBytes = bytes.count - start
    }

    /// Cuts a half-written last line away; returns how many bytes went.
    @discardableResult
    public func cutHalfWrittenTail() throws -> Int {
        guard halfWrittenBytes > 0 else { return 0 }
        let cut = halfWrittenBytes
        guard truncate(path, off_t(validLength)) == 0 else {
            throw FileIO.Failure(path: path, action: "cut the half-written line of", code: errno)
        }
        try FileIO.syncFile(path)
        halfWrittenBytes = 0
        return cut
    }

    /// Appends entries in one write, flushed and fsynced before returning.
    @discardableResult
    public func append(_ items: [(kind: String, body: [String: JSONValue])], at: String) throws -> [LedgerEntry] {
        precondition(halfWrittenBytes == 0, "cut the half-written tail before appending")
        var out: [LedgerEntry] = []
        var bytes: [UInt8] = []
        var prev = headHash
        var seq = entries.count
        for item in items {
            seq += 1
            let e = LedgerEntry(seq: seq, at: at, kind: item.kind, body: item.body, prev: prev)
            bytes += e.line
            out.append(e)
            prev = e.hash
        }
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FileIO.Failure(path: path, action: "open", code: errno) }
        defer { close(fd) }
        try bytes.withUnsafeBytes { try FileIO.writeAll(fd, $0, path: path) }
        guard fsync(fd) == 0 else { throw FileIO.Failure(path: path, action: "fsync", code: errno) }
        entries += out
        validLength += bytes.count
        return out
    }

    @discardableResult
    public func append(kind: String, body: [String: JSONValue], at: String) throws -> LedgerEntry {
        try append([(kind, body)], at: at)[0]
    }

    static func parse(_ line: UnsafeBufferPointer<UInt8>, expectedSeq: Int, prev: String) throws -> LedgerEntry {
        let value: JSONValue
        do {
            value = try JSONParser.parse(Array(line))
        } catch {
            throw LedgerDamage(seq: expectedSeq, "line \(expectedSeq) is not a JSON object: \(error)")
        }
        guard case .object(let o) = value else { throw LedgerDamage(seq: expectedSeq, "line \(expectedSeq) is not a JSON object") }
        guard case .int(let seq)? = o["seq"], case .string(let at)? = o["at"], case .string(let kind)? = o["kind"],
            case .object(let body)? = o["body"], case .string(let p)? = o["prev"], case .string(let hash)? = o["hash"]
        else { throw LedgerDamage(seq: expectedSeq, "line \(expectedSeq) lacks one of seq, at, kind, body, prev, hash") }
        guard seq == expectedSeq else {
            throw LedgerDamage(seq: expectedSeq, "seq is \(seq), expected \(expectedSeq) (an entry is missing, added or moved)")
        }
        guard o.count == 6 else { throw LedgerDamage(seq: expectedSeq, "the entry has members other than seq, at, kind, body, prev, hash") }
        guard p == prev else { throw LedgerDamage(seq: expectedSeq, "prev does not match the hash of seq \(expectedSeq - 1)") }
        let computed = LedgerEntry.hash(seq: Int(seq), at: at, kind: kind, body: body, prev: p)
        guard computed == hash else {
            throw LedgerDamage(seq: expectedSeq, "hash does not match the content (recorded \(hash.prefix(16))…, computed \(computed.prefix(16))…)")
        }
        return LedgerEntry(seq: Int(seq), at: at, kind: kind, body: body, prev: p, hash: hash)
    }
}
