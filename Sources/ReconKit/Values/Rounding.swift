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

    /// Integer division rounding half away from zero.
    static func roundedQuotient(_ n: Int128, _ d: Int128) -> Int128 {
        let (q, r) = n.quotientAndRemainder(dividingBy: d)
        guard r.magnitude * 2 >= d.magnitude else { return q }
        return (n < 0) == (d < 0) ? q + 1 : q - 1
    }
}
