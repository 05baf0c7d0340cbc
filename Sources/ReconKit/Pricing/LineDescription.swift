/// The words a document line is read by: modality, urgency and, for tiers, which tier(s)
/// gave its price — `CT, routine — tier 21–50, volume pricing`.
public enum LineDescription {
    public static func invoice(modality: String, urgency: Urgency, tiers: [ClientRate]) -> String {
        let head = "\(modality), \(urgency.rawValue)"
        // A line is one unit price: a card replaced mid-month at the same price gives it reports
        // of both, each card's tiers and mode named with its date when they read differently
        // (a line once printed only the first card's: 5 reports in a tier of 2, in the wrong mode).
        let cards = Dictionary(grouping: tiers, by: \.effectiveFrom).sorted { $0.key < $1.key }.map { (from: $0.key, words: tierWords($0.value)) }
        guard let first = cards.first else { return head }
        if cards.allSatisfy({ $0.words == first.words }) { return first.words.isEmpty ? head : "\(head) — \(first.words)" }
        return "\(head) — " + cards.map { "\($0.words.isEmpty ? "flat price" : $0.words) (card from \($0.from))" }.joined(separator: "; ")
    }

    /// One card's tiers that gave a line its price, `tiers 1–10, 11–50, volume pricing`; empty
    /// for one tier from 1 without bound, a flat price with nothing to explain.
    private static func tierWords(_ tiers: [ClientRate]) -> String {
        var seen = Set<String>()
        let distinct = tiers.sorted { ($0.tierFrom, $0.tierTo ?? .max) < ($1.tierFrom, $1.tierTo ?? .max) }.filter { seen.insert(range($0)).inserted }
        guard let first = distinct.first, !(distinct.count == 1 && first.tierFrom == 1 && first.tierTo == nil) else { return "" }
        let word = distinct.count == 1 ? "tier" : "tiers"
        return "\(word) \(distinct.map(range).joined(separator: ", ")), \(first.tierMode.rawValue) pricing"
    }

    /// Payout lines that would read alike (two cards' rows of the same rates, a card replaced
    /// mid-month) each name their card: a radiologist seeing the same line twice asks whether
    /// it was paid twice.
    public static func namingCards(_ lines: [DocumentLine], cards: [LocalDate]) -> [DocumentLine] {
        let counts = Dictionary(grouping: lines, by: \.description).mapValues(\.count)
        return zip(lines, cards).map { line, card in
            guard counts[line.description, default: 0] > 1 else { return line }
            var named = line
            named.description += " (card from \(card))"
            return named
        }
    }

    /// Invoice lines of one modality and urgency priced by different cards, each with the cards
    /// its price came from (a line at one unit price can hold reports of two): a card replaced
    /// mid-month printed "XR, routine" at 100.00 and again at 110.00, or "tier 5–9" and
    /// "tier 5+" for one month's volume, and the payer could not tell why.
    public static func namingInvoiceCards(_ lines: [DocumentLine], cards: [[LocalDate]]) -> [DocumentLine] {
        let service = lines.map { "\($0.modality)|\($0.urgencyText)" }
        var cardsOf: [String: Set<[LocalDate]>] = [:]
        for (s, c) in zip(service, cards) { cardsOf[s, default: []].insert(c) }
        return zip(zip(lines, cards), service).map { pair, s in
            let (line, cards) = pair
            // A line of two cards whose tiers read differently names them already.
            guard cardsOf[s, default: []].count > 1, !cards.isEmpty, !line.description.contains("(card from ") else { return line }
            var named = line
            named.description += " (card\(cards.count > 1 ? "s" : "") from \(cards.map(\.description).joined(separator: ", ")))"
            return named
        }
    }

    public static func payout(modality: String, urgency: Urgency, per: String) -> String {
        "\(modality), \(urgency.rawValue) — per \(per)"
    }

    /// A credit of an amount as a whole.
    public static let credit = "Credit"

    private static func range(_ t: ClientRate) -> String {
        guard let to = t.tierTo else { return "\(t.tierFrom)+" }
        return t.tierFrom == to ? "\(to)" : "\(t.tierFrom)–\(to)"
    }
}
