/// An exact decimal number: `mantissa × 10^-scale`, never a binary float.
///
/// Prices, rates, FX rates and amounts all live in this type. Arithmetic is exact;
/// a result too large for 128 bits throws ``ArithmeticOverflow`` instead of trapping,
/// so absurd input becomes a problem report, never a crash. Rounding happens only in
/// ``Rounding`` — the one place money is rounded.
public struct ExactDecimal: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let mantissa: Int128
    public let scale: Int

    public init(mantissa: Int128, scale: Int) {
        precondition(scale >= 0 && scale <= 36, "scale out of range")
        self.mantissa = mantissa
        self.scale = scale
    }

    public init(_ integer: Int) {
        self.init(mantissa: Int128(integer), scale: 0)
    }

    public static let zero = ExactDecimal(mantissa: 0, scale: 0)

    public var isZero: Bool { mantissa == 0 }
    public var isNegative: Bool { mantissa < 0 }

    /// The same value with trailing fractional zeros removed (`12.500` → `12.5`).
    public var normalized: ExactDecimal {
        var m = mantissa, s = scale
        while s > 0 && m % 10 == 0 {
            m /= 10
            s -= 1
        }
        return ExactDecimal(mantissa: m, scale: s)
    }

    /// The value rescaled to `newScale` (≥ scale) without loss.
    public func widened(to newScale: Int) throws -> ExactDecimal {
        precondition(newScale >= scale)
        let factor = try Pow10.value(newScale - scale)
        return ExactDecimal(mantissa: try checkedMultiply(mantissa, factor), scale: newScale)
    }

    public static func + (a: ExactDecimal, b: ExactDecimal) throws -> ExactDecimal {
        let s = max(a.scale, b.scale)
        let (x, y) = (try a.widened(to: s), try b.widened(to: s))
        let (sum, overflow) = x.mantissa.addingReportingOverflow(y.mantissa)
        if overflow { throw ArithmeticOverflow() }
        return ExactDecimal(mantissa: sum, scale: s)
    }

    public static func - (a: ExactDecimal, b: ExactDecimal) throws -> ExactDecimal {
        try a + ExactDecimal(mantissa: -b.mantissa, scale: b.scale)
    }

    public static func * (a: ExactDecimal, b: ExactDecimal) throws -> ExactDecimal {
        let x = a.normalized, y = b.normalized
        return ExactDecimal(mantissa: try checkedMultiply(x.mantissa, y.mantissa), scale: x.scale + y.scale)
    }

    public static func * (a: ExactDecimal, n: Int) throws -> ExactDecimal {
        ExactDecimal(mantissa: try checkedMultiply(a.mantissa, Int128(n)), scale: a.scale)
    }

    public static func < (a: ExactDecimal, b: ExactDecimal) -> Bool {
        let s = max(a.scale, b.scale)
        if let x = try? a.widened(to: s), let y = try? b.widened(to: s) { return x.mantissa < y.mantissa }
        // Too wide to widen: compare whole parts, then fractions (each below 10^36, so they widen).
        let (ai, af) = a.mantissa.quotientAndRemainder(dividingBy: (try? Pow10.value(a.scale)) ?? 1)
        let (bi, bf) = b.mantissa.quotientAndRemainder(dividingBy: (try? Pow10.value(b.scale)) ?? 1)
        if ai != bi { return ai < bi }
        let fa = (try? ExactDecimal(mantissa: af, scale: a.scale).widened(to: s).mantissa) ?? 0
        let fb = (try? ExactDecimal(mantissa: bf, scale: b.scale).widened(to: s).mantissa) ?? 0
        return fa < fb
    }

    public static func == (a: ExactDecimal, b: ExactDecimal) -> Bool {
        let x = a.normalized, y = b.normalized
        return x.mantissa == y.mantissa && x.scale == y.scale
    }

    public func hash(into hasher: inout Hasher) {
        let n = normalized
        hasher.combine(n.mantissa)
        hasher.combine(n.scale)
    }

    /// Plain decimal text with exactly `scale` fractional digits (`-12.50`), as ``appendText(to:)`` writes it.
    public var description: String {
        var text: [UInt8] = []
        appendText(to: &text)
        return String(decoding: text, as: UTF8.self)
    }

    /// An approximation for display cells and scoring only — never for money arithmetic.
    public var doubleApproximation: Double {
        // The same Double either way (both round the integer to nearest); Int128's conversion is a slow generic path.
        if let small = Int64(exactly: mantissa) { return Double(small) / pow10Double(scale) }
        return Double(mantissa) / pow10Double(scale)
    }
}

/// Raised when an exact computation does not fit in 128 bits.
public struct ArithmeticOverflow: Error, CustomStringConvertible {
    public var description: String { "amount too large to compute exactly" }
}

func checkedMultiply(_ a: Int128, _ b: Int128) throws -> Int128 {
    let (p, overflow) = a.multipliedReportingOverflow(by: b)
    if overflow { throw ArithmeticOverflow() }
    return p
}

private func pow10Double(_ n: Int) -> Double {
    var r = 1.0
    for _ in 0..<n { r *= 10 }
    return r
}

/// Powers of ten as 128-bit integers.
enum Pow10 {
    static func value(_ n: Int) throws -> Int128 {
        guard n >= 0 && n <= 38 else { throw ArithmeticOverflow() }
        var r: Int128 = 1
        for _ in 0..<n { r *= 10 }
        return r
    }
}
