/// The rate cards of one kind, each the set of rows sharing an `effective_from`.
///
/// A later drop holding rows for a date replaces that whole card; a report uses the card
/// with the greatest `effective_from` on or before its local date.
public struct RateCards<Row: Sendable>: Sendable {
    public private(set) var cards: [LocalDate: [Row]] = [:]
    private var dates: [LocalDate] = []

    public init() {}

    /// Replaces (or creates) the card for `date`; returns whether one was replaced.
    @discardableResult
    public mutating func replace(_ date: LocalDate, with rows: [Row]) -> Bool {
        let replaced = cards[date] != nil
        cards[date] = rows
        if !replaced {
            dates.append(date)
            dates.sort()
        }
        return replaced
    }

    /// The effective date of the card in force on `date`.
    public func cardDate(on date: LocalDate) -> LocalDate? {
        var lo = 0, hi = dates.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if dates[mid] <= date { lo = mid + 1 } else { hi = mid }
        }
        return lo == 0 ? nil : dates[lo - 1]
    }

    public var effectiveDates: [LocalDate] { dates }
}
