/// A closed period's margins as its latest `period.closed` or `rerun` recorded them, and which
/// entry that is.
///
/// An entry taken from the ledger prefix (``LedgerPrefix``) left its `margins` in the ledger
/// file: a year's twelve closes hold 1.1 MB of them, twelve thousand small objects that every
/// command parsed and decoded and only the margin summary shows. They are read back
/// (``LedgerEntry/whole()``, checked against the entry's hash) and decoded only where the
/// summary needs them: when the rows it keeps between commands are not these entries'
/// (``MarginDetailCache``), keyed by ``seq`` and ``hash``.
public struct RecordedMargins: Sendable {
    /// The recording entry's seq and hash; the hash is nil for an event not read from the
    /// ledger (a state built by hand), whose rows are then never kept.
    public let seq: Int
    public let hash: String?
    /// The `margins` member, when the entry holds it.
    let value: JSONValue?
    /// The entry, when its `margins` were left in the ledger file.
    let deferredIn: LedgerEntry?

    init(seq: Int, value: JSONValue?, entry: LedgerEntry?) {
        self.seq = seq
        hash = entry?.hash
        self.value = value
        deferredIn = value == nil && entry?.deferred != nil ? entry : nil
    }

    /// The rows by client and modality.
    /// - Throws: ``LedgerDamage`` when the line read back no longer hashes to its entry.
    public func rows() throws -> [MarginRow] {
        guard let deferredIn else { return MarginCodec.decode(value) }
        return MarginCodec.decode(try deferredIn.whole().body["margins"])
    }
}
