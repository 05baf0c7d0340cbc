/// The workbooks a writing command owes after its entries (`.recon/derived.pending`), so that
/// a command killed between its append and those workbooks leaves a note of them: the next
/// writing command (a `recon watch --once` with nothing to take included) writes them again,
/// rather than leave an open month's drafts missing or a rerun period's review out of date.
///
/// Marked, durably, before a command's first append; cleared once the workbooks are written.
/// Nothing the ledger vouches for rests on it: a forged note only costs a refresh.
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

    /// The items noted; unreadable lines are ignored.
    func items() -> Set<Item> {
        guard let bytes = try? FileIO.read(path) else { return [] }
        return Set(String(decoding: bytes, as: UTF8.self).split(separator: "\n").compactMap(Item.init(line:)))
    }

    /// Adds `items` to the note, durably (before the append they follow).
    func mark(_ items: Set<Item>) throws {
        let all = self.items().union(items)
        try FileIO.makeDirectory(FileIO.parent(of: path))
        try FileIO.writeAtomically(path, Array(all.map(\.line).sorted().joined(separator: "\n").utf8) + [10])
    }

    /// Takes `items` off the note (the file goes once nothing is left); best effort.
    func clear(_ items: Set<Item>) {
        guard FileIO.exists(path) else { return }
        let left = self.items().subtracting(items)
        if left.isEmpty {
            FileIO.remove(path)
        } else {
            try? FileIO.writeAtomically(path, Array(left.map(\.line).sorted().joined(separator: "\n").utf8) + [10])
        }
    }
}
