/// Checkpoints that should be on disk and are not (SPEC §6: one after every close, rerun,
/// credit and operator change).
///
/// A command killed after its append and before its checkpoint leaves its last entry the
/// ledger's last, without one — the next writer signs it before it appends anything. Any
/// other entry without one is not a crash: two or more of them, or one a later command's
/// entries follow, mean the checkpoints were deleted, and a writer that signed now would
/// sign over whatever the ledger was rewritten to. `recon verify` reports it and writers
/// refuse (exit 4).
public enum CheckpointGaps {
    /// The first entry that ends a checkpointed command after the newest checkpoint, unless
    /// it is the only one and the ledger's last entry (a crash the next writer repairs).
    public static func firstUncovered(_ entries: [LedgerEntry], newestCheckpoint: Int) -> LedgerEntry? {
        let uncovered = entries.dropFirst(max(0, newestCheckpoint)).filter(endsACheckpointedCommand)
        guard let first = uncovered.first else { return nil }
        return uncovered.count > 1 || first.seq != entries.last?.seq ? first : nil
    }

    /// Both checks a writer makes before it writes, as `recon verify` makes them: no checkpoint
    /// missing behind the newest one (`onDisk`, their seqs), none missing after it.
    public static func damage(in entries: [LedgerEntry], onDisk: [Int]) -> LedgerDamage? {
        if let gap = firstUncovered(entries, newestCheckpoint: onDisk.last ?? 0) { return damage(gap, in: entries) }
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
        guard let kind = e.eventKind, kind.isCheckpointed else { return false }
        return kind != .creditNoteIssued || e.body["request"] != nil
    }

    /// A checkpoint deleted behind a later one, in words that say what to do.
    public static func deleted(_ e: LedgerEntry) -> LedgerDamage {
        LedgerDamage(seq: e.seq, "checkpoint \(e.seq).txt, written after this \(e.kind), is missing while later checkpoints are "
            + "there: it was deleted — restore it (an auditor keeps copies); a checkpoint, once written, is never removed")
    }

    /// The problem, in words that say what to do.
    public static func damage(_ e: LedgerEntry, in entries: [LedgerEntry]) -> LedgerDamage {
        let later = entries.dropFirst(e.seq).filter(endsACheckpointedCommand).isEmpty
        if later, let next = entries.dropFirst(e.seq).first {
            return LedgerDamage(seq: e.seq, "\(e.kind) has no checkpoint, and seq \(next.seq) was appended after it by a later "
                + "command, which would have signed it: the checkpoint was deleted — restore \(e.seq).txt (an auditor keeps "
                + "copies) before anything is signed over this ledger")
        }
        return LedgerDamage(seq: e.seq, "\(e.kind) has no checkpoint after it, nor do the commands after it: checkpoints were deleted — "
            + "restore them (an auditor keeps the latest) before anything is signed over this ledger")
    }
}
