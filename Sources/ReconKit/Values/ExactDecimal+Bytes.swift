extension ExactDecimal {
    /// The plain decimal text (``description``) appended as UTF-8 bytes: the sign, the whole
    /// digits (at least one), then the point and exactly `scale` fractional digits when `scale`
    /// is not 0. Keys over thousands of amounts (the margin summary's closed rows on every drop)
    /// are written this way, without a `String` for each.
    func appendText(to out: inout [UInt8]) {
        let negative = mantissa < 0
        let magnitude = negative ? (0 - mantissa).magnitude : mantissa.magnitude
        // The digits, least significant first; 64 bits are divided out without the 128-bit
        // arithmetic, which almost every amount fits.
        var digits: [UInt8] = []
        digits.reserveCapacity(40)
        if var rest = UInt64(exactly: magnitude) {
            repeat {
                digits.append(UInt8(ascii: "0") + UInt8(rest % 10))
                rest /= 10
            } while rest > 0
        } else {
            digits = String(magnitude).utf8.reversed()
        }
        // At least one whole digit before the point.
        if scale > 0 {
            while digits.count < scale + 1 { digits.append(UInt8(ascii: "0")) }
        }
        if negative { out.append(UInt8(ascii: "-")) }
        for i in stride(from: digits.count - 1, through: 0, by: -1) {
            if scale > 0 && i == scale - 1 { out.append(UInt8(ascii: ".")) }
            out.append(digits[i])
        }
    }
}
