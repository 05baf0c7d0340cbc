import Crypto
import Foundation

/// A file read and hashed in pieces on a thread of its own, a piece or two ahead of the
/// reader who takes them: decoding a large cache file does not wait for its reads and its hash.
///
/// A piece is hashed before it is handed over and is not written again until it is given
/// back, so the hash covers exactly the bytes handed over, in the order handed over.
final class HashedReadAhead: @unchecked Sendable {
    private let file: ReadOnlyFile
    private let size: Int
    private let pieces: [UnsafeMutableRawBufferPointer]
    /// The bytes in each piece: memory of its own, so that filling one piece's length never
    /// touches the storage the reader reads another's from.
    private let lengths: UnsafeMutableBufferPointer<Int>
    /// Counts pieces filled and not yet taken; and pieces free to be filled.
    private let filled = DispatchSemaphore(value: 0), free: DispatchSemaphore
    private let finished = DispatchGroup()
    // Written by the reading thread before it signals `filled`, read after waiting on it.
    private var hasher = SHA256()
    private var failure: Error?
    /// Set by the reader to end the reading thread early.
    private var stopping: Bool {
        get { lock.withLock { stopRequested } }
        set { lock.withLock { stopRequested = newValue } }
    }
    private var stopRequested = false
    private let lock = NSLock()
    /// The reader's side: pieces taken, bytes taken, and whether it holds a piece.
    private var taken = 0, takenBytes = 0, holding = false
    private var closed = false

    /// Starts reading `file` (of `size` bytes) at once, `depth` pieces of `pieceSize` bytes ahead.
    init(file: ReadOnlyFile, size: Int, pieceSize: Int = 2 << 20, depth: Int = 2) {
        self.file = file
        self.size = size
        let pieceSize = max(1, min(pieceSize, size))
        pieces = (0..<depth).map { _ in .allocate(byteCount: pieceSize, alignment: 8) }
        lengths = .allocate(capacity: depth)
        lengths.initialize(repeating: 0)
        free = DispatchSemaphore(value: depth)
        finished.enter()
        let thread = Thread { [self] in
            readAll()
            finished.leave()
        }
        thread.start()
    }

    private func readAll() {
        var offset = 0, k = 0
        while offset < size {
            free.wait()
            if stopping { return }
            let slot = k % pieces.count
            let piece = UnsafeMutableRawBufferPointer(rebasing: pieces[slot][0..<min(pieces[slot].count, size - offset)])
            do {
                try file.read(at: offset, into: piece)
            } catch {
                failure = error
                filled.signal()
                return
            }
            hasher.update(bufferPointer: UnsafeRawBufferPointer(piece))
            lengths[slot] = piece.count
            offset += piece.count
            k += 1
            filled.signal()
        }
    }

    /// The next piece, valid until ``giveBack()``; nil once every byte was taken.
    /// - Throws: the read's error (the file shrank, or the disk failed).
    func next() throws -> UnsafeRawBufferPointer? {
        precondition(!holding, "give a piece back before taking the next")
        guard takenBytes < size else { return nil }
        filled.wait()
        if let failure {
            filled.signal()  // a later call sees it too
            throw failure
        }
        let slot = taken % pieces.count
        taken += 1
        takenBytes += lengths[slot]
        holding = true
        return UnsafeRawBufferPointer(rebasing: pieces[slot][0..<lengths[slot]])
    }

    /// Gives the piece from ``next()`` back, to be filled again.
    func giveBack() {
        guard holding else { return }
        holding = false
        free.signal()
    }

    /// Stops the reading thread and waits for it; then returns the SHA-256 of what it read: of
    /// the whole file once every piece was taken.
    func finish() -> String {
        stop()
        return Hex.string(hasher.finalize())
    }

    /// Stops the reading thread, waits for it and frees the pieces.
    func close() {
        stop()
        guard !closed else { return }
        closed = true
        for piece in pieces { piece.deallocate() }
        lengths.deallocate()
    }

    private func stop() {
        stopping = true
        // However many pieces it waits to fill, it wakes, sees `stopping` and ends. One signal
        // more than the pieces: the thread may take one to see it must stop, and libdispatch
        // traps on freeing a semaphore left below the count it began with.
        for _ in 0...pieces.count { free.signal() }
        finished.wait()
    }
}
