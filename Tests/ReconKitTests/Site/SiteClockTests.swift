import Foundation
import Testing

@testable import ReconKit

/// SPEC §1: a clock before the ledger head's `at` is refused (exit 1); a writing command then
/// appends nothing and changes no file.
@Suite("Site clock — never stamps an entry before the one it follows", .serialized)
struct SiteClockTests {
    static let head = "2026-04-02T09:00:00Z"

    /// A site whose last entry is stamped ``head``, with a drop waiting in the Inbox.
    func siteWithHead() throws -> TestSite {
        let site = try TestSite()
        let env = ["RECON_NOW": Self.head]
        #expect(try site.recon(["init", "--name", "clock-site", "--base-currency", "INR", "--timezone", "UTC"], env: env).code == 0)
        try site.drop("radiologists.csv", "radiologist_id,name,grade,seniority_years\nD1,Dr Rao,consultant,10\n")
        #expect(try site.recon(["ingest"], env: env).code == 0)
        try site.drop("clients.csv", "client_id,name,currency,contract_type,onboarded_on,max_images_per_case\nC1,City Hospital,INR,standard,2020-01-01,5\n")
        return site
    }

    @Test(arguments: [["ingest"], ["close", "2026-03"]])
    func aClockOneSecondBeforeTheHeadIsRefusedAndWritesNothing(command: [String]) throws {
        let site = try siteWithHead()
        let ledger = try site.read("Ledger/ledger.jsonl")
        #expect(ledger.contains("\"at\":\"\(Self.head)\""))
        let run = try site.recon(command, env: ["RECON_NOW": "2026-04-02T08:59:59Z"])
        #expect(run.code == 1, "\(run.out)\(run.err)")
        #expect(run.err.contains("before the ledger's last entry"), "\(run.err)")
        #expect(try site.read("Ledger/ledger.jsonl") == ledger)
        #expect(site.exists("Inbox/clients.csv"))
        #expect(!site.exists("Outbox/2026-03"))
    }

    /// The readers that show figures as of today refuse a clock set back too: `status` showed
    /// a month's volume per day elapsed as of a day before the last entry (soft flags that no
    /// close would raise) — from its cache as well, once a status had kept one. `verify`,
    /// which checks bytes, not a day's figures, runs whatever the clock.
    @Test func statusAndStatementRefuseAClockSetBackAndVerifyDoesNot() throws {
        let site = try siteWithHead()
        #expect(try site.recon(["status"], env: ["RECON_NOW": Self.head]).code == 0)  // keeps its cache
        let back = ["RECON_NOW": "2026-04-02T08:59:59Z"]
        for args in [["status"], ["status", "--json"], ["statement", "C1"]] {
            let run = try site.recon(args, env: back)
            #expect(run.code == 1, "\(args): \(run.out)\(run.err)")
            #expect((run.err + run.out).contains("before the ledger's last entry"), "\(args): \(run.out)\(run.err)")
        }
        #expect(try site.recon(["verify"], env: back).code == 0)
    }

