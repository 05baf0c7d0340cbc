/// Checkpoints that should be on disk and are not (SPEC §6: one after every close, rerun,
/// credit and operator change).
///
/// A command killed after its append and before its checkpoint leaves its last entry the
/// ledger's last, without one, and the note it signed first (``CheckpointOwed``) naming that
/// entry — the next writer signs it before it appends anything. Any
/// other entry without one is not a crash: two or more of them, or one a later command's
/// entries follow, mean the checkpoints were deleted, and a writer that signed now would
/// sign over whatever the ledger was rewritten to. `recon verify` reports it and writers
/// refuse (exit 4).
public enum CheckpointGaps {
    /// The first entry that ends a checkpointed command after the newest checkpoint, unless
    /// it is the only one and the ledger's last entry, and `owed` (the note the command signed
    /// before its append) names it and its hash: a crash the next writer repairs.
    public static func firstUncovered(_ entries: [LedgerEntry], newestCheckpoint: Int, owed: CheckpointOwed?) -> LedgerEntry? {
        let uncovered = entries.dropFirst(max(0, newestCheckpoint)).filter(endsACheckpointedCommand)
        guard let first = uncovered.first else { return nil }
        let interrupted = uncovered.count == 1 && first.seq == entries.last?.seq && owed?.names(first) == true
        return interrupted ? nil : first
    }

    /// Both checks a writer makes before it writes, as `recon verify` makes them: no checkpoint
    /// missing behind the newest one (`onDisk`, their seqs), none missing after it but the one
    /// an interrupted command noted it owes (`owed`).
    public static func damage(in entries: [LedgerEntry], onDisk: [Int], owed: CheckpointOwed?) -> LedgerDamage? {
        if let gap = firstUncovered(entries, newestCheckpoint: onDisk.last ?? 0, owed: owed) { return damage(gap, in: entries, owed: owed) }
        if let gap = firstDeleted(entries, onDisk: onDisk) { return deleted(gap) }
        return nil
    }

    /// The first command a later checkpoint follows whose own checkpoint is not on disk
    /// (`onDisk`, their seqs): each command's checkpoint is named by its last entry's seq,
    /// also one a later writer signed for a command a crash interrupted, so a gap before the
    /// newest checkpoint was deleted (`recon verify` reports it).
    public static func firstDeleted(_ entries: [LedgerEntry], onDisk: [Int]) -> LedgerEntry? {
        guard let newest = onDisk.last else { return nil }
        let present = Set(onDisk)
        return entries.prefix(max(0, newest - 1)).first { endsACheckpointedCommand($0) && !present.contains($0.seq) }
    }

    /// An entry of a kind a checkpoint follows (``LedgerEvent/Kind/isCheckpointed``), but a
    /// credit note only from `recon credit`: a rerun's credit notes are followed by its
    /// `rerun` entry in the same append.
    static func endsACheckpointedCommand(_ e: LedgerEntry) -> Bool {
        endsACheckpointedCommand(kind: e.kind, body: e.body)
    }

    /// The same for an entry about to be appended.
    static func endsACheckpointedCommand(kind name: String, body: [String: JSONValue]) -> Bool {
        guard let kind = LedgerEvent.Kind(rawValue: name), kind.isCheckpointed else { return false }
        return kind != .creditNoteIssued || body["request"] != nil
    }

    /// A checkpoint deleted behind a later one, in words that say what to do.
    public static func deleted(_ e: LedgerEntry) -> LedgerDamage {
        LedgerDamage(seq: e.seq, "checkpoint \(e.seq).txt, written after this \(e.kind), is missing while later checkpoints are "
            + "there: it was deleted — restore it (an auditor keeps copies); a checkpoint, once written, is never removed")
    }

    /// The problem, in words that say what to do.
    public static func damage(_ e: LedgerEntry, in entries: [LedgerEntry], owed: CheckpointOwed?) -> LedgerDamage {
        let later = entries.dropFirst(e.seq).filter(endsACheckpointedCommand).isEmpty
        if e.seq == entries.last?.seq {
            // What a crash between append and checkpoint leaves, but for the note the command signs first.
            let note = owed.map { "Ledger/checkpoint.owed names seq \($0.seq) with another hash" }
                ?? "no note signed by the site key says the command that appended it was interrupted before writing one (Ledger/checkpoint.owed)"
            return LedgerDamage(seq: e.seq, "\(e.kind) has no checkpoint after it, and \(note): the checkpoint was deleted, "
                + "and the entries it signed may have been rewritten — restore Ledger/checkpoints/\(e.seq).txt (an auditor keeps "
                + "copies) before anything is signed over this ledger")
        }
        if later, let next = entries.dropFirst(e.seq).first {
            return LedgerDamage(seq: e.seq, "\(e.kind) has no checkpoint, and seq \(next.seq) was appended after it by a later "
                + "command, which would have signed it: the checkpoint was deleted — restore \(e.seq).txt (an auditor keeps "
                + "copies) before anything is signed over this ledger")
        }
        return LedgerDamage(seq: e.seq, "\(e.kind) has no checkpoint after it, nor do the commands after it: checkpoints were deleted — "
            + "restore them (an auditor keeps the latest) before anything is signed over this ledger")
    }
}
