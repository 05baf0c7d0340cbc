import Foundation

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
        // Fingerprints in ascending order, each with the position of its id: what every index walks.
        let sorted = ClosedPeriodIndex.Query(ids: ids)
        let periods = indexes.keys.sorted()
        guard periods.count > 1 && ids.count > 1000 else {
            // Every month's buckets asked of the disk at once, then read in turn.
            if periods.count > 1 { for period in periods { indexes[period]!.prefetch(sorted) } }
            for period in periods { try indexes[period]!.lookup(sorted, into: &out) }
            return out
        }
        // A big drop against many months: the months are walked on every core.
        var found = [Result<[String: Report], Error>](repeating: .success([:]), count: periods.count)
        let lock = NSLock()
        DispatchQueue.concurrentPerform(iterations: periods.count) { k in
            var mine: [String: Report] = [:]
            let result = Result { try indexes[periods[k]]!.lookup(sorted, into: &mine) }.map { mine }
            lock.lock()
            found[k] = result
            lock.unlock()
        }
        for result in found { out.merge(try result.get()) { first, _ in first } }
        return out
    }
}
