/// Checks a parsed drop against the site (SPEC §2): known parties, report ids unique forever,
/// card shapes, decisions about known subjects, and closed periods.
public struct DropValidator {
    public let state: SiteState
    /// Column positions of the drop being checked (1-based), to name them in problems.
    public var columns: [String: Int] = [:]
    /// A closed period being rerun: its held drops are applied, so it counts as open here, and
    /// a drop touching it is applied whole even when it touches other closed periods too (those
    /// then await their own rerun, ``SiteState/awaitingRerun``): no held drop waits for good.
    public var reopened: Period?
    /// Why a subject no flag or report has is not taken yet, when a held drop holds it
    /// (``HeldDrops/notTakenYet(_:)``): asked only for such a subject.
    public var notTakenYet: (String) -> String? = { _ in nil }

    public init(state: SiteState, columns: [String: Int] = [:], reopened: Period? = nil) {
        self.state = state
        self.columns = columns
        self.reopened = reopened
    }

    private func isClosed(_ p: Period) -> Bool { p != reopened && state.isClosed(p) }

    /// Every month ``isClosed(_:)`` says is closed, for a check that holds no copy of the state (``UsageRowCheck``).
    var closedMonths: Set<Period> {
        var closed = state.closedOrClosing
        if let reopened { closed.remove(reopened) }
        return closed
    }

    /// What a drop touching `closed` (closed periods other than ``reopened``) does: waits in
    /// `Inbox/held/`, unless it also touches the period being rerun.
    private func waiting(_ closed: Set<Period>, touchingReopened: Bool) -> Verdict? {
        closed.isEmpty || touchingReopened ? nil : .held(closed.sorted())
    }

    /// While a rerun applies the held drops of ``reopened``: a drop in `Inbox/held/` that does
    /// not touch it is not one of them (put there by hand: a clients drop, a usage drop of open
    /// months), and the rerun an operator signed for that period must not apply it.
    private func notHeld(_ what: String) -> Verdict? {
        guard let reopened else { return nil }
        let problems = ProblemList()
        problems.add(DropProblem(
            "not a held drop of \(reopened): \(what), and a rerun applies only the drops held for the period it reruns; "
                + "drop it into Inbox/ to take it as any other drop"))
        return .reject(problems)
    }

    /// From this many rows a usage drop's parties and months are checked on another core (``UsageRowCheck``).
    static let rowsCheckedBeside = 65_536

    /// How many ids ahead of the one inserted the drop's id map is asked for its slot.
    static let slotsAhead = 8

    private func problem(_ line: Int, _ field: String, _ message: String) -> DropProblem {
        DropProblem(line: line, column: columns[field], field: field, message)
    }

    /// A row naming a client or radiologist (`field`: `client_id` or `radiologist_id`) the site does not know.
    private func unknownParty(_ line: Int, _ field: String, _ id: String) -> DropProblem {
        Self.unknownParty(line, field, id, column: columns[field])
    }

    /// The same, its column given.
    static func unknownParty(_ line: Int, _ field: String, _ id: String, column: Int?) -> DropProblem {
        let (what, file) = field == "client_id" ? ("client", "clients") : ("radiologist", "radiologists")
        return DropProblem(line: line, column: column, field: field, unknownPartyText(what) + "\(id)\"; drop a \(file) file naming it first")
    }

    /// How that problem starts, for `party` (`client`, `radiologist`).
    static func unknownPartyText(_ party: String) -> String { "unknown \(party) \"" }

    public enum Verdict {
        /// Apply these rows; `skipped` rows repeated reports already held with the same values.
        case accept(ParsedDrop, skipped: Int)
        case reject(ProblemList)
        /// The drop touches these closed periods: it waits in `Inbox/held/` for a rerun.
        case held([Period])
    }

