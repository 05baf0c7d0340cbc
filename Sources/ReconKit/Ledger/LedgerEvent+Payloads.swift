/// The payloads of ``LedgerEvent``, each with its body encoder and decoder.
extension LedgerEvent {
    /// `site.init` (SPEC §1): fixed at init. Sites written before `format_version` are format 1.
    public struct SiteInit: Sendable {
        public var site: String
        public var baseCurrency: String
        public var timezone: String
        public var publicKey: String
        public var formatVersion: Int64

        public init(site: String, baseCurrency: String, timezone: String, publicKey: String,
                    formatVersion: Int64 = LedgerFormat.current) {
            self.site = site
            self.baseCurrency = baseCurrency
            self.timezone = timezone
            self.publicKey = publicKey
            self.formatVersion = formatVersion
        }

        init(_ b: BodyReader) throws {
            site = try b.string("site")
            baseCurrency = try b.string("base_currency")
            timezone = try b.string("timezone")
            publicKey = b.optional("public_key") ?? ""
            formatVersion = try b.int("format_version", default: 1)
        }

        var body: [String: JSONValue] {
            ["site": .string(site), "base_currency": .string(baseCurrency), "timezone": .string(timezone),
             "public_key": .string(publicKey), "format_version": .int(formatVersion)]
        }
    }

    /// `drop.accepted`: a drop archived under its SHA-256.
    public struct DropAccepted: Sendable {
        public var name: String
        public var kind: DropKind
        public var sha256: String
        public var rows: Int64
        public var path: String
        /// A usage drop's parsed rows as `.recon/cache/SHA.bin` holds them: the cache format and the
        /// SHA-256 of the file's bytes. The ledger vouches for the cache through it, so later
        /// commands read the cache, checked, instead of parsing the CSV again.
        public var cacheFormat: String?
        public var cacheSha256: String?
        /// The site key's signature over the drop's and its cache's SHA-256 (``CacheSignature``):
        /// what lets a close take the cache's rows from an entry no checkpoint covers yet.
        public var cacheSignature: String?
        /// The periods a usage drop's added rows fall in: once each is settled by a later entry
        /// (``PeriodClosed/reportIndexSha256``), later commands need not read the drop at all.
        public var periods: [Period]?

        public init(name: String, kind: DropKind, sha256: String, rows: Int64, cacheFormat: String? = nil, cacheSha256: String? = nil,
                    periods: [Period]? = nil) {
            self.name = name
            self.kind = kind
            self.sha256 = sha256
            self.rows = rows
            path = Site.dropPath(sha256: sha256)
            self.cacheFormat = cacheFormat
            self.cacheSha256 = cacheSha256
            self.periods = periods
        }

        init(_ b: BodyReader) throws {
            sha256 = try b.string("sha256")
            guard let kind = DropKind(rawValue: try b.string("kind")) else { throw b.damage("drop.accepted names no known kind") }
            self.kind = kind
            name = b.optional("name") ?? ""
            rows = try b.int("rows", default: 0)
            path = b.optional("path") ?? Site.dropPath(sha256: sha256)
            cacheFormat = b.optional("cache_format")
            cacheSha256 = b.optional("cache_sha256")
            cacheSignature = b.optional("cache_signature")
            periods = b.entry.body["periods"] == nil ? nil : try b.periods("periods")
        }

        var body: [String: JSONValue] {
            var body: [String: JSONValue] = ["name": .string(name), "kind": .string(kind.rawValue), "sha256": .string(sha256),
                                             "rows": .int(rows), "path": .string(path)]
            if let cacheFormat, let cacheSha256 {
                body["cache_format"] = .string(cacheFormat)
                body["cache_sha256"] = .string(cacheSha256)
                if let cacheSignature { body["cache_signature"] = .string(cacheSignature) }
            }
            if let periods { body["periods"] = .array(periods.map { .string($0.description) }) }
            return body
        }
    }

    /// `card.replaced`: a later drop replaced the card of a date.
    public struct CardReplaced: Sendable {
        public var kind: String
        public var effectiveFrom: String
        public var sha256: String

        public init(kind: String, effectiveFrom: String, sha256: String) {
            self.kind = kind
            self.effectiveFrom = effectiveFrom
            self.sha256 = sha256
        }

