/// A drop sent again with the very bytes accepted before: not applied twice (SPEC §2). Sent to
/// undo a later drop or decision, it would leave that one in force without a word, so the
/// first of its rows no longer in force is found, for the log to say.
struct ResentDrop {
    /// What is in force now.
    let state: SiteState

    /// The first row of `bytes` (a drop of `kind`, read as it was taken) whose values are not
    /// the ones in force: its line and what it sets. Nil when all are, and for usage and
    /// payments, whose rows are taken once and never replaced.
    func firstRowNotInForce(_ bytes: [UInt8], kind: DropKind) -> (line: Int, what: String)? {
        guard kind != .usage, kind != .payments else { return nil }
        let parser = DropParser(zone: state.zone, baseCurrency: state.base)  // as archived: the rules it was taken under
        guard let rows = bytes.withUnsafeBytes({ parser.parse($0, kind: kind) }).rows else { return nil }
        let pricing = state.pricing
        switch rows {
        case .clients(let list):
            return list.first { !Self.same($0, pricing.clients[$0.id]) }.map { ($0.line, "client \($0.id)") }
        case .radiologists(let list):
            return list.first { !Self.same($0, pricing.radiologists[$0.id]) }.map { ($0.line, "radiologist \($0.id)") }
        case .fxRates(let list):
            return list.first { pricing.fx.rate($0.currency, on: $0.date) != $0.rate }
                .map { ($0.line, "the \($0.currency) rate of \($0.date)") }
        case .providerRates(let list):
            return firstCardNotInForce(list, in: pricing.providerCards, kind: "provider")
        case .clientRates(let list):
            return firstCardNotInForce(list, in: pricing.clientCards, kind: "client")
        case .decisions(let list):
            return list.first { d in
                guard let inForce = state.reportDecisions[d.subject] ?? state.flagDecisions[d.subject] else { return false }
                return inForce.decision != d.decision
            }.map { ($0.line, "the decision on \($0.subject)") }
        case .usage, .payments:
            return nil
        }
    }

    /// The first row of a card (rows sharing an `effective_from`) that a later drop replaced.
    private func firstCardNotInForce<Row: Equatable & Lined & Dated>(_ rows: [Row], in cards: RateCards<Row>,
                                                                       kind: String) -> (line: Int, what: String)? {
        for (date, card) in Dictionary(grouping: rows, by: \.effectiveFrom).sorted(by: { $0.key < $1.key }) {
            if card.map(\.unlined) != (cards.cards[date] ?? []).map(\.unlined) {
                return (card.map(\.line).min() ?? 0, "the \(kind) rate card of \(date)")
            }
        }
        return nil
    }

    /// Whether `row` is `inForce`, wherever each was read from.
    private static func same<Row: Equatable & Lined>(_ row: Row, _ inForce: Row?) -> Bool {
        inForce.map { $0.unlined == row.unlined } ?? false
    }
}

/// A row that knows the line it was read from.
protocol Lined {
    var line: Int { get set }
}

extension Lined {
    /// The row without its line: two drops' rows compared by their values.
    var unlined: Self {
        var copy = self
        copy.line = 0
        return copy
    }
}

/// A rate card's row: which card it belongs to.
protocol Dated {
    var effectiveFrom: LocalDate { get }
}

extension Client: Lined {}
extension Radiologist: Lined {}
extension ClientRate: Lined, Dated {}
extension ProviderRate: Lined, Dated {}