    /// - Throws: ``LedgerDamage`` when a closed period's index fails its check.
    public func check(_ rows: ParsedDrop) throws -> Verdict {
        let problems = ProblemList()
        switch rows {
        case .usage, .decisions: break
        default:
            if let stray = notHeld("only usage and decisions touching a closed period are ever held") { return stray }
        }
        switch rows {
        case .usage(let list):
            // A large drop's parties and months are checked on the other core while its ids
            // are looked up; what that finds stands when no row repeats a report (below).
            let fromRows = UsageRowCheck(self)  // made here: the other core's work holds no copy of the state
            let early = list.count >= Self.rowsCheckedBeside ? BackgroundWork {
                var check = fromRows
                let unknown = ProblemList()
                list.withUnsafeBufferPointer { rows in
                    for index in rows.indices {
                        check.checkParties(rows.baseAddress! + index, into: unknown)
                        check.checkNewId(rows.baseAddress! + index, into: unknown)
                        check.noteMonth(rows.baseAddress! + index)
                    }
                }
                return (check, unknown)
            } : nil
            defer { _ = early?.wait() }  // it reads the rows: never left running
            // Rows repeating, with the same values, a report held already or an earlier row of
            // this drop; `fresh` is only built when there are some.
            var skippedRows: [Int] = []
            var skipped = 0
            // One map of this drop's ids (to the row that first names each) serves twice:
            // repeated ids within it, then the lookup of ids the site already holds (one pass
            // over the site's reports).
            var seen = IdTable<Int32>(minimumCapacity: list.count)
            // Rows naming a report an earlier row of the drop names: judged against that row,
            // as against a report held before (SPEC §2) — skipped when the values are the same.
            var repeated = Set<Int>()
            // The ids are hashed a block at a time before they are inserted (``IdTable/insert(_:hash:_:)``),
            // each one's slot asked of memory some ids ahead (``slotsAhead``).
            let block = 1 << 16
            var hashes = [UInt64](repeating: 0, count: Swift.min(list.count, block))
            for start in stride(from: list.startIndex, to: list.endIndex, by: block) {
                let end = Swift.min(start + block, list.endIndex)
                list.withUnsafeBufferPointer { rows in
                    for i in start..<end { hashes[i - start] = IdTable<Int32>.hash(rows[i].id) }
                }
                for index in start..<end {
                    if index + Self.slotsAhead < end { seen.prefetch(hash: hashes[index + Self.slotsAhead - start]) }
                    let added = seen.insert(list[index].id, hash: hashes[index - start], Int32(index))
                    guard !added.inserted else { continue }
                    let r = list[index], first = list[Int(seen.entries[added.position].value)]
                    repeated.insert(index)
                    if r.sameValues(as: first) {
                        skipped += 1
                        skippedRows.append(index)
                    } else {
                        let difference = describeDifference(first, r, then: "on line \(first.line)", now: "here")
                        problems.add(problem(Int(r.line), "report_id",
                            "report \(r.id) appears twice in this drop with other values (\(difference)); a report_id is unique"))
                    }
                }
            }
            // Any row of the period being rerun, recorded already or not: the drop is one of its held drops.
            var namesReopened = false
            let held = try state.existing(seen)
            let rowCheck: UsageRowCheck
            if let early, repeated.isEmpty, held.isEmpty {
                // Every row is fresh: the other core's check of every row is this one's.
                let unknown: ProblemList
                (rowCheck, unknown) = early.wait()
                problems.add(all: unknown)
            } else {
                var check = fromRows
                // Each row's fields are read where they lie: a report copied whole retains and
                // releases its names (a million rows).
                list.withUnsafeBufferPointer { rows in
                    for index in rows.indices {
                        check.checkParties(rows.baseAddress! + index, into: problems)
                        if !repeated.isEmpty && repeated.contains(index) { continue }
                        if !held.isEmpty, let old = held[rows[index].id] {
                            let r = rows[index]
                            if old.sameValues(as: r) {
                                skipped += 1
                                skippedRows.append(index)
                                if let reopened, !namesReopened, r.period == reopened { namesReopened = true }
                            } else {
                                problems.add(problem(Int(r.line), "report_id", "report \(r.id) was ingested before with other values (\(describeDifference(old, r))); a report_id is unique forever — correct it with a decision or a credit note, not a new row"))
                            }
                            continue
                        }
                        check.checkNewId(rows.baseAddress! + index, into: problems)
                        check.noteMonth(rows.baseAddress! + index)
                    }
                }
                rowCheck = check
            }
            let closed = rowCheck.closed, touchesReopened = rowCheck.touchesReopened
            if !problems.isEmpty { return .reject(problems) }
            if let wait = waiting(closed, touchingReopened: touchesReopened) { return wait }
            if !touchesReopened && !namesReopened, let stray = notHeld("its reports are of open months only") { return stray }
            guard !skippedRows.isEmpty else { return .accept(rows, skipped: 0) }
            let skip = Set(skippedRows)
            return .accept(.usage(list.indices.filter { !skip.contains($0) }.map { list[$0] }), skipped: skipped)
        case .clients(let list):
            duplicates(list.map { ($0.id, $0.line) }, field: "client_id", problems)
            // Checked here, on new drops only: an archived drop is read again as it was taken.
            for c in list { if let blank = SafeText.blankness(of: c.name) { problems.add(problem(c.line, "name", blank)) } }
        case .radiologists(let list):
            duplicates(list.map { ($0.id, $0.line) }, field: "radiologist_id", problems)
            for r in list { if let blank = SafeText.blankness(of: r.name) { problems.add(problem(r.line, "name", blank)) } }
        case .providerRates(let list):
            for (_, card) in Dictionary(grouping: list, by: \.effectiveFrom).sorted(by: { $0.key < $1.key }) {
                CardValidator.check(providerCard: card, columns: columns, problems: problems)
            }
        case .clientRates(let list):
            for (_, card) in Dictionary(grouping: list, by: \.effectiveFrom).sorted(by: { $0.key < $1.key }) {
                CardValidator.check(clientCard: card, columns: columns, problems: problems)
            }
        case .fxRates(let list):
            duplicates(list.map { ("\($0.date) \($0.currency)", $0.line) }, field: "date", problems)
        case .decisions(let list):
            var closed = Set<Period>(), touchesReopened = false
            // One decision a subject in a drop: two rows about one flag or report (named either way)
            // would leave it to row order which stands, and a repeated row would be recorded twice.
            var decidedOn: [String: (line: Int, subject: String)] = [:]
            // A decision already in force with the same decision, by and note (a drop sent twice)
            // is skipped and counted, as `recon decide` appends nothing for one: never recorded
            // twice, and no reason to hold the drop for a closed month's rerun.
            var fresh: [Decision] = []
            // Subjects that name nothing (yet), by their text: a row repeating one is named with
            // it, not only once the first is corrected.
            var unresolved: [String: Int] = [:]
            func repeatsUnresolved(_ d: Decision) {
                if let first = unresolved[d.subject] {
                    problems.add(problem(d.line, "subject", "\(SafeText.escaped(d.subject)) is decided again (first on line \(first)); "
                        + "one decision per flag or report in a drop — keep the row that stands"))
                } else {
                    unresolved[d.subject] = d.line
                }
            }
            for d in list {
                // Who decided, for the audit trail: a no-break space alone named no one.
                if let blank = SafeText.blankness(of: d.by) { problems.add(problem(d.line, "by", blank)) }
                if let ambiguous = try ambiguity(of: d.subject) {
                    problems.add(problem(d.line, "subject", ambiguous))
                    repeatsUnresolved(d)
                    continue
                }
                switch try resolve(subject: d.subject) {
                case .none:
                    problems.add(problem(d.line, "subject", notTakenYet(d.subject) ?? Self.unknownSubject(d.subject)))
                    repeatsUnresolved(d)
                case .some(let target):
                    let key = target.subjectKey
                    if let first = decidedOn[key] {
                        let alias = first.subject == d.subject ? "" : ", as \(first.subject): a hard flag and its report are one subject"
                        problems.add(problem(d.line, "subject", "\(d.subject) is decided again (first on line \(first.line)\(alias)); "
                            + "one decision per flag or report in a drop — keep the row that stands"))
                    } else {
                        decidedOn[key] = (d.line, d.subject)
                    }
                    if target.period == reopened { touchesReopened = true }
                    if decisionInForce(on: target)?.records(d) != true {
                        fresh.append(d)
                        if isClosed(target.period) { closed.insert(target.period) }
                    }
                    if d.decision == .exclude, target.reportId == nil {
                        problems.add(problem(d.line, "decision", SoftFlagDecision.approveOnly(d.subject)))
                    }
                }
            }
            if !problems.isEmpty { return .reject(problems) }
            if let wait = waiting(closed, touchingReopened: touchesReopened) { return wait }
            if !touchesReopened, let stray = notHeld("its decisions are about open months only") { return stray }
            if fresh.count < list.count { return .accept(.decisions(fresh), skipped: list.count - fresh.count) }
        case .payments(let list):
            // Never held: payments belong to no period. One recorded before with the same values (a
            // month-to-date export repeats them) is skipped, as a usage repeat is: the whole file
            // was rejected for it, and the new payments in it went unrecorded.
            let fresh = checkPayments(list, problems)
            if problems.isEmpty && fresh.count < list.count { return .accept(.payments(fresh), skipped: list.count - fresh.count) }
        }
        // In line order: a repeated id is found before a row's own problems (a payment's decimals).
        return problems.isEmpty ? .accept(rows, skipped: 0) : .reject(ProblemList(sorted: problems))
    }

