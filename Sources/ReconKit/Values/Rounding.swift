/// The one place money is rounded: half away from zero, once, to a currency's minor unit.
///
/// Every line amount, tax amount, FX conversion and margin passes through here. Callers
/// keep values exact until the end and call one of these exactly once per published figure.
public enum Rounding {
    /// `value` rounded to `scale` fractional digits, half away from zero.
    public static func round(_ value: ExactDecimal, toScale scale: Int) throws -> ExactDecimal {
        if value.scale <= scale { return try value.widened(to: scale) }
        let divisor = try Pow10.value(value.scale - scale)
        return ExactDecimal(mantissa: roundedQuotient(value.mantissa, divisor), scale: scale)
    }

    /// `numerator / denominator` rounded to `scale` fractional digits, half away from zero.
    ///
    /// Used for FX conversion `A × rate(X) / rate(Y)`, whose exact value may not be a
    /// finite decimal: it is rounded once, here, and nowhere else.
    public static func divide(_ numerator: ExactDecimal, by denominator: ExactDecimal, toScale scale: Int) throws
        -> ExactDecimal
    {
        precondition(!denominator.isZero, "division by zero")
        let n = numerator.normalized, d = denominator.normalized
        // n/d = (n.m / 10^n.s) / (d.m / 10^d.s); at `scale`: n.m × 10^(d.s + scale) / (d.m × 10^n.s)
        let up = d.scale + scale, down = n.scale
        let common = min(up, down)
        let num = try checkedMultiply(n.mantissa, try Pow10.value(up - common))
        let den = try checkedMultiply(d.mantissa, try Pow10.value(down - common))
        return ExactDecimal(mantissa: roundedQuotient(num, den), scale: scale)
    }

    /// Each of `parts` rounded to `scale` digits so that they add up to `total`, their sum
    /// rounded once: each is rounded half away from zero, then the few units of the last
    /// digit by which those roundings miss the total go one each to the parts whose rounding
    /// dropped the most (taken off those whose rounding added the most, for an excess);
    /// equal ones in order. A breakdown of a figure rounded once then adds up to that figure.
    public static func apportion(_ parts: [ExactDecimal], total: ExactDecimal, toScale scale: Int) throws -> [ExactDecimal] {
        var rounded = try parts.map { try round($0, toScale: scale) }
        guard !rounded.isEmpty else { return rounded }
        var sum = ExactDecimal.zero
        for r in rounded { sum = try sum + r }
        var missing = try (try round(total, toScale: scale) - sum).widened(to: scale).mantissa
        guard missing != 0 else { return rounded }
        let dropped = try parts.indices.map { try parts[$0] - rounded[$0] }  // > 0: rounded down
        let order = parts.indices.sorted { a, b in
            dropped[a] == dropped[b] ? a < b : (missing > 0 ? dropped[b] < dropped[a] : dropped[a] < dropped[b])
        }
        let unit = ExactDecimal(mantissa: missing > 0 ? 1 : -1, scale: scale)
        var k = 0
        while missing != 0 {
            let i = order[k % order.count]
            rounded[i] = try rounded[i] + unit
            missing += missing > 0 ? -1 : 1
            k += 1
        }
        return rounded
    }

    /// Integer division rounding half away from zero.
    static func roundedQuotient(_ n: Int128, _ d: Int128) -> Int128 {
        let (q, r) = n.quotientAndRemainder(dividingBy: d)
        guard r.magnitude * 2 >= d.magnitude else { return q }
        return (n < 0) == (d < 0) ? q + 1 : q - 1
    }
}
