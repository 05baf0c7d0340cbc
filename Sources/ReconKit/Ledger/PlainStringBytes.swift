/// Steps over the bytes of a JSON string that need no second look: most of a ledger line.
///
/// A string's byte needs one when it is a quote, a backslash, a control character or part
/// of a multi-byte UTF-8 sequence; every other byte stands for itself. They are found eight
/// at a time in one 64-bit word (the "has a zero byte" test of Hacker's Delight §6-1, for
/// each kind at once) instead of one comparison chain a byte.
enum PlainStringBytes {
    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let highs: UInt64 = 0x8080_8080_8080_8080

    /// The first offset from `start` on whose byte needs a second look; `bytes.count` if none does.
    static func end(in bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        var i = start
        let count = bytes.count
        if let base = bytes.baseAddress {
            while i + 8 <= count {
                let word = UInt64(littleEndian: UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self))
                let found = flagged(word)
                // The lowest flag is always a byte that needs a look: a false flag can only
                // come from a borrow out of a lower byte, which is itself flagged.
                if found != 0 { return i + found.trailingZeroBitCount >> 3 }
                i += 8
            }
        }
        while i < count, isPlain(bytes[i]) { i += 1 }
        return i
    }

    /// Whether `byte` stands for itself in a JSON string.
    static func isPlain(_ byte: UInt8) -> Bool {
        byte >= 0x20 && byte < 0x80 && byte != 0x22 && byte != 0x5C
    }

    /// The high bit of each byte of `word` that may need a look, every such byte's lowest.
    private static func flagged(_ word: UInt64) -> UInt64 {
        let quote = word ^ (ones &* 0x22), backslash = word ^ (ones &* 0x5C)
        let isQuote = (quote &- ones) & ~quote
        let isBackslash = (backslash &- ones) & ~backslash
        let isControl = (word &- ones &* 0x20) & ~word
        return (isQuote | isBackslash | isControl | word) & highs
    }
}
