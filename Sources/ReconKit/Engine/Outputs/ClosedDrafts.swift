import Glibc

/// A closed period's `drafts/` folder: the month-to-date workbooks recon wrote there go once
/// the month is closed (its final documents stand for them). Only those: the whole folder was
/// removed, with a clerk's "Save As" copy of the draft invoices and her notes in it — the folder
/// LibreOffice proposes for a copy of the file it opened — without a word.
enum ClosedDrafts {
    /// Removes `period`'s draft workbooks (and this or an interrupted command's temporary copies
    /// of them), and the folder once nothing else is in it. Returns the names left, recon's
    /// hidden temporary names aside: files recon did not write.
    @discardableResult
    static func remove(_ period: Period, in site: Site) -> [String] {
        let dir = site.path("Outbox/\(period)/drafts")
        switch FileStatus.of(dir)?.kind {
        case .folder?: break
        case nil: return []
        default:
            // A link or a file in its place holds nothing of anyone's in the site: it goes, as it did.
            unlink(dir)
            return []
        }
        let own = [DocumentKind.invoice, .payout].map { FileIO.baseName(DerivedOutput.draftPath(period, $0)) }
        for name in FileIO.list(dir) {
            let path = dir + "/" + name
            let temporary = own.contains { name.hasPrefix("." + $0 + ".") && name.hasSuffix(".tmp") }
            guard own.contains(name) || temporary, FileStatus.of(path)?.kind == .regularFile else { continue }
            unlink(path)
        }
        let left = FileIO.list(dir)
        if left.isEmpty { rmdir(dir) }
        return left.filter { !$0.hasPrefix(".") }
    }

    /// What a close says of files left in the drafts folder of the month it closed.
    static func leftWarning(_ period: Period, names: [String]) -> String {
        let shown = names.prefix(5).map { SafeText.escaped($0) }.joined(separator: ", ") + (names.count > 5 ? ", …" : "")
        return "Outbox/\(period)/drafts/ holds \(names.count == 1 ? "a file" : "\(names.count) files") recon did not write (\(shown)): "
            + "\(period) is closed and its draft workbooks are gone, the final documents standing for them; recon leaves "
            + "\(names.count == 1 ? "it" : "them") there — move \(names.count == 1 ? "it" : "them") where you keep your own files"
    }
}
