/// A period as the reviewer and the close see it: priced, flagged, and what blocks it.
public struct PeriodReview: Sendable {
    public struct FlagState: Sendable {
        public var flag: AuditFlag
        public var decision: DecisionRecord?
        /// A hard flag's report as a reviewer decides it: modality, urgency, radiologist, day
        /// (the workbook gave its id and images only, and 70 images read otherwise for a CT
        /// angiography than for an ultrasound). Nil when the report is not at hand.
        public var report: String? = nil
    }

    public var period: Period
    public var book: PeriodBook
    public var hardFlags: [FlagState]
    public var softFlags: [FlagState]
    public var blockOnSoft: Bool
    /// Party statistics the auditor scored (and a close records as history).
    public var stats: [PartyPeriodStats]
    /// Whether the soft flags are final (a close, or a closed period's as the ledger holds
    /// them) rather than provisional month-to-date findings.
    public var softFlagsFinal: Bool = false
    /// How many of the period's parties the soft gate judged, by kind, and why not the others.
    public var softCoverage: [SoftGate.Coverage] = []
    /// The statistics of the open months before it, as its soft findings were scored against
    /// them (a month still open is read as its reports stand): what its `Trends` sheet shows.
    public var openMonthsScored: [PartyPeriodStats] = []

    /// What keeps the period from closing, one line each.
    public var blocking: [String] { blocking(closed: false) }

    /// What blocks, each line saying how to settle it; for a closed period (a rerun) a
    /// decision comes in a decisions drop, held until the next rerun applies it.
    /// `decided`: flag ids and report ids taken as decided (a rerun asking what its held
    /// decisions would leave): flags naming one are not listed.
    public func blocking(closed: Bool, decided: Set<String> = []) -> [String] {
        var out: [String] = []
        for f in hardFlags where f.decision == nil && decided.isDisjoint(with: [f.flag.id, f.flag.subject]) {
            // By its report: a rerun re-judging against a contract changed since the close finds
            // flags no entry raised, which a decisions drop could not name; a report it always can.
            let how = closed
                ? "decide it in a decisions drop (subject,decision,by — \(f.flag.subject),approve or exclude,NAME), held until the next rerun"
                : "decide with `recon decide \(f.flag.id) approve|exclude --by NAME`"
            out.append("\(f.flag.id) \(f.flag.code) report \(f.flag.subject): \(f.flag.reason) — \(how)")
        }
        for p in book.problems {
            out.append("\(p.code.rawValue) \(p.message)")
        }
        if blockOnSoft {
            for f in softFlags where f.decision == nil && decided.isDisjoint(with: [f.flag.id, f.flag.subject]) {
                let how = closed
                    ? "approve it in a decisions drop (subject,decision,by — \(f.flag.id),approve,NAME), held until the next rerun"
                    : "`recon decide \(f.flag.id) approve --by NAME`"
                out.append("\(f.flag.id) \(f.flag.code) \(f.flag.subject) (score \(f.flag.score)): \(f.flag.reason) — block_on_soft is set; review it and \(how)")
            }
        }
        return out
    }
}
