import CMemoryHints

/// A hash table from ids (report, client, radiologist, modality) to values, for the loops
/// that run once per report.
///
/// Over a million reports, `Dictionary<String, _>` lookups (a `Hasher` set up and finished
/// for each, then full `String` comparisons while probing) were most of the validator's and
/// the pricer's time. Ids are short ASCII (SPEC §2: at most 64 bytes): here they are hashed
/// eight bytes at a time with SplitMix64's mix, from a seed drawn once per process, so no
/// drop can be written to make lookups slow; each slot keeps 32 bits of its id's hash, so
/// unequal ids are seldom compared. Open addressing with linear probing, at most half full;
/// entries are only added, never removed, and stay in the order they were added.
struct IdTable<Value> {
    /// The ids in the order they were added, with their values.
    private(set) var entries: [(id: String, value: Value)] = []
    /// Each slot: 0 when empty, else the entry's position + 1 and its hash's top bits.
    private var slots: [UInt64]
    private var mask: Int

    /// The seed every table of this process hashes with.
    private static var seed: UInt64 { processSeed }

    init(minimumCapacity: Int = 0) {
        var size = 16
        while size < 2 * minimumCapacity { size *= 2 }
        slots = [UInt64](repeating: 0, count: size)
        mask = size - 1
        entries.reserveCapacity(minimumCapacity)
    }

    var count: Int { entries.count }
    var isEmpty: Bool { entries.isEmpty }

    /// The value of `id`, if it was added.
    subscript(id: String) -> Value? {
        find(id, hash: IdTable.hash(id)).entry.map { entries[$0].value }
    }

    /// The position of `id` in ``entries``, if it was added.
    func position(of id: String) -> Int? {
        find(id, hash: IdTable.hash(id)).entry
    }

    /// ``position(of:)`` with the id's ``hash(_:)`` worked out before (``prefetch(hash:)``).
    func position(of id: String, hash: UInt64) -> Int? {
        find(id, hash: hash).entry
    }

    /// Adds `id` with `value` unless it is there; returns its position in ``entries`` and
    /// whether it was added.
    @discardableResult
    mutating func insert(_ id: String, _ value: @autoclosure () -> Value) -> (position: Int, inserted: Bool) {
        insert(id, hash: IdTable.hash(id), value())
    }

    /// ``insert(_:_:)`` with the id's ``hash(_:)`` worked out before. A loop over a million
    /// ids that hashes a block of them and then inserts them keeps the inserting loop short,
    /// where nearly every insert waits on a cache miss: the validation of a 1M drop took
    /// 0.20–0.23 s this way against 0.28–0.33 s.
    @discardableResult
    mutating func insert(_ id: String, hash: UInt64, _ value: @autoclosure () -> Value) -> (position: Int, inserted: Bool) {
        let found = find(id, hash: hash)
        if let entry = found.entry { return (entry, false) }
        entries.append((id, value()))
        slots[found.slot] = UInt64(entries.count) | (hash & IdTable.tagBits)
        if entries.count * 2 > slots.count { grow() }
        return (entries.count - 1, true)
    }

    /// Asks memory for the slot an id of this ``hash(_:)`` is looked for first, without
    /// waiting: a loop over a block of hashed ids asks a few ids ahead, so that a table larger
    /// than the processor's caches (a million ids: 16 MB of slots) is not waited on id by id.
    func prefetch(hash: UInt64) {
        slots.withUnsafeBufferPointer { recon_prefetch($0.baseAddress! + (Int(truncatingIfNeeded: hash) & mask)) }
    }

    /// Sets the value of the entry at `position` (from ``insert(_:_:)`` or ``position(of:)``).
    mutating func setValue(_ value: Value, at position: Int) {
        entries[position].value = value
    }

    // MARK: - Inside

    /// The top 32 bits of a slot: the hash's, to skip most comparisons of unequal ids.
    private static var tagBits: UInt64 { 0xFFFF_FFFF_0000_0000 }

    /// The entry holding `id`, or the empty slot where it would go.
    private func find(_ id: String, hash: UInt64) -> (entry: Int?, slot: Int) {
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let value = slots[slot]
            if value == 0 { return (nil, slot) }
            if value & IdTable.tagBits == hash & IdTable.tagBits {
                let entry = Int(value & 0xFFFF_FFFF) - 1
                if entries[entry].id == id { return (entry, slot) }
            }
            slot = (slot + 1) & mask
        }
    }

    private mutating func grow() {
        slots = [UInt64](repeating: 0, count: slots.count * 2)
        mask = slots.count - 1
        for (position, entry) in entries.enumerated() {
            let hash = IdTable.hash(entry.id)
            var slot = Int(truncatingIfNeeded: hash) & mask
            while slots[slot] != 0 { slot = (slot + 1) & mask }
            slots[slot] = UInt64(position + 1) | (hash & IdTable.tagBits)
        }
    }

    /// The id's UTF-8 bytes, eight at a time, mixed with the process's seed.
    static func hash(_ id: String) -> UInt64 {
        if let h = id.utf8.withContiguousStorageIfAvailable({ hash(UnsafeRawBufferPointer($0)) }) { return h }
        var copy = id
        return copy.withUTF8 { hash(UnsafeRawBufferPointer($0)) }
    }

    private static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var h = seed ^ UInt64(bytes.count)
        var offset = 0
        while offset + 8 <= bytes.count {
            h = SplitMix64.mix(h ^ bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
            offset += 8
        }
        // The last one to seven bytes gathered in a loop: a copy through memcpy was a call for
        // each of a million report ids, every command that scans a month.
        var tail: UInt64 = 0, shift: UInt64 = 0
        while offset < bytes.count {
            tail |= UInt64(bytes[offset]) << shift
            shift += 8
            offset += 1
        }
        return SplitMix64.mix(h ^ tail)
    }
}

/// Drawn once per process from the system's generator.
private let processSeed = UInt64.random(in: .min ... .max)
