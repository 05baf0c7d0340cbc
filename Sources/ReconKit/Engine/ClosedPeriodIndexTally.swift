/// Reports and images counted by a pair of name numbers (`first << 32 | second`), for a
/// closed period's breakdown. Open addressing on the integer key: a month counts millions of
/// reports into a few thousand pairs, and a `Dictionary` hashed each of them with SipHash.
struct ClosedPeriodIndexTally {
    /// `empty` in a free slot; a key's halves are name numbers, below 2^32.
    private var keys: [UInt64]
    private var reports: [Int]
    private var images: [Int]
    private var shift: UInt64
    private(set) var count = 0
    private static let empty = UInt64.max

    init() {
        keys = [UInt64](repeating: Self.empty, count: 256)
        reports = [Int](repeating: 0, count: 256)
        images = [Int](repeating: 0, count: 256)
        shift = 64 - 8
    }

    /// Counts `reportCount` reports of `imageCount` images under `first` and `second`.
    mutating func add(_ first: UInt32, _ second: UInt32, reports reportCount: Int = 1, images imageCount: Int) {
        let key = UInt64(first) << 32 | UInt64(second)
        let mask = keys.count - 1
        var slot = Self.slot(key, shift)
        while true {
            let held = keys[slot]
            if held == key {
                reports[slot] += reportCount
                images[slot] += imageCount
                return
            }
            if held == Self.empty { break }
            slot = (slot + 1) & mask
        }
        keys[slot] = key
        reports[slot] = reportCount
        images[slot] = imageCount
        count += 1
        if count * 2 > keys.count { grow() }
    }

    /// Every pair counted, in no particular order.
    func forEach(_ body: (_ first: Int, _ second: Int, _ reports: Int, _ images: Int) -> Void) {
        for slot in keys.indices where keys[slot] != Self.empty {
            body(Int(keys[slot] >> 32), Int(keys[slot] & 0xFFFF_FFFF), reports[slot], images[slot])
        }
    }

    /// Fibonacci hashing: the key's product's top bits.
    private static func slot(_ key: UInt64, _ shift: UInt64) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift)
    }

    private mutating func grow() {
        let (oldKeys, oldReports, oldImages) = (keys, reports, images)
        let size = keys.count * 2
        keys = [UInt64](repeating: Self.empty, count: size)
        reports = [Int](repeating: 0, count: size)
        images = [Int](repeating: 0, count: size)
        shift -= 1
        let mask = size - 1
        for old in oldKeys.indices where oldKeys[old] != Self.empty {
            var slot = Self.slot(oldKeys[old], shift)
            while keys[slot] != Self.empty { slot = (slot + 1) & mask }
            keys[slot] = oldKeys[old]
            reports[slot] = oldReports[old]
            images[slot] = oldImages[old]
        }
    }
}
