import Foundation
import Testing

@testable import ReconKit

/// What `recon status` tells finance about closing and money owed, and what `recon close`
/// says when it refuses (SPEC §5), on the trust site (LedgerTamperTests.swift): March closed
/// and rerun, April open with R6 and R7.
@Suite("Status — readiness to close, receivables, seller", .serialized)
struct StatusReadinessTests {
    func statusJSON(_ site: TestSite, env: [String: String] = TestSite.aprilLater) throws -> [String: Any] {
        let run = try site.recon(["status", "--json"], env: env)
        #expect(run.code == 0, "\(run.err)")
        return try #require(try JSONSerialization.jsonObject(with: Data(run.out.utf8)) as? [String: Any])
    }

    /// On 12 April, April is still running: status said "ready to close" (and `--json` an empty
    /// `blocking`) though `recon close 2026-04` is refused. A close refused for the date also
    /// names what else blocks it (an undecided hard flag), so the user is not refused twice.
    @Test func aRunningMonthIsNotReadyToCloseAndTheRefusalListsEverything() throws {
        let site = try TestSite.trustSite()
        let text = try site.recon(["status"], env: TestSite.aprilLater)
        #expect(text.out.contains("not ready to close: its last day, 2026-04-30, has not ended"), "\(text.out)")
        #expect(!text.out.contains("ready to close\n") || text.out.contains("not ready to close"), "\(text.out)")
        let open = try #require((try statusJSON(site)["open_periods"] as? [[String: Any]])?.first)
        #expect((open["blocking"] as? [String])?.first?.hasPrefix("its last day, 2026-04-30, has not ended") == true, "\(open)")

        // R8 has 11 images, over C1's 10 a case: a hard flag to decide as well.
        try site.drop("usage-r8.csv", "report_id,reported_at,client_id,radiologist_id,modality,image_count\n"
                      + "R8,2026-04-05T10:00:00Z,C1,D1,CT,11\n")
        #expect(try site.recon(["ingest"], env: TestSite.aprilLater).code == 0)
        let before = try site.ledgerBytes()
        let close = try site.recon(["close", "2026-04"], env: TestSite.aprilLater)
        #expect(close.code == 3, "\(close.err)")
        #expect(close.err.contains("cannot close 2026-04: 2 things to settle first"), "\(close.err)")
        #expect(close.err.contains("has not ended") && close.err.contains("report R8"), "\(close.err)")
        #expect(try site.ledgerBytes() == before)

        // The morning after April ends, only the flag is left.
        let may = ["RECON_NOW": "2026-05-01T09:00:00Z"]
        let later = try site.recon(["status"], env: may)
        #expect(!later.out.contains("not ready to close") && later.out.contains("1 thing blocks the close"), "\(later.out)")
    }

