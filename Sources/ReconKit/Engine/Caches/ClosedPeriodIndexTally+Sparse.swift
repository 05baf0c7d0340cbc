extension ClosedPeriodIndexTally {
    /// Reports and images counted by a pair of name numbers (`first << 32 | second`) in a hash
    /// table: open addressing on the integer key, a slot's key and counts side by side (a
    /// `Dictionary` hashed each count with SipHash). Takes the pairs the grid does not: all of
    /// them once it would outgrow its size, and any pair whose counts outgrow a cell.
    struct Sparse {
        private struct Slot {
            /// `empty` when free; a key's halves are name numbers, below 2^32.
            var key: UInt64
            var reports: Int
            var images: Int
        }

        private var slots: [Slot]
        private var shift: UInt64
        private(set) var count = 0
        private static let empty = UInt64.max

        init() {
            slots = [Slot](repeating: Slot(key: Self.empty, reports: 0, images: 0), count: 256)
            shift = 64 - 8
        }

        /// Counts `reportCount` reports of `imageCount` images under `first` and `second`.
        mutating func add(_ first: UInt32, _ second: UInt32, reports reportCount: Int = 1, images imageCount: Int) {
            let key = UInt64(first) << 32 | UInt64(second)
            let mask = slots.count - 1
            var at = Self.slot(key, shift)
            while true {
                let held = slots[at].key
                if held == key {
                    slots[at].reports += reportCount
                    slots[at].images += imageCount
                    return
                }
                if held == Self.empty { break }
                at = (at + 1) & mask
            }
            slots[at] = Slot(key: key, reports: reportCount, images: imageCount)
            count += 1
            if count * 2 > slots.count { grow() }
        }

        /// Every pair counted, in no particular order.
        func forEach(_ body: (_ first: Int, _ second: Int, _ reports: Int, _ images: Int) -> Void) {
            for slot in slots where slot.key != Self.empty {
                body(Int(slot.key >> 32), Int(slot.key & 0xFFFF_FFFF), slot.reports, slot.images)
            }
        }

        /// Fibonacci hashing: the key's product's top bits.
        private static func slot(_ key: UInt64, _ shift: UInt64) -> Int {
            Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift)
        }

        private mutating func grow() {
            let old = slots
            slots = [Slot](repeating: Slot(key: Self.empty, reports: 0, images: 0), count: old.count * 2)
            shift -= 1
            let mask = slots.count - 1
            for slot in old where slot.key != Self.empty {
                var at = Self.slot(slot.key, shift)
                while slots[at].key != Self.empty { at = (at + 1) & mask }
                slots[at] = slot
            }
        }
    }
}
