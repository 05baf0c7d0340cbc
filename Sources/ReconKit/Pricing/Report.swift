/// One signed medical report: the unit of usage, billed to its client and paid to its radiologist.
public struct Report: Sendable, Equatable {
    public var id: String
    public var reportedAt: Timestamp
    /// The report's date in the site's time zone: decides its period and the cards in force.
    public var localDate: LocalDate
    public var clientId: String
    public var radiologistId: String
    public var modality: String
    public var imageCount: Int32
    public var urgency: Urgency
    public var line: Int32 = 0

    public var period: Period { localDate.period }

    /// Same values as parsed (the line it came from does not count).
    public func sameValues(as other: Report) -> Bool {
        id == other.id && reportedAt == other.reportedAt && clientId == other.clientId
            && radiologistId == other.radiologistId && modality == other.modality
            && imageCount == other.imageCount && urgency == other.urgency
    }

    /// The periods a list of reports falls in, oldest first.
    public static func periods(of list: [Report]) -> [Period] {
        var out = Set<Period>()
        monthRuns(of: list) { _, period in out.insert(period) }
        return out.sorted()
    }

    /// The list cut into runs of consecutive reports of one month, in order, each with its
    /// month. The month is worked out only when the day leaves the last one seen (a drop is
    /// mostly one month), and only the dates are read: a report copied whole retains and
    /// releases its names.
    static func monthRuns(of list: [Report], _ run: (Range<Int>, Period) -> Void) {
        var first: Int32 = 1, last: Int32 = 0
        var period = Period(year: 1970, month: 1), start = 0
        list.withUnsafeBufferPointer { rows in
            for k in rows.indices {
                let day = rows[k].localDate.dayNumber
                guard day < first || day > last else { continue }
                if k > start { run(start..<k, period) }
                start = k
                period = rows[k].localDate.period
                first = period.firstDay.dayNumber
                last = period.lastDay.dayNumber
            }
        }
        if list.count > start { run(start..<list.count, period) }
    }
}
