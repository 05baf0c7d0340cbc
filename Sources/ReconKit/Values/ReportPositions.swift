/// Report id → position in a state's `reports`, without holding the ids a second time.
///
/// A batch of drops (a watcher catching up) looks every drop's ids up among the reports
/// held. A `Dictionary<String, Int32>` of four million ids took some 170 MB, and grew by
/// copying itself; here a slot is 8 bytes: the position and 32 bits of its id's hash
/// (``IdTable/hash(_:)``), the id itself read from the report when the bits match. Open
/// addressing with linear probing, at most three quarters full (the bits spare most
/// comparisons on the longer probes). The table is as large as its reports need, not the
/// next power of two (a month of four million took 8,388,608 slots, 64 MB, where 5.7 million
/// hold them with room for a backlog of drops): 11 to 16 bytes a report, as it grows by half.
/// Positions are only added.
struct ReportPositions {
    /// Each slot: 0 when empty, else the position + 1 and its id's hash's top bits.
    private var slots: [UInt64]
    private(set) var count = 0
    /// How many slots the table has (8 bytes each).
    var slotCount: Int { slots.count }

    private static var tagBits: UInt64 { 0xFFFF_FFFF_0000_0000 }

    /// The positions of `reports`, the first one of each id, with room for `capacity` in all
    /// and a sixteenth more (the drops of a batch that follow).
    init(_ reports: [Report], capacity: Int) {
        let total = max(capacity, reports.count)
        slots = [UInt64](repeating: 0, count: Self.size(for: total + total / 16))
        for i in reports.indices { insert(reports[i].id, at: Int32(i), in: reports) }
    }

    /// Where the report with `id` is in `reports`, if it is there.
    func position(of id: String, in reports: [Report]) -> Int32? {
        let found = find(id, hash: IdTable<Void>.hash(id), in: reports)
        return found.position
    }

    /// Records that the report with `id` is (or is about to be appended) at `position`,
    /// unless a report with that id is already there; whether it was recorded.
    @discardableResult
    mutating func insert(_ id: String, at position: Int32, in reports: [Report]) -> Bool {
        let hash = IdTable<Void>.hash(id)
        let found = find(id, hash: hash, in: reports)
        guard found.position == nil else { return false }
        slots[found.slot] = UInt64(UInt32(position) + 1) | (hash & Self.tagBits)
        count += 1
        if Self.isFull(count, slots.count) { grow(reports, adding: (id, hash)) }
        return true
    }

    /// Room for `total` positions without growing while they are added.
    mutating func reserve(_ total: Int, in reports: [Report]) {
        guard Self.isFull(total, slots.count) else { return }
        self = ReportPositions(copying: self, size: max(Self.size(for: total), Self.grown(slots.count)), reports: reports,
                               adding: nil)
    }

    // MARK: - Inside

    /// Whether `count` positions fill `size` slots past three quarters.
    private static func isFull(_ count: Int, _ size: Int) -> Bool { 4 * count > 3 * size }

    /// The fewest slots that hold `total` positions (at least 16).
    private static func size(for total: Int) -> Int { max(16, (4 * total + 2) / 3) }

    /// The size a full table grows to: half as large again, so that reports added a few at a
    /// time (a watcher's drops) rebuild it a logarithmic number of times, as doubling would.
    private static func grown(_ size: Int) -> Int { size + size / 2 }

    /// Where a probe for `hash` starts among `size` slots: its low 32 bits scaled to the
    /// table (the top 32 are the tag), so any size will do, not only a power of two.
    private static func home(_ hash: UInt64, _ size: Int) -> Int {
        Int(((hash & 0xFFFF_FFFF) &* UInt64(size)) >> 32)
    }

    /// The slot a probe looks at after `slot` among `size`: the first one after the last.
    private static func next(_ slot: Int, _ size: Int) -> Int { slot + 1 == size ? 0 : slot + 1 }

    /// The position holding `id`, or the empty slot where it would go.
    private func find(_ id: String, hash: UInt64, in reports: [Report]) -> (position: Int32?, slot: Int) {
        let size = slots.count
        var slot = Self.home(hash, size)
        while true {
            let value = slots[slot]
            if value == 0 { return (nil, slot) }
            if value & Self.tagBits == hash & Self.tagBits {
                let position = Int(value & 0xFFFF_FFFF) - 1
                // The report being added is not in `reports` yet: its own slot names it.
                if position < reports.count, reports[position].id == id { return (Int32(position), slot) }
            }
            slot = Self.next(slot, size)
        }
    }

    /// Grows the table by half; the report just recorded may not be in `reports` yet (`adding`).
    private mutating func grow(_ reports: [Report], adding: (id: String, hash: UInt64)) {
        self = ReportPositions(copying: self, size: Self.grown(slots.count), reports: reports, adding: adding.hash)
    }

    /// `table` again in `size` slots. `pending`: the hash of a position recorded past the end
    /// of `reports` (its report not yet appended), which is placed by that hash.
    private init(copying table: ReportPositions, size: Int, reports: [Report], adding pending: UInt64?) {
        slots = [UInt64](repeating: 0, count: size)
        count = table.count
        for value in table.slots where value != 0 {
            let position = Int(value & 0xFFFF_FFFF) - 1
            let hash = position < reports.count ? IdTable<Void>.hash(reports[position].id) : pending ?? 0
            var slot = Self.home(hash, size)
            while slots[slot] != 0 { slot = Self.next(slot, size) }
            slots[slot] = UInt64(position + 1) | (hash & Self.tagBits)
        }
    }
}
