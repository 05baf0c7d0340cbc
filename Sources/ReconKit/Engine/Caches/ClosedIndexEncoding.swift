import Dispatch
import Foundation

/// A closing period's report index (``ClosedPeriodIndex``), encoded into a temporary file on
/// the second core while the period's documents are written. The entry that settles the period
/// records its table's SHA-256; the file is put in place only after that entry is in.
final class ClosedIndexEncoding: @unchecked Sendable {
    private let path: String
    private let temporary: String
    private let done = DispatchGroup()
    private var sha: String?
    private var written = false
    private let lock = NSLock()
    private var stopped = false
    private var isStopped: Bool {
        lock.lock()
        defer { lock.unlock() }
        return stopped
    }

    /// `parallel`: the encoding's long passes on both cores. The close writes its documents
    /// meanwhile, and up to a couple of million reports the encoding on one core finishes before
    /// they do; past that it would be what the close waits for (measured at 4M: 4.7–5.1 s on one
    /// core, 4.0–4.7 s on two), so the close asks for both cores then.
    init(period: Period, state: SiteState, site: Site, parallel: Bool = false) {
        let all = state.reports, positions = state.periodReports[period] ?? [], excluded = state.excludedReports(in: period)
        path = site.path(ClosedPeriodIndex.relativePath(period))
        temporary = FileIO.temporaryName(for: path)
        // A rerun's period has an index already: it goes first, so a crash between the entry
        // and the rename leaves the index missing (rebuilt by the next command), never stale.
        FileIO.remove(path)
        DispatchQueue.global().async(group: done) { [self] in
            Stages.time("report-index") {
                try? FileIO.makeDirectory(FileIO.parent(of: path))
                if let sha = try? ClosedPeriodIndex.write(period: period, all: all, positions: positions, excluded: excluded,
                                                          parallel: parallel, to: temporary, stop: { self.isStopped }),
                   (try? FileIO.syncFile(temporary)) != nil {
                    self.sha = sha
                    written = true
                } else if isStopped {
                    FileIO.remove(temporary)
                } else {
                    // No room for the file: the entry still records the index, which the next command rebuilds.
                    FileIO.remove(temporary)
                    sha = try? ClosedPeriodIndex.compare(period: period, all: all, positions: positions, excluded: excluded,
                                                         parallel: parallel, withFile: nil).sha256
                }
            }
        }
    }

    /// The index table's SHA-256, once encoded.
    func sha256() -> String? {
        done.wait()
        return sha
    }

    /// Puts the file in place: the entry vouching for it is in the ledger (a failure leaves it missing: it is rebuilt).
    func commit() {
        done.wait()
        if written, (try? FileIO.renameQuietly(temporary, to: path)) == nil { FileIO.remove(temporary) }
        written = false
    }

    /// Removes the temporary file: the period was not settled (a refused close stops the encoding early).
    func discard() {
        lock.lock()
        stopped = true  // no effect once the encoding has finished
        lock.unlock()
        done.wait()
        if written { FileIO.remove(temporary) }
        written = false
    }
}
