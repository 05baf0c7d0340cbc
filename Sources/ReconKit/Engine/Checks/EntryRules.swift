import Crypto

/// What recon writes, entry by entry, that the chain and its hashes cannot show: anyone who
/// can write the site folder can append entries, chained and hashed, that no command of recon
/// would write. `recon verify` checks the whole ledger; every writer checks the entries no
/// checkpoint covers yet (`after`: the newest checkpoint's count), before it appends.
enum EntryRules {
    /// Every rule, over the entries after `covered`: which decisions each decisions drop's
    /// archived rows give (``decisionsGivenByDrops(_:site:after:)``), then each entry's own
    /// (``checkEntries(_:after:givenByDrops:)``), where every other decision is judged as one
    /// `recon decide` gave.
    ///
    /// `ingestRulesAfter`: from where decisions are judged by the rules this build's ingest
    /// applies (one decision a subject in a drop, a soft flag approved only): `recon verify`
    /// judges those no checkpoint covers, as those covered were judged by the recon that took them.
    static func check(_ entries: [LedgerEntry], site: Site, after covered: Int = 0, ingestRulesAfter: Int? = nil) throws {
        let judged = max(covered, ingestRulesAfter ?? covered)
        let given = try decisionsGivenByDrops(entries, site: site, after: covered, ingestRulesAfter: judged)
        try checkEntries(entries, after: covered, ingestRulesAfter: judged, givenByDrops: given)
    }

    /// Whether `id` is shaped like a soft flag's id (`SOFT-` and ten hex digits).
    static func isSoftFlagId(_ id: String) -> Bool { id.hasPrefix(SoftFlag.idPrefix) && AuditFlag.isFlagShaped(id) }

