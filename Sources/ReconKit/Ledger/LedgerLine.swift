import Crypto

/// One line of the ledger read and hashed on its own: everything is checked but `prev` and
/// the hash, which need the line before, so lines can be read on several cores and chained
/// in order afterwards (``LedgerReader``).
struct LedgerLine {
    /// The entry as recorded; its `hash` is the recorded one.
    let entry: LedgerEntry
    /// The hash of the entry's content, as computed here.
    let computedHash: String

    /// Reads `line` (without its newline) as entry `expectedSeq`; throws ``LedgerDamage``
    /// naming `expectedSeq`, with the same messages and in the same order as ever.
    ///
    /// `source`, the ledger file and the line's offset in it: a canonical document line's
    /// `lines` and the members only its workbook reads are then left there
    /// (``DeferredMembers``), checked but never built.
    static func read(_ line: UnsafeBufferPointer<UInt8>, expectedSeq: Int,
                     source: (path: String, offset: Int)? = nil) throws(LedgerDamage) -> LedgerLine {
        let parsed: (value: JSONValue, isCanonical: Bool, skipped: [String])
        do {
            if source != nil {
                parsed = try JSONParser.parseNotingCanonical(line, skipping: DeferredMembers.documentMembers, of: "body")
            } else {
                let whole = try JSONParser.parseNotingCanonical(line)
                parsed = (whole.value, whole.isCanonical, [])
            }
        } catch {
            throw LedgerDamage(seq: expectedSeq, "line \(expectedSeq) is not a JSON object: \(error)")
        }
        let entry = try entry(of: parsed.value, expectedSeq: expectedSeq)
        let canonicalHash = parsed.isCanonical ? hashOfCanonical(line, entry) : nil
        if !parsed.skipped.isEmpty {
            // Checked but not built: only a document entry hashed off its line can do without them
            // (another kind's member of the same name, `site` in `site.init`, is read by others).
            guard let canonicalHash, let source, LedgerEvent.Kind(rawValue: entry.kind)?.document != nil else {
                return try read(line, expectedSeq: expectedSeq)
            }
            let deferred = DeferredMembers(path: source.path, offset: source.offset, length: line.count)
            return LedgerLine(entry: LedgerEntry(seq: entry.seq, at: entry.at, kind: entry.kind, body: entry.body,
                                                 prev: entry.prev, hash: entry.hash, deferred: deferred),
                              computedHash: canonicalHash)
        }
        let computedHash = canonicalHash
            ?? LedgerEntry.hash(seq: entry.seq, at: entry.at, kind: entry.kind, body: entry.body, prev: entry.prev)
        return LedgerLine(entry: entry, computedHash: computedHash)
    }

    /// The entry `value` records, if it is one: an object of exactly seq, at, kind, body,
    /// prev and hash, `seq` being `expectedSeq`.
    private static func entry(of value: JSONValue, expectedSeq: Int) throws(LedgerDamage) -> LedgerEntry {
        guard case .object(let o) = value else { throw LedgerDamage(seq: expectedSeq, "line \(expectedSeq) is not a JSON object") }
        guard case .int(let seq)? = o["seq"], case .string(let at)? = o["at"], case .string(let kind)? = o["kind"],
            case .object(let body)? = o["body"], case .string(let p)? = o["prev"], case .string(let hash)? = o["hash"]
        else { throw LedgerDamage(seq: expectedSeq, "line \(expectedSeq) lacks one of seq, at, kind, body, prev, hash") }
        guard seq == expectedSeq else {
            throw LedgerDamage(seq: expectedSeq, "seq is \(seq), expected \(expectedSeq) (an entry is missing, added or moved)")
        }
        guard o.count == 6 else { throw LedgerDamage(seq: expectedSeq, "the entry has members other than seq, at, kind, body, prev, hash") }
        return LedgerEntry(seq: Int(seq), at: at, kind: kind, body: body, prev: p, hash: hash)
    }

    /// The entry, once its `prev` is checked against the hash of the entry before it and
    /// its recorded hash against the computed one.
    func chained(to prev: String) throws(LedgerDamage) -> LedgerEntry {
        let seq = entry.seq
        guard entry.prev == prev else { throw LedgerDamage(seq: seq, "prev does not match the hash of seq \(seq - 1)") }
        guard computedHash == entry.hash else {
            throw LedgerDamage(seq: seq, "hash does not match the content (recorded \(entry.hash), computed \(computedHash))")
        }
        return entry
    }

    /// The entry's content hash read off a line that is the JCS form of the whole entry.
    ///
    /// JCS orders the members `at`, `body`, `hash`, `kind`, `prev`, `seq`, so such a line is
    /// `{"at":…,"body":…` then `,"hash":"…"` then the JCS form of `,"kind":…,"prev":…,"seq":…}`;
    /// without the hash member it is exactly the JCS form of the entry without `hash`, which
    /// is hashed in place instead of being written out again. Nil when the line's end is not
    /// that shape (a hash that JCS would escape, say): the caller then serialises.
    private static func hashOfCanonical(_ line: UnsafeBufferPointer<UInt8>, _ entry: LedgerEntry) -> String? {
        let tail = LedgerEntry.canonicalTail(kind: entry.kind, prev: entry.prev, seq: entry.seq)
        let member = LedgerEntry.canonicalHashMember(entry.hash)
        let cut = line.count - tail.count - member.count
        guard cut > 0, line[(cut + member.count)...].elementsEqual(tail), line[cut..<(cut + member.count)].elementsEqual(member)
        else { return nil }
        var sha = SHA256()
        sha.update(bufferPointer: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: line[..<cut])))
        tail.withUnsafeBytes { sha.update(bufferPointer: $0) }
        return Hex.string(sha.finalize())
    }
}
