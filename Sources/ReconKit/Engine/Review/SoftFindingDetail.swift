/// What the site knows of soft findings beyond the totals the gate scores, from the reports
/// themselves: which reports drove each one (a client's top modalities, a radiologist's top
/// clients), and whether a radiologist's change is a flagged client's change seen from the
/// other side — then it is listed under the client's flag ("read by D1, D2"), one finding
/// one flag.
struct SoftFindingDetail {
    /// Reports and images of one party in one period, by modality (client) or client (radiologist).
    typealias Breakdown = [String: [String: (reports: Int, images: Int)]]

    /// A period's breakdown: made from its reports, or kept with a settled month's index.
    enum Source {
        case made(Breakdown)
        case settled(SettledBreakdown)

        /// One party's rows (a settled month's are decoded on each call: ask once a party).
        subscript(party: String) -> [String: (reports: Int, images: Int)]? {
            switch self {
            case .made(let breakdown): return breakdown[party]
            case .settled(let settled): return settled[party]
            }
        }
    }

    let state: SiteState
    let period: Period

    /// The flags with drivers in their reasons and radiologist flags explained by a flagged
    /// client folded into that client's flag.
    func explain(_ flags: [AuditFlag]) -> [AuditFlag] {
        guard !flags.isEmpty else { return flags }
        let now = breakdown(period), before = breakdown(period.previous)
        var readBy: [String: [String]] = [:]  // client flag id → radiologists folded into it
        var kept: [AuditFlag] = []
        let clientFlags = flags.filter { now["client|" + $0.subject] != nil }
        for flag in flags {
            let key = (now["client|" + flag.subject] != nil ? "client|" : "radiologist|") + flag.subject
            if key.hasPrefix("radiologist|") {
                switch explanation(flag, key: key, clientFlags, now, before) {
                case .flaggedClient(let client):
                    readBy[client.id, default: []].append(flag.subject)
                    continue
                case .youngClientsGrowth:
                    continue  // ordinary growth, read (SPEC §4): no finding
                case nil:
                    break
                }
            }
            var f = flag
            f.reason += drivers(flag, key: key, now, before)
            kept.append(f)
        }
        return kept.map { f in
            guard let list = readBy[f.id] else { return f }
            var g = f
            g.reason += "; read by " + list.sorted().joined(separator: ", ")
            return g
        }
    }

    /// What a radiologist's change is, seen from the clients whose reports it read.
    enum Explanation {
        /// A flagged client's change from the other side: listed under that client's flag.
        case flaggedClient(AuditFlag)
        /// Young clients' growth, which is ordinary: no finding of its own.
        case youngClientsGrowth
    }

    /// The flagged client that holds most of a radiologist's moved reports (or images, for
    /// a ratio), if one does; for volume, young clients' growth counts with it.
    private func explanation(_ flag: AuditFlag, key: String, _ clients: [AuditFlag], _ now: Source,
                             _ before: Source) -> Explanation? {
        let volume = flag.code == "SOFT_VOLUME_GROWTH"
        var moved = 0
        var byClient: [String: Int] = [:]
        let previous = before[key] ?? [:]
        for (client, counts) in now[key] ?? [:] {
            let earlier = previous[client]
            let delta = volume ? counts.reports - (earlier?.reports ?? 0) : counts.images - (earlier?.images ?? 0)
            if delta > 0 { moved += delta; byClient[client] = delta }
        }
        guard moved > 0 else { return nil }
        if let one = clients.first(where: { 2 * (byClient[$0.subject] ?? 0) > moved }) { return .flaggedClient(one) }
        // A young client's growth is ordinary (SPEC §4), and so is reading it: a radiologist
        // whose extra reports come mostly from flagged and young clients together is that
        // flagged client's change seen from the other side, and from young clients alone no
        // finding at all.
        guard volume else { return nil }
        let young = Set(byClient.keys.filter { id in
            state.pricing.clients[id].map { AuditorRun.months(from: $0.onboardedOn, to: period.lastDay) < 12 } ?? false
        })
        let flagged = clients.filter { (byClient[$0.subject] ?? 0) > 0 && !young.contains($0.subject) }
        let explained = young.reduce(0) { $0 + (byClient[$1] ?? 0) } + flagged.reduce(0) { $0 + (byClient[$1.subject] ?? 0) }
        guard 2 * explained > moved else { return nil }
        return flagged.max { (byClient[$0.subject] ?? 0, $1.subject) < (byClient[$1.subject] ?? 0, $0.subject) }
            .map(Explanation.flaggedClient) ?? .youngClientsGrowth
    }