    /// After April ends, with nothing in the ledger to settle: status said "ready to close" (and
    /// `--json` an empty `blocking`) while the close was refused for the site itself — a site key
    /// others may read, a folder where April's review workbook goes. Status names each as the
    /// close does, for the month it holds; the close refuses, appending nothing.
    @Test func statusNamesWhatInTheSiteFoldersRefusesTheClose() throws {
        let site = try TestSite.trustSite()
        let may = ["RECON_NOW": "2026-05-01T09:00:00Z"]
        #expect(try site.recon(["status"], env: may).out.contains("  ready to close\n"))
        #expect(chmod(site.path("Ledger/keys/site.key"), 0o640) == 0)
        try FileManager.default.removeItem(atPath: site.path("Outbox/2026-04/review.xlsx"))
        try FileManager.default.createDirectory(atPath: site.path("Outbox/2026-04/review.xlsx"), withIntermediateDirectories: false)
        let text = try site.recon(["status"], env: may)
        #expect(text.out.contains("  not ready to close: the site key cannot sign the close's checkpoint (for the user running this): ")
            && text.out.contains("chmod 600"), "\(text.out)")
        #expect(text.out.contains("  not ready to close: cannot write Outbox/2026-04/review.xlsx: something other than a file is in its place")
            && text.out.contains("  2 things block the close"), "\(text.out)")
        let open = try #require((try statusJSON(site, env: may)["open_periods"] as? [[String: Any]])?.first { $0["period"] as? String == "2026-04" })
        #expect((open["blocking"] as? [String])?.count == 2, "\(open)")
        let before = try site.ledgerBytes()
        #expect(try site.recon(["close", "2026-04"], env: may).code == 3)
        #expect(chmod(site.path("Ledger/keys/site.key"), 0o600) == 0)
        let close = try site.recon(["close", "2026-04"], env: may)
        #expect(close.code == 3 && close.err.contains("Outbox/2026-04/review.xlsx"), "\(close.err)")
        #expect(try site.ledgerBytes() == before)
    }

    /// C2 pays 500.00 against its 100.00 (400.00 left as its credit) while C1 owes on its March
    /// invoices: the total due across clients is what C1 owes, never lowered by C2's advance.
    /// C1 on 12 April: INV-2026-000001 354.00 − CN-2026-000001 354.00 = 0; INV-2026-000003
    /// 566.40 − CN-2026-000002 100.00 = 466.40, issued 10 April.
    @Test func oneClientsCreditIsNotNettedAgainstAnothersDebt() throws {
        let site = try TestSite.trustSite()
        try site.drop("payments-c2.csv", "payment_id,client_id,received_on,amount,currency\nP1,C2,2026-04-11,500.00,INR\n")
        #expect(try site.recon(["ingest"], env: TestSite.aprilLater).code == 0)
        let inr = try #require((try statusJSON(site)["receivables"] as? [String: Any])?["INR"] as? [String: String])
        #expect(inr["total_due"] == "466.40", "\(inr)")
        #expect(inr["unapplied"] == "400.00", "\(inr)")
        #expect(inr["current"] == "466.40", "\(inr)")
    }

    /// A held report over contract (R9, 11 images; C1 allows 10) stops March's rerun after the
    /// rerun took its drop. Status said only "run `recon rerun 2026-03`", which fails again:
    /// it now names the flag and the decisions drop that settles it.
    @Test func statusNamesTheHardFlagThatBlocksARerun() throws {
        let site = try TestSite.closedMarchSite()
        let key = try site.operatorKey("asha", listed: true)
        let rerun = try PrivilegeAndRerunTests().rerunMarch(site, lateReport: "R9,2026-03-22T10:00:00Z,C1,D1,CT,11",
                                                             reason: "late reports", key: key)
        #expect(rerun.code == 3, "\(rerun.err)")
        let status = try site.recon(["status"], env: TestSite.rerunDay)
        #expect(status.out.contains("2026-03: HARD-") && status.out.contains("report R9 is undecided and blocks its rerun"),
                "\(status.out)")
        let json = try statusJSON(site, env: TestSite.rerunDay)
        let march = try #require((json["closed_periods"] as? [[String: Any]])?.first { $0["period"] as? String == "2026-03" })
        #expect((march["undecided_hard_flags"] as? [[String: String]])?.map { $0["report"] } == ["R9"], "\(march)")
        // Its decision dropped, held for the rerun: status says the rerun applies it, not to decide it.
        try site.drop("decisions-r9.csv", "subject,decision,by\nR9,approve,Asha\n")
        #expect(try site.recon(["ingest"], env: TestSite.rerunDay).code == 3)
        let after = try site.recon(["status"], env: TestSite.rerunDay)
        #expect(after.out.contains("report R9 is decided in the held drop Inbox/held/decisions-r9.csv, which `recon rerun 2026-03` applies")
            && !after.out.contains("report R9 is undecided"), "\(after.out)")
    }

    /// March's provider card replaced by consultants' rows only: D2 (junior) has no row, so none
    /// of its reports is priced and it has no draft. `status --json` listed only D1's payout,
    /// as if D2 were owed nothing; it lists D2 too, 0.00 so far and not complete.
    @Test func statusJSONListsAPartyNoneOfWhoseReportsCouldBePriced() throws {
        let site = try TestSite.marchSite()
        try site.drop("provider_rates-consultants.csv", """
            effective_from,grade,modality,urgency,min_seniority_years,rate_per_report,rate_per_image,currency
            2026-03-01,consultant,*,*,0,50.00,0,INR
            """)
        #expect(try site.recon(["ingest"], env: TestSite.closeDay).code == 0)
        let march = try #require((try statusJSON(site, env: TestSite.closeDay)["open_periods"] as? [[String: Any]])?.first)
        let payouts = try #require(march["payouts"] as? [[String: Any]])
        #expect(payouts.map { "\($0["party_id"] ?? "") \($0["total"] ?? "") \($0["complete"] ?? "")" } == ["D1 150.00 1", "D2 0.00 0"],
                "\(payouts)")
    }

    /// A `[seller]` with a legal name only: invoices would go out without the seller's address,
    /// tax id and payment instructions (SPEC §7), and status said nothing.
    @Test func statusNamesWhatTheSellerLacks() throws {
        let site = try TestSite.marchSite()
        let toml = try site.read("recon.toml") + "[seller]\nlegal_name = \"Acme Ltd\"\n"
        try toml.write(toFile: site.path("recon.toml"), atomically: true, encoding: .utf8)
        let status = try site.recon(["status"], env: TestSite.closeDay)
        #expect(status.code == 0, "\(status.err)")
        #expect(status.out.contains("seller: [seller] in recon.toml has no address, tax_id, payment_instructions"), "\(status.out)")
        #expect(try statusJSON(site, env: TestSite.closeDay)["seller_lacks"] as? [String] == ["address", "tax_id", "payment_instructions"])
    }

    /// A payment dated after today (2027 typed for 2026) is taken as written, and said.
    @Test func aPaymentReceivedAfterTodayIsTakenAndSaid() throws {
        let site = try TestSite.closedMarchSite()
        try site.drop("payments-1.csv", "payment_id,client_id,received_on,amount,currency\nP1,C2,2027-04-05,100.00,INR\n")
        // Said by a dry run too, where a mistyped year is best caught (it printed only "would be accepted").
        let dry = try site.recon(["ingest", "--dry-run"], env: TestSite.rerunDay)
        #expect(dry.code == 0 && dry.out.contains("warning: payments-1.csv: payment P1 (line 2) was received on 2027-04-05, after today"),
                "\(dry.out)")
        let ingest = try site.recon(["ingest"], env: TestSite.rerunDay)
        #expect(ingest.code == 0, "\(ingest.err)")
        #expect(ingest.err.contains("payments-1.csv: payment P1 (line 2) was received on 2027-04-05, after today (2026-04-10)"),
                "\(ingest.err)")
    }

    /// A report signed decades ahead (2062 typed for 2026) was taken without a word, and its
    /// report_id can never come again with the right date: it is still taken, and said, with the way out.
    @Test func aReportSignedAfterTodayIsTakenAndSaid() throws {
        let site = try TestSite.closedMarchSite()
        try site.drop("usage-later.csv", "report_id,reported_at,client_id,radiologist_id,modality,image_count\n"
            + "F1,2026-04-09T10:00:00Z,C1,D1,CT,1\nF2,2062-04-01T10:00:00Z,C1,D1,CT,1\nF3,2026-05-01T10:00:00Z,C1,D1,CT,1\n")
        let ingest = try site.recon(["ingest"], env: TestSite.rerunDay)
        #expect(ingest.code == 0, "\(ingest.err)")
        #expect(ingest.err.contains("usage-later.csv: 2 reports, e.g. F2 (line 3) is dated 2062-04-01, after today (2026-04-10), "
            + "and is billed in 2062-04 — if the date is mistyped, exclude it (`recon decide F2 exclude --by NAME`)"), "\(ingest.err)")
    }

    /// Work dated before its client was onboarded (C2, its onboarded_on moved to 2026-04-05) was billed without a word:
    /// taken as SPEC §3 prices it, and said, with the way out; C1's report of the same day is not.
    @Test func aReportDatedBeforeItsClientWasOnboardedIsTakenAndSaid() throws {
        let site = try TestSite.closedMarchSite()
        try site.drop("usage-early.csv", "report_id,reported_at,client_id,radiologist_id,modality,image_count\n"
            + "E1,2026-04-02T10:00:00Z,C1,D1,CT,1\nE2,2026-04-02T10:00:00Z,C2,D1,CT,1\n")
        try site.drop("clients-late.csv", "client_id,name,currency,contract_type,onboarded_on,max_images_per_case,tax_rate\n"
            + "C2,Harbor Clinic,INR,standard,2026-04-05,10,0\n")
        #expect(try site.recon(["ingest", site.path("Inbox/clients-late.csv")], env: TestSite.rerunDay).code == 0)
        let ingest = try site.recon(["ingest"], env: TestSite.rerunDay)
        #expect(ingest.code == 0, "\(ingest.err)")
        #expect(ingest.err.contains("usage-early.csv: report E2 (line 3) is dated 2026-04-02, before C2 was onboarded (2026-04-05), "
            + "and is billed in 2026-04 as any other — if the client or date is wrong, exclude it (`recon decide E2 exclude --by NAME`)"),
                "\(ingest.err)")
        #expect(!ingest.err.contains("E1"), "\(ingest.err)")
        // Late work of closed March, held: said when it is held, while it can be taken back (no
        // decision reaches a report not taken yet), not once its rerun billed it.
        try site.drop("usage-late.csv", "report_id,reported_at,client_id,radiologist_id,modality,image_count\n"
            + "E3,2026-03-20T10:00:00Z,C2,D1,CT,1\n")
        let held = try site.recon(["ingest"], env: TestSite.rerunDay)
        #expect(held.code == 3, "\(held.err)")
        #expect(held.err.contains("usage-late.csv: report E3 (line 2) is dated 2026-03-20, before C2 was onboarded (2026-04-05), and is "
            + "billed in 2026-03 as any other — if the client or date is wrong, take this file out of Inbox/held/ before "
            + "`recon rerun 2026-03` takes it"), "\(held.err)")
    }
}

