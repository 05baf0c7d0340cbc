import Foundation

/// The workbooks a command derives from the ledger after its entries are in: a period's
/// drafts and review workbook, and the margin summary. The entries are the command's outcome
/// (SPEC §6 and §8, all or nothing: no exit 1 after a commit), so a derived workbook that
/// cannot be written (a full disk, a read-only folder, a folder in its place) is a warning
/// that names it, says why and says how it comes back — never a failed command. Final
/// documents and checkpoints are not derived: ``DocumentRepair`` and ``Checkpointer`` see to them.
struct DerivedOutput {
    let session: SiteSession

    /// How a workbook that could not be written comes back.
    enum Return: String {
        /// A closed period's review workbook, the margin summary: ``DocumentRepair``.
        case nextWritingCommand = "the next writing command puts it back"
        /// An open period's drafts and review: the refresh of every ingest and decision.
        case nextIngest = "the next `recon ingest` or `recon decide` writes it again"
    }

    /// Writes a period's review workbook, `Outbox/YYYY-MM/review.xlsx`; returns whether it was written.
    @discardableResult
    func writeReview(_ review: PeriodReview, comesBack: Return) -> Bool {
        write(Self.reviewPath(review.period), comesBack: comesBack) { path in
            try ReviewWorkbook.write(review, state: session.state, to: path, paper: session.config.paper, created: session.clock.now())
        }
    }

    /// Where a period's review workbook lives, under the site.
    static func reviewPath(_ period: Period) -> String { "Outbox/\(period)/review.xlsx" }

    /// An open period's draft invoices and payouts, under the site (``Drafter``).
    static func draftPath(_ period: Period, _ side: DocumentKind) -> String {
        "Outbox/\(period)/drafts/" + (side == .invoice ? "invoices.xlsx" : "payouts.xlsx")
    }

    /// What an open period's refresh writes: its drafts and its draft review.
    static func draftPaths(_ period: Period) -> [String] {
        [draftPath(period, .invoice), draftPath(period, .payout), reviewPath(period)]
    }

    /// Writes `relative` (under the site) through `write`, which gets the full path; returns
    /// whether it was written. A copy left from before is removed when the write fails: an
    /// out-of-date workbook must not pass for the current one (a period's draft review after
    /// its close), and a missing one is what repair looks for.
    @discardableResult
    func write(_ relative: String, comesBack: Return, _ write: (String) throws -> Void) -> Bool {
        let path = session.site.path(relative)
        var folder: HeldFolder?
        do {
            // Opened without following a link below `Outbox/`: one on the way is refused there
            // (the workbook itself is replaced by its rename).
            folder = try HeldFolder(FileIO.parent(of: relative), in: session.site)
            try Self.write(FileIO.baseName(relative), in: folder!, write)
            DerivedStamps(site: session.site).keep([relative], entries: session.ledger.entries.count)
            return true
        } catch {
            var earlier = ""
            // Removed from the folder held, never through a link put on the way since.
            if let folder, (try? folder.requireInPlace(FileIO.baseName(relative))) != nil, FileIO.isRegularFile(path) {
                do {
                    try FileIO.removeChecked(path)
                    earlier = "; the earlier copy, out of date, was removed"
                } catch {
                    earlier = "; the earlier copy is out of date and could not be removed either (\(error))"
                }
            }
            let message = "could not write \(relative): \(error)\(earlier). What this command recorded stands; "
                + "\(comesBack.rawValue) once the cause is fixed"
            session.log.warning("\(message)")
            return false
        }
    }

    /// Writes `name` into `folder` through `write`, which gets the path to write; refused,
    /// the workbook taken back, when the folder was moved or replaced meanwhile.
    static func write(_ name: String, in folder: HeldFolder, _ write: (String) throws -> Void) throws {
        do {
            try write(folder.path(name))
        } catch {
            // A write that failed because its folder went (its unfinished file moved along) says so.
            try folder.requireInPlace(name)
            throw folder.shown(error)
        }
        try folder.requireInPlace(name)
    }
}
