/// Every entry's `at` is a UTC time to the second as recon writes it (`2026-11-21T10:00:00Z`),
/// and none is before the entry it follows.
///
/// A writer refuses a clock before the ledger's head (SPEC §1), so an entry out of time order,
/// or an `at` that is no time, was written by something else. It matters beyond the order: a
/// document's issue date is its entry's `at` (SPEC §5), and a head backdated by a rewrite
/// would let the next command date a credit note years before its invoice.
enum EntryTimes {
    static func check(_ entries: [LedgerEntry]) throws {
        var previous: String?
        for e in entries {
            // One append stamps all its entries with one time (a close's thousands): read once.
            if e.at == previous { continue }
            guard isUTCSecond(e.at) else {
                throw LedgerDamage(seq: e.seq, "its at, \"\(e.at)\", is not a UTC time written as YYYY-MM-DDTHH:MM:SSZ")
            }
            if let previous, e.at < previous {
                throw LedgerDamage(seq: e.seq, "its at, \(e.at), is before that of the entry it follows (\(previous)): "
                    + "entries are appended in time order")
            }
            previous = e.at
        }
    }

    /// Exactly `YYYY-MM-DDTHH:MM:SSZ`, a real date and time: compared as text, such times sort as time does.
    static func isUTCSecond(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 20 else { return false }
        for (i, b) in bytes.enumerated() {
            switch i {
            case 4, 7: guard b == UInt8(ascii: "-") else { return false }
            case 10: guard b == UInt8(ascii: "T") else { return false }
            case 13, 16: guard b == UInt8(ascii: ":") else { return false }
            case 19: guard b == UInt8(ascii: "Z") else { return false }
            default: guard b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") else { return false }
            }
        }
        return SiteClock.date(rfc3339: text) != nil
    }
}