    private static func checkEntries(_ entries: [LedgerEntry], after covered: Int, ingestRulesAfter judged: Int,
                                     givenByDrops: Set<Int>) throws {
        // Decisions of soft flags not raised yet (provisional, SPEC §4), by id: each must be of the
        // period the flag is raised for, which only its raising shows.
        var provisional: [String: [(seq: Int, period: String?)]] = [:]
        var closed = Set<String>()
        // Each raised flag's period and subject (a hard flag's is its report): a decision of it
        // is of that period, and of that report.
        var raised: [String: (period: String?, subject: String?, hard: Bool)] = [:]
        // Each drop's first `drop.accepted`, by its SHA-256: a drop is accepted once (SPEC §2).
        var accepted: [String: Int] = [:]
        for e in entries {
            if e.seq > covered, let foreign = documentMembers(in: e) {
                throw LedgerDamage(seq: e.seq, "\(e.kind) carries \(foreign.joined(separator: ", ")), which recon writes in no \(e.kind): "
                    + "only a document's entry names an issued workbook; recon writes no such entry")
            }
            switch e.eventKind {
            case .siteInit? where e.seq != 1:
                throw LedgerDamage(seq: e.seq, "a second site.init")
            case .dropAccepted?:
                // The archive is named by its own SHA-256: a path naming another drop's file lies.
                if e.seq > covered, let sha = e.string("sha256"), let path = e.string("path"), path != Site.dropPath(sha256: sha) {
                    throw LedgerDamage(seq: e.seq, "drop.accepted records path \(path), but its drop is archived as "
                        + "\(Site.dropPath(sha256: sha)) (its sha256); recon writes no such entry")
                }
                // A cache recorded in a layout no recon writes (or none) is checked by nothing: the
                // entry vouched for bytes no command compares.
                if e.seq > covered, e.body["cache_sha256"] != nil || e.body["cache_format"] != nil,
                   DropCacheLayout(rawValue: e.string("cache_format") ?? "") == nil || e.string("cache_sha256") == nil {
                    throw LedgerDamage(seq: e.seq, "drop.accepted records cache_sha256 and cache_format "
                        + "\(e.body["cache_format"].map { "\($0)" } ?? "(none)"), which are not a cache recon writes (a layout "
                        + DropCacheLayout.allCases.map(\.rawValue).joined(separator: " or ") + " with its SHA-256); recon writes no such entry")
                }
                // A copy of a drop's entry (its cache signature and all) applied every report of
                // it twice: `recon verify` named it only through the cache, and a close billed it.
                if let sha = e.string("sha256") {
                    if let first = accepted[sha], e.seq > covered {
                        throw LedgerDamage(seq: e.seq, "drop.accepted of \(e.string("name") ?? "a drop") records the drop "
                            + "\(Site.dropPath(sha256: sha)), accepted already at seq \(first): a drop whose bytes were accepted is "
                            + "not applied again (SPEC §2); recon writes no such entry")
                    }
                    accepted[sha] = accepted[sha] ?? e.seq
                }
            case .flagRaised?:
                if let id = e.string("id") {
                    raised[id] = raised[id] ?? (e.string("period"), e.string("subject"), e.string("severity") == "hard")
                    for d in provisional.removeValue(forKey: id) ?? [] where d.period != e.string("period") {
                        throw LedgerDamage(seq: d.seq, "flag.decided \(id) records the period \(d.period ?? "(none)"), but the flag was "
                            + "raised for \(e.string("period") ?? "(none)") (seq \(e.seq)); a flag's id is of one period, and a decision "
                            + "of it is of that period; recon writes no such entry")
                    }
                }
                if e.seq > covered, case .flagRaised(let f)? = try? LedgerEvent(entry: e), let wrong = Verifier.flagIdProblem(f.flag) {
                    throw LedgerDamage(seq: e.seq, wrong)
                }
                // A soft flag is raised only by the close of its period, in the close's own append,
                // just before its `period.closed` (SPEC §4: the ledger's soft flags are the final
                // review's). One appended by hand ("suspected billing fraud", 0.99) was signed over
                // by the next close and stood in the ledger while no review showed it.
                if e.seq > covered, e.string("severity") == "soft" {
                    var k = e.seq  // the index of the entry after it
                    while k < entries.count, entries[k].eventKind == .flagRaised, entries[k].string("severity") == "soft" { k += 1 }
                    guard k < entries.count, entries[k].eventKind == .periodClosed, entries[k].at == e.at,
                          entries[k].string("period") == e.string("period") else {
                        throw LedgerDamage(seq: e.seq, "a soft flag.raised of \(e.string("period") ?? "(no period)") that no period.closed "
                            + "of that period follows in its append: soft flags enter the ledger only at their period's close; recon "
                            + "writes no such entry")
                    }
                }
            case .flagDecided? where e.seq > covered:
                if let wrong = decisionProblem(e) { throw LedgerDamage(seq: e.seq, "\(wrong); recon writes no such entry") }
                let id = e.string("id") ?? ""
                // A soft flag takes `approve` only (SPEC §4): a decision of one is about no report.
                if e.seq > judged, isSoftFlagId(id), e.body["report_id"] == nil, let decision = e.string("decision"), decision != "approve" {
                    throw LedgerDamage(seq: e.seq, "flag.decided \(id) decides the soft flag \(decision); \(SoftFlagDecision.approveOnly(id)); "
                        + "recon writes no such entry")
                }
                if e.seq > judged, raised[id] == nil, isSoftFlagId(id), e.body["report_id"] == nil {
                    provisional[id, default: []].append((e.seq, e.string("period")))
                }
                // What a close applies is the entry's report and period: one moved to another
                // report excluded that one and billed the flagged report, one moved to another
                // month decided the flag while excluding nothing — and both verified.
                if let flag = raised[id] {
                    if e.string("period") != flag.period {
                        throw LedgerDamage(seq: e.seq, "flag.decided \(id) records the period \(e.string("period") ?? "(none)"), but the "
                            + "flag was raised for \(flag.period ?? "(none)"); recon writes no such entry")
                    }
                    if flag.hard, e.string("report_id") != flag.subject {
                        throw LedgerDamage(seq: e.seq, "flag.decided \(id) records the report \(e.string("report_id") ?? "(none)"), but the "
                            + "flag is about report \(flag.subject ?? "(none)"); recon writes no such entry")
                    }
                }
                guard !givenByDrops.contains(e.seq) else { break }
                // Given with `recon decide`, not by a decisions drop: only for an open period, and
                // a hard flag only once raised (a decisions drop may name a report's flag first).
                if let period = raised[id]?.period ?? e.string("period"), closed.contains(period) {
                    throw LedgerDamage(seq: e.seq, "flag.decided \(id) decides a flag of \(period), closed before it, and is "
                        + "no row of a decisions drop: a closed period's flags are decided only in a decisions drop, held until "
                        + "a rerun; recon writes no such entry")
                }
                if HardGate.isFlagId(id), raised[id] == nil {
                    throw LedgerDamage(seq: e.seq, "flag.decided \(id) decides a hard flag no flag.raised before it raised, and "
                        + "is no row of a decisions drop; recon writes no such entry")
                }
            case .cardReplaced? where e.seq > covered:
                // Written only right after the drop that replaced the card, in its append.
                var k = e.seq - 2
                while k > 0, entries[k].eventKind == .cardReplaced { k -= 1 }
                let drop = entries[k]
                guard drop.eventKind == .dropAccepted, drop.at == e.at, drop.string("sha256") == e.string("sha256"),
                      drop.string("kind") == e.string("kind") else {
                    throw LedgerDamage(seq: e.seq, "card.replaced of \(e.string("kind") ?? "(no kind)") \(e.string("effective_from") ?? "") "
                        + "follows no drop.accepted of that kind and drop in its append; recon writes no such entry")
                }
            case .periodClosed?:
                if let period = e.string("period") { closed.insert(period) }
            default:
                break
            }
        }
    }

