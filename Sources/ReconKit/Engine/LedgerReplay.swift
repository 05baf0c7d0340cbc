import Crypto

/// Rebuilds a ``SiteState`` from the ledger and the archived drops it names.
///
/// The ledger is the only truth: master data, cards, FX and usage come back from the
/// archived drops in the order they were accepted; flags, decisions, closes and documents
/// from their entries. Every archived drop read is hashed, and the bytes hashed are the
/// bytes parsed: one changed after it was accepted stops the replay (SPEC §6, writers check
/// before they write). The cache, when given, is trusted for usage rows (drafts only);
/// `audit` instead compares each cache file with what its archived drop gives.
public enum LedgerReplay {
    public static func state(site: Site, ledger: LedgerFile, cache: DropCache? = nil, audit: DropCache? = nil) throws -> SiteState {
        guard let first = ledger.entries.first, case .siteInit(let initial) = try LedgerEvent(entry: first) else {
            throw LedgerDamage(seq: 1, "the first entry is not site.init")
        }
        guard let base = Currency(code: initial.baseCurrency), let zone = SiteTimeZone(identifier: initial.timezone) else {
            throw LedgerDamage(seq: 1, "site.init lacks a valid site, base_currency or timezone")
        }
        let state = SiteState(name: initial.site, base: base, zone: zone, publicKey: initial.publicKey)
        let parser = DropParser(zone: zone, baseCurrency: base)
        for e in ledger.entries.dropFirst() {
            try apply(e, to: state, site: site, parser: parser, cache: cache, audit: audit)
        }
        return state
    }

    /// Applies entries a command has just appended (their drops are already in the state).
    static func apply(appended entries: [LedgerEntry], to state: SiteState, site: Site) throws {
        let parser = DropParser(zone: state.zone, baseCurrency: state.base)
        for e in entries { try apply(e, to: state, site: site, parser: parser, cache: nil) }
    }

    /// The rows of a re-read usage drop that were new when it was accepted: those whose report
    /// no earlier drop holds (a drop was accepted only with each report_id once; one that
    /// repeats an id is deduplicated row by row). Found in one pass over the held reports,
    /// without building the id index, so a close of a million reports stays fast.
    static func fresh(_ list: [Report], in state: SiteState) -> [Report] {
        var ids: [String: Bool] = [:]
        ids.reserveCapacity(list.count)
        for r in list { ids[r.id] = true }
        guard ids.count == list.count else {
            var seen = Set(state.existing(ids).keys)
            return list.filter { seen.insert($0.id).inserted }
        }
        guard !state.reports.isEmpty else { return list }
        let held = state.existing(ids)
        return held.isEmpty ? list : list.filter { held[$0.id] == nil }
    }

    static func apply(_ e: LedgerEntry, to state: SiteState, site: Site, parser: DropParser, cache: DropCache?,
                      audit: DropCache? = nil) throws {
        let event = try LedgerEvent(entry: e)
        guard case .dropAccepted(let drop) = event else {
            state.apply(event, seq: e.seq, at: e.at)
            return
        }
        let sha = drop.sha256, kind = drop.kind
        state.acceptedDrops[sha] = e.seq
        if kind == .decisions { return }
        if kind == .usage, let cached = Stages.time("replay-cache") { cache?.load(sha256: sha) } {
            state.add(cached, dedupe: false)  // the cache holds only the rows that were new
            return
        }
        let path = site.path(Site.dropPath(sha256: sha))
        guard FileIO.exists(path) else { throw LedgerDamage(seq: e.seq, "archived drop \(Site.dropPath(sha256: sha)) is missing") }
        let bytes = try Stages.time("replay-read") { try FileIO.read(path) }
        guard Stages.time("replay-hash", { Hex.string(SHA256.hash(data: bytes)) }) == sha else {
            throw LedgerDamage(seq: e.seq, "archived drop \(Site.dropPath(sha256: sha)) does not match its recorded SHA-256; "
                + "nothing is computed from it")
        }
        let outcome = Stages.time("replay-parse") { bytes.withUnsafeBytes { parser.parse($0, kind: kind) } }
        guard let rows = outcome.rows else {
            throw LedgerDamage(seq: e.seq, "archived drop \(sha) no longer reads: \(outcome.problems.reportLines.first ?? "")")
        }
        if kind == .usage, case .usage(let list) = rows {
            let before = state.reports.count
            state.add(fresh(list, in: state), dedupe: false)
            let added = Array(state.reports[before...])
            if let audit, let cached = audit.load(sha256: sha), cached != added {
                throw LedgerDamage(seq: e.seq, "the cache file \(audit.relativePath(sha)) does not match the archived drop "
                    + "\(Site.dropPath(sha256: sha)) it was made from; delete .recon/cache (it is rebuilt) and find out who changed it")
            }
            cache?.store(sha256: sha, added)
            return
        }
        state.apply(rows)
    }
}
