import Glibc

/// A file read front to back a chunk of whole lines at a time through one buffer that is
/// used again for every chunk: the ledger after a year (23 MB) is read through 4 MB, not
/// into 23 MB of fresh memory, which the system must clear page by page before the read
/// fills it, and what a command holds no longer grows with the ledger.
///
/// Each chunk ends at the last newline read; the bytes after it begin the next chunk. A line
/// longer than the buffer grows it. The file is read up to the size it had when opened, as
/// ``FileIO/read(_:followingLinks:)`` reads it; what follows its last newline is ``tail``.
final class LineChunkReader {
    let path: String
    private let descriptor: Int32
    /// The file's size when opened: what is read.
    let size: Int
    private var buffer: UnsafeMutableBufferPointer<UInt8>
    /// Bytes read from the file so far.
    private(set) var consumed = 0
    /// `buffer[start..<filled]`: read but not yet handed out (the start of a line).
    private var start = 0, filled = 0
    /// The file ended before its size at opening: it was cut shorter meanwhile.
    private var endedEarly = false

    /// The longest line read: 64 MiB. recon's longest, a close's `period.closed`, grows with the
    /// parties billed: the demo's 39 parties make 18 KB, so 64 MiB holds some 100,000.
    static let longestLine = 64 << 20

    /// Opens `path` as ``FileIO/read(_:followingLinks:)`` does: a FIFO is refused, never
    /// waited on; with `followingLinks` false a symbolic link in its place is refused.
    init(path: String, followingLinks: Bool, chunkBytes: Int) throws {
        (descriptor, size) = try FileIO.openRegular(path, followingLinks: followingLinks)
        self.path = path
        buffer = .allocate(capacity: max(1, min(chunkBytes, size)))
    }

    deinit {
        close(descriptor)
        buffer.deallocate()
    }

    /// The file read, as its descriptor knows it now (which file, when last written).
    var status: FileStatus? { FileStatus.of(descriptor: descriptor) }

    /// The next chunk of whole lines, each with its newline, and the offset of its first byte
    /// in the file; nil once no newline is left. Valid until the next call.
    func next() throws -> (lines: UnsafeBufferPointer<UInt8>, offset: Int)? {
        // What the last chunk left (the start of a line) moves to the front.
        if start > 0 {
            let left = filled - start
            if left > 0 { (buffer.baseAddress! + 0).update(from: buffer.baseAddress! + start, count: left) }
            start = 0
            filled = left
        }
        var searched = 0
        while true {
            // From the end: the last newline is within a line of it.
            if let newline = buffer[searched..<filled].lastIndex(of: 10) {
                start = newline + 1
                return (UnsafeBufferPointer(rebasing: buffer[0..<start]), consumed - filled)
            }
            guard consumed < size, !endedEarly else { return nil }
            searched = filled
            if filled == buffer.count {
                // No line recon writes comes near 64 MiB: one longer (a sparse 8 TB file in the
                // ledger's place, all zeros) grew the buffer until the allocation failed, exit 134.
                guard buffer.count < Self.longestLine else {
                    throw FileIO.Failure(path: path, action: "read (a line of it runs past \(Self.longestLine) bytes, longer than any "
                        + "recon writes: it is not recon's file)", code: EFBIG)
                }
                // One line longer than the buffer: it grows to hold it.
                let larger = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: buffer.count * 2)
                larger.baseAddress!.initialize(from: buffer.baseAddress!, count: filled)
                buffer.deallocate()
                buffer = larger
            }
            try fill()
        }
    }

    /// Back to the file's first byte, as just opened (a reading that looked at the start for
    /// something else reads it all again).
    func rewind() {
        lseek(descriptor, 0, SEEK_SET)
        consumed = 0
        start = 0
        filled = 0
        endedEarly = false
    }

    /// What follows the file's last newline (all of it when it has none): once ``next()``
    /// returned nil, the bytes of a line cut short, or of something written after the last line.
    var tail: [UInt8] { Array(buffer[start..<filled]) }

    /// Reads on after `filled` until the buffer is full or the size read at opening is reached.
    private func fill() throws {
        let room = UnsafeMutableBufferPointer(rebasing: buffer[filled..<min(buffer.count, filled + size - consumed)])
        let n = try FileIO.fill(room, from: descriptor, path: path, hashing: false).count
        // The file was cut shorter since it was opened: what is there is what is read.
        if n < room.count { endedEarly = true }
        filled += n
        consumed += n
    }
}
