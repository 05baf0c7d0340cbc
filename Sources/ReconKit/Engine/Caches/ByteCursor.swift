/// Reads what ``ChunkWriter`` writes — little-endian 64-bit integers, strings as their UTF-8
/// length and bytes — from the front of a buffer; nil when the buffer ends too soon. Drop
/// caches and closed-period indexes are read with it.
struct ByteCursor {
    let buf: UnsafeRawBufferPointer
    var pos = 0
    var atEnd: Bool { pos == buf.count }

    mutating func bytes(_ n: Int) -> [UInt8]? {
        guard n >= 0, pos + n <= buf.count else { return nil }
        defer { pos += n }
        return Array(buf[pos..<(pos + n)])
    }

    mutating func int64() -> Int64? {
        guard pos + 8 <= buf.count else { return nil }
        defer { pos += 8 }
        return Int64(littleEndian: buf.loadUnaligned(fromByteOffset: pos, as: Int64.self))
    }

    /// ``int64()`` as an `Int`.
    mutating func int() -> Int? { int64().map { Int($0) } }

    mutating func string() -> String? {
        guard let n = int64(), n >= 0, pos + Int(n) <= buf.count else { return nil }
        defer { pos += Int(n) }
        return String(decoding: UnsafeRawBufferPointer(rebasing: buf[pos..<(pos + Int(n))]), as: UTF8.self)
    }

    /// Steps over a string as ``string()`` reads it; false when the buffer ends too soon.
    mutating func skipString() -> Bool {
        guard let n = int64(), n >= 0, pos + Int(n) <= buf.count else { return false }
        pos += Int(n)
        return true
    }
}