/// Commands that rewrite the drafts after their entries check first that they can (SPEC §6:
/// a command commits and finishes its outputs, or refuses before it appends).
/// A month whose every client is left out of the margin (a report with no price) showed its
/// margin as `0`, where every other INR amount reads `0.00`: in the text and the JSON alike.
@Suite("Status — a margin of nothing in the base currency's digits")
struct StatusZeroMarginTests {
    @Test func aMarginOfNoPricedClientHasTheBaseCurrencysDigits() throws {
        let env = ["RECON_NOW": "2026-05-10T00:00:00Z"]
        let site = try TestSite.oneClient(
            base: "INR", client: "C1", clientCurrency: "INR", maxImages: 5,
            radiologists: "radiologist_id,name,grade,seniority_years\nD1,Doc,senior,3\n",
            providerRates: "effective_from,grade,modality,urgency,rate_per_report,currency\n2026-01-01,senior,CT,*,10,INR\n",
            clientRates: "2026-01-01,*,*,CT,*,1,,25,INR,volume\n",
            usage: "E1,2026-04-04T10:00:00,C1,D1,MR,1\nE2,2026-04-04T11:00:00,C1,D1,CT,1\n", env: env)
        let text = try site.recon(["status"], env: env)
        #expect(text.out.contains("margin in INR: revenue 0.00, cost 0.00, margin 0.00"), "\(text.out)")
        let json = try site.recon(["status", "--json"], env: env)
        #expect(json.out.contains(#""margin":{"cost":"0.00","currency":"INR","#) && json.out.contains(#""margin":"0.00","revenue":"0.00"}"#),
                "\(json.out)")
    }
}

