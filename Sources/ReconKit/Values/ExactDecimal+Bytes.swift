extension ExactDecimal {
    /// ``description``'s text appended as UTF-8 bytes, without making a `String`: keys over
    /// thousands of amounts (the margin summary's closed rows on every drop) are made this way.
    /// A magnitude beyond 64 bits goes through ``description``.
    func appendText(to out: inout [UInt8]) {
        let negative = mantissa < 0
        guard let magnitude = UInt64(exactly: negative ? (0 - mantissa).magnitude : mantissa.magnitude) else {
            out += description.utf8
            return
        }
        // The digits, least significant first, at least `scale + 1` of them when there is a fraction.
        var digits: [UInt8] = []
        digits.reserveCapacity(24)
        var rest = magnitude
        repeat {
            digits.append(UInt8(ascii: "0") + UInt8(rest % 10))
            rest /= 10
        } while rest > 0
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
