/// Connects the soft gate to the site: party statistics from a priced period and the
/// ledger's history of closed periods.
public enum AuditorRun {
    /// Statistics per client and radiologist of a priced period.
    public static func stats(book: PeriodBook, state: SiteState) -> [PartyPeriodStats] {
        var out: [PartyPeriodStats] = []
        let fx = state.pricing.fx, base = fx.base
        // Money as the margin rows hold it (rounded once to the base's minor unit); the features are its doubles.
        func stats(_ party: PartyPeriodStats.Party, _ id: String, age: Int, counts: (reports: Int, images: Int)?,
                   revenue: ExactDecimal?, cost: ExactDecimal?) -> PartyPeriodStats {
            var s = PartyPeriodStats(party: party, partyId: id, period: book.period.description, ageMonths: age,
                                     reports: counts?.reports ?? 0, images: counts?.images ?? 0,
                                     revenueBase: (revenue ?? .zero).doubleApproximation,
                                     costBase: (cost ?? .zero).doubleApproximation)
            s.recordedRevenue = revenue.map { (try? base.round($0)) ?? $0 }
            s.recordedCost = cost.map { (try? base.round($0)) ?? $0 }
            s.revenueKnown = revenue != nil
            s.costKnown = cost != nil
            return s
        }
        // A client's figures are its margin's; without one (an FX rate to base missing), its
        // revenue is still its invoice's subtotal converted when that rate is there.
        let margins = Dictionary(uniqueKeysWithValues: book.margins.map { ($0.clientId, $0) })
        let invoices = Dictionary(book.invoices.map { ($0.partyId, $0) }, uniquingKeysWith: { a, _ in a })
        for id in book.clientCounts.keys.sorted() {
            let age = state.pricing.clients[id].map { months(from: $0.onboardedOn, to: book.period.lastDay) } ?? 0
            let revenue: ExactDecimal?, cost: ExactDecimal?
            if let m = margins[id] {
                (revenue, cost) = (m.revenue, m.cost)
            } else if let i = invoices[id] {
                (revenue, cost) = (try? fx.convert(i.subtotal, from: i.currency, to: base, on: book.fxDate), nil)
            } else {
                (revenue, cost) = (base.zero, base.zero)
            }
            out.append(stats(.client, id, age: age, counts: book.clientCounts[id], revenue: revenue, cost: cost))
        }
        let payouts = Dictionary(uniqueKeysWithValues: book.payouts.map { ($0.partyId, $0) })
        for id in book.radiologistCounts.keys.sorted() {
            // The statement's subtotal converted to base, rounded once (SPEC §3); unknown without its rate.
            var cost: ExactDecimal? = base.zero
            if let p = payouts[id] { cost = try? fx.convert(p.subtotal, from: p.currency, to: base, on: book.fxDate) }
            out.append(stats(.radiologist, id, age: (state.pricing.radiologists[id]?.seniorityYears ?? 0) * 12,
                             counts: book.radiologistCounts[id], revenue: base.zero, cost: cost))
        }
        return out
    }

    /// The share of `period`'s days elapsed by the end of `today` (1 once it has ended).
    public static func elapsedFraction(of period: Period, today: LocalDate) -> Double {
        let days = Double(period.lastDay.dayNumber - period.firstDay.dayNumber + 1)
        let done = Double(min(max(today.dayNumber - period.firstDay.dayNumber + 1, 1), Int32(days)))
        return done / days
    }

    /// The soft gate's settings from `recon.toml`.
    static func gateConfig(_ config: SiteConfig) -> SoftGateConfig {
        var gate = SoftGateConfig()
        if let t = config.softThreshold { gate.scoreThreshold = t }
        return gate
    }

    /// What `period` is judged against: the closed periods' statistics, the open periods
    /// before it (`earlierOpen`, asked for only when needed) and its own, whose volume is read
    /// per elapsed day while it runs (`elapsed` below 1). Empty when none of its parties can be
    /// judged yet: the closed periods' statistics are then not even decoded (``SoftGate/assess``).
    public static func history(period: Period, current: [PartyPeriodStats], elapsed: Double = 1, state: SiteState,
                               config: SiteConfig, earlierOpen: () -> [PartyPeriodStats] = { [] }) -> [PartyPeriodStats] {
        guard FeatureBuilder.hasRow(in: current, period: period.description, minimumReports: gateConfig(config).minimumReports) else { return [] }
        var history: [PartyPeriodStats] = []
        for (p, stats) in state.decodedClosedStats() where p != period { history += stats }
        history += earlierOpen()
        history += current.map { var s = $0; s.elapsed = elapsed; return s }
        return history
    }