@Suite("Derived outputs checked before the append", .serialized)
struct DerivedPlacesTests {
    /// A file where April's drafts folder goes: the ingest and the decision appended, failed
    /// every workbook, exited 0, and a later command claimed to have written them.
    @Test func anIngestOrDecisionWhoseDraftsCannotBeWrittenAppendsNothing() throws {
        let site = try TestSite.trustSite()
        let drafts = site.path("Outbox/2026-04/drafts")
        try FileManager.default.removeItem(atPath: drafts)
        try "not a folder\n".write(toFile: drafts, atomically: true, encoding: .utf8)
        let before = try site.ledgerBytes()
        try site.drop("usage-r9.csv", Self.r9)
        let ingest = try site.recon(["ingest"], env: TestSite.aprilLater)
        #expect(ingest.code == 3, "\(ingest.err)")
        #expect(ingest.err.contains("cannot write Outbox/2026-04/drafts: something other than a folder is in its place"), "\(ingest.err)")
        let decide = try site.recon(["decide", "R6", "approve", "--by", "Asha"], env: TestSite.aprilLater)
        #expect(decide.code == 3, "\(decide.err)")
        #expect(try site.ledgerBytes() == before)
        #expect(site.exists("Inbox/usage-r9.csv"))

        try FileManager.default.removeItem(atPath: drafts)
        let again = try site.recon(["ingest"], env: TestSite.aprilLater)
        #expect(again.code == 0, "\(again.err)")
        #expect(site.exists("Outbox/2026-04/drafts/invoices.xlsx"))
        #expect(!again.err.contains("wrote again"), "\(again.err)")
    }