        init(_ b: BodyReader) throws {
            kind = try b.string("kind")
            effectiveFrom = try b.string("effective_from")
            sha256 = try b.string("sha256")
        }

        var body: [String: JSONValue] {
            ["kind": .string(kind), "effective_from": .string(effectiveFrom), "sha256": .string(sha256)]
        }
    }

    /// `flag.raised`: an auditor's finding.
    public struct FlagRaised: Sendable {
        public var flag: AuditFlag

        public init(_ flag: AuditFlag) { self.flag = flag }

        init(_ b: BodyReader) throws {
            guard let severity = AuditFlag.Severity(rawValue: try b.string("severity")) else {
                throw b.damage("flag.raised has no known severity")
            }
            flag = AuditFlag(id: try b.string("id"), severity: severity, code: b.optional("code") ?? "",
                             subject: try b.string("subject"), period: try b.period("period"),
                             reason: b.optional("reason") ?? "", score: b.optional("score") ?? "")
        }

        var body: [String: JSONValue] {
            ["id": .string(flag.id), "severity": .string(flag.severity.rawValue), "code": .string(flag.code),
             "subject": .string(flag.subject), "period": .string(flag.period.description), "reason": .string(flag.reason),
             "score": .string(flag.score)]
        }
    }

    /// `flag.decided`: a decision about a flag or a report.
    public struct FlagDecided: Sendable {
        public var id: String?
        public var decision: DecisionKind
        public var by: String
        public var note: String
        public var subject: String?
        public var period: Period?
        public var reportId: String?

        public init(id: String, decision: DecisionKind, by: String, note: String, subject: String, period: Period,
                    reportId: String?) {
            self.id = id
            self.decision = decision
            self.by = by
            self.note = note
            self.subject = subject
            self.period = period
            self.reportId = reportId
        }

        init(_ b: BodyReader) throws {
            guard let d = DecisionKind(rawValue: try b.string("decision")) else { throw b.damage("flag.decided lacks a decision") }
            decision = d
            id = b.optional("id")
            by = b.optional("by") ?? ""
            note = b.optional("note") ?? ""
            subject = b.optional("subject")
            period = b.optional("period").flatMap(Period.init)
            reportId = b.optional("report_id")
        }

        var body: [String: JSONValue] {
            var b: [String: JSONValue] = ["decision": .string(decision.rawValue), "by": .string(by), "note": .string(note)]
            if let id { b["id"] = .string(id) }
            if let subject { b["subject"] = .string(subject) }
            if let period { b["period"] = .string(period.description) }
            if let reportId { b["report_id"] = .string(reportId) }
            return b
        }
    }

    /// `invoice.issued`, `credit_note.issued`, `payout.issued`, `payout_adjustment.issued`.
    public struct DocumentIssued: Sendable {
        public var record: DocumentRecord
        public var sha256: String

        public init(record: DocumentRecord, sha256: String) {
            self.record = record
            self.sha256 = sha256
        }
    }

    /// `period.closed`: the documents a close issued, with the period's party statistics and
    /// margins (kept as the ledger holds them: the auditor's and the margin summary's history).
    public struct PeriodClosed: Sendable {
        public var period: Period
        public var documents: [String]
        public var stats: JSONValue?
        public var margins: JSONValue?
        /// The SHA-256 of the period's report index table (``ClosedPeriodIndex``): the ledger
        /// vouches for the on-disk copy of the period's reports that later commands look up.
        public var reportIndexSha256: String?
        /// The SHA-256 of the ledger prefix file written with it (``LedgerPrefix``): the
        /// ledger vouches for the entries before the close as later commands read them.
        public var ledgerPrefixSha256: String?
        /// The soft gate's settings the final flags were raised with (`recon.toml` `[auditor]
        /// threshold` and `block_on_soft`): the same ledger and inputs give the same flags only
        /// when the settings are among the inputs the ledger records.
        public var auditor: JSONValue?
        /// The entry read, when this is one: its `margins`, when a ledger prefix left them in
        /// the ledger file (nil here), are read back from it where shown (``RecordedMargins``).
        var recordedIn: LedgerEntry?

