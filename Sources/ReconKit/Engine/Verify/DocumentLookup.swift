import Crypto

/// `recon verify --document FILE` (SPEC §6): whether a workbook someone holds is one the
/// ledger issued, matched by its SHA-256, and the credit notes that refer to it.
public struct DocumentLookup {
    public struct Match {
        public var number: String
        public var kind: String
        public var seq: Int
        public var period: String
        public var sha256: String
        /// Credit notes and payout adjustments naming it: (number, seq).
        public var reversals: [(number: String, seq: Int)]
        /// What it credits or adjusts, when it is a credit note or payout adjustment (`refers_to`).
        public var refersTo: [String] = []
    }

    /// The issued document whose bytes are `bytes`, or nil when no entry records them.
    public static func find(_ bytes: [UInt8], in entries: [LedgerEntry]) -> (sha256: String, match: Match?) {
        let sha = Hex.string(SHA256.hash(data: bytes))
        // Only a document's entry issues one: a decision appended by hand with a copy's `file`,
        // `sha256` and `number` had a forged invoice confirmed, and its `refers_to` credit a genuine one.
        let documents = entries.filter { $0.eventKind?.document != nil }
        guard let entry = documents.first(where: { $0.string("sha256") == sha && $0.string("file") != nil && $0.string("number") != nil })
        else { return (sha, nil) }
        let number = entry.string("number") ?? ""
        let reversals = documents.filter { e in
            BodyReader(entry: e).strings("refers_to").contains(number)
        }.map { (number: $0.string("number") ?? "", seq: $0.seq) }
        return (sha, Match(number: number, kind: entry.kind, seq: entry.seq, period: entry.string("period") ?? "",
                           sha256: sha, reversals: reversals, refersTo: BodyReader(entry: entry).strings("refers_to")))
    }
}
