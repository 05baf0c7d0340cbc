import Glibc

/// Finding bytes in a buffer with the C library's `memchr`, which reads many bytes a step.
enum ByteSearch {
    /// How many times `byte` occurs in `bytes` (line feeds in a 50 MB drop: a few ms).
    static func count(of byte: UInt8, in bytes: UnsafeRawBufferPointer) -> Int {
        guard var next = bytes.baseAddress else { return 0 }
        let end = next + bytes.count
        var count = 0
        while next < end, let found = memchr(next, Int32(byte), end - next) {
            count += 1
            next = UnsafeRawPointer(found) + 1
        }
        return count
    }
}
