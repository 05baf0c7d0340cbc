/// The words a document line is read by: modality, urgency and, for tiers, which tier(s)
/// gave its price — `CT, routine — tier 21–50, volume pricing`.
public enum LineDescription {
    public static func invoice(modality: String, urgency: Urgency, tiers: [ClientRate]) -> String {
        let head = "\(modality), \(urgency.rawValue)"
        // One tier from 1 without bound is a flat price: nothing to explain.
        let distinct = Dictionary(grouping: tiers, by: \.tierFrom).compactMap { $0.value.first }.sorted { $0.tierFrom < $1.tierFrom }
        guard let first = distinct.first, !(distinct.count == 1 && first.tierFrom == 1 && first.tierTo == nil) else {
            return head
        }
        let ranges = distinct.map(range).joined(separator: ", ")
        let word = distinct.count == 1 ? "tier" : "tiers"
        return "\(head) — \(word) \(ranges), \(first.tierMode.rawValue) pricing"
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
