extension ExactDecimal {
    /// A decimal as the ledger records it: `-?digits[.digits]`. A drop's field has at most 15
    /// digits before the point and 6 after (SPEC §2), but a recorded amount is a sum of such
    /// values: it may be as long as 128 bits hold. Nil only when the text is not a decimal or
    /// does not fit, so whatever recon writes, it reads back.
    public init?(recorded text: Substring) {
        var u = text.utf8[...]
        let negative = u.first == 45
        if negative { u = u.dropFirst() }
        guard let first = u.first, first >= 48 && first <= 57, u.last != 46 else { return nil }
        var mantissa: Int128 = 0
        var scale = 0
        var seenPoint = false
        for b in u {
            if b == 46 {
                guard !seenPoint else { return nil }
                seenPoint = true
                continue
            }
            guard b >= 48 && b <= 57 else { return nil }
            if seenPoint { scale += 1 }
            let (times10, o1) = mantissa.multipliedReportingOverflow(by: 10)
            let (next, o2) = times10.addingReportingOverflow(Int128(b - 48))
            guard !o1, !o2, scale <= 36 else { return nil }
            mantissa = next
        }
        self.init(mantissa: negative ? -mantissa : mantissa, scale: scale)
    }
}
