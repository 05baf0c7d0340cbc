/// Checkpoints that should be on disk and are not (SPEC §6: one after every close, rerun,
/// credit and operator change).
///
/// A command killed after its append and before its checkpoint leaves the last such entry
/// without one — the next writer signs it. Two or more without one is not a crash: the
/// checkpoints were deleted, and a writer that signed now would sign over whatever the
/// ledger was rewritten to. `recon verify` reports it and writers refuse (exit 4).
public enum CheckpointGaps {
    /// The first entry that ends a checkpointed command after the newest checkpoint, when
    /// more than one such entry lacks one.
    public static func firstUncovered(_ entries: [LedgerEntry], newestCheckpoint: Int) -> LedgerEntry? {
        let uncovered = entries.dropFirst(max(0, newestCheckpoint)).filter(endsACheckpointedCommand)
        return uncovered.count > 1 ? uncovered.first : nil
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
    public static func damage(_ e: LedgerEntry) -> LedgerDamage {
        LedgerDamage(seq: e.seq, "\(e.kind) has no checkpoint after it, nor do the commands after it: checkpoints were deleted — "
            + "restore them (an auditor keeps the latest) before anything is signed over this ledger")
    }
}