    /// A subject no flag or report of the site has. A soft flag's id may have been a provisional
    /// finding an earlier review workbook showed: those are judged again by every command, at
    /// the month's pace so far, and one may no longer stand.
    static func unknownSubject(_ subject: String) -> String {
        var text = "\"\(SafeText.escaped(subject))\"\(FieldValue.oddCharacter(Substring(subject))) is neither a flag id nor a report id "
            + "known to this site"
        if subject.hasPrefix("SOFT-") {
            text += " — as of now no soft finding has that id: provisional soft flags are judged again by every command, at "
                + "the month's pace so far, so one an earlier review.xlsx listed may no longer stand; `recon status` lists the "
                + "current ones"
        }
        return text
    }

    /// What a decision's subject names: a flag (and its report for hard flags) or a report.
    public struct Target {
        public var flagId: String?
        public var reportId: String?
        public var period: Period

        /// One key per subject decided: a hard flag and its report are one (the report's).
        var subjectKey: String { reportId.map { "report " + $0 } ?? "flag " + (flagId ?? "") }
    }

    /// The decision in force about `target`: its flag's, else its report's.
    /// About a hard flag, only one that settles it: an approve given before the flag was raised
    /// is not this decision given again.
    func decisionInForce(on target: Target) -> DecisionRecord? {
        let hard = target.flagId.flatMap { state.hardFlagRaisedAt[$0] != nil ? $0 : nil }
            ?? target.reportId.flatMap { state.hardFlagOfReport[$0] }
        if let hard, let report = target.reportId ?? state.raisedFlags[hard]?.subject {
            return state.hardDecision(flagId: hard, report: report, period: target.period)
        }
        return target.flagId.flatMap { state.flagDecisions[$0] } ?? target.reportId.flatMap { state.reportDecisions[$0] }
    }

