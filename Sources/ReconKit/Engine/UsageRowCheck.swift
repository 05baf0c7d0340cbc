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
    private var knownClient: [Bool?] = [], knownRadiologist: [Bool?] = []
    // The month is worked out only when the day leaves the last one seen.
    private var monthFirst: Int32 = 1, monthLast: Int32 = 0

    init(_ validator: DropValidator) {
        pricing = validator.state.pricing
        columns = validator.columns
        reopened = validator.reopened
        var closed = validator.state.closedOrClosing
        if let reopened = validator.reopened { closed.remove(reopened) }
        closedMonths = closed
    }

    /// The row's parties, checked; each unknown one is a problem added to `problems`.
    mutating func checkParties(_ row: Report, into problems: ProblemList) {
        if !isKnown(row.clientId, client: true) {
            problems.add(DropValidator.unknownParty(Int(row.line), "client_id", row.clientId, column: columns["client_id"]))
        }
        if !isKnown(row.radiologistId, client: false) {
            problems.add(DropValidator.unknownParty(Int(row.line), "radiologist_id", row.radiologistId, column: columns["radiologist_id"]))
        }
    }

    /// The row's month, noted when it is closed or the one being rerun.
    mutating func noteMonth(_ row: Report) {
        let day = row.localDate.dayNumber
        guard day < monthFirst || day > monthLast else { return }
        let period = row.period
        monthFirst = period.firstDay.dayNumber
        monthLast = period.lastDay.dayNumber
        if closedMonths.contains(period) { closed.insert(period) }
        if period == reopened { touchesReopened = true }
    }

    /// Whether the site knows the client (or radiologist) `id`, looked up once a name.
    private mutating func isKnown(_ id: String, client: Bool) -> Bool {
        let n = Int(names.number(id))
        if client {
            if n < knownClient.count, let answer = knownClient[n] { return answer }
        } else if n < knownRadiologist.count, let answer = knownRadiologist[n] {
            return answer
        }
        let answer = client ? pricing.clients[id] != nil : pricing.radiologists[id] != nil
        if client { Self.note(answer, at: n, in: &knownClient) } else { Self.note(answer, at: n, in: &knownRadiologist) }
        return answer
    }

    private static func note(_ answer: Bool, at n: Int, in known: inout [Bool?]) {
        if n >= known.count { known += [Bool?](repeating: nil, count: n + 1 - known.count) }
        known[n] = answer
    }
}
