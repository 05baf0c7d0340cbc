/// The checkpoint files of a site's `Ledger/checkpoints/` folder, listed and trusted the one
/// way every reader of them does: the site's writers (``Checkpointer``), the operator roster's
/// earlier-form entries and the ledger prefix a reading takes (``LedgerFile``).
enum CheckpointFiles {
    /// Sequence numbers of the checkpoints in `folder`, ascending: files named exactly `SEQ.txt`.
    /// Another name (`017.txt`, a copy) is no checkpoint recon wrote, and read as none: taken
    /// for 17 it was reported as a missing `17.txt`, naming a file that is there.
    static func seqs(in folder: String) -> [Int] {
        FileIO.list(folder).compactMap { name -> Int? in
            guard name.hasSuffix(".txt"), let seq = Int(name.dropLast(4)), name == "\(seq).txt", seq > 0 else { return nil }
            return seq
        }.sorted()
    }

    /// The other `.txt` files in `folder` (`0600.txt`, `663 (1).txt`, `notes.txt`): no checkpoint
    /// recon wrote, but an auditor's verifier checks every note there, so each must be a valid
    /// one (a copy of a checkpoint is) or it is named.
    static func otherNotes(in folder: String) -> [String] {
        let canonical = Set(seqs(in: folder).map { "\($0).txt" })
        return FileIO.list(folder).filter { $0.hasSuffix(".txt") && !canonical.contains($0) }.sorted()
    }

    /// The entry count of the newest checkpoint in `folder` that `verifier` signed over
    /// `entries` (that count, and the hash of the entry at it); 0 when there is none.
    /// `origin`, when given, must be the note's first line (the site's name); `followingLinks`
    /// false reads no checkpoint through a symbolic link.
    static func newestVerified(in folder: String, entries: [LedgerEntry], verifier: VerifierKey, origin: String? = nil,
                               followingLinks: Bool = true) -> Int {
        for seq in seqs(in: folder).reversed() where seq <= entries.count {
            guard let bytes = try? FileIO.read(folder + "/\(seq).txt", followingLinks: followingLinks),
                  let text = try? SignedNote.open(bytes, verifier: verifier), let note = try? SignedNote.parseCheckpoint(text)
            else { continue }
            if note.count == seq && note.headHex == entries[seq - 1].hash && (origin == nil || note.origin == origin) { return seq }
        }
        return 0
    }
}
