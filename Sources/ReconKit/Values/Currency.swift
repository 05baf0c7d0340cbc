/// An ISO 4217 currency with its minor-unit exponent (JPY 0, KWD 3, most others 2).
public struct Currency: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let code: String
    public let minorDigits: Int

    /// The currency for an ISO 4217 code, or nil when the code is not a known currency.
    public init?(code: String) {
        guard let digits = ISO4217.minorDigits[code] else { return nil }
        self.code = code
        self.minorDigits = digits
    }

    public var description: String { code }

    public static func < (a: Currency, b: Currency) -> Bool { a.code < b.code }

    /// `amount` rounded once to this currency's minor unit, half away from zero.
    public func round(_ amount: ExactDecimal) throws -> ExactDecimal {
        try Rounding.round(amount, toScale: minorDigits)
    }

    /// Zero written with this currency's minor digits (`0.00`, `0`, `0.000`).
    public var zero: ExactDecimal { ExactDecimal(mantissa: 0, scale: minorDigits) }
}
