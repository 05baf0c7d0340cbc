/// One signed medical report: the unit of usage, billed to its client and paid to its radiologist.
public struct Report: Sendable, Equatable {
    // Stored widest first: 88 bytes a report, where the order of the initializer's arguments
    // left 4 bytes of padding after the date and 3 after the urgency (96). A million reports
    // are read whole by every pass over a month: 8 MB less to fault in and to stream.
    public var id: String
    public var clientId: String
    public var radiologistId: String
    public var modality: String
    public var reportedAt: Timestamp
    /// The report's date in the site's time zone: decides its period and the cards in force.
    public var localDate: LocalDate
    public var imageCount: Int32
    public var line: Int32
    public var urgency: Urgency

    public init(id: String, reportedAt: Timestamp, localDate: LocalDate, clientId: String, radiologistId: String,
                modality: String, imageCount: Int32, urgency: Urgency, line: Int32 = 0) {
        self.id = id
        self.clientId = clientId
        self.radiologistId = radiologistId
        self.modality = modality
        self.reportedAt = reportedAt
        self.localDate = localDate
        self.imageCount = imageCount
        self.line = line
        self.urgency = urgency
    }

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
        list.withUnsafeBufferPointer { monthRuns(of: $0, run) }
    }

    static func monthRuns(of rows: UnsafeBufferPointer<Report>, _ run: (Range<Int>, Period) -> Void) {
        var first: Int32 = 1, last: Int32 = 0
        var period = Period(year: 1970, month: 1), start = 0
        for k in rows.indices {
            let day = rows[k].localDate.dayNumber
            guard day < first || day > last else { continue }
            if k > start { run(start..<k, period) }
            start = k
            period = rows[k].localDate.period
            first = period.firstDay.dayNumber
            last = period.lastDay.dayNumber
        }
        if rows.count > start { run(start..<rows.count, period) }
    }
}