    /// The members that make an entry name an issued document — `file`, `number`, `refers_to`,
    /// and `sha256` where its kind records none — in an entry that is not a document's, sorted;
    /// nil when none. A decision appended by hand with a copy's `file`, `sha256` and `number` had
    /// `recon verify --document` confirm a forged invoice, and one naming an issued workbook with
    /// another SHA-256 was appended and signed over by every writer.
    ///
    /// Looked for at any depth too (`evidence.file`, `attachments[0].sha256`): nested in an object
    /// or array of a hand-written decision they passed every writer, which signed over them, and
    /// named a forged invoice in the Outbox that both verifiers then took for an issued one. No
    /// member recon writes inside a body holds one of those names.
    static func documentMembers(in e: LedgerEntry) -> [String]? {
        guard e.eventKind?.document == nil else { return nil }
        let ownSha = e.eventKind == .dropAccepted || e.eventKind == .cardReplaced
        let found = ["file", "number", "refers_to"] + (ownSha ? [] : ["sha256"])
        var present = found.filter { e.body[$0] != nil }
        func nested(_ value: JSONValue, at path: String) {
            switch value {
            case .object(let members):
                for (name, member) in members {
                    if ["file", "number", "refers_to", "sha256"].contains(name) { present.append(path + "." + name) }
                    nested(member, at: path + "." + name)
                }
            case .array(let items):
                for (i, item) in items.enumerated() { nested(item, at: path + "[\(i)]") }
            default:
                break
            }
        }
        for (name, member) in e.body { nested(member, at: name) }
        present.sort()
        return present.isEmpty ? nil : present
    }

