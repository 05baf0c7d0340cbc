/// A calendar month of generated usage (UTC, the bench sites' time zone): its days, the
/// next month, and the clocks the benchmarks run commands at.
struct BenchMonth: Comparable, CustomStringConvertible {
    let year: Int
    let month: Int

    init(year: Int, month: Int) {
        self.year = year
        self.month = month
    }

    /// Parses `YYYY-MM`; nil for anything else.
    init?(_ text: String) {
        let parts = text.split(separator: "-")
        guard parts.count == 2, parts[0].count == 4, parts[1].count == 2,
              let y = Int(parts[0]), let m = Int(parts[1]), (1...12).contains(m) else { return nil }
        self.init(year: y, month: m)
    }

    var days: Int {
        switch month {
        case 2: return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    var next: BenchMonth { month == 12 ? BenchMonth(year: year + 1, month: 1) : BenchMonth(year: year, month: month + 1) }

    /// The month `count` months before this one.
    func back(_ count: Int) -> BenchMonth {
        let index = year * 12 + (month - 1) - count
        return BenchMonth(year: index / 12, month: index % 12 + 1)
    }

    /// `YYYY-MM-DDT09:00:00Z` on `day` of this month: a clock for `RECON_NOW`.
    func morning(of day: Int) -> String {
        "\(self)-\(BenchData.pad(day, 2))T09:00:00Z"
    }

    var description: String { "\(year)-\(BenchData.pad(month, 2))" }

    static func < (a: BenchMonth, b: BenchMonth) -> Bool { (a.year, a.month) < (b.year, b.month) }
}
