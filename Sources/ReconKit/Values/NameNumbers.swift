/// Names (client, radiologist and modality ids) numbered in order of arrival, looked up
/// several times a report by the pricer and the closed-period index. An ``IdTable`` numbers
/// them; names of up to 16 bytes, most of them, are found first by their bytes held as two
/// integers, without hashing the string: three string look-ups a report were a quarter of
/// an index's encoding and a fifth of a month's pricing. A name seen lately is found even
/// before that, by the 16 bytes of its `String` value, without reading its text at all.
struct NameNumbers {
    private(set) var table = IdTable<Void>()
    /// A name's bytes (zero after its end), and its length and number + 1 (0 when free).
    private struct Slot {
        var low: UInt64
        var high: UInt64
        var held: UInt64
    }

    private var slots: [Slot]
    private var shift: UInt64
    private var count = 0

    init() {
        slots = [Slot](repeating: Slot(low: 0, high: 0, held: 0), count: 256)
        shift = 64 - 8
    }

    /// Names seen last, by the 16 bytes of the `String` value itself (direct-mapped). Equal
    /// bytes are the same text: a short name's bytes are its UTF-8, and a longer one's point to
    /// storage the entry keeps alive, so no other text can come to live there.
    private struct Recent {
        var raw: (UInt64, UInt64)
        var name: String?
        var number: UInt32
    }

    private var recent = [Recent](repeating: Recent(raw: (0, 0), name: nil, number: 0), count: 4096)

    /// The name's number, the next one when it is new.
    mutating func number(_ name: String) -> UInt32 {
        let raw = unsafeBitCast(name, to: (UInt64, UInt64).self)
        let at = Int(truncatingIfNeeded: ((raw.0 &* 0x9E37_79B9_7F4A_7C15) ^ (raw.1 &* 0xC2B2_AE3D_27D4_EB4F)) >> 52)
        if recent[at].name != nil, recent[at].raw == raw { return recent[at].number }
        let number = numberByBytes(name)
        recent[at] = Recent(raw: raw, name: name, number: number)
        return number
    }

    private mutating func numberByBytes(_ name: String) -> UInt32 {
        let short = name.utf8.withContiguousStorageIfAvailable { bytes -> UInt32? in
            guard bytes.count <= 16 else { return nil }
            var words: (UInt64, UInt64) = (0, 0)
            withUnsafeMutableBytes(of: &words) { $0.copyMemory(from: UnsafeRawBufferPointer(bytes)) }
            return number(words.0, words.1, length: bytes.count, name)
        }
        return (short ?? nil) ?? UInt32(table.insert(name, ()).position)
    }

    private mutating func number(_ a: UInt64, _ b: UInt64, length: Int, _ name: String) -> UInt32 {
        let mask = slots.count - 1
        var at = Self.slot(a, b, length, shift)
        while slots[at].held != 0 {
            let slot = slots[at]
            if slot.low == a && slot.high == b && Int(slot.held >> 32) == length { return UInt32(slot.held & 0xFFFF_FFFF) - 1 }
            at = (at + 1) & mask
        }
        let number = UInt32(table.insert(name, ()).position)
        slots[at] = Slot(low: a, high: b, held: UInt64(length) << 32 | UInt64(number + 1))
        count += 1
        if count * 2 > slots.count { grow() }
        return number
    }

    private static func slot(_ a: UInt64, _ b: UInt64, _ length: Int, _ shift: UInt64) -> Int {
        let mixed = ((a &* 0x9E37_79B9_7F4A_7C15) ^ (b &* 0xC2B2_AE3D_27D4_EB4F) ^ UInt64(length)) &* 0xFF51_AFD7_ED55_8CCD
        return Int(truncatingIfNeeded: mixed >> shift)
    }

    private mutating func grow() {
        let old = slots
        slots = [Slot](repeating: Slot(low: 0, high: 0, held: 0), count: old.count * 2)
        shift -= 1
        let mask = slots.count - 1
        for slot in old where slot.held != 0 {
            var at = Self.slot(slot.low, slot.high, Int(slot.held >> 32), shift)
            while slots[at].held != 0 { at = (at + 1) & mask }
            slots[at] = slot
        }
    }
}