    /// Why `subject` cannot be decided: it is a flag's id and also the id of a report that is
    /// not that flag's (`HARD-83c43d599c` is a valid report_id); deciding one for the other
    /// would be silent. Nil when it names one thing.
    public func ambiguity(of subject: String) throws -> String? {
        let flag = state.raisedFlags[subject].map { (hard: $0.severity == .hard, report: $0.subject) }
            ?? state.provisionalFlags[subject].map { (hard: false, report: $0.subject) }
        guard let flag, let report = try state.report(subject), !(flag.hard && flag.report == report.id) else { return nil }
        let how = flag.hard ? "decide the flag through its report, \(flag.report) (a hard flag and its report are one subject)"
            : "the soft flag cannot be named apart from the report"
        return "\(subject) is both a flag's id and the id of report \(report.id): \(how); a report_id shaped like a flag id "
            + "(HARD-… or SOFT-…) cannot be decided by that id"
    }

    public func resolve(subject: String) throws -> Target? {
        if let f = state.raisedFlags[subject] {
            return Target(flagId: subject, reportId: f.severity == .hard ? f.subject : nil, period: f.period)
        }
        if let f = state.provisionalFlags[subject] {
            return Target(flagId: subject, reportId: nil, period: f.period)
        }
        if let r = try state.report(subject) {
            let flagId = HardGate.flagId(reportId: r.id)
            return Target(flagId: state.raisedFlags[flagId] != nil ? flagId : nil, reportId: r.id, period: r.period)
        }
        return nil
    }

    /// The parties named by rows that failed to parse (``ProblemList/partiesOfFailedRows``)
    /// that the site does not know, as the rows that parsed have theirs named.
    public func unknownParties(_ references: [PartyReference]) -> [DropProblem] {
        references.compactMap { ref in
            if ref.field == "subject" {
                let target: Target? = (try? resolve(subject: ref.id)) ?? nil
                guard target == nil else { return nil }
                return problem(ref.line, "subject", Self.unknownSubject(ref.id))
            }
            let known = ref.field == "client_id" ? state.pricing.clients[ref.id] != nil : state.pricing.radiologists[ref.id] != nil
            return known ? nil : unknownParty(ref.line, ref.field, ref.id)
        }
    }

