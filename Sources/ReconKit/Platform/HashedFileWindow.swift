import Crypto

/// A file read front to back through a window of a few megabytes, each byte hashed as it is
/// read: what is decoded is exactly what is hashed, and a cache file of a million reports
/// (80 MB) is never held whole beside the reports decoded from it.
///
/// Reads the values ``ChunkWriter`` writes — little-endian 64-bit integers, strings as their
/// UTF-8 length and bytes — by handing ``ByteCursor`` a value's bytes once the window holds
/// them whole; nil when the file ends too soon.
struct HashedFileWindow {
    private let file: ReadOnlyFile
    private let size: Int
    /// Bytes read from the file so far.
    private var consumed = 0
    private var window: UnsafeMutableRawBufferPointer
    /// The bytes read but not yet taken: `window[start..<end]`.
    private var start = 0, end = 0
    private var hasher = SHA256()
    /// With `readingAhead`: the thread that reads and hashes the file, and the piece of it
    /// being taken (`piece[pieceStart...]` not yet in the window).
    private let ahead: HashedReadAhead?
    /// With `readingAhead`, a smaller file: read whole into the window at once and hashed
    /// there on another core while its bytes are taken (the window is never written again).
    private let wholeHash: BackgroundWork<String>?
    private var piece: UnsafeRawBufferPointer?
    private var pieceStart = 0

    /// Opens `path`; the size it has now is the size read. The window is freed by ``close()``;
    /// a file smaller than it gets a window its size (a document is hashed without 4 MB of room).
    /// `readingAhead`: a file of 8 MB or more is read and hashed on a thread of its own while
    /// its bytes are taken (a large cache file, decoded as it arrives); a smaller one of 64 KB
    /// or more is read whole at once and hashed on another core while its bytes are taken (a
    /// month taken in daily drops has thirty cache files of a megabyte or so, each hashed by the
    /// core that decoded it until then); a smaller one still is read in line.
    init(path: String, windowSize: Int = 4 << 20, readingAhead: Bool = false) throws {
        file = try ReadOnlyFile(path)
        size = try file.size()
        let large = size >= 8 << 20, whole = readingAhead && !large && size >= 64 << 10
        window = .allocate(byteCount: whole ? size : min(windowSize, max(size, 64)), alignment: 8)
        ahead = readingAhead && large ? HashedReadAhead(file: file, size: size, pieceSize: min(windowSize / 2, 2 << 20)) : nil
        guard whole else {
            wholeHash = nil
            return
        }
        do {
            try file.read(at: 0, into: window)
        } catch {
            window.deallocate()
            throw error
        }
        (consumed, end) = (size, size)
        let bytes = UnsafeRawBufferPointer(window)
        wholeHash = BackgroundWork { Hex.string(SHA256.hash(data: bytes)) }
    }

    func close() {
        ahead?.close()
        _ = wholeHash?.wait()  // it reads the window
        window.deallocate()
    }

    /// The SHA-256 of the file at `path`, in hex, read a window at a time.
    static func sha256(of path: String) throws -> String {
        var file = try HashedFileWindow(path: path)
        defer { file.close() }
        while file.remaining > 0 {
            let n = min(file.remaining, file.window.count)
            guard try file.ready(n) else { break }
            file.start += n
        }
        return file.sha256()
    }

    /// How many bytes are left to take.
    var remaining: Int { end - start + size - consumed }

    /// Every byte of the file taken, none left over.
    var atEnd: Bool { start == end && consumed == size }

    /// The SHA-256 of the bytes read so far (the whole file once ``atEnd``), in hex. Reading
    /// ahead, it ends the reading thread: the last thing asked.
    func sha256() -> String { wholeHash?.wait() ?? ahead?.finish() ?? Hex.string(hasher.finalize()) }

    /// Makes `n` bytes ready in one piece; false when the file ends first.
    private mutating func ready(_ n: Int) throws -> Bool {
        while end - start < n {
            guard consumed < size else { return false }
            if start > 0 {
                // The unread tail of the window moves to its front before more is read behind it.
                if end > start { window.baseAddress!.copyMemory(from: window.baseAddress! + start, byteCount: end - start) }
                end -= start
                start = 0
            }
            if n > window.count {
                let larger = UnsafeMutableRawBufferPointer.allocate(byteCount: n, alignment: 8)
                larger.baseAddress!.copyMemory(from: window.baseAddress!, byteCount: end)
                window.deallocate()
                window = larger
            }
            let count = try fill(UnsafeMutableRawBufferPointer(rebasing: window[end..<window.count]))
            guard count > 0 else { return false }
            consumed += count
            end += count
        }
        return true
    }

    /// Fills the front of `room` with the file's next bytes, hashed; returns how many.
    private mutating func fill(_ room: UnsafeMutableRawBufferPointer) throws -> Int {
        guard let ahead else {
            let count = min(room.count, size - consumed)
            let target = UnsafeMutableRawBufferPointer(rebasing: room[0..<count])
            try file.read(at: consumed, into: target)
            hasher.update(bufferPointer: UnsafeRawBufferPointer(target))
            return count
        }
        if piece == nil || pieceStart == piece!.count {
            ahead.giveBack()
            piece = try ahead.next()
            pieceStart = 0
        }
        guard let piece else { return 0 }
        let count = min(room.count, piece.count - pieceStart)
        room.baseAddress!.copyMemory(from: piece.baseAddress! + pieceStart, byteCount: count)
        pieceStart += count
        return count
    }

    /// The next `n` bytes, taken: valid until the window is next used. Lets a fixed-shape record
    /// be read with one check of the window instead of one per field.
    mutating func take(_ n: Int) throws -> UnsafeRawBufferPointer? {
        guard n >= 0, try ready(n) else { return nil }
        defer { start += n }
        return UnsafeRawBufferPointer(rebasing: window[start..<(start + n)])
    }

    /// The next 64-bit integer, left in place.
    mutating func peekInt64() throws -> Int64? {
        guard try ready(8) else { return nil }
        var cursor = ByteCursor(buf: UnsafeRawBufferPointer(rebasing: window[start..<(start + 8)]))
        return cursor.int64()
    }

    /// The next byte, left in place.
    mutating func peekByte() throws -> UInt8? {
        guard try ready(1) else { return nil }
        return window[start]
    }

    // The values ByteCursor reads, taken from the window whole and read by it.

    mutating func bytes(_ n: Int) throws -> [UInt8]? {
        try take(n).map { Array($0) }
    }

    mutating func int64() throws -> Int64? {
        guard let value = try peekInt64() else { return nil }
        start += 8
        return value
    }

    /// A string no longer than `limit` bytes (a length past it is damage, not a reason to allocate).
    mutating func string(limit: Int = 1 << 20) throws -> String? {
        guard let n = try peekInt64(), n >= 0, n <= limit, let piece = try take(8 + Int(n)) else { return nil }
        var cursor = ByteCursor(buf: piece)
        return cursor.string()
    }
}
