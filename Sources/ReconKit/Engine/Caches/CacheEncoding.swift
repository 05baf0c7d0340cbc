import Dispatch

/// A usage drop's cache file, encoded into a temporary file and hashed on the second core.
/// What the encoding gives is written by that one task and read only after waiting for it.
final class CacheEncoding: @unchecked Sendable {
    private let cache: DropCache
    private let drop: String
    private let done = DispatchGroup()
    private var pending: DropCache.Pending?
    /// Whether the file was put in place (else ``discard()`` removes it).
    private(set) var committed = false
    private var discarded = false

    init(_ cache: DropCache, sha256 drop: String, rows: [Report]) {
        self.cache = cache
        self.drop = drop
        DispatchQueue.global().async(group: done) {
            Stages.time("cache-encode") { self.pending = cache.encodePending(sha256: drop, rows) }
        }
    }

    /// The cache file's layout and SHA-256, once encoded, as the drop's entry records them.
    func recorded() -> (format: String, sha256: String) {
        done.wait()
        return (pending?.format ?? DropCache.format, pending?.sha256 ?? "")
    }

    /// Puts the file in place: the entry vouching for it is in the ledger.
    func commit() {
        done.wait()
        if let pending { cache.commit(pending, sha256: drop) }
        committed = true
    }

    /// Removes the file: the drop was not accepted as encoded.
    func discard() {
        done.wait()
        guard !discarded else { return }
        discarded = true
        if let pending { cache.discard(pending) }
    }
}
