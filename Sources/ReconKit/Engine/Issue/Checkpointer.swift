import Foundation

/// Signed checkpoints (SPEC §6): `Ledger/checkpoints/SEQ.txt`, a Go `sumdb/note` signed by
/// the site key over the site name, the entry count and the head hash (base64 of 32 bytes).
public struct Checkpointer {
    let site: Site
    /// What stands of the command whose checkpoint this is, said when the checkpoint cannot follow it.
    var recorded = "entries are recorded and its documents issued — do not issue them again"

    public init(site: Site) { self.site = site }

    /// For a command that issues no document (an operator change): said as such.
    public init(site: Site, recorded: String) {
        self.site = site
        self.recorded = recorded
    }

    /// `Ledger/checkpoints/SEQ.txt`, the checkpoint signing the first `seq` entries.
    public static func relativePath(seq: Int) -> String { "Ledger/checkpoints/\(seq).txt" }

    /// Writes the checkpoint of the ledger as it stands; returns its relative path.
    @discardableResult
    public func write(ledger: LedgerFile, siteName: String, key given: SigningKey? = nil) throws -> String {
        let key = try given ?? loadSiteKey()
        // The head signed is the file's at the ledger's name: one renamed over it since this
        // process read or appended to it (a copy without the entries just appended) would stand
        // under a checkpoint it does not extend, the command saying it had signed one.
        guard ledger.isStillTheFileSeen else {
            throw ReconFailure.verification("\(ledger.path) was replaced by another file, or written by something else, since this "
                + "command's entries were appended; no checkpoint is signed over it — `recon verify` names what stands there "
                + "(restore the ledger from a backup, or ask an auditor)")
        }
        let text = try SignedNote.checkpointText(origin: siteName, count: ledger.entries.count, headHex: ledger.headHash)
        let note = try SignedNote.sign(text: text, with: key)
        try FileIO.makeDirectory(site.checkpoints)
        let relative = Self.relativePath(seq: ledger.entries.count)
        try writeOnce(site.path(relative), Array(note.utf8), name: relative)
        // It signs the head now: a checkpoint noted as owed is written.
        if ledger.owedCheckpoint != nil { try ledger.checkpointNoLongerOwed() }
        return relative
    }

    /// The checkpoint after a command's append. The entries are recorded and its documents
    /// issued whatever happens here: a disk that fails the checkpoint's write is said as a
    /// warning naming that, and the checkpoint is owed (the next writer signs it). As an error
    /// (exit 1, "ok": false) a credit read as failed was issued again by the script's retry.
    /// A file put at its name by someone else still refuses (exit 4), saying the same.
    /// Returns the checkpoint's relative path, nil when it is owed.
    public func writeAfterAppend(_ session: SiteSession, siteName: String) throws -> String? {
        // What the checks vouched for, looked at once more before it is signed: damage put there
        // after the append (a forged checkpoint, an archive edited, a stray invoice) was signed
        // over, exit 0, while both verifiers refused the site. The entries stand, the checkpoint
        // stays owed, and the next writer refuses until the damage is mended.
        try session.lookAgain(signing: true, leaving: "this command's \(recorded), and the checkpoint over them is not signed "
            + "(the next writing command signs it once the site verifies)")
        // The key was checked before the append (``requireCanWrite()``): one gone or changed since
        // (`site_key` edited, the file replaced) signs nothing, and the command's entries stand —
        // it said "nothing is signed or written" (exit 4) of a close whose documents were issued.
        let key: SigningKey
        do {
            key = try SiteKeyFile.load(site, consequence: "the checkpoint after this command's entries is not signed")
        } catch {
            let why = (error as? ReconFailure)?.message ?? "\(error)"
            let said = "\(Self.relativePath(seq: session.ledger.entries.count)) was not written: \(why). This command's "
                + "\(recorded); the next writing command signs the checkpoint it owes once the site key is back"
            session.log.warning("\(said)")
            return nil
        }
        do {
            return try write(ledger: session.ledger, siteName: siteName, key: key)
        } catch let failure as ReconFailure {
            throw failure
        } catch {
            let said = "\(Self.relativePath(seq: session.ledger.entries.count)) could not be written (\(error)): this command's "
                + "\(recorded); the next writing command signs the "
                + "checkpoint it owes (`recon watch --once`) once the disk is mended"
            session.log.warning("\(said)")
            return nil
        }
    }

