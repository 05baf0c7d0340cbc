/// A billing period: one calendar month in the site's time zone (`YYYY-MM`).
public struct Period: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let year: Int
    public let month: Int

    public init(year: Int, month: Int) {
        self.year = year
        self.month = month
    }

    /// Parses exactly `YYYY-MM`.
    public init?(_ text: String) {
        // Read where the text lies (a replay reads a year's six thousand document periods).
        let parsed = text.utf8.withContiguousStorageIfAvailable(Self.parse) ?? Array(text.utf8).withUnsafeBufferPointer(Self.parse)
        guard let (y, m) = parsed else { return nil }
        self.init(year: y, month: m)
    }

    private static func parse(_ u: UnsafeBufferPointer<UInt8>) -> (year: Int, month: Int)? {
        guard u.count == 7, u[4] == 45, let y = Digits.value(u[0..<4]), let m = Digits.value(u[5..<7]),
            (1...12).contains(m), y >= 1
        else { return nil }
        return (y, m)
    }

    public var description: String {
        guard (0...9999).contains(year), (0...99).contains(month) else { return "\(Digits.padded(year, 4))-\(Digits.padded(month, 2))" }
        // Seven bytes written in place: documents' paths and the summaries' rows make thousands a command.
        return String(unsafeUninitializedCapacity: 7) { b in
            b[0] = 0x30 + UInt8(year / 1000)
            b[1] = 0x30 + UInt8(year / 100 % 10)
            b[2] = 0x30 + UInt8(year / 10 % 10)
            b[3] = 0x30 + UInt8(year % 10)
            b[4] = UInt8(ascii: "-")
            b[5] = 0x30 + UInt8(month / 10)
            b[6] = 0x30 + UInt8(month % 10)
            return 7
        }
    }
    public var firstDay: LocalDate { LocalDate(year: year, month: month, day: 1)! }
    public var lastDay: LocalDate { LocalDate(year: year, month: month, day: LocalDate.daysIn(year: year, month: month))! }
    public var previous: Period { month == 1 ? Period(year: year - 1, month: 12) : Period(year: year, month: month - 1) }
    public var next: Period { month == 12 ? Period(year: year + 1, month: 1) : Period(year: year, month: month + 1) }

    public static func < (a: Period, b: Period) -> Bool { (a.year, a.month) < (b.year, b.month) }
}
