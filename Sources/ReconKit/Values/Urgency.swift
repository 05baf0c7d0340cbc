/// How urgent a report was: it can change both price and payout.
public enum Urgency: String, Sendable, Hashable, CaseIterable, Comparable {
    case routine, stat
    public static func < (a: Urgency, b: Urgency) -> Bool { a.rawValue < b.rawValue }
}
