import Foundation

/// Signed checkpoints (SPEC §6): `Ledger/checkpoints/SEQ.txt`, a Go `sumdb/note` signed by
/// the site key over the site name, the entry count and the head hash (base64 of 32 bytes).
public struct Checkpointer {
    let site: Site

    public init(site: Site) { self.site = site }

    /// Writes the checkpoint of the ledger as it stands; returns its relative path.
    @discardableResult
    public func write(ledger: LedgerFile, siteName: String) throws -> String {
        let key = try loadSiteKey()
        let text = try SignedNote.checkpointText(origin: siteName, count: ledger.entries.count, headHex: ledger.headHash)
        let note = try SignedNote.sign(text: text, with: key)
        try FileIO.makeDirectory(site.checkpoints)
        let relative = "Ledger/checkpoints/\(ledger.entries.count).txt"
        try FileIO.writeAtomically(site.path(relative), Array(note.utf8))
        return relative
    }

    /// Entry kinds that are followed by a checkpoint (SPEC §6: after each close, rerun and
    /// credit, and every change of operators).
    public static let checkpointedKinds: Set<String> = ["period.closed", "rerun", "credit_note.issued",
                                                       PrivilegedKind.operatorAdded, PrivilegedKind.operatorRemoved]

    /// Writes the checkpoint a command was killed before writing: when an entry that must be
    /// followed by one (a close, a rerun, a credit) is newer than the newest checkpoint, the
    /// ledger as it stands is signed now. Returns the checkpoint written, if any.
    @discardableResult
    public func writeMissing(ledger: LedgerFile, siteName: String) throws -> String? {
        guard let last = ledger.entries.last(where: { Checkpointer.checkpointedKinds.contains($0.kind) }),
            last.seq > (all().last ?? 0)
        else { return nil }
        return try write(ledger: ledger, siteName: siteName)
    }

    /// The site key, wherever `recon.toml` keeps it; refused when others can read it.
    public func loadSiteKey() throws -> SigningKey { try SiteKeyFile.load(site) }

    /// Sequence numbers of the checkpoints on disk, ascending.
    public func all() -> [Int] {
        FileIO.list(site.checkpoints).compactMap { name -> Int? in
            guard name.hasSuffix(".txt") else { return nil }
            return Int(name.dropLast(4))
        }.sorted()
    }

    /// The newest checkpoint, as `Ledger/checkpoints/SEQ.txt`.
    public func latest() -> String? { all().last.map { "Ledger/checkpoints/\($0).txt" } }
}
