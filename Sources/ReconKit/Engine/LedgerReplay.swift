/// Rebuilds a ``SiteState`` from the ledger and the archived drops it names.
///
/// The ledger is the only truth: master data, cards, FX and usage come back from the
/// archived drops in the order they were accepted; flags, decisions, closes and documents
/// from their entries.
public enum LedgerReplay {
    public static func state(site: Site, ledger: LedgerFile, cache: DropCache? = nil) throws -> SiteState {
        guard let first = ledger.entries.first, first.kind == "site.init" else {
            throw LedgerDamage(seq: 1, "the first entry is not site.init")
        }
        guard let name = first.string("site"), let baseCode = first.string("base_currency"),
            let base = Currency(code: baseCode), let tz = first.string("timezone"), let zone = SiteTimeZone(identifier: tz)
        else { throw LedgerDamage(seq: 1, "site.init lacks a valid site, base_currency or timezone") }
        let state = SiteState(name: name, base: base, zone: zone, publicKey: first.string("public_key") ?? "")
        let parser = DropParser(zone: zone, baseCurrency: base)
        for e in ledger.entries.dropFirst() {
            try apply(e, to: state, site: site, parser: parser, cache: cache)
        }
        return state
    }

    /// Applies entries a command has just appended (their drops are already in the state).
    static func apply(appended entries: [LedgerEntry], to state: SiteState, site: Site) throws {
        let parser = DropParser(zone: state.zone, baseCurrency: state.base)
        for e in entries { try apply(e, to: state, site: site, parser: parser, cache: nil) }
    }

    static func apply(_ e: LedgerEntry, to state: SiteState, site: Site, parser: DropParser, cache: DropCache?) throws {
        switch e.kind {
        case "drop.accepted":
            guard let sha = e.string("sha256"), let kindName = e.string("kind"), let kind = DropKind(rawValue: kindName) else {
                throw LedgerDamage(seq: e.seq, "drop.accepted lacks sha256 or a known kind")
            }
            state.acceptedDrops[sha] = e.seq
            if kind == .decisions { return }
            if kind == .usage, let cached = cache?.load(sha256: sha) {
                state.add(cached, dedupe: false)  // the cache holds only the rows that were new
                return
            }
            let path = site.path(Site.dropPath(sha256: sha))
            guard FileIO.exists(path) else { throw LedgerDamage(seq: e.seq, "archived drop \(Site.dropPath(sha256: sha)) is missing") }
            let bytes = try FileIO.read(path)
            let outcome = bytes.withUnsafeBytes { parser.parse($0, kind: kind) }
            guard let rows = outcome.rows else {
                throw LedgerDamage(seq: e.seq, "archived drop \(sha) no longer reads: \(outcome.problems.reportLines.first ?? "")")
            }
            if kind == .usage, case .usage(let list) = rows {
                let before = state.reports.count
                state.add(list, dedupe: true)
                cache?.store(sha256: sha, Array(state.reports[before...]))
                return
            }
            state.apply(rows)
        case "flag.raised":
            guard let id = e.string("id"), let subject = e.string("subject"), let p = e.string("period").flatMap(Period.init),
                let sev = e.string("severity").flatMap(AuditFlag.Severity.init(rawValue:))
            else { throw LedgerDamage(seq: e.seq, "flag.raised lacks id, subject, period or severity") }
            state.raisedFlags[id] = (subject, p, sev)
            if sev == .soft {
                state.raisedSoftFlags[p, default: []].append(AuditFlag(
                    id: id, severity: sev, code: e.string("code") ?? "", subject: subject, period: p,
                    reason: e.string("reason") ?? "", score: e.string("score") ?? ""))
            }
        case "flag.decided":
            guard let d = e.string("decision").flatMap(DecisionKind.init(rawValue:)) else {
                throw LedgerDamage(seq: e.seq, "flag.decided lacks a decision")
            }
            let record = DecisionRecord(seq: e.seq, flagId: e.string("id"), reportId: e.string("report_id"), decision: d,
                                        by: e.string("by") ?? "", note: e.string("note") ?? "",
                                        period: e.string("period").flatMap(Period.init))
            state.decisionLog.append(record)
            if let r = record.reportId { state.reportDecisions[r] = record }
            if let f = record.flagId { state.flagDecisions[f] = record }
        case "period.closed":
            guard let p = e.string("period").flatMap(Period.init) else { throw LedgerDamage(seq: e.seq, "period.closed lacks period") }
            state.closedPeriods[p] = e.seq
            state.closedStats[p] = PartyStatsCodec.decode(e.body["stats"], period: p.description)
            state.closedMargins[p] = MarginCodec.decode(e.body["margins"])
        case "rerun":
            if let p = e.string("period").flatMap(Period.init) {
                state.closedStats[p] = PartyStatsCodec.decode(e.body["stats"], period: p.description)
                state.closedMargins[p] = MarginCodec.decode(e.body["margins"])
            }
        default:
            if let kind = DocumentKind.allCases.first(where: { $0.entryKind == e.kind }) {
                let r = try DocumentRecord(entry: e)
                state.issued.append(IssuedDocument(seq: e.seq, at: e.at, kind: kind, number: r.number, period: r.period,
                                                   partyId: r.partyId, currency: r.currency, subtotal: r.subtotal,
                                                   tax: r.tax, total: r.total, file: r.file,
                                                   sha256: e.string("sha256") ?? "", refersTo: r.refersTo, dueOn: r.dueOn))
                state.record(number: r.number)
                if kind == .invoice || kind == .payout { state.periodsWithIssuedDocuments.insert(r.period) }
            }
        }
    }
}