    /// A `RECON_LOCK_TIMEOUT` that is no number of seconds was taken as 10: the command waited
    /// its 10 s behind a writer and said the site was busy, the mistyped value unsaid. Bad usage
    /// (exit 1), as a bad `RECON_NOW` is, and nothing is taken; a number of seconds still serves.
    @Test(arguments: ["abc", "1e9", "-1", "100000", "10s"])
    func aLockTimeoutThatIsNoNumberOfSecondsIsBadUsage(value: String) throws {
        let site = try siteWithHead()
        let ledger = try site.read("Ledger/ledger.jsonl")
        let run = try site.recon(["ingest"], env: ["RECON_NOW": Self.head, "RECON_LOCK_TIMEOUT": value])
        #expect(run.code == 1 && run.err.contains("RECON_LOCK_TIMEOUT=\"\(value)\" is not a number of seconds from 0 to 86400"),
                "\(run.out)\(run.err)")
        #expect(try site.read("Ledger/ledger.jsonl") == ledger && site.exists("Inbox/clients.csv"))
        // Readers too, though `status` from its cache and `statement` wait for no lock.
        #expect(try site.recon(["status"], env: ["RECON_NOW": Self.head]).code == 0)  // keeps its cache
        for reader in [["status"], ["statement", "C1"], ["operator", "list"]] {
            let read = try site.recon(reader, env: ["RECON_NOW": Self.head, "RECON_LOCK_TIMEOUT": value])
            #expect(read.code == 1 && read.err.contains("RECON_LOCK_TIMEOUT"), "\(reader): \(read.out)\(read.err)")
        }
        #expect(try site.recon(["ingest"], env: ["RECON_NOW": Self.head, "RECON_LOCK_TIMEOUT": "2.5"]).code == 0)
    }

    @Test func theHeadsOwnSecondIsNotBeforeIt() throws {
        let site = try siteWithHead()
        let run = try site.recon(["ingest"], env: ["RECON_NOW": Self.head])
        #expect(run.code == 0, "\(run.out)\(run.err)")
        #expect(try site.read("Ledger/ledger.jsonl").contains("\"name\":\"clients.csv\""))
    }

    @Test func reconNowPinsTheClockAndUnsetItIsTheSystemClock() throws {
        // 2026-04-02T09:00:00Z = 20,545 days × 86,400 s + 9 h × 3,600 s = 1,775,120,400 s.
        #expect(try SiteClock.fromEnvironment(["RECON_NOW": Self.head]).now() == Date(timeIntervalSince1970: 1_775_120_400))
        let before = Date().timeIntervalSince1970.rounded(.down)
        #expect(try SiteClock.fromEnvironment([:]).now().timeIntervalSince1970 >= before)
        #expect(try SiteClock.fromEnvironment(["RECON_NOW": ""]).now().timeIntervalSince1970 >= before)
    }

    /// A mistyped RECON_NOW must not quietly become today: the entries would carry another date
    /// than the one asked for, and every later run with the intended clock would be refused.
    @Test(arguments: ["yesterday", "2026-11-20", "2026-11-20T25:00:00Z", "garbage"])
    func anUnreadableReconNowIsBadUsageAndWritesNothing(_ text: String) throws {
        let site = try siteWithHead()
        let before = try site.read("Ledger/ledger.jsonl")
        for args in [["ingest"], ["status"], ["close", "2026-03"]] {
            let run = try site.recon(args, env: ["RECON_NOW": text])
            #expect(run.code == 1, "\(args): \(run.out)\(run.err)")
            #expect(run.err.contains("RECON_NOW=\"\(text)\" is not an ISO 8601 timestamp"), "\(run.err)")
        }
        #expect(try site.read("Ledger/ledger.jsonl") == before)
        #expect(site.exists("Inbox/clients.csv"))
    }

    /// A `RECON_NOW` without an offset is a time of the site's zone, as every timestamp without
    /// one is (SPEC §2). It was read as UTC: in a site in Kolkata (UTC+05:30) "31 March, 23:00"
    /// closed March before it had ended there, and in one in New York "1 April, 00:00" was
    /// refused with "close it from 2026-04-01 on".
    @Test func aReconNowWithoutOffsetIsTheSitesTime() throws {
        let site = try TestSite()
        // init reads it in the zone it is given: 2026-03-01T00:00 in Kolkata is 2026-02-28T18:30Z.
        let made = try site.recon(["init", "--name", "kolkata", "--timezone", "Asia/Kolkata"], env: ["RECON_NOW": "2026-03-01T00:00:00"])
        #expect(made.code == 0, "\(made.err)")
        #expect(try site.entries().first?["at"] as? String == "2026-02-28T18:30:00Z")
        let early = try site.recon(["close", "2026-03"], env: ["RECON_NOW": "2026-03-31T23:00:00"])
        #expect(early.code == 3 && early.err.contains("has not ended"), "\(early.out)\(early.err)")
        // Midnight in Kolkata, 2026-03-31T18:30Z: March has ended there.
        let close = try site.recon(["close", "2026-03"], env: ["RECON_NOW": "2026-04-01T00:00"])
        #expect(close.code == 0, "\(close.out)\(close.err)")
        #expect(try site.entries().last?["at"] as? String == "2026-03-31T18:30:00Z")
        // With an offset it is that instant, whatever the site's zone.
        let utc = try site.recon(["status"], env: ["RECON_NOW": "2026-03-31T18:29:59Z"])
        #expect(utc.code == 1 && utc.err.contains("before the ledger's last entry"), "\(utc.err)")
    }

    /// An entry dated ahead of the system clock (a RECON_NOW set ahead, a clock run fast) is
    /// refused by every command until that time; "set the system clock (or RECON_NOW) to now"
    /// was said to someone whose clock read now. The message says what happened and what serves.
    @Test func aHeadAheadOfTheSystemClockIsExplained() throws {
        let site = try TestSite()
        #expect(try site.recon(["init", "--name", "ahead", "--timezone", "UTC"], env: ["RECON_NOW": "2199-01-01T00:00:00Z"]).code == 0)
        let run = try site.recon(["status"])
        #expect(run.code == 1, "\(run.out)\(run.err)")
        #expect(run.err.contains("dated ahead of this machine's clock") && run.err.contains("RECON_NOW=2199-01-01T00:00:00Z or later"),
                "\(run.err)")
        let pinned = try site.recon(["status"], env: ["RECON_NOW": "2198-12-31T23:59:59Z"])
        #expect(pinned.code == 1 && pinned.err.contains("set RECON_NOW to 2199-01-01T00:00:00Z or later"), "\(pinned.err)")
    }

    /// A well-formed time outside the years entries may carry is said to be that, not "not a timestamp".
    @Test func aReconNowOutsideTheYearsIsNamedAsSuch() {
        #expect("\(SiteClock.Unreadable(text: "1969-12-31T00:00:00Z"))".hasPrefix(
            "RECON_NOW=\"1969-12-31T00:00:00Z\" lies outside the years 1970–2199 that entries may carry"))
        #expect("\(SiteClock.Unreadable(text: "yesterday"))".hasPrefix("RECON_NOW=\"yesterday\" is not an ISO 8601 timestamp"))
    }

    /// A RECON_NOW within the years in UTC whose day in the site's zone is not (2199-12-31T12:00Z
    /// is 2200-01-01 in Kiritimati, 1970-01-01T02:00Z is 1969 in New York) was passed over for
    /// the system clock: the ingest stamped its entry with today, and init its site.init. Refused.
    @Test(arguments: [("Pacific/Kiritimati", "2199-12-31T12:00:00Z"), ("America/New_York", "1970-01-01T02:00:00Z")])
    func aReconNowWhoseSiteDayIsOutsideTheYearsIsRefusedNotReplaced(zone: String, now: String) throws {
        let site = try TestSite()
        let said = "RECON_NOW=\"\(now)\" falls, in the site's time zone (\(zone)), on a day outside the years 1970–2199"
        let initial = try site.recon(["init", "--name", "edge", "--timezone", zone], env: ["RECON_NOW": now])
        #expect(initial.code == 1 && initial.err.contains(said), "\(initial.out)\(initial.err)")
        #expect(!site.exists("Ledger/ledger.jsonl"))
        #expect(try site.recon(["init", "--name", "edge", "--timezone", zone], env: ["RECON_NOW": "2026-01-01T00:00:00Z"]).code == 0)
        try site.drop("clients.csv", "client_id,name,currency,contract_type,onboarded_on,max_images_per_case\nK1,k,USD,std,2025-01-01,5\n")
        let before = try site.ledgerBytes()
        for command in [["ingest"], ["status"], ["verify"]] {
            let run = try site.recon(command, env: ["RECON_NOW": now])
            #expect(run.code == 1 && run.err.contains(said), "\(command): \(run.out)\(run.err)")
        }
        #expect(try site.ledgerBytes() == before && site.exists("Inbox/clients.csv"))
    }

    /// A day the calendar lacks is named as such, as in a drop: it was said not to be an ISO
    /// 8601 timestamp, which it is in form.
    @Test func aReconNowOnADayTheCalendarLacksIsNamedAsSuch() {
        #expect("\(SiteClock.Unreadable(text: "2029-02-29T10:00:00Z"))".hasPrefix("RECON_NOW=\"2029-02-29T10:00:00Z\" names a day "
            + "that does not exist: 2029-02-29 is not a day of the calendar; February 2029 has days 01–28; give one such as"))
        #expect("\(SiteClock.Unreadable(text: "2026-13-01T00:00:00Z"))".contains("2026-13-01 has month 13; months run 01–12"))
    }
}
