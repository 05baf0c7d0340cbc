/// The names (client, radiologist and modality ids) a closed period's reports mention,
/// numbered in order of arrival. An ``IdTable`` numbers them; names of up to 16 bytes, most of
/// them, are found first by their bytes held as two integers, without hashing the string:
/// three look-ups a report are much of an index's encoding.
struct ClosedPeriodIndexNames {
    private(set) var table = IdTable<Void>()
    /// Per slot: the name's bytes (zero after its end), and its length and number + 1 (0 when free).
    private var low: [UInt64], high: [UInt64], held: [UInt64]
    private var shift: UInt64
    private var count = 0

    init() {
        low = [UInt64](repeating: 0, count: 256)
        high = low
        held = low
        shift = 64 - 8
    }

    /// The name's number, the next one when it is new.
    mutating func number(_ name: String) -> UInt32 {
        let short = name.utf8.withContiguousStorageIfAvailable { bytes -> UInt32? in
            guard bytes.count <= 16 else { return nil }
            var words: (UInt64, UInt64) = (0, 0)
            withUnsafeMutableBytes(of: &words) { $0.copyMemory(from: UnsafeRawBufferPointer(bytes)) }
            return number(words.0, words.1, length: bytes.count, name)
        }
        return (short ?? nil) ?? UInt32(table.insert(name, ()).position)
    }

    private mutating func number(_ a: UInt64, _ b: UInt64, length: Int, _ name: String) -> UInt32 {
        let mask = held.count - 1
        var slot = Self.slot(a, b, length, shift)
        while held[slot] != 0 {
            if low[slot] == a && high[slot] == b && Int(held[slot] >> 32) == length { return UInt32(held[slot] & 0xFFFF_FFFF) - 1 }
            slot = (slot + 1) & mask
        }
        let number = UInt32(table.insert(name, ()).position)
        (low[slot], high[slot], held[slot]) = (a, b, UInt64(length) << 32 | UInt64(number + 1))
        count += 1
        if count * 2 > held.count { grow() }
        return number
    }

    private static func slot(_ a: UInt64, _ b: UInt64, _ length: Int, _ shift: UInt64) -> Int {
        let mixed = ((a &* 0x9E37_79B9_7F4A_7C15) ^ (b &* 0xC2B2_AE3D_27D4_EB4F) ^ UInt64(length)) &* 0xFF51_AFD7_ED55_8CCD
        return Int(truncatingIfNeeded: mixed >> shift)
    }

    private mutating func grow() {
        let (oldLow, oldHigh, oldHeld) = (low, high, held)
        low = [UInt64](repeating: 0, count: held.count * 2)
        high = low
        held = low
        shift -= 1
        let mask = held.count - 1
        for old in oldHeld.indices where oldHeld[old] != 0 {
            var slot = Self.slot(oldLow[old], oldHigh[old], Int(oldHeld[old] >> 32), shift)
            while held[slot] != 0 { slot = (slot + 1) & mask }
            (low[slot], high[slot], held[slot]) = (oldLow[old], oldHigh[old], oldHeld[old])
        }
    }
}
