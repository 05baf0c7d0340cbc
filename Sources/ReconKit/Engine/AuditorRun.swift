/// Connects the soft gate to the site: party statistics from a priced period and the
/// ledger's history of closed periods.
public enum AuditorRun {
    /// Statistics per client and radiologist of a priced period.
    public static func stats(book: PeriodBook, state: SiteState) -> [PartyPeriodStats] {
        var out: [PartyPeriodStats] = []
        let margins = Dictionary(uniqueKeysWithValues: book.margins.map { ($0.clientId, $0) })
        for id in book.clientCounts.keys.sorted() {
            let client = state.pricing.clients[id]
            let age = client.map { months(from: $0.onboardedOn, to: book.period.lastDay) } ?? 0
            out.append(PartyPeriodStats(party: .client, partyId: id, period: book.period.description, ageMonths: age,
                                        reports: book.clientCounts[id]?.reports ?? 0, images: book.clientCounts[id]?.images ?? 0,
                                        revenueBase: margins[id]?.revenue.doubleApproximation ?? 0,
                                        costBase: margins[id]?.cost.doubleApproximation ?? 0))
        }
        let payouts = Dictionary(uniqueKeysWithValues: book.payouts.map { ($0.partyId, $0) })
        for id in book.radiologistCounts.keys.sorted() {
            let rad = state.pricing.radiologists[id]
            var cost = 0.0
            if let p = payouts[id], let base = try? state.pricing.fx.toBaseExact(p.subtotal, from: p.currency, on: book.fxDate) {
                cost = base.doubleApproximation
            }
            out.append(PartyPeriodStats(party: .radiologist, partyId: id, period: book.period.description,
                                        ageMonths: (rad?.seniorityYears ?? 0) * 12, reports: book.radiologistCounts[id]?.reports ?? 0,
                                        images: book.radiologistCounts[id]?.images ?? 0, revenueBase: 0, costBase: cost))
        }
        return out
    }

    /// The share of `period`'s days elapsed by the end of `today` (1 once it has ended).
    public static func elapsedFraction(of period: Period, today: LocalDate) -> Double {
        let days = Double(period.lastDay.dayNumber - period.firstDay.dayNumber + 1)
        let done = Double(min(max(today.dayNumber - period.firstDay.dayNumber + 1, 1), Int32(days)))
        return done / days
    }

    /// Soft flags for `period`, scored against the closed periods' history plus this period,
    /// whose volume is read per elapsed day while it runs (`elapsed` below 1).
    public static func softFlags(period: Period, current: [PartyPeriodStats], elapsed: Double = 1, state: SiteState,
                                 config: SiteConfig) -> [AuditFlag] {
        var history: [PartyPeriodStats] = []
        for (p, stats) in state.closedStats where p != period { history += stats }
        history += current.map { var s = $0; s.elapsed = elapsed; return s }
        var gate = SoftGateConfig()
        if let t = config.softThreshold { gate.scoreThreshold = t }
        let flags: [AuditFlag] = SoftGate.evaluate(history: history, period: period.description, config: gate).compactMap { s in
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
                "revenue_base": .string(decimalText(s.revenueBase)), "cost_base": .string(decimalText(s.costBase)),
            ])
        })
    }

    public static func decode(_ value: JSONValue?, period: String = "") -> [PartyPeriodStats] {
        (value?.arrayValue ?? []).compactMap { v in
            guard let o = v.objectValue, let party = o["party"]?.stringValue.flatMap(PartyPeriodStats.Party.init(rawValue:)),
                let id = o["id"]?.stringValue
            else { return nil }
            return PartyPeriodStats(party: party, partyId: id, period: o["period"]?.stringValue ?? period,
                                    ageMonths: Int(o["age_months"]?.intValue ?? 0), reports: Int(o["reports"]?.intValue ?? 0),
                                    images: Int(o["images"]?.intValue ?? 0),
                                    revenueBase: Double(o["revenue_base"]?.stringValue ?? "") ?? 0,
                                    costBase: Double(o["cost_base"]?.stringValue ?? "") ?? 0)
        }
    }

    /// Statistics are features, not money: two decimals are plenty.
    static func decimalText(_ x: Double) -> String {
        let cents = (x * 100).rounded()
        let v = ExactDecimal(mantissa: Int128(cents), scale: 2)
        return v.description
    }
}
