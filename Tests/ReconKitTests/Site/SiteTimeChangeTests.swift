import Foundation
import Testing
@testable import ReconKit

/// A timestamp written without an offset is site time (SPEC §2). On the nights the clocks
/// change, some wall-clock times do not exist (the gap) and some exist twice (the overlap).
/// A time in the gap is read with the offset in force before the change, so it stays on the
/// day written (it used to fall back a day when the gap starts at midnight, taking the day
/// before's card and, on the 1st, the month before); one in the overlap is its first moment.
@Suite("Drops — site time on the nights the clocks change (SPEC §2)")
struct SiteTimeChangeTests {
    let header = "report_id,reported_at,client_id,radiologist_id,modality,image_count,urgency\n"

    /// The report's UTC instant (as `YYYY-MM-DDTHH:MM:SSZ`) and its date in site time.
    func read(_ at: String, zone: String) throws -> (utc: String, day: String) {
        let parser = DropParser(zone: try #require(SiteTimeZone(identifier: zone)), baseCurrency: Currency(code: "INR")!)
        let outcome = Array((header + "R1,\(at),C1,D1,CT,3,routine\n").utf8).withUnsafeBytes { parser.parse($0, kind: .usage) }
        guard case .usage(let reports)? = outcome.rows, let r = reports.first else {
            Issue.record("not read: \(outcome.problems.problems)")
            return ("", "")
        }
        let utc = Date(timeIntervalSince1970: TimeInterval(r.reportedAt.nanoseconds / 1_000_000_000))
        return (utc.formatted(.iso8601), r.localDate.description)
    }

    /// Hand-worked, each from the zone's rule for that night:
    /// - Santiago, 2026-09-06: 00:00 −04:00 becomes 01:00 −03:00. 00:30 is read at −04:00:
    ///   04:30Z, which is 01:30 that day (it was read at −03:00: 03:30Z, 23:30 the day before).
    /// - Asunción, 2023-10-01: the same change at midnight on the 1st: 00:30 → 04:30Z, October
    ///   (it was September); 00:00 → 04:00Z, the change itself.
    /// - New York, 2026-03-08: 02:00 −05:00 becomes 03:00 −04:00: 02:30 → 07:30Z, as 03:30 is;
    ///   01:30, before the change, → 06:30Z.
    /// - New York, 2026-11-01: 02:00 −04:00 becomes 01:00 −05:00; 01:30 happens twice, the
    ///   first at −04:00 → 05:30Z.
    /// - London, 2026-10-25: 02:00 +01:00 becomes 01:00 +00:00; 01:30 first at +01:00 → 00:30Z.
    @Test(arguments: [
        ("America/Santiago", "2026-09-06T00:30", "2026-09-06T04:30:00Z", "2026-09-06"),
        ("America/Asuncion", "2023-10-01T00:30", "2023-10-01T04:30:00Z", "2023-10-01"),
        ("America/Asuncion", "2023-10-01T00:00", "2023-10-01T04:00:00Z", "2023-10-01"),
        ("America/New_York", "2026-03-08T02:30", "2026-03-08T07:30:00Z", "2026-03-08"),
        ("America/New_York", "2026-03-08T03:30", "2026-03-08T07:30:00Z", "2026-03-08"),
        ("America/New_York", "2026-03-08T01:30", "2026-03-08T06:30:00Z", "2026-03-08"),
        ("America/New_York", "2026-11-01T01:30", "2026-11-01T05:30:00Z", "2026-11-01"),
        ("Europe/London", "2026-10-25T01:30", "2026-10-25T00:30:00Z", "2026-10-25"),
    ])
    func aSiteTimeIsReadAsThePlaceReadsIt(zone: String, at: String, utc: String, day: String) throws {
        let got = try read(at, zone: zone)
        #expect(got.utc == utc && got.day == day, "\(zone) \(at): \(got)")
    }
}
