import Foundation

/// The time written into ledger entries and documents.
///
/// `RECON_NOW` (RFC 3339, e.g. `2026-01-05T09:00:00Z`) pins it, so the demo can replay a
/// year of month-end closes on their own dates and tests can be reproduced; unset, it is
/// the system clock.
public enum SiteClock {
    /// Set by `recon demo` while it replays a year of history; nil in normal use.
    nonisolated(unsafe) public static var pinned: Date?

    public static func now() -> Date {
        if let pinned { return pinned }
        if let pinned = ProcessInfo.processInfo.environment["RECON_NOW"], !pinned.isEmpty,
            let utc = SiteTimeZone(identifier: "UTC"),
            let t = try? FieldValue.timestamp(Substring(pinned), zone: utc)
        {
            return Date(timeIntervalSince1970: TimeInterval(t.nanoseconds / 1_000_000_000))
        }
        return Date()
    }

    /// `at` text: RFC 3339 UTC to the second.
    public static func text(_ date: Date) -> String {
        Timestamp(nanoseconds: Int64(date.timeIntervalSince1970.rounded(.down)) * 1_000_000_000).utcText
    }
}
