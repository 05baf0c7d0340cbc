import Dispatch

/// An archived drop checked against its SHA-256 on the second core, read a window at a
/// time: a command that reads the drop's vouched cache needs the verdict, not the bytes.
final class ArchivedDropCheck: @unchecked Sendable {
    private let done = DispatchGroup()
    private var result: Result<Void, Error> = .success(())

    init(_ sha: String, seq: Int, site: Site) {
        DispatchQueue.global().async(group: done) {
            self.result = Result { try LedgerReplay.checkArchivedHash(sha, seq: seq, site: site) }
        }
    }

    /// Returns once the drop is checked; throws the damage found.
    func check() throws {
        done.wait()
        try result.get()
    }
}
