/// The exchange rate a document used for lines priced in another currency, as printed:
/// `1 USD = 84.120000 INR`, with the dates of the rate rows behind it (SPEC §7).
public struct FXQuote: Sendable, Equatable {
    public var from: Currency
    public var to: Currency
    /// rate(from) / rate(to), rounded to 6 decimal places for showing (amounts use the exact rates).
    public var rate: ExactDecimal
    /// The date of each `fx_rates` row used; nil for the base currency, whose rate is always 1.
    public var fromDate: LocalDate?
    public var toDate: LocalDate?

    public init(from: Currency, to: Currency, rate: ExactDecimal, fromDate: LocalDate?, toDate: LocalDate?) {
        self.from = from
        self.to = to
        self.rate = rate
        self.fromDate = fromDate
        self.toDate = toDate
    }

    /// `1 USD = 84.120000 INR`: the rate to 6 decimal places (SPEC §7), however the entry
    /// wrote it (without trailing zeros, as the ledger writes decimals).
    public var text: String { "1 \(from) = \((try? rate.widened(to: 6)) ?? rate) \(to)" }

    /// `USD rate of 2026-03-31` (and the other side's when neither is the base currency).
    public var sourceText: String {
        var parts: [String] = []
        if let d = fromDate { parts.append("\(from) rate of \(d)") }
        if let d = toDate { parts.append("\(to) rate of \(d)") }
        return parts.isEmpty ? "" : "fx_rates rows: " + parts.joined(separator: ", ")
    }
}

extension FXTable {
    /// The quote for converting `from` to `to` on `date`, or nil when a rate is missing.
    public func quote(from: Currency, to: Currency, on date: LocalDate) -> FXQuote? {
        guard let rFrom = rate(from, on: date), let rTo = rate(to, on: date),
            let shown = try? Rounding.divide(rFrom, by: rTo, toScale: 6)
        else { return nil }
        return FXQuote(from: from, to: to, rate: shown, fromDate: from == base ? nil : rowDate(from, on: date),
                       toDate: to == base ? nil : rowDate(to, on: date))
    }
}