        public init(period: Period, documents: [String], stats: JSONValue, margins: JSONValue, reportIndexSha256: String? = nil,
                    ledgerPrefixSha256: String? = nil) {
            self.period = period
            self.documents = documents
            self.stats = stats
            self.margins = margins
            self.reportIndexSha256 = reportIndexSha256
            self.ledgerPrefixSha256 = ledgerPrefixSha256
        }

        init(_ b: BodyReader) throws {
            period = try b.period("period")
            documents = b.strings("documents")
            stats = b.entry.body["stats"]
            margins = b.entry.body["margins"]
            reportIndexSha256 = b.optional("report_index_sha256")
            ledgerPrefixSha256 = b.optional("ledger_prefix_sha256")
            auditor = b.entry.body["auditor"]
            recordedIn = b.entry
        }

        var body: [String: JSONValue] {
            var b: [String: JSONValue] = ["period": .string(period.description), "documents": .array(documents.map { .string($0) })]
            if let stats { b["stats"] = stats }
            if let margins { b["margins"] = margins }
            if let reportIndexSha256 { b["report_index_sha256"] = .string(reportIndexSha256) }
            if let ledgerPrefixSha256 { b["ledger_prefix_sha256"] = .string(ledgerPrefixSha256) }
            if let auditor { b["auditor"] = auditor }
            return b
        }
    }

    /// `rerun`: a privileged repricing of a closed period. Its body is the signed request's
    /// members (whose form the privilege layer owns) with the rerun's own.
    public struct Rerun: Sendable {
        public var period: Period
        public var members: [String: JSONValue]
        /// The entry read, when this is one (``PeriodClosed/recordedIn``).
        var recordedIn: LedgerEntry?

        public init(period: Period, members: [String: JSONValue]) {
            self.period = period
            var members = members
            members["period"] = .string(period.description)
            self.members = members
        }

        init(_ b: BodyReader) throws {
            period = try b.period("period")
            members = b.entry.body
            recordedIn = b.entry
        }

        public var stats: JSONValue? { members["stats"] }
        public var margins: JSONValue? { members["margins"] }
        /// The period's new report index (``PeriodClosed/reportIndexSha256``).
        public var reportIndexSha256: String? { members["report_index_sha256"]?.stringValue }

        var body: [String: JSONValue] { members }
    }
}

/// Reads the members of one entry's body, naming the entry in what it throws.
struct BodyReader {
    let entry: LedgerEntry

    func damage(_ message: String) -> LedgerDamage { LedgerDamage(seq: entry.seq, message) }

    func string(_ key: String) throws -> String {
        guard let v = entry.body[key]?.stringValue else { throw damage("\(entry.kind) lacks \(key)") }
        return v
    }

    func optional(_ key: String) -> String? { entry.body[key]?.stringValue }

    func int(_ key: String, default value: Int64) throws -> Int64 {
        guard let member = entry.body[key] else { return value }
        guard case .int(let v) = member else { throw damage("\(entry.kind)'s \(key) is not an integer") }
        return v
    }

    func period(_ key: String) throws -> Period {
        guard let p = Period(try string(key)) else { throw damage("\(entry.kind)'s \(key) is not YYYY-MM") }
        return p
    }

    /// A JSON array of `YYYY-MM` strings.
    func periods(_ key: String) throws -> [Period] {
        guard case .array(let items)? = entry.body[key] else { throw damage("\(entry.kind)'s \(key) is not a list of periods") }
        return try items.map { item in
            guard let text = item.stringValue, let p = Period(text) else { throw damage("\(entry.kind)'s \(key) holds a value that is not YYYY-MM") }
            return p
        }
    }

    /// A list member: a JSON array of strings, or (as written before lists were arrays) one
    /// string of comma-separated items.
    func strings(_ key: String) -> [String] {
        switch entry.body[key] {
        case .array(let items)?: return items.compactMap(\.stringValue)
        case .string(let joined)?: return LedgerEvent.splitList(joined)
        default: return []
        }
    }
}

extension LedgerEvent {
    /// The items of a list written as one comma-joined string (`"INV-2026-000001, INV-2026-000002"`).
    static func splitList(_ joined: String) -> [String] {
        joined.split(separator: ",").map { $0.trimmingSpaces }.filter { !$0.isEmpty }
    }
}
