/// Everything the ledger says, applied: master data, cards, FX, reports, flags, decisions,
/// closed periods and issued documents. Rebuilt from the ledger by ``LedgerReplay``.
public final class SiteState {
    public let name: String
    public let base: Currency
    public let zone: SiteTimeZone
    public let publicKey: String

    public var pricing: PricingContext
    /// Every report ever accepted, in order of arrival.
    public private(set) var reports: [Report] = []
    /// Report id → position in `reports`.
    public private(set) var reportIndex: [String: Int32] = [:]
    /// Period → positions in `reports`.
    public private(set) var periodReports: [Period: [Int32]] = [:]

    /// AuditFlag id → (subject, period, severity) for every flag raised.
    public var raisedFlags: [String: (subject: String, period: Period, severity: AuditFlag.Severity)] = [:]
    /// Latest decision per report id (hard flags, exclusions).
    public var reportDecisions: [String: DecisionRecord] = [:]
    /// Latest decision per soft flag id.
    public var flagDecisions: [String: DecisionRecord] = [:]
    public var decisionLog: [DecisionRecord] = []

    /// Drop SHA-256 → seq of its `drop.accepted`.
    public var acceptedDrops: [String: Int] = [:]
    /// Period → seq of its `period.closed`.
    public var closedPeriods: [Period: Int] = [:]
    /// Closed-period history the auditor reads: `period.closed` bodies' party statistics.
    public var closedStats: [Period: [PartyPeriodStats]] = [:]
    /// Closed-period margins by client and modality, as the ledger recorded them.
    public var closedMargins: [Period: [MarginRow]] = [:]
    public var issued: [IssuedDocument] = []
    /// Highest number used per prefix and year (`INV-2026` → 12).
    public var lastNumber: [String: Int] = [:]

    public init(name: String, base: Currency, zone: SiteTimeZone, publicKey: String) {
        self.name = name
        self.base = base
        self.zone = zone
        self.publicKey = publicKey
        self.pricing = PricingContext(base: base)
    }

    // MARK: Applying drops

    public func apply(_ rows: ParsedDrop) {
        switch rows {
        case .usage(let list): add(list)
        case .clients(let list): for c in list { pricing.clients[c.id] = c }
        case .radiologists(let list): for r in list { pricing.radiologists[r.id] = r }
        case .providerRates(let list):
            for (date, rows) in Dictionary(grouping: list, by: \.effectiveFrom) { pricing.providerCards.replace(date, with: rows) }
        case .clientRates(let list):
            for (date, rows) in Dictionary(grouping: list, by: \.effectiveFrom) { pricing.clientCards.replace(date, with: rows) }
        case .fxRates(let list): for r in list { pricing.fx.set(r) }
        case .decisions: break  // decisions enter through their `flag.decided` entries
        }
    }

    /// Adds new reports (ones already present with the same values are skipped by the caller).
    func add(_ list: [Report]) {
        reports.reserveCapacity(reports.count + list.count)
        reportIndex.reserveCapacity(reportIndex.count + list.count)
        for r in list where reportIndex[r.id] == nil {
            let i = Int32(reports.count)
            reports.append(r)
            reportIndex[r.id] = i
            periodReports[r.period, default: []].append(i)
        }
    }

    public func report(_ id: String) -> Report? { reportIndex[id].map { reports[Int($0)] } }

    public func reports(in period: Period) -> [Report] { (periodReports[period] ?? []).map { reports[Int($0)] } }

    // MARK: Periods

    /// Closed, or being closed: a close that was interrupted after issuing documents locks
    /// the period too, until `recon close` finishes it.
    public func isClosed(_ p: Period) -> Bool {
        closedPeriods[p] != nil || periodsWithIssuedDocuments.contains(p)
    }

    /// Periods for which an invoice or payout statement has been issued.
    public var periodsWithIssuedDocuments: Set<Period> = []

    /// Periods holding reports that are not closed yet, oldest first.
    public var openPeriods: [Period] { periodReports.keys.filter { !isClosed($0) }.sorted() }

    /// Report ids left out of billing by an `exclude` decision.
    public func excludedReports(in period: Period) -> Set<String> {
        var out = Set<String>()
        for (id, d) in reportDecisions where d.decision == .exclude {
            if let r = report(id), r.period == period { out.insert(id) }
        }
        return out
    }

    /// The next gapless number of a kind in a year (`INV-2026-000013`).
    public func nextNumber(_ kind: DocumentKind, year: Int) -> String {
        let key = "\(kind.prefix)-\(year)"
        return "\(key)-\(Digits.padded((lastNumber[key] ?? 0) + 1, 6))"
    }

    func record(number: String) {
        let parts = number.split(separator: "-")
        guard parts.count == 3, let n = Int(parts[2]) else { return }
        let key = "\(parts[0])-\(parts[1])"
        lastNumber[key] = max(lastNumber[key] ?? 0, n)
    }
}
