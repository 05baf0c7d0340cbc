/// Report id → position in a state's `reports`, without holding the ids a second time.
///
/// A batch of drops (a watcher catching up) looks every drop's ids up among the reports
/// held. A `Dictionary<String, Int32>` of four million ids took some 170 MB, and grew by
/// copying itself; here a slot is 8 bytes: the position and 32 bits of its id's hash
/// (``IdTable/hash(_:)``), the id itself read from the report when the bits match. Open
/// addressing with linear probing, at most three quarters full (the bits spare most
/// comparisons on the longer probes): 11 to 21 bytes a report. Positions are only added.
struct ReportPositions {
    /// Each slot: 0 when empty, else the position + 1 and its id's hash's top bits.
    private var slots: [UInt64]
    private var mask: Int
    private(set) var count = 0

    private static var tagBits: UInt64 { 0xFFFF_FFFF_0000_0000 }

    /// The positions of `reports`, the first one of each id, with room for `capacity` in all.
    init(_ reports: [Report], capacity: Int) {
        let size = Self.size(for: max(capacity, reports.count))
        slots = [UInt64](repeating: 0, count: size)
        mask = size - 1
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
        self = ReportPositions(copying: self, size: Self.size(for: total), reports: reports, adding: nil)
    }

    // MARK: - Inside

    /// Whether `count` positions fill `size` slots past three quarters.
    private static func isFull(_ count: Int, _ size: Int) -> Bool { 4 * count > 3 * size }

    /// The fewest slots, a power of two, that hold `total` positions.
    private static func size(for total: Int) -> Int {
        var size = 16
        while isFull(total, size) { size *= 2 }
        return size
    }

    /// The position holding `id`, or the empty slot where it would go.
    private func find(_ id: String, hash: UInt64, in reports: [Report]) -> (position: Int32?, slot: Int) {
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let value = slots[slot]
            if value == 0 { return (nil, slot) }
            if value & Self.tagBits == hash & Self.tagBits {
                let position = Int(value & 0xFFFF_FFFF) - 1
                // The report being added is not in `reports` yet: its own slot names it.
                if position < reports.count, reports[position].id == id { return (Int32(position), slot) }
            }
            slot = (slot + 1) & mask
        }
    }

    /// Doubles the table; the report just recorded may not be in `reports` yet (`adding`).
    private mutating func grow(_ reports: [Report], adding: (id: String, hash: UInt64)) {
        self = ReportPositions(copying: self, size: slots.count * 2, reports: reports, adding: adding.hash)
    }

    /// `table` again in `size` slots. `pending`: the hash of a position recorded past the end
    /// of `reports` (its report not yet appended), which is placed by that hash.
    private init(copying table: ReportPositions, size: Int, reports: [Report], adding pending: UInt64?) {
        slots = [UInt64](repeating: 0, count: size)
        mask = size - 1
        count = table.count
        for value in table.slots where value != 0 {
            let position = Int(value & 0xFFFF_FFFF) - 1
            let hash = position < reports.count ? IdTable<Void>.hash(reports[position].id) : pending ?? 0
            var slot = Int(truncatingIfNeeded: hash) & mask
            while slots[slot] != 0 { slot = (slot + 1) & mask }
            slots[slot] = UInt64(position + 1) | (hash & Self.tagBits)
        }
    }
}
