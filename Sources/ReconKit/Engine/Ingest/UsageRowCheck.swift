/// What a usage drop's rows say on their own, a row at a time (``DropValidator``): the parties
/// they name that the site does not know, and the closed months and the month being rerun
/// that they fall in. It holds what it needs of the site, not the site's state, so a large
/// drop's rows are checked on another core while their ids are looked up (and the state's
/// reports are appended to in place afterwards, never copied for a copy still held there).
struct UsageRowCheck {
    private let pricing: PricingContext
    /// The drop's column of each field, to name it in problems.
    private let columns: [String: Int]
    /// Closed months, the one being rerun left out (``DropValidator``).
    private let closedMonths: Set<Period>
    private let reopened: Period?
    /// Closed months the rows fall in.
    private(set) var closed = Set<Period>()
    private(set) var touchesReopened = false

    // A drop names a few hundred parties a million times: each name is looked up once.
    private var names = NameNumbers()
    private var knownClients = Answers(), knownRadiologists = Answers()
    // The month is worked out only when the day leaves the last one seen.
    private var monthFirst: Int32 = 1, monthLast: Int32 = 0

    init(_ validator: DropValidator) {
        pricing = validator.state.pricing
        columns = validator.columns
        reopened = validator.reopened
        closedMonths = validator.closedMonths
    }

    /// The row's parties, checked; each unknown one is a problem added to `problems`. The row is
    /// read where it lies: a `Report` handed over by value was copied, its four names retained
    /// and released, a million times a drop.
    mutating func checkParties(_ row: UnsafePointer<Report>, into problems: ProblemList) {
        let c = Int(names.number(row.pointee.clientId))
        if !(knownClients[c] ?? knownClients.note(pricing.clients[row.pointee.clientId] != nil, at: c)) {
            problems.add(DropValidator.unknownParty(Int(row.pointee.line), "client_id", row.pointee.clientId, column: columns["client_id"]))
        }
        let d = Int(names.number(row.pointee.radiologistId))
        if !(knownRadiologists[d] ?? knownRadiologists.note(pricing.radiologists[row.pointee.radiologistId] != nil, at: d)) {
            problems.add(DropValidator.unknownParty(Int(row.pointee.line), "radiologist_id", row.pointee.radiologistId,
                                                    column: columns["radiologist_id"]))
        }
    }

    /// The id of a report not taken before, checked: decisions name flags and reports in one
    /// column, and a report id shaped like a flag id named both (a decision about the report
    /// passed for the flag's review, or the flag could not be decided at all). A report taken
    /// before, repeated with the same values (a cumulative export), stands as it was taken.
    func checkNewId(_ row: UnsafePointer<Report>, into problems: ProblemList) {
        guard AuditFlag.isFlagShaped(row.pointee.id) else { return }
        problems.add(DropProblem(line: Int(row.pointee.line), column: columns["report_id"], field: "report_id",
            "\(row.pointee.id) has the shape of a flag id (HARD- or SOFT- and ten hex digits): decisions name flags and reports "
                + "in one column, so it would name both — give the report another id (e.g. R-\(row.pointee.id.dropFirst(5)))"))
    }

    /// The row's month, noted when it is closed or the one being rerun.
    mutating func noteMonth(_ row: UnsafePointer<Report>) {
        let day = row.pointee.localDate.dayNumber
        guard day < monthFirst || day > monthLast else { return }
        let period = row.pointee.period
        monthFirst = period.firstDay.dayNumber
        monthLast = period.lastDay.dayNumber
        if closedMonths.contains(period) { closed.insert(period) }
        if period == reopened { touchesReopened = true }
    }

    /// Whether the site knows a name, by the name's number, once looked up.
    private struct Answers {
        private var known: [Bool?] = []

        subscript(n: Int) -> Bool? { n < known.count ? known[n] : nil }

        /// Keeps `answer` for name `n`, and returns it.
        mutating func note(_ answer: Bool, at n: Int) -> Bool {
            if n >= known.count { known += [Bool?](repeating: nil, count: n + 1 - known.count) }
            known[n] = answer
            return answer
        }
    }
}