    /// A folder outside the site holding `files`, and a symbolic link to it planted at
    /// `relative` in the site (what stood there removed, the folders above made): where it points.
    static func plantLink(_ site: TestSite, at relative: String, holding files: [String: String] = [:]) throws -> String {
        let fm = FileManager.default
        let outside = site.path("elsewhere")
        try fm.createDirectory(atPath: outside, withIntermediateDirectories: true)
        for (name, text) in files { try text.write(toFile: outside + "/" + name, atomically: true, encoding: .utf8) }
        try? fm.removeItem(atPath: site.path(relative))
        try fm.createDirectory(atPath: FileIO.parent(of: site.path(relative)), withIntermediateDirectories: true)
        try fm.createSymbolicLink(atPath: site.path(relative), withDestinationPath: outside)
        return outside
    }

    /// A command refused for the link planted at `folder`, and the ledger as it was (`before`):
    /// exit 3 naming the folder it cannot write; for a folder of issued documents, exit 4 from
    /// the writer checks, which refuse a link where the ledger's vouched files live (``VouchedPlaces``).
    static func expectRefused(_ run: TestSite.Run, byLinkAt folder: String, site: TestSite, ledger before: Data) throws {
        if folder.hasSuffix("/drafts") {
            #expect(run.code == 3, "\(run.err)")
            #expect(run.err.contains("cannot write \(folder): it is a symbolic link"), "\(run.err)")
        } else {
            #expect(run.code == 4, "\(run.err)")
            #expect(run.err.contains("\(folder) is a symbolic link (to "), "\(run.err)")
            #expect(run.err.contains("not the site's own folder"), "\(run.err)")
        }
        #expect(try site.ledgerBytes() == before)
    }

    static let r9 = "report_id,reported_at,client_id,radiologist_id,modality,image_count\nR9,2026-04-06T10:00:00Z,C1,D1,CT,1\n"

    /// A symbolic link planted where April's drafts folder goes, to a folder outside the site:
    /// the drafts went through it, replacing an `invoices.xlsx` that was there. recon makes
    /// the folders below `Outbox/` itself and never as links, so one is refused (exit 3)
    /// before the append; `Outbox` itself may be a link (a site's choice of disk).
    @Test func aLinkWhereADraftsFolderGoesIsRefused() throws {
        let site = try TestSite.trustSite()
        let outside = try Self.plantLink(site, at: "Outbox/2026-04/drafts", holding: ["invoices.xlsx": "someone else's workbook\n"])
        let before = try site.ledgerBytes()
        try site.drop("usage-r9.csv", Self.r9)
        let ingest = try site.recon(["ingest"], env: TestSite.aprilLater)
        try Self.expectRefused(ingest, byLinkAt: "Outbox/2026-04/drafts", site: site, ledger: before)
        let decide = try site.recon(["decide", "R6", "approve", "--by", "Asha"], env: TestSite.aprilLater)
        try Self.expectRefused(decide, byLinkAt: "Outbox/2026-04/drafts", site: site, ledger: before)
        #expect(try String(contentsOfFile: outside + "/invoices.xlsx", encoding: .utf8) == "someone else's workbook\n")

        // Outbox itself moved to another folder and linked: a site's own choice, written through.
        try FileManager.default.removeItem(atPath: site.path("Outbox/2026-04/drafts"))
        try FileManager.default.moveItem(atPath: site.path("Outbox"), toPath: site.path("outbox-disk"))
        try FileManager.default.createSymbolicLink(atPath: site.path("Outbox"), withDestinationPath: site.path("outbox-disk"))
        let again = try site.recon(["ingest"], env: TestSite.aprilLater)
        #expect(again.code == 0, "\(again.err)")
        #expect(site.exists("outbox-disk/2026-04/drafts/invoices.xlsx"))
    }

