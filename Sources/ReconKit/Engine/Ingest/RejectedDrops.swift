import Foundation

/// The drops waiting in `Inbox/rejected/` for someone to correct them, as `recon status` lists
/// them and `recon close` names them.
enum RejectedDrops {
    /// A rejected drop's errors file is NAME.errors.txt beside it; a drop may itself end in
    /// .errors.txt, and has its own then. One without its drop, what a rejection killed before
    /// it moved the drop leaves, is no drop either (the next rejection of that name takes NAME-2).
    static func names(_ site: Site) -> [String] {
        // What Windows or Office keeps beside the files a folder shows is no rejected drop either.
        let inRejected = FileIO.listOwnFolder(site.rejected).filter { !$0.hasPrefix(".") && !ViewerFile.matches($0) }
        let names = Set(inRejected)
        return inRejected.filter { !$0.hasSuffix(".errors.txt") || names.contains($0 + ".errors.txt") }.sorted()
    }

    /// What a close says of them: a rejected drop applied nothing, so whatever it held for the
    /// month is not in the documents the close issues, and once it is closed a correction needs a
    /// signed rerun. Only drops that hold something of the month — a March drop was named at
    /// every close after March; nil when there are none. It does not refuse the close: a
    /// rejected file is kept as the record of what was refused, and may have been dealt with
    /// another way.
    /// - a usage drop holding a date of the month (`YYYY-MM-` in its text), or a time on the
    ///   day before it or after it that falls in it in the site's zone (a report at
    ///   `2026-03-31T20:00Z` is April's in Asia/Kolkata, one at `2026-04-01T02:00+05:30` March's
    ///   on a UTC site);
    /// - a card, rate table or FX table holding a date on or before the month's last day: one
    ///   dated before the month is the one in force for it, and the month closed at the old
    ///   price or rate without a word;
    /// - a decisions, clients or radiologists drop, whatever it holds (no date tells its month:
    ///   an exclusion, or a client's tax rate, refused was billed without a word), at every
    ///   close until it is removed — named only at the first close after it, one about April's
    ///   reports was named at March's and billed at April's in silence.
    static func closeWarning(_ site: Site, period: Period, zone: SiteTimeZone) -> String? {
        let undated: Set<DropKind> = [.decisions, .clients, .radiologists]
        let tables: Set<DropKind> = [.clientRates, .providerRates, .fxRates]
        let drops = names(site).filter { name in
            guard let kind = DropKind(fileName: name) else { return false }
            if undated.contains(kind) { return true }
            guard kind == .usage || tables.contains(kind), let bytes = try? FileIO.read(site.rejected + "/" + name, followingLinks: false)
            else { return false }
            return kind == .usage ? holds(period, zone: zone, in: bytes) : holdsDate(onOrBefore: period.lastDay, in: bytes)
        }
        guard !drops.isEmpty else { return nil }
        let shown = drops.prefix(5).map(SafeText.escaped).joined(separator: ", ") + (drops.count > 5 ? ", …" : "")
        let one = drops.count == 1
        return "Inbox/rejected/ holds \(one ? "a drop" : "\(drops.count) drops") refused at ingest (\(shown)), applied nowhere: "
            + "\(period) closes without what \(one ? "it holds" : "they hold") for it, and a correction for \(period) now waits for a "
            + "signed `recon rerun \(period)` — remove \(one ? "it" : "them") from Inbox/rejected/ once dealt with"
    }

    /// Whether `bytes` hold a date of `period`, or a time that falls in it in `zone`: each time
    /// written on a day of the month or the day before or after it is read as a usage row's would
    /// be, its offset (or the site's time) deciding its day there; any other text of the month
    /// (a card's date, a time that does not read) counts as the month's.
    static func holds(_ period: Period, zone: SiteTimeZone, in bytes: [UInt8]) -> Bool {
        let ends: Set<UInt8> = [0x2C, 0x22, 0x0A, 0x0D, 0x20, 0x09, 0x3B]  // , " LF CR space tab ;
        for (mark, ofTheMonth) in [("\(period)-", true), ("\(period.previous.lastDay)T", false), ("\(period.next.firstDay)T", false)] {
            let mark = Array(mark.utf8)
            var from = bytes.startIndex
            while let found = bytes[from...].firstRange(of: mark) {
                var end = found.upperBound
                while end < bytes.endIndex, !ends.contains(bytes[end]) { end += 1 }
                let text = String(decoding: bytes[found.lowerBound..<end], as: UTF8.self)
                if text.contains("T"), let time = try? FieldValue.timestamp(Substring(text), zone: zone) {
                    if zone.localDate(of: time).period == period { return true }
                } else if ofTheMonth {
                    return true
                }
                from = found.upperBound
            }
        }
        return false
    }

    /// Whether `bytes` hold a date (`YYYY-MM-DD`) on or before `last`.
    static func holdsDate(onOrBefore last: LocalDate, in bytes: [UInt8]) -> Bool {
        guard bytes.count >= 10 else { return false }
        func digit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
        var i = 0
        while i + 10 <= bytes.count {
            if bytes[i + 4] == 0x2D, bytes[i + 7] == 0x2D, (0..<10).allSatisfy({ $0 == 4 || $0 == 7 || digit(bytes[i + $0]) }),
               let date = LocalDate(Substring(String(decoding: bytes[i..<(i + 10)], as: UTF8.self))), date <= last {
                return true
            }
            i += 1
        }
        return false
    }
}
