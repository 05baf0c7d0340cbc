import Foundation
import Testing

@testable import ReconKit

/// What a rejected drop leaves unsaid. A clients drop rejected for one bad cell took its
/// clients with it, and the usage drop dropped beside it was rejected for "unknown client" on
/// every row, as if no clients file had been there: each errors file now points to the drop
/// whose rejection may be the cause. And a usage drop rejected for a month sat in
/// `Inbox/rejected/` while `recon close` issued that month's invoices without a word.
struct RejectedDropsSaidTests {
    @Test func aUsageDropRejectedForUnknownClientsPointsToTheClientsDropRejectedBeforeIt() throws {
        // One cell wrong: the currency of C1.
        let site = try TestSite.marchSite(clients: TestSite.trustClients.replacingOccurrences(of: "City Hospital,INR", with: "City Hospital,INRR"),
                                          ingestExits: 2)
        let errors = try site.read("Inbox/rejected/usage-2026-03.csv.errors.txt").split(separator: "\n").map(String.init)
        #expect(errors.count == 5, "\(errors)")
        #expect(errors.last == "see also: the unknown clients above may be in clients.csv, rejected earlier in this run "
            + "(its problems: Inbox/rejected/clients.csv.errors.txt) — correct it, then drop it and this file again", "\(errors)")
        // Four rows, four problems: the pointer is no fifth.
        let status = try site.recon(["status"], env: TestSite.closeDay)
        #expect(status.out.contains("  usage-2026-03.csv: 4 problems\n"), "\(status.out)")
        // The clients drop's own errors point nowhere: nothing was rejected before it.
        #expect(!(try site.read("Inbox/rejected/clients.csv.errors.txt")).contains("see also"))
    }

    /// A decisions drop naming reports of a usage drop rejected before it in the same run: each
    /// subject was "neither a flag id nor a report id", with no word of the usage drop.
    @Test func aDecisionsDropNamingReportsOfARejectedUsageDropPointsToIt() throws {
        let site = try TestSite.marchSite()
        try site.drop("usage-mar.csv", "report_id,reported_at,client_id,radiologist_id,modality,image_count\n"
            + "R9,2026-03-09T10:00:00Z,C1,D1,ct,1\n")
        try site.drop("decisions-mar.csv", "subject,decision,by\nR9,exclude,Asha\n")
        #expect(try site.recon(["ingest"], env: TestSite.closeDay).code == 2)
        let errors = try site.read("Inbox/rejected/decisions-mar.csv.errors.txt").split(separator: "\n").map(String.init)
        #expect(errors.last == "see also: the reports above may be in usage-mar.csv, rejected earlier in this run (its problems: "
            + "Inbox/rejected/usage-mar.csv.errors.txt) — correct it, then drop it and this file again", "\(errors)")
    }

    /// A subject found anywhere in the rejected usage drop's text (its client id here, `R1`
    /// inside `R19`) pointed to it: only its report_id column is looked at.
    @Test func aSubjectFoundOnlyOutsideTheReportIdsPointsNowhere() throws {
        let site = try TestSite.marchSite()
        try site.drop("usage-mar.csv", "report_id,reported_at,client_id,radiologist_id,modality,image_count\n"
            + "R19,2026-03-09T10:00:00Z,NOPE,D1,CT,1\n")
        try site.drop("decisions-mar.csv", "subject,decision,by\nNOPE,exclude,Asha\nR1X,exclude,Asha\n")
        #expect(try site.recon(["ingest"], env: TestSite.closeDay).code == 2)
        let errors = try site.read("Inbox/rejected/decisions-mar.csv.errors.txt")
        #expect(errors.contains("is neither a flag id nor a report id") && !errors.contains("see also"), "\(errors)")
    }

    /// A drop rejected for an unknown client with no clients drop rejected in its run says only its problems.
    @Test func anUnknownClientWithNoRejectedClientsDropPointsNowhere() throws {
        let site = try TestSite.marchSite()
        try site.drop("usage-2026-03-b.csv", "report_id,reported_at,client_id,radiologist_id,modality,image_count\n"
            + "R9,2026-03-09T10:00:00Z,C9,D1,CT,1\n")
        #expect(try site.recon(["ingest"], env: TestSite.closeDay).code == 2)
        let errors = try site.read("Inbox/rejected/usage-2026-03-b.csv.errors.txt")
        #expect(errors == "line 2, column 3 (client_id): unknown client \"C9\"; drop a clients file naming it first\n", "\(errors)")
    }

    @Test func aCloseSaysTheRejectedDropsItClosesWithout() throws {
        let site = try TestSite.marchSite()
        // A late March report with a modality in lower case: rejected whole.
        try site.drop("usage-2026-03-late.csv", "report_id,reported_at,client_id,radiologist_id,modality,image_count\n"
            + "R9,2026-03-29T10:00:00Z,C1,D1,ct,1\n")
        #expect(try site.recon(["ingest"], env: TestSite.closeDay).code == 2)
        // A rejected payments drop holds nothing for the month, nor an April usage drop: not named
        // (a March drop was named at every close after March).
        try site.drop("payments-x.csv", "not,a,payments,file\n")
        try site.drop("usage-2026-04-x.csv", "report_id,reported_at,client_id,radiologist_id,modality,image_count\n"
            + "A9,2026-04-01T10:00:00Z,C1,D1,ct,1\n")
        #expect(try site.recon(["ingest"], env: TestSite.closeDay).code == 2)
        #expect(site.exists("Inbox/rejected/payments-x.csv") && site.exists("Inbox/rejected/usage-2026-04-x.csv"))
        let close = try site.recon(["close", "2026-03"], env: TestSite.closeDay)
        #expect(close.code == 0, "\(close.err)")
        #expect(close.err.contains("warning: Inbox/rejected/ holds a drop refused at ingest (usage-2026-03-late.csv), applied nowhere: "
            + "2026-03 closes without what it holds for it, and a correction for 2026-03 now waits for a signed `recon rerun 2026-03` — "
            + "remove it from Inbox/rejected/ once dealt with"), "\(close.err)")
        #expect(!close.err.contains("payments-x.csv") && !close.err.contains("usage-2026-04-x.csv"), "\(close.err)")
    }

    /// Asia/Kolkata is 5:30 ahead of UTC: a report at 2026-03-31T20:00Z is April's, and a rejected
    /// drop holding only it was not named at April's close (it looked for `2026-04-`). A rejected
    /// decisions drop holds no date at all, and its exclusion was billed without a word: named at
    /// every close while it waits in `Inbox/rejected/`. A card dated before the month is the one
    /// in force for it (named); one dated after it is not. A March usage drop is not April's.
    @Test func aCloseNamesRejectedDropsOfItsMonthAcrossTheZoneAndRejectedDecisions() throws {
        try withTemporaryFolder { root in
            let site = Site(root: root)
            try FileIO.makeDirectory(site.rejected)
            let header = "report_id,reported_at,client_id,radiologist_id,modality,image_count\n"
            let card = "effective_from,client_id,contract_type,modality,urgency,tier_from,tier_to,unit_price,currency,tier_mode\n"
            let files = ["usage-late.csv": header + "R1,2026-03-31T20:00Z,C1,D1,ct,1\n",
                         "usage-march.csv": header + "R2,2026-03-30T20:00Z,C1,D1,ct,1\n",
                         "usage-offset.csv": header + "R3,2026-04-01T02:00+05:30,C1,D1,ct,1\n",
                         "client_rates-feb.csv": card + "2026-02-15,*,*,*,*,1,,12O,INR,volume\n",
                         "client_rates-may.csv": card + "2026-05-01,*,*,*,*,1,,12O,INR,volume\n",
                         "decisions-new.csv": "subject,decision,by\nR7,exclud,Asha\n"]
            for (name, text) in files {
                try text.write(toFile: site.rejected + "/" + name, atomically: false, encoding: .utf8)
                try "line 2: …\n".write(toFile: site.rejected + "/" + name + ".errors.txt", atomically: false, encoding: .utf8)
            }
            let kolkata = try #require(SiteTimeZone(identifier: "Asia/Kolkata"))
            let april = try #require(RejectedDrops.closeWarning(site, period: Period(year: 2026, month: 4), zone: kolkata))
            #expect(april.hasPrefix("Inbox/rejected/ holds 4 drops refused at ingest (client_rates-feb.csv, decisions-new.csv, "
                + "usage-late.csv, usage-offset.csv)"), "\(april)")
            // In UTC both reports are March's (02:00 at +05:30 is 20:30 the day before): April's
            // close names the February card and the decisions drop, and March's the reports too.
            let utc = try #require(SiteTimeZone(identifier: "UTC"))
            let inUTC = RejectedDrops.closeWarning(site, period: Period(year: 2026, month: 4), zone: utc)
            #expect(inUTC?.hasPrefix("Inbox/rejected/ holds 2 drops refused at ingest (client_rates-feb.csv, decisions-new.csv)") == true,
                    "\(inUTC ?? "")")
            let march = RejectedDrops.closeWarning(site, period: Period(year: 2026, month: 3), zone: utc)
            #expect(march?.hasPrefix("Inbox/rejected/ holds 5 drops refused at ingest (client_rates-feb.csv, decisions-new.csv, "
                + "usage-late.csv, usage-march.csv, usage-offset.csv)") == true, "\(march ?? "")")
            // In Kolkata March's holds only the report at 2026-03-30T20:00Z (2026-03-31 there).
            let marchThere = RejectedDrops.closeWarning(site, period: Period(year: 2026, month: 3), zone: kolkata)
            #expect(marchThere?.hasPrefix("Inbox/rejected/ holds 3 drops refused at ingest (client_rates-feb.csv, decisions-new.csv, "
                + "usage-march.csv)") == true, "\(marchThere ?? "")")
            // February's close: the February card; not the May one, nor any usage drop.
            let february = RejectedDrops.closeWarning(site, period: Period(year: 2026, month: 2), zone: utc)
            #expect(february?.hasPrefix("Inbox/rejected/ holds 2 drops refused at ingest (client_rates-feb.csv, decisions-new.csv)") == true,
                    "\(february ?? "")")
        }
    }

    /// A rejected decisions drop excluding an April report, rejected before March closed: named
    /// at March's close, and at April's too while it waits (only the first close after it named it,
    /// and April's billed the report in silence).
    @Test func aRejectedDecisionsDropIsNamedAtEveryCloseWhileItWaits() throws {
        let site = try TestSite.marchSite()
        try site.drop("decisions-april.csv", "subject,decision,by,note\nR9,exclude,,duplicate study\n")
        #expect(try site.recon(["ingest"], env: TestSite.closeDay).code == 2)
        let march = try site.recon(["close", "2026-03"], env: TestSite.closeDay)
        #expect(march.code == 0 && march.err.contains("(decisions-april.csv)"), "\(march.err)")
        try site.drop("usage-2026-04.csv", TestSite.april)
        #expect(try site.recon(["ingest"], env: TestSite.aprilLater).code == 0)
        let april = try site.recon(["close", "2026-04"], env: ["RECON_NOW": "2026-05-02T09:00:00Z"])
        #expect(april.code == 0 && april.err.contains("(decisions-april.csv)"), "\(april.err)")
    }

    /// A decisions drop rejected (an exclusion with no `by`), then an operator added, which
    /// signs a checkpoint: the close forgot the rejected exclusion and billed the report without
    /// a word, as it counted from the newest checkpoint. It counts from the last close.
    @Test func aRejectedExclusionIsNamedAtTheCloseAfterAnOperatorIsAdded() throws {
        let site = try TestSite.marchSite()
        try site.drop("decisions-march.csv", "subject,decision,by,note\nR1,exclude,,duplicate study\n")
        #expect(try site.recon(["ingest"], env: TestSite.closeDay).code == 2)
        _ = try site.operatorKey("op", listed: true, env: TestSite.closeDay)
        let close = try site.recon(["close", "2026-03"], env: TestSite.closeDay)
        #expect(close.code == 0, "\(close.err)")
        #expect(close.err.contains("Inbox/rejected/ holds a drop refused at ingest (decisions-march.csv)"), "\(close.err)")
    }

    /// `Ledger/` restored from a backup taken before a usage drop was ingested: the drop's entry
    /// and archive are gone, its cache stays, and the close issued the month without its reports
    /// while only `recon verify` noted the cache (then, a warning as it issued). The close and
    /// `status` hold it as a blocker (exit 3) until the drop is dropped again, which takes it.
    @Test func aCloseRefusesWhileADropsCacheNamesADropTheLedgerLost() throws {
        let site = try TestSite.marchSite()
        try FileManager.default.copyItem(atPath: site.path("Ledger"), toPath: site.path("Ledger-backup"))
        try site.drop("usage-2026-03-late.csv", "report_id,reported_at,client_id,radiologist_id,modality,image_count\n"
            + "R9,2026-03-29T10:00:00Z,C1,D1,CT,1\n")
        #expect(try site.recon(["ingest"], env: TestSite.closeDay).code == 0)
        try FileManager.default.removeItem(atPath: site.path("Ledger"))
        try FileManager.default.moveItem(atPath: site.path("Ledger-backup"), toPath: site.path("Ledger"))
        let before = try site.ledgerBytes()
        let said = "the cache of a drop the ledger does not hold, whose bytes wait nowhere — a Ledger/ restored from a backup older "
            + "than that drop lost its entry and archive"
        let close = try site.recon(["close", "2026-03"], env: TestSite.closeDay)
        #expect(close.code == 3 && close.err.contains(said), "\(close.err)")
        #expect(try site.ledgerBytes() == before)
        let status = try site.recon(["status"], env: TestSite.closeDay)
        #expect(status.out.contains("not ready to close") && status.out.contains(said), "\(status.out)")
        // Said as a warning too, for a site with no month open to list it under.
        #expect(status.err.contains("warning: .recon/cache/") && status.err.contains(said), "\(status.err)")
        // Dropped again, the drop is taken and the month closes with R9.
        try site.drop("usage-2026-03-late.csv", "report_id,reported_at,client_id,radiologist_id,modality,image_count\n"
            + "R9,2026-03-29T10:00:00Z,C1,D1,CT,1\n")
        #expect(try site.recon(["ingest"], env: TestSite.closeDay).code == 0)
        let again = try site.recon(["close", "2026-03"], env: TestSite.closeDay)
        #expect(again.code == 0, "\(again.err)")
        site.expectAuditorAccepts()
    }

    @Test func aCloseWithNothingRejectedSaysNothingOfIt() throws {
        let site = try TestSite.marchSite()
        let close = try site.recon(["close", "2026-03"], env: TestSite.closeDay)
        #expect(close.code == 0 && !close.err.contains("Inbox/rejected"), "\(close.err)")
    }

    /// A new site with one export holding both clients' and radiologists' columns dropped as
    /// `clients.csv` and `radiologists.csv`, not ingested yet; the export's text.
    static func oneExportDroppedAsBoth() throws -> (site: TestSite, text: String) {
        let site = try TestSite()
        #expect(try site.recon(["init", "--name", "s", "--base-currency", "INR", "--timezone", "UTC"], env: TestSite.closeDay).code == 0)
        let both = "client_id,name,currency,contract_type,onboarded_on,max_images_per_case,radiologist_id,grade,seniority_years\n"
            + "C1,City Hospital,INR,standard,2020-01-01,10,D1,consultant,10\n"
        try site.drop("clients.csv", both)
        try site.drop("radiologists.csv", both)
        return (site, both)
    }

    /// One export holding both clients' and radiologists' columns, dropped as both: taken as a
    /// clients drop, its copy as radiologists was removed as a "duplicate of seq 2", its rows as
    /// radiologists never applied (exit 0), and the next usage drop rejected for an unknown
    /// radiologist. Now rejected, saying why and what to send instead.
    @Test func theSameBytesAsAnotherKindAreRejectedNotRemovedAsADuplicate() throws {
        let (site, both) = try Self.oneExportDroppedAsBoth()
        let ingest = try site.recon(["ingest"], env: TestSite.closeDay)
        #expect(ingest.code == 2, "\(ingest.err)")
        #expect(ingest.err.contains("clients.csv: accepted 1 clients row (seq 2)"), "\(ingest.err)")
        let errors = try site.read("Inbox/rejected/radiologists.csv.errors.txt")
        #expect(errors == "these bytes were accepted at seq 2 as a clients drop, and a file's bytes are taken once, as one kind: as a "
            + "radiologists drop they would never be applied — export the radiologists rows in a file of their own (its header "
            + "holding only the radiologists columns), then drop it\n", "\(errors)")
        // The same bytes as the same kind stay a duplicate, taken out as before.
        try site.drop("clients-again.csv", both)
        let again = try site.recon(["ingest"], env: TestSite.closeDay)
        #expect(again.code == 0 && again.err.contains("duplicate of the drop accepted at seq 2"), "\(again.err)")
        // A clients drop sent again under a radiologists name holds no radiologists columns:
        // it is in already, and there is nothing to export (it asked for the radiologists rows).
        let clientsOnly = "client_id,name,currency,contract_type,onboarded_on,max_images_per_case\nC2,Harbor,INR,std,2020-01-01,5\n"
        try site.drop("clients-2.csv", clientsOnly)
        #expect(try site.recon(["ingest"], env: TestSite.closeDay).code == 0)
        try site.drop("radiologists-2.csv", clientsOnly)
        #expect(try site.recon(["ingest"], env: TestSite.closeDay).code == 2)
        let resent = try site.read("Inbox/rejected/radiologists-2.csv.errors.txt")
        #expect(resent == "these bytes were accepted at seq 3 as a clients drop, whose header this is: its rows are in already, and "
            + "nothing more is to be done with this file (its name, starting with \"radiologists\", reads it as a radiologists drop; "
            + "name a clients export clients-….csv)\n", "\(resent)")
    }

    /// A look-alike letter or one nobody sees in a decision's subject, a code, a currency or an
    /// urgency was printed as it is: "\"R2\" is neither a flag id nor a report id known to this
    /// site" of a report `recon status` lists. Each is named with where it is, as an id's is.
    @Test func aCharacterNobodySeesInASubjectOrCodeIsNamed() throws {
        let site = try TestSite.marchSite()
        try site.drop("decisions-1.csv", "subject,decision,by\nR2\u{200B},approve,Asha\n")
        try site.drop("usage-2026-03-b.csv", "report_id,reported_at,client_id,radiologist_id,modality,image_count,urgency\n"
            + "R8,2026-03-08T10:00:00Z,C1,D1,\u{0421}T,1,\u{0455}tat\n")
        #expect(try site.recon(["ingest"], env: TestSite.closeDay).code == 2)
        #expect(try site.read("Inbox/rejected/decisions-1.csv.errors.txt") == "line 2, column 1 (subject): \"R2\u{200B}\" (it holds "
            + "U+200B (ZERO WIDTH SPACE) at character 3) is neither a flag id nor a report id known to this site\n")
        let usage = try site.read("Inbox/rejected/usage-2026-03-b.csv.errors.txt")
        #expect(usage.contains("(modality): \"\u{0421}T\" (it holds U+0421 (CYRILLIC CAPITAL LETTER ES) at character 1) is not a code")
                && usage.contains("(urgency): \"\u{0455}tat\" (it holds U+0455 (CYRILLIC SMALL LETTER DZE) at character 1) is not an "
                    + "urgency"), "\(usage)")
    }

    /// A column whose name holds an optional column's the file lacks (`Urgency Level`) is
    /// unknown, ignored (SPEC §2), and every row took urgency's default with a notice only: now a
    /// warning, saying what every row took and what to do.
    @Test func anUnknownColumnHoldingAnAbsentColumnsNameIsAWarning() throws {
        let site = try TestSite.marchSite()
        try site.drop("usage-2026-03-b.csv", "report_id,reported_at,client_id,radiologist_id,modality,image_count,Urgency Level\n"
            + "R9,2026-03-09T10:00:00Z,C1,D1,CT,1,stat\n")
        let ingest = try site.recon(["ingest"], env: TestSite.closeDay)
        #expect(ingest.code == 0, "\(ingest.err)")
        #expect(ingest.err.contains("warning: usage-2026-03-b.csv: ignored unknown columns Urgency Level — \"Urgency Level\" holds the "
            + "name urgency, a column this file lacks, so every row took urgency's default: if that column is urgency, these reports "
            + "are recorded so, and a report_id is never taken again with other values: exclude them (a decisions drop, or `recon "
            + "decide REPORT exclude`) and send them again under new report_ids, the column named urgency"), "\(ingest.err)")
        // A dry run records nothing: it says what to do before the rows are.
        try site.drop("usage-2026-03-dry.csv", "report_id,reported_at,client_id,radiologist_id,modality,image_count,Urgency Level\n"
            + "R20,2026-03-09T10:00:00Z,C1,D1,CT,1,stat\n")
        let dry = try site.recon(["ingest", "--dry-run"], env: TestSite.closeDay)
        #expect(dry.err.contains("if that column is urgency, name it so before these rows are recorded: once they are, a report_id "
            + "is never taken again with other values"), "\(dry.err)")
        try FileManager.default.removeItem(atPath: site.path("Inbox/usage-2026-03-dry.csv"))
        // Sent again as that said before, the rows were refused: a report_id is unique forever.
        try site.drop("usage-2026-03-b2.csv", "report_id,reported_at,client_id,radiologist_id,modality,image_count,urgency\n"
            + "R9,2026-03-09T10:00:00Z,C1,D1,CT,1,stat\n")
        #expect(try site.recon(["ingest"], env: TestSite.closeDay).code == 2)
        // What it says now works: R9 excluded, the report sent again under a new id.
        #expect(try site.recon(["decide", "R9", "exclude", "--by", "Asha"], env: TestSite.closeDay).code == 0)
        try FileManager.default.removeItem(atPath: site.path("Inbox/rejected/usage-2026-03-b2.csv"))
        try site.drop("usage-2026-03-b3.csv", "report_id,reported_at,client_id,radiologist_id,modality,image_count,urgency\n"
            + "R9b,2026-03-09T10:00:00Z,C1,D1,CT,1,stat\n")
        let again = try site.recon(["ingest"], env: TestSite.closeDay)
        #expect(again.code == 0, "\(again.err)")
        // A column of no such name is a notice, as before.
        try site.drop("usage-2026-03-c.csv", "report_id,reported_at,client_id,radiologist_id,modality,image_count,ward\n"
            + "R10,2026-03-09T10:00:00Z,C1,D1,CT,1,east\n")
        let other = try site.recon(["ingest"], env: TestSite.closeDay)
        #expect(other.code == 0 && other.err.contains("usage-2026-03-c.csv: ignored unknown columns ward")
                && !other.err.contains("warning: usage-2026-03-c.csv"), "\(other.err)")
    }

    /// The same column in a drop held for a closed month, or rejected for another reason: the
    /// advice said "these reports are recorded so … exclude them and send them again under new
    /// report_ids", when nothing was recorded — followed for the held drop, its copy under new ids
    /// was held beside it and the rerun billed the study twice. Each fate has its own advice.
    @Test func aNearMissColumnInAHeldOrRejectedDropIsNotSaidToBeRecorded() throws {
        let site = try TestSite.closedMarchSite()
        try site.drop("usage-march-held.csv", "report_id,reported_at,client_id,radiologist_id,modality,image_count,urgency_level\n"
            + "H1,2026-03-09T10:00:00Z,C1,D1,CT,1,stat\n")
        let held = try site.recon(["ingest"], env: TestSite.rerunDay)
        #expect(held.code == 3 && site.exists("Inbox/held/usage-march-held.csv"), "\(held.err)")
        #expect(held.err.contains("so every row took urgency's default: if that column is urgency, take the drop out of "
            + "Inbox/held/usage-march-held.csv, name the column urgency and drop it again before `recon rerun` takes it — not a copy "
            + "under new report_ids beside it, which the rerun would take as well"), "\(held.err)")
        #expect(!held.err.contains("these reports are recorded so"), "\(held.err)")
        // Rejected (an unknown client): nothing recorded either.
        try site.drop("usage-april-x.csv", "report_id,reported_at,client_id,radiologist_id,modality,image_count,urgency_level\n"
            + "X1,2026-04-09T10:00:00Z,C9,D1,CT,1,stat\n")
        let rejected = try site.recon(["ingest"], env: TestSite.aprilLater)
        #expect(rejected.code == 2, "\(rejected.err)")
        #expect(rejected.err.contains("if that column is urgency, name it so before these rows are recorded"), "\(rejected.err)")
        #expect(!rejected.err.contains("these reports are recorded so"), "\(rejected.err)")
    }

    static let strace = ProcessRunner.executable(named: "strace")

    /// An Inbox on a file system of its own (a mounted share): the rename of a rejected drop
    /// from `Ledger/staging/` into `Inbox/rejected/` fails (EXDEV), and no drop could be rejected
    /// or held — the ingest stopped (exit 1) telling the clerk to free some disk space. The drop
    /// is copied there instead. strace gives that rename the error a second file system gives.
    @Test(.enabled(if: strace != nil, "needs strace (Debian strace) to fail one rename as across file systems"))
    func aDropIsRejectedIntoAnInboxOnAnotherFileSystem() throws {
        let site = try TestSite.marchSite()
        let text = "report_id,reported_at,client_id,radiologist_id,modality,image_count\nR9,2026-03-29T10:00:00Z,C1,D1,ct,1\n"
        try site.drop("usage-bad.csv", text)
        let run = try ProcessRunner.run(try #require(Self.strace),
            ["-f", "-o", "/dev/null", "-P", site.path("Inbox/rejected/usage-bad.csv"), "-e", "trace=rename,renameat,renameat2",
             "-e", "inject=rename,renameat,renameat2:error=EXDEV:when=1", TestSite.binary, "ingest", "--site", site.root],
            environment: TestSite.closeDay)
        #expect(run.code == 2 && run.err.contains("usage-bad.csv: rejected with 1 problem"), "\(run.err)")
        #expect(try site.read("Inbox/rejected/usage-bad.csv") == text)
        #expect(site.exists("Inbox/rejected/usage-bad.csv.errors.txt") && !site.exists("Inbox/usage-bad.csv"))
        #expect(FileIO.list(site.path("Ledger/staging")).isEmpty, "\(FileIO.list(site.path("Ledger/staging")))")
        #expect(try site.recon(["verify"]).code == 0)
    }
}
