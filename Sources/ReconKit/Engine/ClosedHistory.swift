/// The closed periods whose reports a state looks up on disk instead of holding them
/// (``ClosedPeriodIndex``): a settled month costs a command nothing until one of its report
/// ids is asked for — a drop repeating one, a decision naming one.
public struct ClosedHistory: Sendable {
    public private(set) var indexes: [Period: ClosedPeriodIndex] = [:]

    public init() {}

    public var isEmpty: Bool { indexes.isEmpty }

    /// Whether `period`'s reports are on disk rather than in the state.
    public func holds(_ period: Period) -> Bool { indexes[period] != nil }

    mutating func add(_ index: ClosedPeriodIndex) { indexes[index.period] = index }

    /// The reports among `ids` that the indexed periods hold, by id.
    /// - Throws: ``LedgerDamage`` when a bucket read does not match what the ledger vouched for.
    func lookup(_ ids: [String]) throws -> [String: Report] {
        var out: [String: Report] = [:]
        guard !indexes.isEmpty, !ids.isEmpty else { return out }
        let prints = ids.map { (id: $0, fingerprint: ClosedPeriodIndex.fingerprint($0)) }.sorted { $0.fingerprint < $1.fingerprint }
        for period in indexes.keys.sorted() { try indexes[period]!.lookup(prints, into: &out) }
        return out
    }
}