    /// The same for the folders a close issues into: a link where March's invoices go is refused
    /// before anything is appended, and nothing is issued outside the site.
    @Test func aLinkWhereAnInvoicesFolderGoesIsRefusedByAClose() throws {
        let site = try TestSite.marchSite()
        let outside = try Self.plantLink(site, at: "Outbox/2026-03/invoices")
        let before = try site.ledgerBytes()
        let close = try site.recon(["close", "2026-03"], env: TestSite.closeDay)
        try Self.expectRefused(close, byLinkAt: "Outbox/2026-03/invoices", site: site, ledger: before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: outside).isEmpty)
    }

    /// `recon statement` rewrites `Outbox/statements/CLIENT_ID.xlsx`: through a link planted
    /// in the statements folder's place it replaced a file of that name elsewhere. Refused.
    @Test func aLinkWhereTheStatementsFolderGoesIsRefused() throws {
        let site = try TestSite.trustSite()
        let outside = try Self.plantLink(site, at: "Outbox/statements", holding: ["C1.xlsx": "someone else's C1.xlsx\n"])
        let statement = try site.recon(["statement", "C1"], env: TestSite.aprilLater)
        #expect(statement.code == 3, "\(statement.err)")
        #expect(statement.err.contains("cannot write Outbox/statements: it is a symbolic link"), "\(statement.err)")
        #expect(try String(contentsOfFile: outside + "/C1.xlsx", encoding: .utf8) == "someone else's C1.xlsx\n")
    }

    /// A missing document is put back from its entry; through a link planted where its
    /// folder goes it was put back outside the site. Refused before anything is written.
    @Test func aDocumentIsNotPutBackThroughALink() throws {
        let site = try TestSite.trustSite()
        let outside = try Self.plantLink(site, at: "Outbox/2026-03/invoices")
        let before = try site.ledgerBytes()
        try site.drop("usage-r9.csv", Self.r9)
        let ingest = try site.recon(["ingest"], env: TestSite.aprilLater)
        try Self.expectRefused(ingest, byLinkAt: "Outbox/2026-03/invoices", site: site, ledger: before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: outside).isEmpty)
    }

    /// The same when what the link points to holds the document's temporary file, as a writer
    /// killed before its rename leaves it: it was renamed into place there, outside the site.
    @Test func aDocumentIsNotRenamedIntoPlaceThroughALink() throws {
        let site = try TestSite.trustSite()
        let file = try #require(try site.document("INV-2026-000001")?["file"] as? String)
        let temp = "." + FileIO.baseName(file) + ".4242.tmp"
        let bytes = try Data(contentsOf: URL(fileURLWithPath: site.path(file)))
        let outside = try Self.plantLink(site, at: FileIO.parent(of: file))
        try bytes.write(to: URL(fileURLWithPath: outside + "/" + temp))
        let before = try site.ledgerBytes()
        try site.drop("usage-r9.csv", Self.r9)
        let ingest = try site.recon(["ingest"], env: TestSite.aprilLater)
        try Self.expectRefused(ingest, byLinkAt: FileIO.parent(of: file), site: site, ledger: before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: outside) == [temp])
    }

    /// A copy of a checkpoint under another name (`017.txt`) is no checkpoint recon wrote: it
    /// was read as seq 17 and reported as a missing `17.txt`, naming a file that is there. It is
    /// read as an auditor's verifier reads it: a copy whose name, zeros before it allowed, is its
    /// count passes; one named for another count is named, as that verifier names it. A writer
    /// takes the copy as both verifiers do: it refused every command (exit 4), saying the copy
    /// "appeared while this command ran" — it was there before.
    @Test func aCheckpointCopiedUnderAnotherNameIsNotReadAsOne() throws {
        let site = try TestSite.trustSite()
        let newest = try #require(FileIO.list(site.path("Ledger/checkpoints")).compactMap { Int($0.dropLast(4)) }.max())
        try FileManager.default.copyItem(atPath: site.path("Ledger/checkpoints/\(newest).txt"),
                                         toPath: site.path("Ledger/checkpoints/0\(newest).txt"))
        let verify = try site.recon(["verify"])
        #expect(verify.code == 0, "\(verify.out)\(verify.err)")
        site.expectAuditorAccepts()
        try site.drop("usage-r9.csv", Self.r9)
        let writer = try site.recon(["ingest"], env: TestSite.aprilLater)
        #expect(writer.code == 0, "\(writer.err)")
        site.expectAuditorAccepts()
        // In another script's digits, as that verifier reads them (١١.txt is 11).
        let arabic = String(newest).map { String(UnicodeScalar(0x0660 + UInt32(String($0))!)!) }.joined()
        try FileManager.default.moveItem(atPath: site.path("Ledger/checkpoints/0\(newest).txt"), toPath: site.path("Ledger/checkpoints/\(arabic).txt"))
        #expect(try site.recon(["verify"]).code == 0)
        site.expectAuditorAccepts()
        try FileManager.default.moveItem(atPath: site.path("Ledger/checkpoints/\(arabic).txt"), toPath: site.path("Ledger/checkpoints/0\(newest).txt"))
        try FileManager.default.moveItem(atPath: site.path("Ledger/checkpoints/0\(newest).txt"),
                                         toPath: site.path("Ledger/checkpoints/0\(newest + 1).txt"))
        let misnamed = try site.recon(["verify"])
        #expect(misnamed.code == 4 && misnamed.out.contains("Ledger/checkpoints/0\(newest + 1).txt (not named as recon names")
            && misnamed.out.contains("names \(newest) entries, not \(newest + 1)") && !misnamed.out.contains("missing"), "\(misnamed.out)")
    }

    /// But a note there under another name that is no valid checkpoint (its count edited, so its
    /// signature fails; plain text) was passed over by `recon verify` and every writer, while an
    /// auditor's verifier, which reads every `.txt` there, refused the site. Named, exit 4.
    @Test(arguments: ["0600.txt", "notes.txt"])
    func aNoteUnderAnotherNameThatIsNoValidCheckpointIsDamage(name: String) throws {
        let site = try TestSite.trustSite()
        let newest = try #require(FileIO.list(site.path("Ledger/checkpoints")).compactMap { Int($0.dropLast(4)) }.max())
        let note = try site.read("Ledger/checkpoints/\(newest).txt")
        let text = name == "notes.txt" ? "checked by Asha on Monday\n" : note.replacingOccurrences(of: "\n\(newest)\n", with: "\n\(newest - 1)\n")
        try text.write(toFile: site.path("Ledger/checkpoints/\(name)"), atomically: true, encoding: .utf8)
        let verify = try site.recon(["verify"], env: TestSite.aprilLater)
        #expect(verify.code == 4 && verify.out.contains("Ledger/checkpoints/\(name) (not named as recon names a checkpoint"), "\(verify.out)")
        let before = try site.ledgerBytes()
        let writer = try site.recon(["ingest"], env: TestSite.aprilLater)
        #expect(writer.code == 4 && writer.err.contains("Ledger/checkpoints/\(name)"), "\(writer.err)")
        #expect(try site.ledgerBytes() == before)
    }
}