    /// A checkpoint file, once written, is never replaced (SPEC §6): the note is written
    /// durably under a temporary name and hard-linked to its own, which fails when the name
    /// is taken. The same note again (an interrupted command's retry) is no change.
    private func writeOnce(_ path: String, _ bytes: [UInt8], name: String) throws {
        let temp = FileIO.temporaryName(for: path)
        try FileIO.writeAtomically(temp, bytes)
        defer { FileIO.remove(temp) }
        // `link(2)` itself: Foundation's `linkItem` cut its paths at 1,024 bytes, and a site at a
        // longer path never got a checkpoint ("Input/output error"), while a link at the cut path
        // put the note outside the site. A file system without hard links (exFAT, many SMB and
        // cloud mounts) gets the note renamed into place while its name is free: one writer at a
        // time holds the site.
        var placed = link(temp, path) == 0
        var failed = placed ? 0 : errno
        if !placed, [EPERM, EOPNOTSUPP, ENOSYS].contains(failed), FileStatus.of(path) == nil {
            placed = rename(temp, path) == 0
            failed = placed ? 0 : errno
        }
        if !placed {
            guard FileIO.exists(path) else { throw FileIO.Failure(path: path, action: "link \(temp) to", code: failed) }
            guard (try? FileIO.read(path)) == bytes else {
                // Checked absent before this command appended: a file put there since (by someone
                // else) is no cut ledger, and this command's entries stand — said so, or a close
                // refused here read as failed, and would be run again.
                guard !LedgerFile.appendedByThisProcess else {
                    throw ReconFailure.verification("\(name) appeared while this command ran, signing another ledger head (a file "
                        + "put there by something else): this command's \(recorded); move that file aside once you know where it "
                        + "came from, and the next command signs "
                        + "the checkpoint this one owes (`recon watch --once`)")
                }
                throw ReconFailure.verification("\(name) already exists and signs another ledger head; a checkpoint is never "
                    + "replaced — the ledger was cut and rewritten behind it")
            }
        }
        // What was linked into place is the note signed here, not a file swapped in for the
        // temporary one (the close said it wrote a checkpoint it never wrote, and with no note of
        // one owed the site could not be written again). Otherwise it goes, and stays owed.
        // Through `Ledger/checkpoints` replaced by a link meanwhile the note went outside the site
        // (said written, the owed note removed, and every writer then refused the site): taken
        // back, and owed.
        if FileStatus.of(site.checkpoints)?.kind != .folder {
            unlink(path)
            throw FileIO.Failure(path: path, action: "write (Ledger/checkpoints was replaced by a link or another file while this command ran)",
                                 code: EIO)
        }
        // (One the disk will not give back is said as that: not as a file swapped in.)
        var readBack: [UInt8]?
        do { readBack = try FileIO.read(path, followingLinks: false) } catch let failure as FileIO.Failure where !failure.isNotARegularFile {
            unlink(path)
            throw FileIO.Failure(path: path, action: "read back", code: failure.code)
        } catch {}
        guard readBack == bytes else {
            unlink(path)
            throw FileIO.Failure(path: path, action: "write (a file was swapped in for its temporary file while this command ran)",
                                 code: EIO)
        }
        try FileIO.syncDirectory(FileIO.parent(of: path))
    }

    /// Entry kinds that are followed by a checkpoint (SPEC §6: after each close, rerun and credit).
    public static let checkpointedKinds = Set(LedgerEvent.Kind.allCases.filter(\.isCheckpointed).map(\.rawValue))

    /// Writes the checkpoint a command was killed before writing: when an entry that must be
    /// followed by one (a close, a rerun, a credit) is newer than the newest checkpoint, the
    /// ledger as it stands is signed now — only when it is the head that command noted, signed
    /// by the site key, before its append (``CheckpointOwed``). Returns the checkpoint written, if any.
    @discardableResult
    public func writeMissing(ledger: LedgerFile, siteName: String) throws -> String? {
        guard let last = ledger.entries.last(where: { Checkpointer.checkpointedKinds.contains($0.kind) }),
            last.seq > (all().last ?? 0)
        else { return nil }
        // The opening checks refuse any other case first (``CheckpointGaps``); this is the last word.
        guard let head = ledger.head, ledger.owedCheckpoint?.names(head) == true else {
            throw ReconFailure.verification("the ledger does not verify: \(CheckpointGaps.damage(last, in: ledger.entries, owed: ledger.owedCheckpoint)); "
                + "nothing is written")
        }
        return try write(ledger: ledger, siteName: siteName)
    }

    /// Checks, before a command appends what a checkpoint must follow, that the checkpoint can
    /// be signed and written: the site key reads and the folder takes a file. Refuses (exit 3)
    /// otherwise, so the command never commits and then fails on its checkpoint.
    public func requireCanWrite() throws {
        _ = try loadSiteKey()
        try OutboxCheck(site: site).requireWritable("Ledger/checkpoints")
    }

    /// The site key, wherever `recon.toml` keeps it; refused when others can read it.
    public func loadSiteKey() throws -> SigningKey { try SiteKeyFile.load(site) }

    /// Sequence numbers of the checkpoints on disk, ascending (``CheckpointFiles/seqs(in:)``).
    public func all() -> [Int] { CheckpointFiles.seqs(in: site.checkpoints) }

    /// The entry count the newest checkpoint on disk signs (0 when there is none): the entries
    /// up to it are vouched for by the site key, once the writer checks have verified it.
    public var newestCount: Int { all().last ?? 0 }

    /// The newest checkpoint, as `Ledger/checkpoints/SEQ.txt`.
    public func latest() -> String? { all().last.map(Self.relativePath(seq:)) }
}