    /// Rows repeating the id a row that failed to parse gives itself (``ProblemList/idsOfFailedRows``),
    /// or repeating such a row: named now, with that row's own problems, rather than found once
    /// it is corrected. (Among rows that parsed, repeats are the check's own problems.)
    public func repeatsOfFailedRows(_ failed: [PartyReference], in rows: ParsedDrop?) -> [DropProblem] {
        guard let field = failed.first?.field else { return [] }
        var occurrences: [(line: Int, id: String, failed: Bool)] = failed.map { ($0.line, $0.id, true) }
        switch rows {
        case .usage(let list)?: occurrences += list.map { (Int($0.line), $0.id, false) }
        case .clients(let list)?: occurrences += list.map { ($0.line, $0.id, false) }
        case .radiologists(let list)?: occurrences += list.map { ($0.line, $0.id, false) }
        case .payments(let list)?: occurrences += list.map { ($0.line, $0.id, false) }
        case .fxRates(let list)?: occurrences += list.map { ($0.line, "\($0.date) \($0.currency)", false) }
        case .decisions(let list)?: occurrences += list.map { ($0.line, $0.subject, false) }
        default: break
        }
        var first: [String: (line: Int, failed: Bool)] = [:]
        var out: [DropProblem] = []
        for o in occurrences.sorted(by: { $0.line < $1.line }) {
            guard let earlier = first[o.id] else {
                first[o.id] = (o.line, o.failed)
                continue
            }
            guard earlier.failed || o.failed else { continue }
            let message = field == "report_id"
                ? "report \(o.id) is also on line \(earlier.line)\(earlier.failed ? ", which has problems of its own" : ""); a drop names "
                    + "a report once, or repeats it with the same values"
                : "\(o.id) appears again (first on line \(earlier.line)\(earlier.failed ? ", which has problems of its own" : "")); "
                    + "one row per \(field) in a drop"
            out.append(problem(o.line, field, message))
        }
        return out
    }

    /// A payment id recorded before, said so that a clerk knows which case it is: the same
    /// payment in a later export (leave it out), or one recorded with other values (a file taken
    /// half written, a typing error), which no drop can change.
    static func recordedBefore(_ recorded: Payment, again p: Payment) -> String {
        func text(_ q: Payment) -> String {
            "\(q.amount) \(q.currency) from \(q.clientId) received on \(q.receivedOn)"
                + (q.invoice.map { " for \($0)" } ?? "") + (q.reference.isEmpty ? "" : " (reference \(q.reference))")
        }
        let said = "payment \(p.id) was recorded before as \(text(recorded)), not as \(text(p)); a payment_id is unique forever and a "
            + "recorded payment is never changed: "
        // What to do depends on what differs. Only a field left empty filled in now (the invoice it
        // pays, a reference): the same payment, whose line is taken out of this file. Another date,
        // reference or invoice may be another payment (told to leave it out, it went unrecorded),
        // or one recorded too high.
        let filledIn = recorded.amount.normalized == p.amount.normalized && recorded.currency == p.currency
            && recorded.clientId == p.clientId && recorded.receivedOn == p.receivedOn
            && (recorded.reference.isEmpty || recorded.reference == p.reference) && (recorded.invoice == nil || recorded.invoice == p.invoice)
        if filledIn {
            return said + "it stands as recorded — take its line out of this file and drop the rest again"
                + (recorded.invoice == nil && p.invoice != nil ? " (a payment recorded naming no invoice is set against the invoices "
                    + "falling due first; it cannot be pointed at \(p.invoice!) now)" : "")
        }
        return said + "record more received as a payment of its own, with a new payment_id, and "
            + "ask the team what to do about an amount recorded too high"
    }

    /// Whether `p` is `recorded` again with the same values (compared as parsed values, as a
    /// usage repeat is: `100.5` is `100.50`).
    static func isSame(_ recorded: Payment, _ p: Payment) -> Bool {
        var same = p
        same.amount = recorded.amount.normalized == p.amount.normalized ? recorded.amount : p.amount
        same.line = recorded.line
        return same == recorded
    }