    /// `; driven by CT (310 reports, 9.8 images per case), MR (40, 3.1)`, or for volume
    /// growth `; driven by C07 +220 reports, C02 +14 on the month before`: the top three, and
    /// how many more (`, and 2 more (+228)`).
    /// A ratio's drivers are the groups that moved it: those furthest from the party's images per
    /// case the month before, the way it moved (the images beyond that ratio, for a rise). Ranked
    /// by images alone, a radiologist's own client, read as ever, came first, and the eleven
    /// clients whose 14-image cases raised its ratio went mostly unnamed. Groups by images when
    /// none moved it (no month before, or a margin that fell on steady images).
    private func drivers(_ flag: AuditFlag, key: String, _ now: Source, _ before: Source) -> String {
        let groups = now[key] ?? [:]
        if flag.code == "SOFT_VOLUME_GROWTH" {
            let previous = before[key] ?? [:]
            let all = groups.map { ($0.key, $0.value.reports - (previous[$0.key]?.reports ?? 0)) }
                .filter { $0.1 > 0 }.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
            let rises = all.prefix(3)
            guard !rises.isEmpty else { return "" }
            // The rest counted, as a ratio's are: three named alone hid two more that rose by 228.
            let rest = all.dropFirst(3)
            let more = rest.isEmpty ? "" : ", and \(rest.count) more (+\(rest.reduce(0) { $0 + $1.1 }))"
            // Against the month before (the ratio above is against the median of several).
            return "; driven by " + rises.enumerated().map { i, r in "\(r.0) +\(r.1)\(i == 0 ? " reports" : "")" }
                .joined(separator: ", ") + more + " on the month before"
        }
        var ranked = groups.sorted { $0.value.images != $1.value.images ? $0.value.images > $1.value.images : $0.key < $1.key }
        let earlier = (before[key] ?? [:]).values.reduce((images: 0, reports: 0)) { ($0.images + $1.images, $0.reports + $1.reports) }
        let current = groups.values.reduce((images: 0, reports: 0)) { ($0.images + $1.images, $0.reports + $1.reports) }
        if earlier.reports > 0, current.reports > 0 {
            let base = Double(earlier.images) / Double(earlier.reports)
            let way = Double(current.images) / Double(current.reports) >= base ? 1.0 : -1.0
            var moved: [(group: (key: String, value: (reports: Int, images: Int)), beyond: Double)] = []
            for group in groups {
                let beyond: Double = way * (Double(group.value.images) - base * Double(group.value.reports))
                if beyond > 0.5 { moved.append((group, beyond)) }
            }
            moved.sort { $0.beyond != $1.beyond ? $0.beyond > $1.beyond : $0.group.key < $1.group.key }
            if !moved.isEmpty { ranked = moved.map(\.group) }
        }
        guard !ranked.isEmpty else { return "" }
        let more = ranked.count > 3 ? ", and \(ranked.count - 3) more" : ""
        return "; driven by " + ranked.prefix(3).enumerated().map { i, g in
            let ratio = String(format: "%.1f", Double(g.value.images) / Double(max(g.value.reports, 1)))
            return i == 0 ? "\(g.key) (\(g.value.reports) reports, \(ratio) images per case)" : "\(g.key) (\(g.value.reports), \(ratio))"
        }.joined(separator: ", ") + more
    }

    /// Billable reports of a period by party: a client's by modality, a radiologist's by client.
    /// A settled month's comes with its index (``ClosedPeriodIndex``): its reports stay on disk.
    private func breakdown(_ p: Period) -> Source {
        if state.history.holds(p) { return state.settledBreakdowns[p].map(Source.settled) ?? .made([:]) }
        // A closed month as settled (its index's rows), not with a drop taken since and billed by no rerun yet.
        let taken = state.periodReports[p] ?? []
        let settled = state.settledReportCounts[p].map { taken.prefix($0) } ?? taken[...]
        return .made(Self.breakdown(settled.lazy.map { state.reports[Int($0)] }, excluding: state.excludedReports(in: p)))
    }

    static func breakdown(_ reports: some Sequence<Report>, excluding excluded: Set<String>) -> Breakdown {
        var out: Breakdown = [:]
        for r in reports where !excluded.contains(r.id) {
            let images = Int(r.imageCount)
            out["client|" + r.clientId, default: [:]][r.modality, default: (0, 0)].reports += 1
            out["client|" + r.clientId, default: [:]][r.modality, default: (0, 0)].images += images
            out["radiologist|" + r.radiologistId, default: [:]][r.clientId, default: (0, 0)].reports += 1
            out["radiologist|" + r.radiologistId, default: [:]][r.clientId, default: (0, 0)].images += images
        }
        return out
    }
}
