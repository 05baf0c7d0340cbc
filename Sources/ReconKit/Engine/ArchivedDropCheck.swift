import Dispatch

/// An archived drop read and checked against its SHA-256 on the second core.
final class ArchivedDropCheck: @unchecked Sendable {
    private let done = DispatchGroup()
    private var result: Result<[UInt8], Error> = .success([])

    init(_ sha: String, seq: Int, site: Site) {
        DispatchQueue.global().async(group: done) {
            self.result = Result { try LedgerReplay.checkArchived(sha, seq: seq, site: site) }
        }
    }

    /// The checked bytes, or the damage found.
    @discardableResult
    func bytes() throws -> [UInt8] {
        done.wait()
        return try result.get()
    }
}
