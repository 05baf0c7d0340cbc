#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The bytes of the fields a ``CSVParser`` keeps, end to end, and where each field starts:
/// two buffers it owns and grows by doubling, reused from line to line.
///
/// libcsv hands over every field of a drop through a callback (a million rows: some seven
/// million fields of a few bytes). Appended to Swift arrays, each field paid the arrays'
/// uniqueness checks and a generic copy; here a field is one capacity check and one copy.
final class FieldStore {
    private var bytes: UnsafeMutablePointer<UInt8>
    private var byteCapacity: Int
    private var starts: UnsafeMutablePointer<Int>
    private var startCapacity: Int
    /// How many bytes are kept.
    private(set) var byteCount = 0
    /// How many fields are kept.
    private(set) var fieldCount = 0

    init(bytes: Int = 4096, fields: Int = 256) {
        byteCapacity = max(bytes, 16)
        startCapacity = max(fields, 16)
        self.bytes = .allocate(capacity: byteCapacity)
        starts = .allocate(capacity: startCapacity)
    }

    deinit {
        bytes.deallocate()
        starts.deallocate()
    }

    /// Keeps a field: its `count` bytes from `start`.
    @inline(__always)
    func append(_ start: UnsafeRawPointer?, count: Int) {
        if fieldCount == startCapacity { growStarts() }
        if byteCount + count > byteCapacity { growBytes(toHold: byteCount + count) }
        starts[fieldCount] = byteCount
        fieldCount += 1
        if count > 0, let start { (bytes + byteCount).update(from: start.assumingMemoryBound(to: UInt8.self), count: count) }
        byteCount += count
    }

    /// Forgets every field from `field` on, whose bytes begin at `byte`.
    func removeFields(from field: Int, bytesFrom byte: Int) {
        precondition(field <= fieldCount && byte <= byteCount, "only kept fields can be removed")
        fieldCount = field
        byteCount = byte
    }

    /// Forgets the first `fields` fields, which hold the first `bytes` bytes: the rest move to the front.
    func removeFirst(fields: Int, bytes removed: Int) {
        precondition(fields <= fieldCount && removed <= byteCount, "only kept fields can be removed")
        let keptFields = fieldCount - fields, keptBytes = byteCount - removed
        // The kept bytes may overlap where they go: moved as memmove moves them.
        if keptBytes > 0 { memmove(bytes, bytes + removed, keptBytes) }
        for i in 0..<keptFields { starts[i] = starts[fields + i] - removed }
        fieldCount = keptFields
        byteCount = keptBytes
    }

    /// Forgets every field, keeping the room.
    func removeAll() {
        fieldCount = 0
        byteCount = 0
    }

    /// Lends the kept bytes and the fields' starts for the span of `body`.
    func withBuffers<T>(_ body: (UnsafeRawBufferPointer, UnsafeBufferPointer<Int>) throws -> T) rethrows -> T {
        try body(UnsafeRawBufferPointer(start: bytes, count: byteCount), UnsafeBufferPointer(start: starts, count: fieldCount))
    }

    private func growStarts() {
        let larger = UnsafeMutablePointer<Int>.allocate(capacity: startCapacity * 2)
        larger.update(from: starts, count: fieldCount)
        starts.deallocate()
        starts = larger
        startCapacity *= 2
    }

    private func growBytes(toHold needed: Int) {
        var capacity = byteCapacity * 2
        while capacity < needed { capacity *= 2 }
        let larger = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        larger.update(from: bytes, count: byteCount)
        bytes.deallocate()
        bytes = larger
        byteCapacity = capacity
    }
}
