import Crypto
import Dispatch

/// The files the writer checks found as the ledger records them (checkpoints, issued documents,
/// archived drops), each with its stamp then (``FileStamp``: the status-change time no one can
/// set back) and the SHA-256 its bytes must have. The checks run when a command opens; a command
/// that signs a checkpoint looks at them all again just before its append, and every append at
/// the checkpoints: a checkpoint, archive or invoice changed in between had the close sign a new
/// checkpoint over a site both verifiers then refused, exit 0. A file whose stamp alone moved (a
/// `cp -al` snapshot, an old snapshot removed, `chmod`, `touch`) is hashed again: the bytes decide.
struct CheckedFiles {
    private struct Checked {
        let relative: String
        let stamp: FileStamp
        let sha256: String
    }

    /// Checkpoints first: every append looks at them.
    private var files: [Checked] = []
    private var checkpoints = 0
    /// The checkpoints' paths: one more in their folder is no checkpoint the checks verified.
    private var checkpointNames: Set<String> = []
    /// The closed-period indexes the checks found as vouched, by path.
    private var indexes: [(relative: String, found: ClosedPeriodIndex.Found)] = []

    /// The closed-period indexes the checks found as the ledger vouches for them: looked at again
    /// with the other files (``firstChanged(in:all:)``).
    mutating func add(indexes found: [String: ClosedPeriodIndex.Found]) {
        indexes += found.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    /// An index this command wrote since: what its entry vouches for now, not what was found.
    mutating func forget(_ relative: String) { indexes.removeAll { $0.relative == relative } }

    /// A checkpoint file in `Ledger/checkpoints/` the checks did not find (a forged `999.txt`
    /// put there meanwhile): the append would sign over what `recon verify` refuses.
    func newCheckpoint(in site: Site) -> String? {
        FileIO.list(site.checkpoints).filter { $0.hasSuffix(".txt") && !$0.hasPrefix(".") }.map { "Ledger/checkpoints/" + $0 }
            .sorted().first { !checkpointNames.contains($0) }
    }

    /// Whether `relative` is one of the checkpoints looked at.
    func isCheckpoint(_ relative: String) -> Bool { checkpointNames.contains(relative) }

    /// `checked`: each document and archived drop the checks found as its entry records (its
    /// file, stamp and SHA-256); `archives`: the archived drops with their SHA-256, and
    /// `archiveStamps` the stamps of those the replay hashed, taken before it read them;
    /// `cacheStamps`: the vouched cache files it read, so stamped, with their SHA-256. And the
    /// public key an auditor pins, stamped before the session checks it against `site.init`.
    ///
    /// Every stamp is of the bytes a check saw: one taken now, after a checkpoint or archive
    /// changed since its check, had the last look compare with the changed file, and a close
    /// signed over it. A file stamped now is trusted only when its status last changed before
    /// this command opened (`openedAt`, less the seconds a file system's time may lag, as the
    /// document seal has it); one changed since is checked again here: a checkpoint against the
    /// ledger, an archive against its SHA-256.
    init(site: Site, ledger: LedgerFile, openedAt: FileStamp.Instant, checkpoints seqs: [Int],
         checked: [(relative: String, stamp: FileStamp, sha256: String)], archives: [(relative: String, sha256: String)],
         archiveStamps: [String: FileStamp], cacheStamps: [String: (stamp: FileStamp, sha256: String)]) throws {
        let settled = openedAt.minus(seconds: DocumentSeal.settleSeconds)
        let first = ledger.entries.first
        let key = first?.string("public_key").flatMap { try? VerifierKey(text: $0) }
        for seq in seqs {
            let relative = Checkpointer.relativePath(seq: seq), path = site.path(relative)
            guard let stamp = FileStamp.of(path) else { throw Self.failure(relative, gone: true) }
            do {
                if stamp.changed >= settled, let key {
                    try Verifier(site: site).checkCheckpoint(seq, ledger: ledger, verifier: key, siteName: first?.string("site") ?? "")
                }
            } catch is LedgerDamage {
                throw Self.failure(relative, gone: false)
            }
            // A checkpoint's bytes are its own record: hashed (a few hundred bytes), the same file throughout.
            guard let sha = Self.sha256(path, stampedAs: stamp) else { throw Self.failure(relative, gone: false) }
            files.append(Checked(relative: relative, stamp: stamp, sha256: sha))
        }
        checkpointNames = Set(seqs.map { Checkpointer.relativePath(seq: $0) })
        // The notes an auditor's verifier reads as checkpoints under another name (`014.txt`, a
        // copy of `14.txt`): the writer checks verified them, so they are no checkpoint that
        // appeared while this command ran (every writer refused the copy so), and the last look
        // holds them to the bytes verified. One changed since this command opened is verified again.
        let others = CheckpointFiles.otherNotes(in: site.checkpoints).map { "Ledger/checkpoints/" + $0 }
        if let key, others.contains(where: { FileStamp.of(site.path($0)).map { $0.changed >= settled } ?? true }) {
            do {
                try Verifier(site: site).checkOtherNotes(ledger: ledger, verifier: key, siteName: first?.string("site") ?? "")
            } catch is LedgerDamage {
                throw Self.failure(others[0], gone: false)
            }
        }
        for relative in others {
            let path = site.path(relative)
            guard let stamp = FileStamp.of(path), let sha = Self.sha256(path, stampedAs: stamp) else { throw Self.failure(relative, gone: false) }
            files.append(Checked(relative: relative, stamp: stamp, sha256: sha))
            checkpointNames.insert(relative)
        }
        checkpoints = files.count
        let pub = Site.publicKeyRelativePath
        if let stamp = FileStamp.of(site.path(pub)), let sha = Self.sha256(site.path(pub), stampedAs: stamp) {
            files.append(Checked(relative: pub, stamp: stamp, sha256: sha))
        }
        for (relative, read) in cacheStamps.sorted(by: { $0.key < $1.key }) {
            files.append(Checked(relative: relative, stamp: read.stamp, sha256: read.sha256))
        }
        files += checked.map { Checked(relative: $0.relative, stamp: $0.stamp, sha256: $0.sha256) }
        let stamped = Set(checked.map(\.relative))
        for (relative, sha) in archives where !stamped.contains(relative) {
            if let stamp = archiveStamps[relative] {
                files.append(Checked(relative: relative, stamp: stamp, sha256: sha))
                continue
            }
            let path = site.path(relative)
            guard let stamp = FileStamp.of(path) else { continue }  // an archive no check read: `recon verify` names it
            if stamp.changed < settled {
                files.append(Checked(relative: relative, stamp: stamp, sha256: sha))
                continue
            }
            guard Self.sha256(path, stampedAs: stamp) == sha else { throw Self.failure(relative, gone: false) }
            files.append(Checked(relative: relative, stamp: stamp, sha256: sha))
        }
    }

    /// The SHA-256 of the file at `path`, when it had `stamp` before it was hashed and after:
    /// the bytes hashed are the file so stamped. Nil when it changed meanwhile, or cannot be read.
    private static func sha256(_ path: String, stampedAs stamp: FileStamp) -> String? {
        guard let hashed = try? FileStamp.hashing(path), hashed.before == stamp, hashed.after == stamp else { return nil }
        return hashed.sha256
    }

    /// The refusal for a vouched file found changed, or a checkpoint found `gone`, since the
    /// writer checks read it: nothing is appended then.
    /// `leaving`: what the command leaves undone.
    static func failure(_ relative: String, gone: Bool, leaving: String = "nothing was appended") -> ReconFailure {
        gone ? ReconFailure.verification("the ledger does not verify: \(relative) was removed while this command ran (the writer "
                + "checks found it); \(leaving) — put it back from a backup, or ask an auditor")
            : ReconFailure.verification("the ledger does not verify: \(relative) changed while this command ran (the writer checks "
                + "had found it as the ledger records it); \(leaving) — `recon verify` names what is wrong, then restore "
                + "it from a backup or ask an auditor")
    }

    /// A checkpoint this command wrote since (the one an interrupted command owed, signed before
    /// its own work): one of the checkpoints from now on, not one that appeared.
    mutating func addCheckpoint(_ relative: String, in site: Site) {
        checkpointNames.insert(relative)
        guard let stamp = FileStamp.of(site.path(relative)), let hashed = try? FileStamp.hashing(site.path(relative)),
              hashed.before == stamp else { return }
        files.insert(Checked(relative: relative, stamp: stamp, sha256: hashed.sha256), at: checkpoints)
        checkpoints += 1
    }

    /// A file written by this command since (a missing document put back from its entry): looked
    /// at again as the others are.
    mutating func add(_ relative: String, sha256: String, in site: Site) {
        guard let stamp = FileStamp.of(site.path(relative)) else { return }
        files.append(Checked(relative: relative, stamp: stamp, sha256: sha256))
    }

    /// The first file, in the order above, that does not hold the bytes it was found with
    /// (changed, replaced, or `gone`: nothing at its name): the checkpoints only, unless `all`. A
    /// year's thousands of documents are looked at on every core; only one whose stamp moved is read.
    func firstChanged(in site: Site, all: Bool) -> (relative: String, gone: Bool)? {
        let n = all ? files.count : checkpoints
        let runs = max(1, min(n, 64))
        var changed = [Bool](repeating: false, count: n)
        let files = files
        changed.withUnsafeMutableBufferPointer { changed in
            DispatchQueue.concurrentPerform(iterations: runs) { k in
                for i in (n * k / runs)..<(n * (k + 1) / runs) {
                    let path = site.path(files[i].relative)
                    // Gone, or no regular file (a link, read through, would be hashed as its target).
                    guard let now = FileStamp.of(path) else { changed[i] = true; continue }
                    guard now != files[i].stamp else { continue }
                    changed[i] = (try? FileStamp.hashing(path).sha256) != files[i].sha256
                }
            }
        }
        if let first = changed.firstIndex(of: true) { return (files[first].relative, FileStatus.of(site.path(files[first].relative)) == nil) }
        guard all else { return nil }
        return indexes.first { !$0.found.stillHeld(at: site.path($0.relative)) }.map { ($0.relative, false) }
    }
}
