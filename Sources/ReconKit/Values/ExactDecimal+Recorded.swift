extension ExactDecimal {
    /// A decimal as the ledger records it: `-?digits[.digits]`. A drop's field has at most 15
    /// digits before the point and 6 after (SPEC §2), but a recorded amount is a sum of such
    /// values: it may be as long as 128 bits hold. Nil only when the text is not a decimal or
    /// does not fit, so whatever recon writes, it reads back.
    public init?(recorded text: Substring) {
        var text = text
        guard let value = text.withUTF8({ Self.recorded($0) }) else { return nil }
        self = value
    }

    /// Digits gathered in 64 bits before the 128-bit sum takes over: nineteen nines fit.
    private static let digitsIn64Bits = 19

    /// ``init(recorded:)`` on the text's bytes. A year's replay reads some twenty thousand
    /// amounts: their digits are summed in 64 bits, and only an amount past nineteen digits
    /// goes on in 128 bits, each step checked for overflow.
    private static func recorded(_ u: UnsafeBufferPointer<UInt8>) -> ExactDecimal? {
        let n = u.count
        let negative = n > 0 && u[0] == 45
        var i = negative ? 1 : 0
        guard i < n, u[i] &- 48 < 10, u[n - 1] != 46 else { return nil }
        var small: UInt64 = 0
        var wide: Int128?
        var digits = 0, scale = 0
        var seenPoint = false
        while i < n {
            let b = u[i]
            i += 1
            if b == 46 {
                guard !seenPoint else { return nil }
                seenPoint = true
                continue
            }
            let digit = b &- 48
            guard digit < 10 else { return nil }
            if seenPoint {
                scale += 1
                guard scale <= 36 else { return nil }
            }
            if let sum = wide {
                let (times10, o1) = sum.multipliedReportingOverflow(by: 10)
                let (next, o2) = times10.addingReportingOverflow(Int128(digit))
                guard !o1, !o2 else { return nil }
                wide = next
            } else if digits < digitsIn64Bits {
                small = small &* 10 &+ UInt64(digit)
                digits += 1
            } else {
                wide = Int128(small) * 10 + Int128(digit)  // twenty digits fit in 128 bits
            }
        }
        let mantissa = wide ?? Int128(small)
        return ExactDecimal(mantissa: negative ? -mantissa : mantissa, scale: scale)
    }
}