    /// What is wrong with a `flag.decided` as recon writes one (SPEC §2, §6): an `id`, a
    /// `decision`, who decided (`by`, text, required) and a `note` (text, may be empty), and a
    /// `subject` that is the flag or the report it is about. One lacking `by` approved a hard flag,
    /// and the close sealed it; the auditor's verifier refused the ledger.
    static func decisionProblem(_ e: LedgerEntry) -> String? {
        guard case .string(let id)? = e.body["id"], !id.isEmpty else { return "flag.decided has no id" }
        guard case .string(let by)? = e.body["by"] else { return "flag.decided \(id) says no one decided it (no text \"by\")" }
        if let wrong = textProblem(by, limit: FieldValue.textLimit) { return "flag.decided \(id): by \(wrong)" }
        guard case .string(let note)? = e.body["note"] else { return "flag.decided \(id) has no text \"note\" (empty for none)" }
        if !note.isEmpty, let wrong = textProblem(note, limit: FieldValue.noteLimit) { return "flag.decided \(id): note \(wrong)" }
        if let subject = e.body["subject"] {
            guard case .string(let s) = subject, s == id || HardGate.flagId(reportId: s) == id else {
                return "flag.decided \(id) names the subject \(subject), which is neither that flag nor its report"
            }
        }
        // The report a decision applies to is the one its id names: itself, or the report its
        // hard flag is about.
        if let report = e.body["report_id"] {
            guard case .string(let r) = report, r == id || HardGate.flagId(reportId: r) == id else {
                return "flag.decided \(id) records the report \(report.stringValue ?? "\(report)"), which is neither the report it names nor its flag's"
            }
        }
        return nil
    }

    private static func textProblem(_ text: String, limit: Int) -> String? {
        do { _ = try FieldValue.text(Substring(text), limit: limit) } catch let e as FieldValue.Invalid { return e.message } catch { return "\(error)" }
        return nil
    }

