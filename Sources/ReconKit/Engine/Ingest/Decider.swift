/// `recon decide SUBJECT approve|exclude --by NAME [--note TEXT]`: one decision, one entry.
public struct Decider {
    let session: SiteSession

    public init(session: SiteSession) { self.session = session }

    @discardableResult
    public func decide(_ given: Decision) throws -> (entry: LedgerEntry, appended: Bool) {
        guard !given.by.trimmingSpaces.isEmpty else { throw ReconFailure.usage("--by needs the name of the person deciding") }
        // `by` and `note` follow the text rules of a decisions drop's columns (SPEC §2).
        var d = given
        do {
            d.by = try FieldValue.text(Substring(given.by))
            try FieldValue.fitsACell(d.by)
        } catch let invalid as FieldValue.Invalid {
            throw ReconFailure.rejected("--by \(invalid.message)")
        }
        if let blank = SafeText.blankness(of: d.by) { throw ReconFailure.rejected("--by \(blank)") }
        if !given.note.trimmingSpaces.isEmpty {
            do {
                d.note = try FieldValue.text(Substring(given.note), limit: FieldValue.noteLimit)
                try FieldValue.fitsACell(d.note)
            } catch let invalid as FieldValue.Invalid {
                throw ReconFailure.rejected("--note \(invalid.message)")
            }
        } else {
            d.note = ""
        }
        // A decision may name a provisional soft flag of an open period (not a ledger entry yet);
        // they are judged whenever the subject could be one, also when it is a report's id too
        // (`SOFT-…` is a valid report_id), so that such a subject is found to name two things.
        if try d.subject.hasPrefix(SoftFlag.idPrefix) || DropValidator(state: session.state).resolve(subject: d.subject) == nil {
            Reviewer(session: session).loadProvisionalFlags()
        }
        let state = session.state
        let validator = DropValidator(state: state)
        if let ambiguous = try validator.ambiguity(of: d.subject) { throw ReconFailure.rejected(ambiguous) }
        guard let target = try validator.resolve(subject: d.subject) else {
            if let waiting = HeldDrops(session: session).notTakenYet(d.subject) { throw ReconFailure.rejected(waiting) }
            let unknown = DropValidator.unknownSubject(d.subject)
            throw ReconFailure.rejected(unknown + (d.subject.hasPrefix("SOFT-") ? "" : "; `recon status` lists open flags"))
        }
        if d.decision == .exclude, target.reportId == nil { throw ReconFailure.rejected(SoftFlagDecision.approveOnly(d.subject)) }
        // A held decisions drop deciding it otherwise would be applied by the rerun after this one,
        // also over the same decision given again.
        if let clash = HeldDrops(session: session).clashes(with: [d], columns: [:]), let first = clash.problems.first {
            throw ReconFailure.rejected(first.message)
        }
        // The same decision again (a retry after a command killed once its entry was in, or one
        // about a closed month given again) is already in force: nothing is appended twice, and
        // nothing waits for a rerun; the drafts are refreshed all the same.
        if let inForce = validator.decisionInForce(on: target), inForce.records(d) {
            session.log.info("\(d.subject): this decision is already recorded (seq \(inForce.seq)); nothing was appended")
            Drafter(session: session).refresh()
            return (session.ledger.entries[inForce.seq - 1], false)
        }
        if let seq = state.closedPeriods[target.period] {
            throw ReconFailure.refused("\(d.subject) belongs to \(target.period), closed at seq \(seq); decisions for it wait for `recon rerun \(target.period)` — put them in a decisions drop")
        }
        try OutboxCheck(site: session.site).requireDerivedPlaces(periods: state.openPeriods)
        // Its entry recorded, a stop signal no longer ends it before it says so and refreshes the
        // drafts (Ctrl-C there ended it with exit 130 and no word, the decision recorded).
        session.holdSignals()
        let entry = try session.append([FlagRaiser.decided(d, target: target).item])[0]
        session.commitSignals()
        try LedgerReplay.apply(appended: [entry], to: &session.state, site: session.site)
        Drafter(session: session).refresh()
        return (entry, true)
    }
}
