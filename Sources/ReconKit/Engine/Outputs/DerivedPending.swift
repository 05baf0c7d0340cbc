/// The workbooks a writing command owes after its entries (`.recon/derived.pending`), so that
/// a command killed between its append and those workbooks leaves a note of them: the next
/// writing command (a `recon watch --once` with nothing to take included) writes them again,
/// rather than leave an open month's drafts missing or a rerun period's review out of date.
///
/// Marked, durably, before a command's first append; cleared once the workbooks are written.
/// Nothing the ledger vouches for rests on it: a forged note only costs a refresh. The note
/// says how many entries the ledger held when it was made (`after N`): a command killed before
/// its append (Ctrl-C during an ingest's parse) left it, and owes nothing while the ledger
/// holds no more — status said the drafts were out of date "after recording".
public struct DerivedPending {
    public enum Item: Hashable, Sendable {
        /// The open periods' drafts and review workbooks, and the margin summary (``Drafter``).
        case drafts
        /// The margin summary over every period.
        case summary
        /// A closed period's review workbook, after its close or rerun.
        case review(Period)

        var line: String {
            switch self {
            case .drafts: return "drafts"
            case .summary: return "summary"
            case .review(let p): return "review \(p)"
            }
        }

        init?(line: Substring) {
            switch line {
            case "drafts": self = .drafts
            case "summary": self = .summary
            default:
                guard line.hasPrefix("review "), let p = Period(String(line.dropFirst(7))) else { return nil }
                self = .review(p)
            }
        }
    }

    let site: Site

    var path: String { site.path(".recon/derived.pending") }

    /// The items noted and the entries the ledger held when they were (nil in a note of an
    /// earlier version); unreadable lines are ignored.
    private func note() -> (items: Set<Item>, after: Int?) {
        guard let bytes = try? FileIO.read(path) else { return ([], nil) }
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n")
        let after = lines.lazy.compactMap { $0.hasPrefix("after ") ? Int($0.dropFirst(6)) : nil }.first
        return (Set(lines.compactMap(Item.init(line:))), after)
    }

    /// The items noted. Given the entries the ledger holds, none when it holds no more than
    /// when the note was made: the command that made it was stopped before its append.
    func items(ledgerEntries count: Int? = nil) -> Set<Item> {
        let (items, after) = note()
        if let count, let after, count <= after { return [] }
        return items
    }

    /// Adds `items` to the note, durably (before the append they follow), the ledger holding
    /// `count` entries. A note left by a command stopped before its append is replaced.
    func mark(_ items: Set<Item>, ledgerEntries count: Int) throws {
        let (held, after) = note()
        let stale = after.map { count <= $0 } ?? false
        try write(stale ? items : held.union(items), after: stale ? count : min(after ?? count, count))
    }

    /// Takes `items` off the note (the file goes once nothing is left); best effort.
    func clear(_ items: Set<Item>) {
        guard FileIO.exists(path) else { return }
        let (held, after) = note()
        let left = held.subtracting(items)
        if left.isEmpty {
            FileIO.remove(path)
        } else {
            try? write(left, after: after)
        }
    }

    private func write(_ items: Set<Item>, after: Int?) throws {
        try FileIO.makeDirectory(FileIO.parent(of: path))
        let lines = items.map(\.line).sorted() + (after.map { ["after \($0)"] } ?? [])
        try FileIO.writeAtomically(path, Array(lines.joined(separator: "\n").utf8) + [10])
    }
}
