import Dispatch

/// The files the writer checks found as the ledger records them (checkpoints, issued documents,
/// archived drops), each with its stamp then (``FileStamp``: the status-change time no one can
/// set back). The checks run when a command opens; a command that signs a checkpoint looks at
/// them all again just before its append, and every append at the checkpoints: a checkpoint,
/// archive or invoice changed in between had the close sign a new checkpoint over a site both
/// verifiers then refused, exit 0.
struct CheckedFiles {
    /// Checkpoints first: every append looks at them.
    private var files: [(relative: String, stamp: FileStamp)] = []
    private var checkpoints = 0

    init(site: Site, checkpoints seqs: [Int], checked: [(relative: String, stamp: FileStamp)], archives: [String]) {
        for seq in seqs {
            let relative = Checkpointer.relativePath(seq: seq)
            if let stamp = FileStamp.of(site.path(relative)) { files.append((relative, stamp)) }
        }
        checkpoints = files.count
        files += checked
        // The archived drops the replay read and hashed (the checks' own are among `checked`).
        let stamped = Set(checked.map(\.relative))
        for relative in archives where !stamped.contains(relative) {
            if let stamp = FileStamp.of(site.path(relative)) { files.append((relative, stamp)) }
        }
    }

    /// The first file, in the order above, that is not as it was found (changed, replaced or
    /// gone): the checkpoints only, unless `all`. A year's thousands of documents are looked at
    /// on every core.
    func firstChanged(in site: Site, all: Bool) -> String? {
        let n = all ? files.count : checkpoints
        guard n > 0 else { return nil }
        let runs = min(n, 64)
        var changed = [Bool](repeating: false, count: n)
        let files = files
        changed.withUnsafeMutableBufferPointer { changed in
            DispatchQueue.concurrentPerform(iterations: runs) { k in
                for i in (n * k / runs)..<(n * (k + 1) / runs) {
                    changed[i] = FileStamp.of(site.path(files[i].relative)) != files[i].stamp
                }
            }
        }
        return changed.firstIndex(of: true).map { files[$0].relative }
    }
}
