/// One ledger entry, typed (SPEC §6): one case per entry kind with its payload, each
/// encoded to and decoded from its body here only. The kind strings are spelled in this file
/// and nowhere else; lists are JSON arrays (a `refers_to` written earlier as one
/// comma-joined string still reads).
public enum LedgerEvent: Sendable {
    case siteInit(SiteInit)
    case dropAccepted(DropAccepted)
    case cardReplaced(CardReplaced)
    case flagRaised(FlagRaised)
    case flagDecided(FlagDecided)
    case documentIssued(DocumentIssued)
    case periodClosed(PeriodClosed)
    case rerun(Rerun)
    /// `operator.added` and `operator.removed`: their bodies are the privileged request's.
    case operatorChanged(Kind, [String: JSONValue])

    public enum Kind: String, CaseIterable, Sendable {
        case siteInit = "site.init"
        case dropAccepted = "drop.accepted"
        case cardReplaced = "card.replaced"
        case flagRaised = "flag.raised"
        case flagDecided = "flag.decided"
        case invoiceIssued = "invoice.issued"
        case creditNoteIssued = "credit_note.issued"
        case payoutIssued = "payout.issued"
        case payoutAdjustmentIssued = "payout_adjustment.issued"
        case periodClosed = "period.closed"
        case rerun = "rerun"
        case operatorAdded = "operator.added"
        case operatorRemoved = "operator.removed"

        /// The entry kind of an issued document.
        public init(document: DocumentKind) {
            switch document {
            case .invoice: self = .invoiceIssued
            case .creditNote: self = .creditNoteIssued
            case .payout: self = .payoutIssued
            case .payoutAdjustment: self = .payoutAdjustmentIssued
            }
        }

        /// The document an `*.issued` kind issues.
        public var document: DocumentKind? { DocumentKind.allCases.first { Kind(document: $0) == self } }

        /// Followed by a signed checkpoint (SPEC §6: after each close, rerun and credit).
        public var isCheckpointed: Bool {
            self == .periodClosed || self == .rerun || self == .creditNoteIssued || self == .operatorAdded || self == .operatorRemoved
        }
    }

    public var kind: Kind {
        switch self {
        case .siteInit: .siteInit
        case .dropAccepted: .dropAccepted
        case .cardReplaced: .cardReplaced
        case .flagRaised: .flagRaised
        case .flagDecided: .flagDecided
        case .documentIssued(let d): Kind(document: d.record.kind)
        case .periodClosed: .periodClosed
        case .rerun: .rerun
        case .operatorChanged(let kind, _): kind
        }
    }

    public var body: [String: JSONValue] {
        switch self {
        case .siteInit(let p): p.body
        case .dropAccepted(let p): p.body
        case .cardReplaced(let p): p.body
        case .flagRaised(let p): p.body
        case .flagDecided(let p): p.body
        case .documentIssued(let p): p.record.body(sha256: p.sha256)
        case .periodClosed(let p): p.body
        case .rerun(let p): p.body
        case .operatorChanged(_, let body): body
        }
    }

    /// What ``LedgerFile/append(_:at:)`` takes.
    public var item: (kind: String, body: [String: JSONValue]) { (kind.rawValue, body) }

    /// Reads an entry; a kind this build does not know, or a body without what its kind
    /// needs, is damage.
    public init(entry e: LedgerEntry) throws {
        guard let kind = Kind(rawValue: e.kind) else { throw LedgerDamage(seq: e.seq, "\(e.kind) is not an entry kind") }
        let b = BodyReader(entry: e)
        switch kind {
        case .siteInit: self = .siteInit(try SiteInit(b))
        case .dropAccepted: self = .dropAccepted(try DropAccepted(b))
        case .cardReplaced: self = .cardReplaced(try CardReplaced(b))
        case .flagRaised: self = .flagRaised(try FlagRaised(b))
        case .flagDecided: self = .flagDecided(try FlagDecided(b))
        case .invoiceIssued, .creditNoteIssued, .payoutIssued, .payoutAdjustmentIssued:
            self = .documentIssued(DocumentIssued(record: try DocumentRecord(entry: e), sha256: e.string("sha256") ?? ""))
        case .periodClosed: self = .periodClosed(try PeriodClosed(b))
        case .rerun: self = .rerun(try Rerun(b))
        case .operatorAdded, .operatorRemoved: self = .operatorChanged(kind, e.body)
        }
    }
}

extension LedgerEntry {
    /// The entry's kind, when this build knows it.
    public var eventKind: LedgerEvent.Kind? { LedgerEvent.Kind(rawValue: kind) }
}
