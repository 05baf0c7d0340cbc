/// A calendar date (`YYYY-MM-DD`) with no time zone, as finance staff write it.
public struct LocalDate: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Days since 1970-01-01 (proleptic Gregorian).
    public let dayNumber: Int32

    public init(dayNumber: Int32) { self.dayNumber = dayNumber }

    /// The date, or nil when it is not a real calendar date (2026-02-30).
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month),
            (1...LocalDate.daysIn(year: year, month: month)).contains(day)
        else { return nil }
        self.dayNumber = Int32(LocalDate.daysFromCivil(year, month, day))
    }

    /// Parses exactly `YYYY-MM-DD`.
    public init?(_ text: Substring) {
        guard let date = text.utf8.withContiguousStorageIfAvailable({ LocalDate(utf8: UnsafeRawBufferPointer($0)) })
            ?? Array(text.utf8).withUnsafeBytes({ LocalDate(utf8: $0) })
        else { return nil }
        self = date
    }

    /// Why `YYYY-MM-DD`-shaped digits name no day (`2026-02-29`, `2026-13-01`), for a message
    /// a person can act on; nil when they are not shaped so, or name a real day.
    public static func calendarProblem(_ text: Substring) -> String? {
        let u = Array(text.utf8.prefix(11))
        guard u.count >= 10, u.count == 10 || u[10] == 84 || u[10] == 116, u[4] == 45, u[7] == 45,
            let y = Digits.value(u[0..<4]), let m = Digits.value(u[5..<7]), let d = Digits.value(u[8..<10]),
            LocalDate(year: y, month: m, day: d) == nil, (1...9999).contains(y)
        else { return nil }
        let date = String(decoding: u[0..<10], as: UTF8.self)
        guard (1...12).contains(m) else { return "\(date) has month \(Digits.padded(m, 2)); months run 01–12" }
        let last = daysIn(year: y, month: m)
        return "\(date) is not a day of the calendar; \(monthNames[m - 1]) \(y) has days 01–\(last)"
    }

    private static let monthNames = ["January", "February", "March", "April", "May", "June", "July", "August",
                                      "September", "October", "November", "December"]

    /// Parses exactly `YYYY-MM-DD` from UTF-8 bytes.
    public init?(utf8 u: UnsafeRawBufferPointer) {
        guard u.count == 10, u[4] == 45, u[7] == 45,
            let y = Digits.value(u[0..<4]), let m = Digits.value(u[5..<7]), let d = Digits.value(u[8..<10])
        else { return nil }
        self.init(year: y, month: m, day: d)
    }

    public var components: (year: Int, month: Int, day: Int) { LocalDate.civil(fromDays: Int(dayNumber)) }
    public var period: Period {
        let c = components
        return Period(year: c.year, month: c.month)
    }

    public var description: String {
        let c = components
        return "\(Digits.padded(c.year, 4))-\(Digits.padded(c.month, 2))-\(Digits.padded(c.day, 2))"
    }

    public static func < (a: LocalDate, b: LocalDate) -> Bool { a.dayNumber < b.dayNumber }

    static func isLeap(_ y: Int) -> Bool { (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }

    static func daysIn(year: Int, month: Int) -> Int {
        switch month {
        case 2: return isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Howard Hinnant's days_from_civil.
    static func daysFromCivil(_ y0: Int, _ m: Int, _ d: Int) -> Int {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    static func civil(fromDays z0: Int) -> (year: Int, month: Int, day: Int) {
        let z = z0 + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}