    /// Soft flags for `period`, scored against `history` (``history(period:current:elapsed:state:config:earlierOpen:)``).
    public static func softFlags(period: Period, history: [PartyPeriodStats], state: SiteState, config: SiteConfig) -> [AuditFlag] {
        guard !history.isEmpty else { return [] }
        let flags: [AuditFlag] = SoftGate.evaluate(history: history, period: period.description, config: gateConfig(config)).compactMap { s in
            guard let p = Period(s.period) else { return nil }
            var f = AuditFlag(id: s.id, severity: .soft, code: s.code, subject: s.subject, period: p, reason: s.reason, score: s.score)
            f.features = s.measures.map { ($0.name, $0.value) }
            return f
        }
        return SoftFindingDetail(state: state, period: period).explain(flags)
    }

    /// Whole months from `a` to `b` (0 when b is before a).
    static func months(from a: LocalDate, to b: LocalDate) -> Int {
        let x = a.components, y = b.components
        var m = (y.year - x.year) * 12 + (y.month - x.month)
        if y.day < x.day { m -= 1 }
        return max(0, m)
    }
}

/// Party statistics as `period.closed` and `rerun` entries hold them (numbers as strings).
public enum PartyStatsCodec {
    public static func encode(_ stats: [PartyPeriodStats]) -> JSONValue {
        .array(stats.map { s in
            .object([
                "party": .string(s.party.rawValue), "id": .string(s.partyId), "age_months": .int(Int64(s.ageMonths)),
                "reports": .int(Int64(s.reports)), "images": .int(Int64(s.images)),
            ].merging(money(s)) { a, _ in a })
        })
    }

    /// Revenue and cost in the base currency, each only when known: a figure an FX gap left
    /// unknown is absent, so no later month reads it as 0.
    private static func money(_ s: PartyPeriodStats) -> [String: JSONValue] {
        var m: [String: JSONValue] = [:]
        if s.revenueKnown { m["revenue_base"] = .string(s.recordedRevenue?.description ?? decimalText(s.revenueBase)) }
        if s.costKnown { m["cost_base"] = .string(s.recordedCost?.description ?? decimalText(s.costBase)) }
        return m
    }

    public static func decode(_ value: JSONValue?, period: String = "") -> [PartyPeriodStats] {
        (value?.arrayValue ?? []).compactMap { v in
            guard case .object(let o) = v else { return nil }
            // The members read in one pass: every close's thousands of rows are read by every command.
            var party: PartyPeriodStats.Party?, id: String?, rowPeriod: String?
            var age: Int64?, reports: Int64?, images: Int64?, revenue: String?, cost: String?
            for (key, member) in o {
                switch key {
                case "party": party = member.stringValue.flatMap(PartyPeriodStats.Party.init(rawValue:))
                case "id": id = member.stringValue
                case "period": rowPeriod = member.stringValue
                case "age_months": age = member.intValue
                case "reports": reports = member.intValue
                case "images": images = member.intValue
                case "revenue_base": revenue = member.stringValue
                case "cost_base": cost = member.stringValue
                default: break
                }
            }
            guard let party, let id else { return nil }
            var s = PartyPeriodStats(party: party, partyId: id, period: rowPeriod ?? period,
                                     ageMonths: Int(age ?? 0), reports: Int(reports ?? 0),
                                     images: Int(images ?? 0), revenueBase: revenue.flatMap(Double.init) ?? 0,
                                     costBase: cost.flatMap(Double.init) ?? 0)
            s.recordedRevenue = revenue.flatMap { ExactDecimal(recorded: Substring($0)) }
            s.recordedCost = cost.flatMap { ExactDecimal(recorded: Substring($0)) }
            s.revenueKnown = revenue != nil
            s.costKnown = cost != nil
            return s
        }
    }

    /// Statistics made outside a site have no recorded money: two decimals of their doubles.
    static func decimalText(_ x: Double) -> String {
        let cents = (x * 100).rounded()
        let v = ExactDecimal(mantissa: Int128(cents), scale: 2)
        return v.description
    }
}
