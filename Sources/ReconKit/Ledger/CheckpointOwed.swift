/// The checkpoint a command owes (SPEC §6: one after every close, rerun, credit and operator
/// change): `Ledger/checkpoint.owed`, a note signed by the site key naming the entry count and
/// head hash the command's append ends at. It is put in place durably before that append and
/// removed once the checkpoint is written.
///
/// A command killed between its append and its checkpoint leaves its last entry without one,
/// and the next writer signs it. Without this note that writer could not tell a crash from a
/// checkpoint deleted over rewritten entries (their hashes redone, which takes no key), and it
/// would sign whatever the ledger had become. With it, a missing newest checkpoint is written
/// only over the very head the interrupted command signed for before it appended.
public struct CheckpointOwed: Equatable, Sendable {
    /// The entry count the checkpoint will sign, and the hash of that entry.
    public var seq: Int
    public var head: String

    public init(seq: Int, head: String) {
        self.seq = seq
        self.head = head
    }

    /// Whether the note names `entry`: its seq and its hash.
    public func names(_ entry: LedgerEntry) -> Bool { seq == entry.seq && head == entry.hash }

    /// `Ledger/checkpoint.owed`, beside the ledger file at `ledgerPath`.
    static func path(besideLedger ledgerPath: String) -> String { FileIO.parent(of: ledgerPath) + "/checkpoint.owed" }

    /// The text the site key signs: `recon checkpoint owed`, then `SEQ HEAD`.
    static func text(seq: Int, head: String) -> String { "recon checkpoint owed\n\(seq) \(head)\n" }

    /// Puts the note in place durably, signed with `key`.
    func write(besideLedger ledgerPath: String, key: SigningKey) throws {
        let note = try SignedNote.sign(text: Self.text(seq: seq, head: head), with: key)
        try FileIO.writeAtomically(Self.path(besideLedger: ledgerPath), Array(note.utf8))
    }

    /// The note on disk when the site key (`verifier`) signed it; nil when there is none, or
    /// it is anything else (a note nobody could sign without the key says nothing).
    static func read(besideLedger ledgerPath: String, verifier: VerifierKey?) -> CheckpointOwed? {
        let path = self.path(besideLedger: ledgerPath)
        guard let verifier, FileIO.isRegularFile(path), let bytes = try? FileIO.read(path),
              let text = try? SignedNote.open(bytes, verifier: verifier)
        else { return nil }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count == 3, lines[0] == "recon checkpoint owed", lines[2].isEmpty else { return nil }
        let parts = lines[1].split(separator: " ")
        guard parts.count == 2, let seq = Int(parts[0]), seq > 0 else { return nil }
        return CheckpointOwed(seq: seq, head: String(parts[1]))
    }

    /// Removes the note (its checkpoint is written, or its append never landed).
    static func remove(besideLedger ledgerPath: String) throws {
        let path = self.path(besideLedger: ledgerPath)
        guard FileStatus.of(path) != nil else { return }
        FileIO.remove(path)
        try FileIO.syncDirectory(FileIO.parent(of: path))
    }
}
