import Crypto
import Foundation
import XLSX

/// Writes `Outbox/margin-summary.xlsx` from the ledger's closed margins and the open drafts.
public struct MarginSummaryWriter {
    let session: SiteSession

    public init(session: SiteSession) { self.session = session }

    public static let relative = "Outbox/margin-summary.xlsx"

    /// What the summary shows, gathered from the state: the closed periods' recorded margins
    /// (still undecoded: ``RecordedMargins``) and the open ones' rows from their prices (`open`,
    /// or priced now), so that the workbook can be written on another thread while the state changes.
    public struct Gathered: Sendable {
        let closed: [(period: Period, margins: RecordedMargins)]
        let open: [MarginSummaryWorkbook.Row]
        /// What the closed periods' rows are kept under: their closing entries (nil when one was
        /// not read from the ledger, or an open period comes before a closed one).
        let key: String?
        let base: Currency
        let site: String
        let clientNames: [String: String]
        let paper: PaperSize
        let created: Date
        /// Where the closed periods' part is kept between commands.
        let kept: MarginDetailCache
    }

    public func gathered(open: [Period: PeriodBook]? = nil) -> Gathered {
        let state = session.state
        let reviewer = Reviewer(session: session)
        let openBooks = open ?? Dictionary(uniqueKeysWithValues: state.openPeriods.map { ($0, reviewer.price($0, final: false)) })
        var rows: [MarginSummaryWorkbook.Row] = []
        rows.reserveCapacity(openBooks.values.reduce(0) { $0 + $1.margins.reduce(0) { $0 + $1.byModality.count } })
        for (p, book) in openBooks.sorted(by: { $0.key < $1.key }) {
            for m in book.margins { for r in m.byModality { rows.append(.init(p, "draft", r)) } }
        }
        let closed = Self.closings(state)
        return Gathered(closed: closed, open: Self.sorted(rows), key: Self.key(closed, before: openBooks.keys.min()),
                        base: state.base, site: state.name, clientNames: state.pricing.clients.mapValues(\.name),
                        paper: session.config.paper, created: session.clock.now(), kept: MarginDetailCache(session: session))
    }

    /// Period by period, each in the pricer's client and modality order: the rows are then
    /// already in order, which one walk confirms; only rows out of order are sorted.
    static func sorted(_ rows: [MarginSummaryWorkbook.Row]) -> [MarginSummaryWorkbook.Row] {
        func inOrder(_ a: MarginSummaryWorkbook.Row, _ b: MarginSummaryWorkbook.Row) -> Bool {
            (a.period, a.row.clientId, a.row.modality) < (b.period, b.row.clientId, b.row.modality)
        }
        return zip(rows, rows.dropFirst()).contains(where: { inOrder($1, $0) }) ? rows.sorted(by: inOrder) : rows
    }

    /// Each closed period's recorded margins, in order.
    static func closings(_ state: SiteState) -> [(period: Period, margins: RecordedMargins)] {
        state.closedMargins.sorted { $0.key < $1.key }.map { (period: $0.key, margins: $0.value) }
    }

    /// The closed periods' part is kept under the entries that recorded their margins, each
    /// period's seq and hash (the ledger's chain vouches that the same hash is the same margins),
    /// when every closed period comes before `firstOpen`: their rows are then the first of `Detail`.
    static func key(_ closed: [(period: Period, margins: RecordedMargins)], before firstOpen: Period?) -> String? {
        guard let last = closed.last?.period, firstOpen.map({ last < $0 }) ?? true else { return nil }
        var text = "recon margin summary closed rows 1\n"
        for (period, margins) in closed {
            guard let hash = margins.hash else { return nil }
            text += "\(period) \(margins.seq) \(hash)\n"
        }
        return Hex.string(SHA256.hash(data: Array(text.utf8)))
    }

    /// Writes it after a command's entries are in: a failure is a warning (``DerivedOutput``).
    @discardableResult
    func writeDerived(_ gathered: Gathered? = nil) -> Bool {
        // Through the folder held open (``HeldFolder``), as every derived workbook: written by its
        // path, it went where a link swapped in for `Outbox` and out again pointed.
        DerivedOutput(session: session).write(Self.relative, comesBack: .nextWritingCommand) { path in try write(gathered, to: path) }
    }

