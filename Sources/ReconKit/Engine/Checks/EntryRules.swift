import Crypto

/// What recon writes, entry by entry, that the chain and its hashes cannot show: anyone who
/// can write the site folder can append entries, chained and hashed, that no command of recon
/// would write. `recon verify` checks the whole ledger; every writer checks the entries no
/// checkpoint covers yet (`after`: the newest checkpoint's count), before it appends.
enum EntryRules {
    /// Every rule, over the entries after `covered`: each entry's own (``checkEntries(_:after:)``),
    /// then each decisions drop's decisions against its archived rows (``checkDecisionsDrops(_:site:after:)``).
    static func check(_ entries: [LedgerEntry], site: Site, after covered: Int = 0) throws {
        try checkEntries(entries, after: covered)
        try checkDecisionsDrops(entries, site: site, after: covered)
    }

    private static func checkEntries(_ entries: [LedgerEntry], after covered: Int = 0) throws {
        var closed = Set<String>()
        // Each raised flag's period: a decision of it is of that period, whatever its own entry says.
        var raised: [String: String] = [:]
        // The `at` of the decisions drop whose decisions follow, while they do: they come right
        // after its `drop.accepted`, in the same append (``checkDecisionsDrops(_:site:after:)``
        // then matches each with a row of the drop).
        var decisionsDropAt: String?
        for e in entries {
            if e.eventKind != .flagDecided && e.eventKind != .dropAccepted { decisionsDropAt = nil }
            switch e.eventKind {
            case .siteInit? where e.seq != 1:
                throw LedgerDamage(seq: e.seq, "a second site.init")
            case .dropAccepted?:
                // The archive is named by its own SHA-256: a path naming another drop's file lies.
                if e.seq > covered, let sha = e.string("sha256"), let path = e.string("path"), path != Site.dropPath(sha256: sha) {
                    throw LedgerDamage(seq: e.seq, "drop.accepted records path \(path), but its drop is archived as "
                        + "\(Site.dropPath(sha256: sha)) (its sha256); recon writes no such entry")
                }
                decisionsDropAt = e.string("kind") == "decisions" ? e.at : nil
            case .flagRaised?:
                if let id = e.string("id") { raised[id] = raised[id] ?? e.string("period") }
                if e.seq > covered, case .flagRaised(let f)? = try? LedgerEvent(entry: e), let wrong = Verifier.flagIdProblem(f.flag) {
                    throw LedgerDamage(seq: e.seq, wrong)
                }
            case .flagDecided? where decisionsDropAt != e.at:
                decisionsDropAt = nil
                guard e.seq > covered else { break }
                // Given with `recon decide`, not by a decisions drop: only for an open period, and
                // a hard flag only once raised (a decisions drop may name a report's flag first).
                let id = e.string("id") ?? ""
                if let period = raised[id] ?? e.string("period"), closed.contains(period) {
                    throw LedgerDamage(seq: e.seq, "flag.decided \(id) decides a flag of \(period), closed before it, and follows "
                        + "no decisions drop: a closed period's flags are decided only in a decisions drop, held until a rerun; "
                        + "recon writes no such entry")
                }
                if HardGate.isFlagId(id), raised[id] == nil {
                    throw LedgerDamage(seq: e.seq, "flag.decided \(id) decides a hard flag no flag.raised before it raised, and "
                        + "follows no decisions drop; recon writes no such entry")
                }
            case .periodClosed?:
                if let period = e.string("period") { closed.insert(period) }
            default:
                break
            }
        }
    }

    /// Each decisions drop recorded after `covered`: the `flag.decided` entries that follow it
    /// are decisions its archived rows give, each row at most once (a decision already in force
    /// is skipped, so there may be fewer). A decision appended by hand right after a real
    /// decisions drop, stamped with its time, passed for one of that drop's, and a signed rerun
    /// then left a billed report off the reissued invoice on its word.
    private static func checkDecisionsDrops(_ entries: [LedgerEntry], site: Site, after covered: Int = 0) throws {
        guard let first = entries.first, let zone = first.string("timezone").flatMap(SiteTimeZone.init(identifier:)),
              let base = first.string("base_currency").flatMap({ Currency(code: $0) })
        else { return }
        let parser = DropParser(zone: zone, baseCurrency: base)
        for (i, e) in entries.enumerated() where e.seq > covered && e.eventKind == .dropAccepted && e.string("kind") == "decisions" {
            guard let sha = e.string("sha256") else { continue }
            let path = site.path(Site.dropPath(sha256: sha))
            // Missing or changed, it is named as such by the checks of every archived drop.
            guard let bytes = try? FileIO.read(path, followingLinks: false), Hex.string(SHA256.hash(data: bytes)) == sha else { continue }
            guard case .decisions(let rows)? = bytes.withUnsafeBytes({ parser.parse($0, kind: .decisions) }).rows else {
                throw LedgerDamage(seq: e.seq, "the decisions drop \(Site.dropPath(sha256: sha)) cannot be read as decisions; "
                    + "nothing is decided on its word")
            }
            var left: [String: Int] = [:]
            func key(_ subject: String, _ decision: String, _ by: String, _ note: String) -> String {
                [subject, decision, by, note].joined(separator: "\u{1F}")
            }
            for d in rows { left[key(d.subject, d.decision.rawValue, d.by, d.note), default: 0] += 1 }
            var j = i + 1
            while j < entries.count, entries[j].eventKind == .flagDecided, entries[j].at == e.at {
                let d = entries[j]
                let k = key(d.string("subject") ?? d.string("id") ?? "", d.string("decision") ?? "", d.string("by") ?? "", d.string("note") ?? "")
                guard let n = left[k], n > 0 else {
                    throw LedgerDamage(seq: d.seq, "flag.decided \(d.string("id") ?? "") (\(d.string("decision") ?? "") by "
                        + "\(d.string("by") ?? "")) follows the decisions drop of seq \(e.seq), but no row of that drop "
                        + "(\(Site.dropPath(sha256: sha))) decides so; recon writes no such entry")
                }
                left[k] = n - 1
                j += 1
            }
        }
    }
}
