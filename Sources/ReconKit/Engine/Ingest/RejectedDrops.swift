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
    /// signed rerun. Only drops that hold something of the month — a March drop was named at
    /// every close after March; nil when there are none. It does not refuse the close: a
    /// rejected file is kept as the record of what was refused, and may have been dealt with
    /// another way.
    /// - a usage drop, card or rate table holding a date of the month (`YYYY-MM-` in its text),
    ///   or the day before it or after it where the site's zone moves a UTC time into it (a
    ///   report at `2026-03-31T20:00Z` is April's in Asia/Kolkata);
    /// - a decisions, clients or radiologists drop rejected since the last signed command
    ///   (`since`, its checkpoint's time): an exclusion, or a client's tax rate, refused was
    ///   billed without a word.
    static func closeWarning(_ site: Site, period: Period, zone: SiteTimeZone, since: Date?) -> String? {
        let dated: Set<DropKind> = [.usage, .clientRates, .providerRates, .fxRates]
        let undated: Set<DropKind> = [.decisions, .clients, .radiologists]
        var marks = [Array("\(period)-".utf8)]
        let start = Int64(period.firstDay.dayNumber) * 86_400, end = Int64(period.lastDay.dayNumber + 1) * 86_400
        if zone.offset(atUTCSecond: start) > 0 { marks.append(Array("\(period.previous.lastDay)T".utf8)) }
        if zone.offset(atUTCSecond: end) < 0 { marks.append(Array("\(period.next.firstDay)T".utf8)) }
        let drops = names(site).filter { name in
            guard let kind = DropKind(fileName: name) else { return false }
            if undated.contains(kind) {
                let errors = site.rejected + "/" + name + ".errors.txt"
                guard let since else { return true }
                return FileStatus.of(errors).map { Date(timeIntervalSince1970: TimeInterval($0.modifiedSeconds)) >= since } ?? true
            }
            guard dated.contains(kind), let bytes = try? FileIO.read(site.rejected + "/" + name, followingLinks: false) else { return false }
            return marks.contains { bytes.firstRange(of: $0) != nil }
        }
        guard !drops.isEmpty else { return nil }
        let shown = drops.prefix(5).map(SafeText.escaped).joined(separator: ", ") + (drops.count > 5 ? ", …" : "")
        let one = drops.count == 1
        return "Inbox/rejected/ holds \(one ? "a drop" : "\(drops.count) drops") refused at ingest (\(shown)), applied nowhere: "
            + "\(period) closes without what \(one ? "it holds" : "they hold") for it, and a correction for \(period) now waits for a "
            + "signed `recon rerun \(period)` — remove \(one ? "it" : "them") from Inbox/rejected/ once dealt with"
    }
}
