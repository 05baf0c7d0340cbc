/// Raises the auditor's flags into the ledger and records decisions about them.
public struct FlagRaiser {
    let session: SiteSession

    public init(session: SiteSession) { self.session = session }

    /// Hard flags of open periods (and of the closed periods `extra`, which a rerun's held drops
    /// touched) not raised yet, in report order.
    public func pendingHardFlags(including extra: [Period] = []) -> [AuditFlag] {
        let state = session.state
        var out: [AuditFlag] = []
        let open = state.openPeriods
        for period in open + extra.filter({ !open.contains($0) }).sorted() {
            // A closed month's reports are judged against the contracts it was billed on, as its rerun prices them.
            let billed = state.billedTerms[period]?.clients ?? [:]
            for i in state.periodReports[period] ?? [] {
                let r = state.reports[Int(i)]
                guard let client = billed[r.clientId] ?? state.pricing.clients[r.clientId], Int(r.imageCount) > client.maxImagesPerCase,
                    state.raisedFlags[HardGate.flagId(reportId: r.id)] == nil,
                    let flag = HardGate.flag(for: r, client: client)
                else { continue }
                out.append(flag)
            }
        }
        return out
    }

    public func raiseNewHardFlags(including extra: [Period] = []) throws {
        try raise(pendingHardFlags(including: extra))
    }

    /// Appends `flag.raised` for flags whose id the ledger does not hold yet.
    public func raise(_ flags: [AuditFlag]) throws {
        let fresh = flags.filter { session.state.raisedFlags[$0.id] == nil }
        guard !fresh.isEmpty else { return }
        let entries = try session.append(Self.raisedEntries(fresh))
        try LedgerReplay.apply(appended: entries, to: &session.state, site: session.site)
    }

    /// The `flag.raised` entries of some flags, in order.
    static func raisedEntries(_ flags: [AuditFlag]) -> [(kind: String, body: [String: JSONValue])] {
        flags.map { LedgerEvent.flagRaised(.init($0)).item }
    }

    /// The `flag.decided` entry for a decision about a resolved subject.
    static func decided(_ d: Decision, target: DropValidator.Target) -> LedgerEvent {
        .flagDecided(.init(id: target.flagId ?? d.subject, decision: d.decision, by: d.by, note: d.note, subject: d.subject,
                           period: target.period, reportId: target.reportId))
    }
}
