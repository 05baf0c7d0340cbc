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

    /// `RECON_NOW` (ISO 8601, e.g. `2026-01-05T09:00:00Z`) pins the clock; unset or empty, it
    /// is the system clock. Read once by the command line. Without an offset it is a time of
    /// `zone`, the site's, as every timestamp without one is (SPEC §2): `2026-04-01T00:00`
    /// closes March in a site in New York as its finance team means it.
    /// - Throws: ``Unreadable`` when it is set to something else: a clock silently left at the
    ///   system's would stamp entries with another day than the one asked for.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment,
                                       zone: SiteTimeZone = .utc) throws -> SiteClock {
        guard let pinned = environment["RECON_NOW"], !pinned.isEmpty else { return .system }
        guard let t = try? FieldValue.timestamp(Substring(pinned), zone: zone) else { throw Unreadable(text: pinned, zone: zone) }
        return .fixed(Date(timeIntervalSince1970: TimeInterval(t.nanoseconds / 1_000_000_000)))
    }

    /// The time zone a `RECON_NOW` without offset is read in for `site`: `given` (init's
    /// `--timezone`), else the zone its ledger's `site.init` fixed, else a prepared recon.toml's
    /// (before init), else UTC. Any of them not a zone is passed over: the command itself says
    /// what is wrong with it.
    public static func zone(of site: Site, given: String? = nil) -> SiteTimeZone {
        let recorded = LedgerFile.siteInit(of: site)?.timezone
        let prepared = recorded == nil && FileIO.exists(site.configFile) ? (try? SiteConfigFile.read(site))?.config.timezone : nil
        for name in [given, recorded, prepared] {
            if let name, !name.isEmpty, let zone = SiteTimeZone(identifier: name) { return zone }
        }
        return .utc
    }

    /// A `RECON_NOW` that is not a timestamp.
    public struct Unreadable: Error, CustomStringConvertible {
        public let text: String
        /// The zone it was read in: the site's, where its day must lie within the years too.
        public var zone: SiteTimeZone = .utc
        public var description: String {
            // A well-formed time outside the years recon keeps is told apart from one that is not a time.
            var why = "is not an ISO 8601 timestamp (YYYY-MM-DDTHH:MM[:SS][Z|±HH:MM], without offset the site's time)"
            let years = "the years \(FieldValue.years.lowerBound)–\(FieldValue.years.upperBound) that entries may carry"
            do {
                _ = try FieldValue.timestamp(Substring(text), zone: .utc)
                if (try? FieldValue.timestamp(Substring(text), zone: zone)) == nil {
                    why = "falls, in the site's time zone (\(zone.identifier)), on a day outside \(years)"
                }
            } catch let invalid as FieldValue.Invalid where invalid.outsideYears {
                why = "lies outside \(years)"
            } catch {
                // A day the calendar lacks (2029-02-29T10:00:00Z) is said as such, as a drop's is.
                if let day = LocalDate.calendarProblem(Substring(text)) {
                    why = "names a day that does not exist: \(day)" + (text.utf8.count == 10 ? "; give a time of a day too" : "")
                }
            }
            return "RECON_NOW=\"\(text)\" \(why); give one such as 2026-01-05T09:00:00Z, or unset RECON_NOW to use the system clock"
        }
    }

    /// The moment `text` (RFC 3339) names, to the second; nil when it is not one.
    public static func date(rfc3339 text: String) -> Date? {
        guard let t = try? FieldValue.timestamp(Substring(text), zone: .utc) else { return nil }
        return Date(timeIntervalSince1970: TimeInterval(t.nanoseconds / 1_000_000_000))
    }

    /// `at` text: RFC 3339 UTC to the second.
    public static func text(_ date: Date) -> String {
        Timestamp(nanoseconds: Int64(date.timeIntervalSince1970.rounded(.down)) * 1_000_000_000).utcText
    }
}
