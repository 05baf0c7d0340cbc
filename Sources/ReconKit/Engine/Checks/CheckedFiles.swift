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

    /// Whether `relative` is one of the checkpoints looked at.
    func isCheckpoint(_ relative: String) -> Bool { files.prefix(checkpoints).contains { $0.relative == relative } }

    /// `checked`: each document and archived drop the checks found as its entry records (its
    /// file, stamp and SHA-256); `archives`: the archived drops with their SHA-256, those the
    /// replay read and hashed among them.
    init(site: Site, checkpoints seqs: [Int], checked: [(relative: String, stamp: FileStamp, sha256: String)],
         archives: [(relative: String, sha256: String)]) {
        for seq in seqs {
            let relative = Checkpointer.relativePath(seq: seq)
            // A checkpoint's bytes are its own record: hashed as they are now, a few hundred bytes.
            guard let stamp = FileStamp.of(site.path(relative)), let sha = try? FileStamp.hashing(site.path(relative)).sha256 else { continue }
            files.append(Checked(relative: relative, stamp: stamp, sha256: sha))
        }
        checkpoints = files.count
        files += checked.map { Checked(relative: $0.relative, stamp: $0.stamp, sha256: $0.sha256) }
        let stamped = Set(checked.map(\.relative))
        for (relative, sha) in archives where !stamped.contains(relative) {
            if let stamp = FileStamp.of(site.path(relative)) { files.append(Checked(relative: relative, stamp: stamp, sha256: sha)) }
        }
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
        guard n > 0 else { return nil }
        let runs = min(n, 64)
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
        return changed.firstIndex(of: true).map { (files[$0].relative, FileStatus.of(site.path(files[$0].relative)) == nil) }
    }
}
