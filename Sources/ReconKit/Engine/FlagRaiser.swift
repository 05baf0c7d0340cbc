/// Raises the auditor's flags into the ledger and records decisions about them.
public struct FlagRaiser {
    let session: SiteSession

    public init(session: SiteSession) { self.session = session }

    /// Hard flags of open periods not raised yet, in report order.
    public func pendingHardFlags(including extra: Period? = nil) -> [AuditFlag] {
        let state = session.state
        var out: [AuditFlag] = []
        for period in state.openPeriods + (extra.map { [$0] } ?? []) {
            for i in state.periodReports[period] ?? [] {
                let r = state.reports[Int(i)]
                guard let client = state.pricing.clients[r.clientId], Int(r.imageCount) > client.maxImagesPerCase,
                    state.raisedFlags[HardGate.flagId(reportId: r.id)] == nil,
                    let flag = HardGate.flag(for: r, client: client)
                else { continue }
                out.append(flag)
            }
        }
        return out
    }

    public func raiseNewHardFlags(including extra: Period? = nil) throws {
        try raise(pendingHardFlags(including: extra))
    }

    /// Appends `flag.raised` for flags whose id the ledger does not hold yet.
    public func raise(_ flags: [AuditFlag]) throws {
        let fresh = flags.filter { session.state.raisedFlags[$0.id] == nil }
        guard !fresh.isEmpty else { return }
        try session.append(Self.raisedEntries(fresh))
        for f in fresh { session.state.raisedFlags[f.id] = (f.subject, f.period, f.severity) }
    }

    /// The `flag.raised` entries of some flags, in order.
    static func raisedEntries(_ flags: [AuditFlag]) -> [(kind: String, body: [String: JSONValue])] {
        flags.map { f in
            ("flag.raised", [
                "id": .string(f.id), "severity": .string(f.severity.rawValue), "code": .string(f.code),
                "subject": .string(f.subject), "period": .string(f.period.description), "reason": .string(f.reason),
                "score": .string(f.score),
            ])
        }
    }

    /// The `flag.decided` body for a decision about a resolved subject.
    static func decidedBody(_ d: Decision, target: DropValidator.Target) -> [String: JSONValue] {
        var body: [String: JSONValue] = [
            "id": .string(target.flagId ?? d.subject), "decision": .string(d.decision.rawValue), "by": .string(d.by),
            "note": .string(d.note), "subject": .string(d.subject), "period": .string(target.period.description),
        ]
        if let r = target.reportId { body["report_id"] = .string(r) }
        return body
    }
}
