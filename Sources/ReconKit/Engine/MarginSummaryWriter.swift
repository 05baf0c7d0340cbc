import Foundation
import XLSX

/// Writes `Outbox/margin-summary.xlsx` from the ledger's closed margins and the open drafts.
public struct MarginSummaryWriter {
    let session: SiteSession

    public init(session: SiteSession) { self.session = session }

    public static let relative = "Outbox/margin-summary.xlsx"

    /// What the summary shows, gathered from the state: the closed periods' recorded margins and
    /// the open ones' from their prices (`open`, or priced now), so that the workbook can be
    /// written on another thread while the state changes.
    public struct Gathered: Sendable {
        let rows: [MarginSummaryWorkbook.Row]
        let base: Currency
        let site: String
        let clientNames: [String: String]
        let paper: PaperSize
        let created: Date
        /// Where the closed periods' `Detail` rows are kept between commands.
        let kept: MarginDetailCache
    }

    public func gathered(open: [Period: PeriodBook]? = nil) -> Gathered {
        let state = session.state
        let reviewer = Reviewer(session: session)
        let openBooks = open ?? Dictionary(uniqueKeysWithValues: state.openPeriods.map { ($0, reviewer.price($0, final: false)) })
        // Built once at its size: a year holds twelve thousand rows, and every regrowth was a
        // fresh copy of them on every drop.
        var rows: [MarginSummaryWorkbook.Row] = []
        rows.reserveCapacity(state.closedMargins.values.reduce(0) { $0 + $1.count }
            + openBooks.values.reduce(0) { $0 + $1.margins.reduce(0) { $0 + $1.byModality.count } })
        // Period by period, each in the pricer's client and modality order: the rows are then
        // already in order, which one walk confirms; only rows out of order are sorted.
        for (p, list) in state.closedMargins.sorted(by: { $0.key < $1.key }) { for r in list { rows.append(.init(p, "closed", r)) } }
        for (p, book) in openBooks.sorted(by: { $0.key < $1.key }) {
            for m in book.margins { for r in m.byModality { rows.append(.init(p, "draft", r)) } }
        }
        func inOrder(_ a: MarginSummaryWorkbook.Row, _ b: MarginSummaryWorkbook.Row) -> Bool {
            (a.period, a.row.clientId, a.row.modality) < (b.period, b.row.clientId, b.row.modality)
        }
        if zip(rows, rows.dropFirst()).contains(where: { inOrder($1, $0) }) { rows.sort(by: inOrder) }
        return Gathered(rows: rows, base: state.base, site: state.name, clientNames: state.pricing.clients.mapValues(\.name),
                        paper: session.config.paper, created: session.clock.now(), kept: MarginDetailCache(session: session))
    }

    /// Writes it after a command's entries are in: a failure is a warning (``DerivedOutput``).
    @discardableResult
    func writeDerived(_ gathered: Gathered? = nil) -> Bool {
        DerivedOutput(session: session).write(Self.relative, comesBack: .nextWritingCommand) { _ in try write(gathered) }
    }

    public func write(_ gathered: Gathered? = nil) throws {
        let g = gathered ?? self.gathered()
        try MarginSummaryWorkbook.write(rows: g.rows, base: g.base, site: g.site, clientNames: g.clientNames,
                                        to: session.site.path(Self.relative), paper: g.paper, created: g.created, kept: g.kept)
    }

    /// The closed periods' `Detail` rows as the summary would show them now, built afresh (a
    /// summary written to `scratch` and removed), when they are the ones kept under `key`;
    /// nil when the summary now shows other closed rows. For `recon verify`.
    func closedDetailRows(for key: String, scratch: String) throws -> PackedRows? {
        /// Keeps nothing and builds every row, noting the closed ones.
        final class Built: KeptDetailRows {
            var rows: (key: String, packed: PackedRows)?
            func rows(for key: String) -> PackedRows? { nil }
            func keep(_ rows: PackedRows, for key: String) { self.rows = (key, rows) }
        }
        let g = gathered(), built = Built()
        defer { FileIO.remove(scratch) }
        try MarginSummaryWorkbook.write(rows: g.rows, base: g.base, site: g.site, clientNames: g.clientNames, to: scratch,
                                        paper: g.paper, created: g.created, kept: built)
        return built.rows.flatMap { $0.key == key ? $0.packed : nil }
    }
}