    /// Payment ids unique forever, known clients, its own invoices, and the currency of the
    /// invoice named (else the client's invoice currency, now or before a change). Returns the
    /// payments that are new: a row repeating one recorded before with the same values is
    /// skipped, not a problem.
    private func checkPayments(_ list: [Payment], _ problems: ProblemList) -> [Payment] {
        duplicates(list.map { ($0.id, $0.line) }, field: "payment_id", problems)
        let held = Dictionary(state.payments.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let invoicesOf = Dictionary(grouping: state.issued.filter { $0.kind == .invoice }, by: \.partyId)
        var fresh: [Payment] = []
        for p in list {
            if p.amount.normalized.scale > p.currency.minorDigits {
                problems.add(problem(p.line, "amount", "\(p.amount) has more decimals than \(p.currency) allows (\(p.currency.minorDigits))"))
            }
            if let recorded = held[p.id] {
                if Self.isSame(recorded, p) { continue }
                problems.add(problem(p.line, "payment_id", Self.recordedBefore(recorded, again: p)))
            }
            fresh.append(p)
            guard let client = state.pricing.clients[p.clientId] else {
                problems.add(unknownParty(p.line, "client_id", p.clientId))
                continue
            }
            let invoices = invoicesOf[p.clientId] ?? []
            // An invoice named that is not the client's still has the currency checked against the
            // client's: every problem of the row at once.
            let named = p.invoice.flatMap { number in invoices.first { $0.number == number } }
            if let number = p.invoice, named == nil {
                problems.add(problem(p.line, "invoice", "\(number) is not an invoice issued to \(p.clientId); name one of its invoice numbers (INV-…) or leave it empty"))
            }
            if let named, let number = p.invoice {
                // Balances are per currency: a payment goes to the invoice it names only in that invoice's currency.
                if p.currency != named.currency {
                    problems.add(problem(p.line, "currency", "\(number) is in \(named.currency); record the amount received for it in \(named.currency), or leave invoice empty"))
                }
            } else if p.currency != client.currency && !invoices.contains(where: { $0.currency == p.currency }) {
                // The client's invoice currency now, or one it was invoiced in before a change (its balance there stays open).
                let earlier = Set(invoices.map(\.currency.code)).subtracting([client.currency.code]).sorted()
                problems.add(problem(p.line, "currency", "\(p.currency) is not \(client.id)'s invoice currency \(client.currency); record the amount received in \(client.currency)"
                    + (earlier.isEmpty ? "" : " (or in \(earlier.joined(separator: ", ")), for its invoices issued in \(earlier.count == 1 ? "it" : "them"))")))
            }
        }
        return fresh
    }

    private func duplicates(_ keys: [(String, Int)], field: String, _ problems: ProblemList) {
        var seen: [String: Int] = [:]
        for (key, line) in keys {
            if let first = seen[key] {
                problems.add(DropProblem(line: line, column: columns[field], field: field,
                    "\(key) appears again (first on line \(first)); one row per \(field) in a drop"))
            } else {
                seen[key] = line
            }
        }
    }

    /// How `b` differs from `a`, each value followed by where it is written (`then`, `now`).
    private func describeDifference(_ a: Report, _ b: Report, then: String = "then", now: String = "now") -> String {
        Self.difference(a, b, then: then, now: now)
    }

    /// How report `b` differs from `a`, field by field, for people.
    static func difference(_ a: Report, _ b: Report, then: String = "then", now: String = "now") -> String {
        var d: [String] = []
        func differ(_ field: String, _ x: some CustomStringConvertible, _ y: some CustomStringConvertible) {
            d.append("\(field) \(x) \(then), \(y) \(now)")
        }
        if a.reportedAt != b.reportedAt { differ("reported_at", a.reportedAt.utcText, b.reportedAt.utcText) }
        if a.clientId != b.clientId { differ("client_id", a.clientId, b.clientId) }
        if a.radiologistId != b.radiologistId { differ("radiologist_id", a.radiologistId, b.radiologistId) }
        if a.modality != b.modality { differ("modality", a.modality, b.modality) }
        if a.imageCount != b.imageCount { differ("image_count", a.imageCount, b.imageCount) }
        if a.urgency != b.urgency { differ("urgency", a.urgency.rawValue, b.urgency.rawValue) }
        return d.joined(separator: "; ")
    }
}