    /// Writes the summary with the closed periods' part kept under their entries, when there
    /// is one; otherwise (or when it cannot be put in) with their rows decoded, and keeps those.
    /// `path`: where to write it, its own place in the site when nil.
    public func write(_ gathered: Gathered? = nil, to path: String? = nil) throws {
        let g = gathered ?? self.gathered()
        if let key = g.key {
            // Read and checked ahead while the command worked, when it was for these closings.
            let ahead = session.marginPartAhead?.wait().flatMap { $0.key == key ? $0 : nil }
            if let kept = ahead?.kept ?? g.kept.closed(for: key), ahead?.holds != false {
                do {
                    return try write(g, .init(kept: kept, keptChecked: ahead?.holds == true, rows: g.open), to: path)
                } catch is MarginSummaryWorkbook.KeptRowsUnusable {}
            }
        }
        try write(g, .init(rows: try closedRows(g) + g.open, keepUnder: g.key, keeper: g.kept), to: path)
    }

    /// The closed part kept under the closings' key, read and checked ahead of the summary.
    struct Ahead: Sendable {
        let key: String
        let kept: KeptClosedRows
        /// Whether its bytes inflate to the length and CRC-32 its note gives.
        let holds: Bool
    }

    /// The closed part kept for the closings `session`'s state holds, read (its note's
    /// signature checked, its bytes hashed) and inflated to check them on another core while
    /// the command does its work: after a year that is 5.7 MB of XML, which the drafts would
    /// otherwise inflate beside the status cache at the end. Nil when there is nothing to read.
    static func readAhead(_ session: SiteSession) -> BackgroundWork<Ahead?>? {
        let state = session.state
        guard let key = key(closings(state), before: state.openPeriods.min()) else { return nil }
        let cache = MarginDetailCache(session: session)
        return BackgroundWork {
            guard let kept = cache.closed(for: key) else { return nil }
            return Ahead(key: key, kept: kept, holds: kept.packed.holdsWhatItSays())
        }
    }

    private func write(_ g: Gathered, _ content: MarginSummaryWorkbook.Content, to path: String? = nil) throws {
        // Every closed period has its line, one closed with no reports too (whichever path wrote it).
        var content = content
        content.closedPeriods = g.closed.map(\.period)
        try MarginSummaryWorkbook.write(content, base: g.base, site: g.site, clientNames: g.clientNames,
                                        to: path ?? session.site.path(Self.relative), paper: g.paper, created: g.created)
    }

    /// The closed periods' rows, decoded (those a ledger prefix left in the ledger read back).
    private func closedRows(_ g: Gathered) throws -> [MarginSummaryWorkbook.Row] {
        // A year's twelve lines of 160 KB read back, checked and decoded on every core.
        var decoded = [Result<[MarginRow], Error>](repeating: .success([]), count: g.closed.count)
        decoded.withUnsafeMutableBufferPointer { slots in
            DispatchQueue.concurrentPerform(iterations: g.closed.count) { i in slots[i] = Result { try g.closed[i].margins.rows() } }
        }
        var rows: [MarginSummaryWorkbook.Row] = []
        for (i, (p, _)) in g.closed.enumerated() { for r in try decoded[i].get() { rows.append(.init(p, "closed", r)) } }
        return Self.sorted(rows)
    }

    /// The closed periods' part as the summary would show it now, built afresh (a summary
    /// written to `scratch` and removed), when it is the one kept under `key`; nil when the
    /// summary now shows other closed periods. For `recon verify`.
    func closedPart(for key: String, scratch: String) throws -> KeptClosedRows? {
        /// Keeps nothing and builds every row, noting the closed part.
        final class Built: KeptDetailRows {
            var part: (key: String, closed: KeptClosedRows)?
            func closed(for key: String) -> KeptClosedRows? { nil }
            func keep(_ closed: KeptClosedRows, for key: String) { part = (key, closed) }
        }
        let g = gathered(), built = Built()
        guard g.key == key else { return nil }
        defer { FileIO.remove(scratch) }
        try write(g, .init(rows: try closedRows(g) + g.open, keepUnder: key, keeper: built), to: scratch)
        return built.part.flatMap { $0.key == key ? $0.closed : nil }
    }
}
