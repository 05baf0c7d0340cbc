import Crypto

/// A SHA-256 that may still be being taken on another thread (``TrailingHasher``) when the
/// bytes it covers are handed over: the ledger is parsed while its last pieces are hashed,
/// and the hash is asked for after. Whoever holds one keeps those bytes alive and unchanged
/// until ``finish()`` has returned.
final class PendingHash {
    private var trailing: TrailingHasher?
    private var hash = SHA256()

    /// The hash a thread of its own is still taking.
    init(_ trailing: TrailingHasher) { self.trailing = trailing }

    /// A hash already taken.
    init(done: SHA256) { hash = done }

    /// Waits for the hashing thread the first time; the hash, to finalize or go on with.
    func finish() -> SHA256 {
        if let trailing {
            hash = trailing.finish()
            self.trailing = nil
        }
        return hash
    }
}
