import ReconKit

/// Reading the built site back from its ledger.
extension DemoSite {
    func summarise() throws -> DemoSummary {
        let session = try SiteSession(site: site, writing: false, log: log, clock: clock)
        let state = session.state
        var s = DemoSummary(site: site.root)
        s.rejectedDrops = FileIO.list(site.rejected).filter { !$0.hasSuffix(".errors.txt") }
        for e in session.ledger.entries {
            switch e.eventKind {
            case .dropAccepted?:
                s.dropsAccepted += 1
                // Every month's rows: the state holds only the open month's, closed ones are settled on disk.
                if e.string("kind") == "usage" {
                    s.usageDrops += 1
                    s.reports += Int(e.body["rows"]?.intValue ?? 0)
                }
            case .periodClosed?: s.closedPeriods.append(e.string("period") ?? "")
            case .cardReplaced?:
                let effective = e.string("effective_from") ?? ""
                var when = "replaced at seq \(e.seq) on \(e.at.prefix(10))"
                if let day = LocalDate(Substring(effective)), let seq = state.closedPeriods[day.period], seq > e.seq {
                    when += ", before \(day.period) closed on \(session.ledger.entries[seq - 1].at.prefix(10))"
                }
                s.cardsReplaced.append("\(e.string("kind") ?? "") card \(effective) \(when)")
            case .rerun?:
                s.reruns.append("\(e.string("period") ?? "") rerun on \(e.at.prefix(10)) by \(e.string("signed_by") ?? "?"): "
                                + (e.string("reason") ?? ""))
            case .flagRaised?:
                if e.string("severity") == "soft" {
                    s.softFlags.append(.init(id: e.string("id") ?? "", period: e.string("period") ?? "",
                                             subject: e.string("subject") ?? "", score: e.string("score") ?? "",
                                             reason: e.string("reason") ?? ""))
                } else {
                    s.hardFlagsRaised += 1
                }
            case .flagDecided?:
                if e.string("decision") == "exclude" { s.excluded += 1 } else { s.approved += 1 }
            default:
                guard e.eventKind?.document != nil, let number = e.string("number") else { continue }
                s.documents[e.kind, default: 0] += 1
                if e.eventKind == .creditNoteIssued {
                    let refersTo = (try? DocumentRecord(entry: e))?.refersTo ?? "?"
                    s.creditNotes.append("\(number) (\(e.string("period") ?? "")) on \(refersTo): "
                                         + "\(e.string("total") ?? "") \(e.string("currency") ?? "") — \(e.string("reason") ?? "")")
                }
                let range = s.numberRange[e.kind]
                s.numberRange[e.kind] = (range?.first ?? number, number)
            }
        }
        let running = Reviewer(session: session).review(DemoData.current, final: false)
        s.hardFlagsOpen = running.hardFlags.filter { $0.decision == nil }.count
        s.stories = stories(soft: s.softFlags, state: state)
        return s
    }

    /// The stories written into the history and what the soft gate made of them.
    private func stories(soft: [DemoSummary.SoftFinding], state: SiteState) -> [DemoSummary.Story] {
        func flagged(_ subject: String, _ periods: [Period]) -> [String] {
            let names = Set(periods.map(\.description))
            return soft.filter { $0.subject == subject && names.contains($0.period) }.map(\.period)
        }
        var out: [DemoSummary.Story] = []
        let closedStats = state.decodedClosedStats()
        for c in data.clients {
            let onboarded = "onboarded \(c.onboardedOn)"
            switch c.story {
            case .imageJump(let p, let factor):
                out.append(.init(subject: c.id, what: "mature client (\(onboarded)), images per case ×\(factor) in \(p), "
                                 + "each case within its maximum of \(c.maxImagesPerCase)",
                                 periods: [p.description], flaggedIn: flagged(c.id, [p]), shouldFlag: true))
            case .volumeJump(let p, let factor):
                out.append(.init(subject: c.id, what: "mature client (\(onboarded)), reports ×\(factor) in \(p)",
                                 periods: [p.description], flaggedIn: flagged(c.id, [p]), shouldFlag: true))
            case .young(let table):
                let months = table.keys.sorted()
                // A closed month's reports stay on disk (settled): its count is in its `period.closed` statistics.
                let counts = months.map { p in
                    closedStats[p].map { stats in stats.first { $0.party == .client && $0.partyId == c.id }?.reports ?? 0 }
                        ?? state.reports(in: p).filter { $0.clientId == c.id }.count
                }
                out.append(.init(subject: c.id, what: "young client (\(onboarded)), "
                                 + zip(months, counts).map { "\($1) reports in \($0)" }.joined(separator: ", "),
                                 periods: months.map(\.description), flaggedIn: flagged(c.id, months), shouldFlag: false))
            case .steady: break
            }
        }
        for r in data.radiologists {
            guard let spike = r.imageSpike else { continue }
            out.append(.init(subject: r.id, what: "radiologist, images per case ×\(spike.factor) in \(spike.period)",
                             periods: [spike.period.description], flaggedIn: flagged(r.id, [spike.period]), shouldFlag: true))
        }
        return out
    }
}
