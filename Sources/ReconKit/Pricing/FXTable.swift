/// FX rates by currency and date: units of the base currency per one unit of a currency.
///
/// Converting A from X to Y is `A × rate(X) / rate(Y)`, each rate the latest on or before
/// the as-of date, computed exactly and rounded once (SPEC §3).
public struct FXTable: Sendable {
    public let base: Currency
    /// Per currency code: dates ascending with their rate (a later drop for a date replaces it).
    private var rates: [String: [(date: LocalDate, rate: ExactDecimal)]] = [:]

    public init(base: Currency) { self.base = base }

    public mutating func set(_ r: FXRate) {
        guard r.currency != base else { return }
        var list = rates[r.currency.code, default: []]
        if let i = list.firstIndex(where: { $0.date == r.date }) {
            list[i].rate = r.rate
        } else {
            list.append((r.date, r.rate))
            list.sort { $0.date < $1.date }
        }
        rates[r.currency.code] = list
    }

    /// The rate in force on `date`, or nil when none is dated on or before it.
    public func rate(_ c: Currency, on date: LocalDate) -> ExactDecimal? {
        if c == base { return ExactDecimal(1) }
        guard let list = rates[c.code] else { return nil }
        var lo = 0, hi = list.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if list[mid].date <= date { lo = mid + 1 } else { hi = mid }
        }
        return lo == 0 ? nil : list[lo - 1].rate
    }

    /// The date of the rate row in force on `date` (nil for the base currency or none).
    public func rowDate(_ c: Currency, on date: LocalDate) -> LocalDate? {
        guard c != base, let list = rates[c.code] else { return nil }
        return list.last(where: { $0.date <= date })?.date
    }

    /// A needed rate that is missing.
    public struct Missing: Error, Hashable, Sendable {
        public let currency: Currency
        public let date: LocalDate
    }

    /// `amount` in `from` converted to `to` as of `date`, rounded once to `to`'s minor unit.
    public func convert(_ amount: ExactDecimal, from: Currency, to: Currency, on date: LocalDate) throws -> ExactDecimal {
        if from == to { return try to.round(amount) }
        let (rFrom, rTo) = try rates(from, to, on: date)
        return try Rounding.divide(try amount * rFrom, by: rTo, toScale: to.minorDigits)
    }

    /// `amount` in `from` converted exactly into the base currency (rate(base) is 1: no division).
    public func toBaseExact(_ amount: ExactDecimal, from: Currency, on date: LocalDate) throws -> ExactDecimal {
        if from == base { return amount }
        guard let r = rate(from, on: date) else { throw Missing(currency: from, date: date) }
        return try amount * r
    }

    private func rates(_ a: Currency, _ b: Currency, on date: LocalDate) throws -> (ExactDecimal, ExactDecimal) {
        guard let ra = rate(a, on: date) else { throw Missing(currency: a, date: date) }
        guard let rb = rate(b, on: date) else { throw Missing(currency: b, date: date) }
        return (ra, rb)
    }
}
