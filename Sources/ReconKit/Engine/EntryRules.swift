/// What recon writes, entry by entry, that the chain and its hashes cannot show: anyone who
/// can write the site folder can append entries, chained and hashed, that no command of recon
/// would write. `recon verify` checks the whole ledger; every writer checks the entries no
/// checkpoint covers yet (`after`: the newest checkpoint's count), before it appends.
enum EntryRules {
    static func check(_ entries: [LedgerEntry], after covered: Int = 0) throws {
        var closed = Set<String>()
        // Each raised flag's period: a decision of it is of that period, whatever its own entry says.
        var raised: [String: String] = [:]
        // The `at` of the last decisions drop: its decisions are entries of the same append.
        var decisionsDropAt: String?
        for e in entries {
            switch e.eventKind {
            case .siteInit? where e.seq != 1:
                throw LedgerDamage(seq: e.seq, "a second site.init")
            case .dropAccepted?:
                // The archive is named by its own SHA-256: a path naming another drop's file lies.
                if e.seq > covered, let sha = e.string("sha256"), let path = e.string("path"), path != Site.dropPath(sha256: sha) {
                    throw LedgerDamage(seq: e.seq, "drop.accepted records path \(path), but its drop is archived as "
                        + "\(Site.dropPath(sha256: sha)) (its sha256); recon writes no such entry")
                }
                if e.string("kind") == "decisions" { decisionsDropAt = e.at }
            case .flagRaised?:
                if let id = e.string("id") { raised[id] = raised[id] ?? e.string("period") }
                if e.seq > covered, case .flagRaised(let f)? = try? LedgerEvent(entry: e), let wrong = Verifier.flagIdProblem(f.flag) {
                    throw LedgerDamage(seq: e.seq, wrong)
                }
            case .flagDecided? where e.seq > covered && decisionsDropAt != e.at:
                // Given with `recon decide`, not by a decisions drop: only for an open period, and
                // a hard flag only once raised (a decisions drop may name a report's flag first).
                let id = e.string("id") ?? ""
                if let period = raised[id] ?? e.string("period"), closed.contains(period) {
                    throw LedgerDamage(seq: e.seq, "flag.decided \(id) decides a flag of \(period), closed before it, and follows "
                        + "no decisions drop: a closed period's flags are decided only in a decisions drop, held until a rerun; "
                        + "recon writes no such entry")
                }
                if id.hasPrefix("HARD-"), raised[id] == nil {
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
}
