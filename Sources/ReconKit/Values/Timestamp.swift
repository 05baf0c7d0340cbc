import CMemoryHints
import Foundation

/// A moment in time: nanoseconds since 1970-01-01T00:00:00Z.
///
/// Usage timestamps are compared as parsed values, so `2026-03-01T10:00Z` equals
/// `2026-03-01T10:00:00+00:00`.
public struct Timestamp: Hashable, Comparable, Sendable {
    public let nanoseconds: Int64

    public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }

    public static func < (a: Timestamp, b: Timestamp) -> Bool { a.nanoseconds < b.nanoseconds }

    /// RFC 3339 text in UTC (`2026-03-01T10:00:00Z`, with a fraction only when there is one).
    public var utcText: String {
        let secs = nanoseconds >= 0 ? nanoseconds / 1_000_000_000 : (nanoseconds - 999_999_999) / 1_000_000_000
        let frac = nanoseconds - secs * 1_000_000_000
        let days = secs >= 0 ? secs / 86_400 : (secs - 86_399) / 86_400
        let rem = Int(secs - days * 86_400)
        let date = LocalDate(dayNumber: Int32(days))
        var text = "\(date)T\(Digits.padded(rem / 3600, 2)):\(Digits.padded(rem / 60 % 60, 2)):\(Digits.padded(rem % 60, 2))"
        if frac != 0 {
            var f = Digits.padded(Int(frac), 9)
            while f.hasSuffix("0") { f.removeLast() }
            text += "." + f
        }
        return text + "Z"
    }
}

/// The site's IANA time zone: decides which local date, and so which period, a moment falls in.
public final class SiteTimeZone: @unchecked Sendable {
    public let identifier: String
    private let zone: TimeZone
    /// Whether it is UTC itself (its offset always 0).
    public let isUTC: Bool
    // The offset rarely changes: remember it per UTC hour so a million rows do not ask ICU a
    // million times. Hour and offset are one word (``packed``), read and written whole: a large
    // drop is parsed in halves on two cores with one zone, and kept as two words an hour was
    // remembered with the other half's offset across a clock change (rows an hour off).
    private let memo: UnsafeMutablePointer<CLongLong>

    public init?(identifier: String) {
        guard let zone = TimeZone(identifier: identifier) else { return nil }
        self.identifier = identifier
        self.zone = zone
        self.isUTC = zone.secondsFromGMT(for: Date(timeIntervalSince1970: 0)) == 0
            && zone.secondsFromGMT(for: Date(timeIntervalSince1970: 15_778_800)) == 0
            && (identifier == "UTC" || identifier == "Etc/UTC" || identifier == "GMT" || identifier == "Etc/GMT")
        memo = .allocate(capacity: 1)
        memo.initialize(to: CLongLong(Self.nothingRemembered))
    }

    deinit { memo.deallocate() }

    /// An hour and its offset in one word: the hour above 20 bits, the offset (within ±14 h,
    /// less than 2^19 s either way) below, raised by 2^19. Only hours within ±2^42 are kept.
    private static func packed(hour: Int64, offset: Int64) -> Int64 { hour << 20 | (offset + (1 << 19)) }
    private static let nothingRemembered = Int64.min

    /// UTC, made once: ledger times are read with it for every entry of every command, and a
    /// UTC zone keeps no state (its offset is always 0), so one instance serves every thread.
    public static let utc = SiteTimeZone(identifier: "UTC")!

    /// `UTC+5`, `GMT-05:30`: offsets Foundation reads as zones, but no IANA name (SPEC §1), so
    /// `recon init` refuses them (a site an earlier version made with one still opens). The
    /// site's zone is fixed at init, and IANA's own `Etc/GMT+5` means UTC−5: an offset typed
    /// with the sign people expect would put reports in the wrong day, for good. IANA's
    /// `GMT+0`, `GMT-0` and `GMT0` are names, and zero either way.
    public static func isOffsetName(_ identifier: String) -> Bool {
        guard identifier.hasPrefix("UTC") || identifier.hasPrefix("GMT"), identifier.count > 3 else { return false }
        return !["GMT+0", "GMT-0", "GMT0"].contains(identifier)
    }

    /// What a valid zone looks like, said to the one who typed `identifier`.
    public static func whatIsValid(_ identifier: String) -> String {
        isOffsetName(identifier)
            ? "an offset is not an IANA time zone name; write the place's zone (e.g. Asia/Karachi for UTC+5, "
                + "Asia/Kolkata for UTC+5:30), which also follows its daylight saving"
            : "not an IANA time zone name; write one such as UTC, Asia/Kolkata or Europe/Paris"
    }

    /// Offset from UTC, in seconds, at the given UTC second.
    public func offset(atUTCSecond s: Int64) -> Int64 {
        if isUTC { return 0 }
        let hour = s >= 0 ? s / 3600 : (s - 3599) / 3600
        let remembered = Int64(recon_word_load(memo))
        if remembered != Self.nothingRemembered && remembered >> 20 == hour { return (remembered & 0xFFFFF) - (1 << 19) }
        let offset = Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(hour * 3600))))
        if abs(hour) < 1 << 42 { recon_word_store(memo, CLongLong(Self.packed(hour: hour, offset: offset))) }
        return offset
    }

    /// The local calendar date of a moment.
    public func localDate(of t: Timestamp) -> LocalDate {
        let secs = t.nanoseconds >= 0 ? t.nanoseconds / 1_000_000_000 : (t.nanoseconds - 999_999_999) / 1_000_000_000
        let local = secs + offset(atUTCSecond: secs)
        let days = local >= 0 ? local / 86_400 : (local - 86_399) / 86_400
        return LocalDate(dayNumber: Int32(days))
    }

    /// The UTC second of a local wall-clock second (site time). In a DST overlap the first of
    /// the two moments is meant; a time in a DST gap (one the clocks skipped) is read with the
    /// offset in force before the change, so it lands just after the gap on the day written
    /// (`00:30` on a night the clocks go from 00:00 to 01:00 is 01:30), as Python's `zoneinfo`
    /// and Java read it. Offsets lie within ±14 hours: the instant is within a day of `local`.
    public func utcSecond(ofLocalSecond local: Int64) -> Int64 {
        let before = offset(atUTCSecond: local - 15 * 3600), after = offset(atUTCSecond: local + 15 * 3600)
        if before == after { return local - before }
        let early = local - before, late = local - after
        if offset(atUTCSecond: early) == before { return early }  // exists with the earlier offset (first of an overlap)
        if offset(atUTCSecond: late) == after { return late }
        return early  // in the gap
    }

    /// Today's date in the site's time zone.
    public func today(now: Date = Date()) -> LocalDate {
        localDate(of: Timestamp(nanoseconds: Int64(now.timeIntervalSince1970) * 1_000_000_000))
    }
}
