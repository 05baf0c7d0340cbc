import Crypto

/// One line of `Ledger/ledger.jsonl` (SPEC §6).
public final class LedgerEntry: Sendable {
    public let seq: Int
    /// RFC 3339 UTC time of the append.
    public let at: String
    public let kind: String
    public let body: [String: JSONValue]
    public let prev: String
    public let hash: String
    /// Body members left in the ledger file when it was read (a document's `lines`): see ``whole()``.
    let deferred: DeferredMembers?

    public static let zeroHash = String(repeating: "0", count: 64)

    /// A new entry after `prev`, with its hash computed.
    public init(seq: Int, at: String, kind: String, body: [String: JSONValue], prev: String) {
        self.seq = seq
        self.at = at
        self.kind = kind
        self.body = body
        self.prev = prev
        self.hash = LedgerEntry.hash(seq: seq, at: at, kind: kind, body: body, prev: prev)
        deferred = nil
    }

    init(seq: Int, at: String, kind: String, body: [String: JSONValue], prev: String, hash: String,
         deferred: DeferredMembers? = nil) {
        self.seq = seq
        self.at = at
        self.kind = kind
        self.body = body
        self.prev = prev
        self.hash = hash
        self.deferred = deferred
    }

    /// The entry with its whole body: the members left in the ledger file (``DeferredMembers``)
    /// read back, once, when there are any; the line read again must hash to this entry's
    /// `hash`, or it is ``LedgerDamage``.
    func whole() throws -> LedgerEntry {
        guard let deferred else { return self }
        return LedgerEntry(seq: seq, at: at, kind: kind, body: try deferred.read(seq: seq, hash: hash), prev: prev, hash: hash)
    }

    /// The entry after `prev` and its line, from the JCS form of its body (``JCS/canonical(_:)``
    /// of `.object(body)`, made beforehand: bodies are independent, so a close's 500 are put in
    /// JCS form on every core, and only this, which needs `prev`, runs one entry after another).
    ///
    /// JCS orders an entry's members `at`, `body`, `hash`, `kind`, `prev`, `seq`: the form
    /// without `hash` is hashed, and the line is the same bytes with the hash member put in
    /// after the body — the object is serialised once, not once for the hash and again for the line.
    static func chained(seq: Int, at: String, kind: String, body: [String: JSONValue], canonicalBody: [UInt8],
                        prev: String) -> (entry: LedgerEntry, line: [UInt8]) {
        var head: [UInt8] = Array(#"{"at":"#.utf8)
        JCS.appendString(at, to: &head)
        head += #","body":"#.utf8
        head += canonicalBody
        let tail = canonicalTail(kind: kind, prev: prev, seq: seq)
        var sha = SHA256()
        head.withUnsafeBytes { sha.update(bufferPointer: $0) }
        tail.withUnsafeBytes { sha.update(bufferPointer: $0) }
        let hash = Hex.string(sha.finalize())
        var line = head
        line.reserveCapacity(head.count + hash.utf8.count + tail.count + 12)
        line += canonicalHashMember(hash)
        line += tail
        line.append(10)
        return (LedgerEntry(seq: seq, at: at, kind: kind, body: body, prev: prev, hash: hash), line)
    }

    /// The hash member as it stands between the body and the tail in an entry's JCS form: `,"hash":"…"`.
    static func canonicalHashMember(_ hash: String) -> [UInt8] {
        var member: [UInt8] = Array(#","hash":""#.utf8)
        member += hash.utf8
        member.append(UInt8(ascii: "\""))
        return member
    }

    /// What follows the body (and the hash member) in an entry's JCS form: `,"kind":…,"prev":…,"seq":…}`.
    static func canonicalTail(kind: String, prev: String, seq: Int) -> [UInt8] {
        var tail: [UInt8] = []
        tail.reserveCapacity(kind.utf8.count + prev.utf8.count + 40)
        tail += #","kind":"#.utf8
        JCS.appendString(kind, to: &tail)
        tail += #","prev":"#.utf8
        JCS.appendString(prev, to: &tail)
        tail += #","seq":"#.utf8
        JCS.appendInteger(Int64(seq), to: &tail)
        tail.append(UInt8(ascii: "}"))
        return tail
    }

    /// SHA-256 (lowercase hex) of the JCS form of the entry without its `hash` member.
    public static func hash(seq: Int, at: String, kind: String, body: [String: JSONValue], prev: String) -> String {
        let object: JSONValue = .object([
            "seq": .int(Int64(seq)), "at": .string(at), "kind": .string(kind), "body": .object(body), "prev": .string(prev),
        ])
        return Hex.string(SHA256.hash(data: JCS.canonical(object)))
    }

    /// The line as written: the JCS form of the whole entry, then a newline.
    public var line: [UInt8] {
        let object: JSONValue = .object([
            "seq": .int(Int64(seq)), "at": .string(at), "kind": .string(kind), "body": .object(body),
            "prev": .string(prev), "hash": .string(hash),
        ])
        return JCS.canonical(object) + [10]
    }

    public func string(_ key: String) -> String? { body[key]?.stringValue }
}

/// Where the body members a command does not read on its way live in the ledger file: a
/// year's document lines are 16 MB of text and several times that once parsed, and only a
/// regenerated document needs them.
struct DeferredMembers: Sendable {
    /// The body members of a document entry left in the file: its lines, and what only its
    /// workbook shows (``DocumentRecord``, which reads the whole body back). Replaying,
    /// checking and reporting read the rest: number, period, party, currency, amounts, taxes,
    /// file, SHA-256, due date, what a credit note refers to, its reason and signed request.
    /// Made once: every document line of the ledger looks its members up in them.
    static let documentMembers = SkippedMemberNames([
        "lines", "fx", "issued_on", "issued_under", "checkpoint", "party", "seller", "paper", "layout", "site",
        "client_name", "radiologist_name", "tax_rate", "payment_terms_days",
    ])

    /// The body members of a `period.closed` or `rerun` entry a ledger prefix (version 2)
    /// leaves in the file: its margins, which only the margin summary shows, and that only when
    /// the rows it keeps are not this entry's (``RecordedMargins``).
    static let closingMembers: Set<String> = ["margins"]

    let path: String
    /// The line's first byte and its length, without the newline.
    let offset: Int
    let length: Int

    /// The whole body, from the line read again and checked against the entry's hash.
    func read(seq: Int, hash: String) throws -> [String: JSONValue] {
        let bytes = try ReadOnlyFile(path).read(at: offset, count: length)
        let line = try bytes.withUnsafeBufferPointer { try LedgerLine.read($0, expectedSeq: seq) }
        guard line.computedHash == hash, line.entry.hash == hash else {
            throw LedgerDamage(seq: seq, "the ledger changed on disk while this command ran: line \(seq) no longer hashes to its entry")
        }
        return line.entry.body
    }
}
