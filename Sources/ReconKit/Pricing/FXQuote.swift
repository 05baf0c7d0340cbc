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
    /// The rate rows' values (units of `base` per unit) behind the quote, so a reader can
    /// redo each line exactly: the 6 decimals shown are not enough for that. Nil for the base
    /// currency, and on documents issued before they were recorded.
    public var fromRate: ExactDecimal?
    public var toRate: ExactDecimal?
    public var base: Currency?

    public init(from: Currency, to: Currency, rate: ExactDecimal, fromDate: LocalDate?, toDate: LocalDate?,
                fromRate: ExactDecimal? = nil, toRate: ExactDecimal? = nil, base: Currency? = nil) {
        self.from = from
        self.to = to
        self.rate = rate
        self.fromDate = fromDate
        self.toDate = toDate
        self.fromRate = fromRate
        self.toRate = toRate
        self.base = base
    }

    /// Whether the rate rows' values are known (every quote made since they are recorded).
    public var showsRows: Bool { base != nil }

    /// `1 USD = 84.120000 INR`: the rate to 6 decimal places (SPEC §7), however the entry
    /// wrote it (without trailing zeros, as the ledger writes decimals).
    public var text: String { "1 \(from) = \((try? rate.widened(to: 6)) ?? rate) \(to)" }

    /// `fx_rates rows: 1 USD = 84.12 INR on 2026-03-31`, and the other side's when neither is the
    /// base currency; `USD rate of 2026-03-31` where the rows' values were not recorded.
    public var sourceText: String {
        var parts: [String] = []
        for (currency, date, value) in [(from, fromDate, fromRate), (to, toDate, toRate)] {
            guard let date else { continue }
            if let value, let base {
                parts.append("1 \(currency) = \(value.normalized) \(base) on \(date)")
            } else {
                parts.append("\(currency) rate of \(date)")
            }
        }
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
                       toDate: to == base ? nil : rowDate(to, on: date), fromRate: from == base ? nil : rFrom,
                       toRate: to == base ? nil : rTo, base: base)
    }
}