    /// The seqs of the `flag.decided` entries a decisions drop recorded after `covered` gave:
    /// they follow its `drop.accepted` in the same append, stamped with its time, and each is
    /// a decision one of its archived rows gives, each row at most once (a decision already in
    /// force is skipped, so there may be fewer). Any other decision stamped with that time — a
    /// `recon decide` run in the same second (or under one `RECON_NOW`), or one appended by
    /// hand — is not the drop's, and is judged as `recon decide`'s: a decision slipped in after a
    /// real decisions drop of a closed month had passed for one of its rows, and a signed rerun
    /// then left a billed report off the reissued invoice on its word.
    private static func decisionsGivenByDrops(_ entries: [LedgerEntry], site: Site, after covered: Int,
                                              ingestRulesAfter judged: Int) throws -> Set<Int> {
        var given = Set<Int>()
        guard let first = entries.first, let zone = first.string("timezone").flatMap(SiteTimeZone.init(identifier:)),
              let base = first.string("base_currency").flatMap({ Currency(code: $0) })
        else { return given }
        let parser = DropParser(zone: zone, baseCurrency: base)
        // Each hard flag's report, by the flag's id: gathered once, when a row needs it.
        var hardFlagReports: [String: String]?
        func report(ofFlag id: String) -> String? {
            if hardFlagReports == nil {
                hardFlagReports = [:]
                for e in entries where e.eventKind == .flagRaised && e.string("severity") == "hard" {
                    if let id = e.string("id"), let report = e.string("subject") { hardFlagReports![id] = report }
                }
            }
            return hardFlagReports![id]
        }
        for (i, e) in entries.enumerated() where e.seq > covered && e.eventKind == .dropAccepted && e.string("kind") == "decisions" {
            var following: [LedgerEntry] = []
            for later in entries[(i + 1)...] {
                guard later.eventKind == .flagDecided, later.at == e.at else { break }
                following.append(later)
            }
            // Missing or changed, the drop is named as such by the checks of every archived drop:
            // its decisions are not judged here on other grounds first.
            guard let sha = e.string("sha256"),
                  let bytes = try? FileIO.read(site.path(Site.dropPath(sha256: sha)), followingLinks: false),
                  Hex.string(SHA256.hash(data: bytes)) == sha
            else {
                given.formUnion(following.map(\.seq))
                continue
            }
            let outcome = bytes.withUnsafeBytes { parser.parse($0, kind: .decisions) }
            guard case .decisions(let rows)? = outcome.rows, outcome.problems.isEmpty else {
                throw LedgerDamage(seq: e.seq, "the decisions drop \(Site.dropPath(sha256: sha)) cannot be read as decisions"
                    + (outcome.problems.reportLines.first.map { " (\($0))" } ?? "") + "; its ingest would reject it — nothing is decided on its word")
            }
            // Its row count too, as for every other kind: an edited one went unnoticed.
            if let recorded = e.body["rows"]?.intValue, recorded != Int64(rows.count) {
                throw LedgerDamage(seq: e.seq, "drop.accepted records \(recorded) rows, but its archived drop "
                    + "\(Site.dropPath(sha256: sha)) holds \(rows.count); recon writes no such entry")
            }
            // One decision a subject (a hard flag and its report are one), as its ingest judges a drop:
            // two rows about one flag, hand-written into the archive and the entries after it, left
            // it to row order which stood.
            if e.seq > judged {
                var first: [String: Int] = [:]
                for d in rows {
                    let subject = HardGate.isFlagId(d.subject) || isSoftFlagId(d.subject) ? d.subject : HardGate.flagId(reportId: d.subject)
                    if let line = first[subject] {
                        throw LedgerDamage(seq: e.seq, "the decisions drop \(Site.dropPath(sha256: sha)) decides \(SafeText.escaped(d.subject)) "
                            + "again (line \(d.line), first on line \(line)); its ingest rejects a drop deciding one flag or report "
                            + "twice — nothing is decided on its word")
                    }
                    first[subject] = d.line
                }
            }
            var left: [String: Int] = [:]
            func key(_ subject: String, _ decision: String, _ by: String, _ note: String) -> String {
                [subject, decision, by, note].joined(separator: "\u{1F}")
            }
            for d in rows { left[key(d.subject, d.decision.rawValue, d.by, d.note), default: 0] += 1 }
            for d in following {
                let k = key(d.string("subject") ?? d.string("id") ?? "", d.string("decision") ?? "", d.string("by") ?? "", d.string("note") ?? "")
                guard let n = left[k], n > 0 else { continue }
                left[k] = n - 1
                given.insert(d.seq)
            }
            // A row no entry after it records is one whose decision was in force already (a
            // repeat, skipped); any other was edited or cut out of the ledger by hand — an
            // exclusion turned into an approve billed the report the archived drop excludes.
            for d in rows {
                let k = key(d.subject, d.decision.rawValue, d.by, d.note)
                guard let n = left[k], n > 0 else { continue }
                left[k] = n - 1
                // (A row repeated within the drop is recorded once, by an entry after it.) A flag
                // and its report are one subject: an exclude of R1 given before its flag was raised
                // is in force for a row naming the flag, as the ingest judged it.
                let names = Set([d.subject, HardGate.flagId(reportId: d.subject)] + (report(ofFlag: d.subject).map { [$0] } ?? []))
                let earlier = entries[..<(i + 1 + following.count)].last { $0.eventKind == .flagDecided
                    && [$0.string("subject"), $0.string("id"), $0.string("report_id")].contains { $0.map(names.contains) ?? false } }
                guard let earlier, key(d.subject, earlier.string("decision") ?? "", earlier.string("by") ?? "", earlier.string("note") ?? "") == k
                else {
                    throw LedgerDamage(seq: e.seq, "the decisions drop \(Site.dropPath(sha256: sha)) decides \(SafeText.escaped(d.subject)) "
                        + "\(d.decision.rawValue) (line \(d.line)), which no flag.decided after it records and no decision in force before "
                        + "it was; recon writes no such ledger — nothing is decided on its word")
                }
            }
        }
        return given
    }
}
