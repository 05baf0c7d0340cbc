import Crypto
import Foundation

/// Hashes a buffer on a thread of its own while the buffer is still being filled: whoever
/// fills it says how far the bytes are written (``written(upTo:)``) and the hasher follows
/// a piece behind. A drop is then read and hashed in about the time of its reads, not of
/// its reads and its hash one after the other.
///
/// The bytes below a mark must not be written again: the hash covers exactly them. The
/// lock taken to pass a mark makes the bytes below it visible to the hashing thread.
final class TrailingHasher: @unchecked Sendable {
    private let base: UnsafeRawPointer
    private let condition = NSCondition()
    private var mark = 0, ended = false
    private var hasher = SHA256()
    private let done = DispatchSemaphore(value: 0)

    /// Starts the hashing thread over the bytes at `base`, none of them written yet.
    init(_ base: UnsafeRawPointer) {
        self.base = base
        Thread { [self] in run() }.start()
    }

    /// The bytes from `base` up to `end` are written and will not change.
    func written(upTo end: Int) {
        condition.lock()
        mark = end
        condition.signal()
        condition.unlock()
    }

    /// Waits until every byte up to the last mark is hashed; the hash, to finalize or go on
    /// with. No mark may be given after this.
    func finish() -> SHA256 {
        condition.lock()
        ended = true
        condition.signal()
        condition.unlock()
        done.wait()
        return hasher
    }

    private func run() {
        var hashed = 0
        while true {
            condition.lock()
            while mark == hashed && !ended { condition.wait() }
            let end = mark, last = ended
            condition.unlock()
            if end > hashed {
                hasher.update(bufferPointer: UnsafeRawBufferPointer(start: base + hashed, count: end - hashed))
                hashed = end
            }
            // `ended` was read with the mark: no mark comes after it.
            if last { break }
        }
        done.signal()
    }
}
