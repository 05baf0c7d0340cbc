import Foundation

/// The time written into ledger entries and documents, given to a session when it opens
/// rather than read from a global: the demo replays a year of month-end closes each on its
/// own date, and tests pin it to be reproduced.
public struct SiteClock: Sendable {
    public let now: @Sendable () -> Date

    public init(now: @escaping @Sendable () -> Date) { self.now = now }

    /// The system clock.
    public static let system = SiteClock { Date() }

    /// A clock that always reads `date`.
    public static func fixed(_ date: Date) -> SiteClock { SiteClock { date } }

    /// `RECON_NOW` (RFC 3339, e.g. `2026-01-05T09:00:00Z`) pins the clock; unset, empty or
    /// unreadable, it is the system clock. Read once by the command line.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> SiteClock {
        guard let pinned = environment["RECON_NOW"], !pinned.isEmpty, let date = date(rfc3339: pinned) else { return .system }
        return .fixed(date)
    }

    /// The moment `text` (RFC 3339) names, to the second; nil when it is not one.
    public static func date(rfc3339 text: String) -> Date? {
        guard let utc = SiteTimeZone(identifier: "UTC"), let t = try? FieldValue.timestamp(Substring(text), zone: utc) else { return nil }
        return Date(timeIntervalSince1970: TimeInterval(t.nanoseconds / 1_000_000_000))
    }

    /// `at` text: RFC 3339 UTC to the second.
    public static func text(_ date: Date) -> String {
        Timestamp(nanoseconds: Int64(date.timeIntervalSince1970.rounded(.down)) * 1_000_000_000).utcText
    }
}
