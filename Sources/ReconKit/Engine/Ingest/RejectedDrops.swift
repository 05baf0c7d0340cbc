import Foundation

/// The drops waiting in `Inbox/rejected/` for someone to correct them, as `recon status` lists
/// them and `recon close` names them.
enum RejectedDrops {
    /// A rejected drop's errors file is NAME.errors.txt beside it; a drop may itself end in
    /// .errors.txt, and has its own then. One without its drop, what a rejection killed before
    /// it moved the drop leaves, is no drop either (the next rejection of that name takes NAME-2).
    static func names(_ site: Site) -> [String] {
        let inRejected = FileIO.listOwnFolder(site.rejected).filter { !$0.hasPrefix(".") }
        let names = Set(inRejected)
        return inRejected.filter { !$0.hasSuffix(".errors.txt") || names.contains($0 + ".errors.txt") }.sorted()
    }

    /// What a close says of them: a rejected drop applied nothing, so whatever it held for the
    /// month is not in the documents the close issues, and once it is closed a correction needs a
    /// signed rerun. Only drops that hold a date of the month (a usage row, a card or rate in
    /// force from it: `YYYY-MM-` in their text) — a March drop was named at every close after
    /// March; nil when there are none. It does not refuse the close: a rejected file is kept as
    /// the record of what was refused, and may have been dealt with another way.
    static func closeWarning(_ site: Site, period: Period) -> String? {
        let kinds: Set<DropKind> = [.usage, .clientRates, .providerRates, .fxRates]
        let month = Array("\(period)-".utf8)
        let drops = names(site).filter { name in
            guard let kind = DropKind(fileName: name), kinds.contains(kind),
                  let bytes = try? FileIO.read(site.rejected + "/" + name, followingLinks: false) else { return false }
            return bytes.firstRange(of: month) != nil
        }
        guard !drops.isEmpty else { return nil }
        let shown = drops.prefix(5).map(SafeText.escaped).joined(separator: ", ") + (drops.count > 5 ? ", …" : "")
        let one = drops.count == 1
        return "Inbox/rejected/ holds \(one ? "a drop" : "\(drops.count) drops") refused at ingest (\(shown)), applied nowhere: "
            + "\(period) closes without what \(one ? "it holds" : "they hold") for it, and a correction for \(period) now waits for a "
            + "signed `recon rerun \(period)` — remove \(one ? "it" : "them") from Inbox/rejected/ once dealt with"
    }
}
