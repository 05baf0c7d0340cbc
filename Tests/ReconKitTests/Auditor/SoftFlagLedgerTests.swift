import Foundation
import Testing
@testable import ReconKit

/// Soft flags on a real site: provisional in the drafts (never ledger entries), final at the
/// close (raised in its append, before `period.closed`), and the ledger's soft flags of every
/// closed period equal to those of its final review workbook, read back from the xlsx.
@Suite("Soft flags — provisional in drafts, final at close", .serialized)
struct SoftFlagLedgerTests {
    static let draftClock = ["RECON_NOW": "2026-05-29T09:00:00Z"]
    static let closeClock = ["RECON_NOW": "2026-06-02T09:00:00Z"]
    static let months = ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05"]
    /// The planted finding: C01's images per case triple in May (about 3 → about 10).
    static let planted = (client: "C01", period: "2026-05")

    /// Twelve mature clients, three radiologists, flat rates and five months of usage (each
    /// client 30–70 reports a month spread over days 1–28, 2–4 images each); January to April
    /// closed, May a month-to-date draft.
    /// `leavingOpen`: months ingested but not closed.
    static func prepare(_ site: TestSite, leavingOpen: Set<String> = [], clock: [String: String] = draftClock) throws {
        let draftClock = clock
        let r = try site.recon(["init", "--name", "soft-site", "--base-currency", "INR", "--timezone", "UTC"], env: draftClock)
        #expect(r.code == 0, "\(r.err)")
        var clients = "client_id,name,currency,contract_type,onboarded_on,max_images_per_case\n"
        for c in 1...12 { clients += "C\(two(c)),Client \(c),INR,standard,2023-01-01,50\n" }
        try site.drop("clients.csv", clients)
        try site.drop("radiologists.csv", "radiologist_id,name,grade,seniority_years\nD1,Dr A,consultant,10\nD2,Dr B,consultant,8\nD3,Dr C,consultant,12\n")
        try site.drop("provider_rates.csv", """
            effective_from,grade,modality,urgency,min_seniority_years,rate_per_report,rate_per_image,currency
            2025-01-01,*,*,*,0,40.00,0,INR
            """)
        try site.drop("client_rates.csv", """
            effective_from,client_id,contract_type,modality,urgency,tier_from,tier_to,unit_price,currency,tier_mode
            2025-01-01,*,*,*,*,1,,120.00,INR,volume
            """)
        var n = 0
        for (m, month) in months.enumerated() {
            var usage = "report_id,reported_at,client_id,radiologist_id,modality,image_count\n"
            for c in 1...12 {
                let count = 30 + c * 3 + (c * 7 + m * 5) % 6
                for k in 0..<count {
                    n += 1
                    var images = 2 + (k + c + m) % 3
                    if "C\(two(c))" == planted.client && month == planted.period { images = 9 + k % 3 }
                    usage += "R\(n),\(month)-\(two(1 + k % 28))T10:00:00Z,C\(two(c)),D\(1 + k % 3),CT,\(images)\n"
                }
            }
            try site.drop("usage-\(month).csv", usage)
            if month == months.last || leavingOpen.contains(month) { continue }
            // Jan–Apr are ingested and closed (their history is what May is judged against).
            let ingest = try site.recon(["ingest"], env: draftClock)
            #expect(ingest.code == 0, "\(ingest.out)\(ingest.err)")
            let closed = try site.recon(["close", month], env: draftClock)
            #expect(closed.code == 0, "close \(month): \(closed.err)")
        }
        let ingest = try site.recon(["ingest"], env: draftClock)
        #expect(ingest.code == 0, "\(ingest.out)\(ingest.err)")
    }

    /// May closed with `block_on_soft = false` raises C01's soft flag, undecided. The setting
    /// turned on afterwards does not reach back: a rerun for a late report issues (it never
    /// scores soft flags again, and its month closed under the rule `period.closed` records).
    /// A month closed under `block_on_soft = true` says how to settle a soft flag in the way a
    /// closed month takes decisions: a decisions drop.
    @Test func aRerunHoldsItsMonthToTheSoftFlagRuleItClosedUnder() throws {
        let site = try TestSite()
        try Self.prepare(site)
        let close = try site.recon(["close", Self.planted.period], env: Self.closeClock)
        #expect(close.code == 0, "\(close.err)")
        let flag = try #require(try softRaised(site).first { $0.period == Self.planted.period && $0.subject == Self.planted.client })
        let toml = site.path("recon.toml")
        try (try site.read("recon.toml").replacingOccurrences(of: "block_on_soft = false", with: "block_on_soft = true"))
            .write(toFile: toml, atomically: true, encoding: .utf8)
        try site.drop("usage-late.csv", "report_id,reported_at,client_id,radiologist_id,modality,image_count\nLATE1,2026-05-20T10:00:00Z,C02,D1,CT,3\n")
        #expect(try site.recon(["ingest"], env: Self.closeClock).code == 3)
        let key = try site.operatorKey("asha", listed: true, env: Self.closeClock)
        let rerun = try site.recon(["rerun", Self.planted.period, "--reason", "late report", "--key", key], env: Self.closeClock)
        #expect(rerun.code == 0 && !rerun.err.contains(flag.id), "\(rerun.out)\(rerun.err)")
        // Its review's ratios are the month's since the rerun, its flag's score the close's: said
        // under them (the late report moved the ratios, and they no longer gave the recorded score).
        let features = try #require(try XLSXCells(path: site.path("Outbox/\(Self.planted.period)/review.xlsx")).sheets["Flag features"])
        let notes = features.cells.values.compactMap { $0["v"] }.filter { $0.hasPrefix("Ratios of \(Self.planted.period) as it stands since its rerun of ") }
        #expect(notes.count == 1 && notes[0].hasSuffix("each soft flag's score and reason are as its close raised them (a rerun does "
            + "not re-score soft flags, SPEC §4), so they may differ."), "\(notes)")
        // The advice for a closed month's soft flag, where one blocks.
        let review = PeriodReview(period: Period(Self.planted.period)!, book: PeriodBook(period: Period(Self.planted.period)!, fxDate: LocalDate("2026-05-31")!),
                                  hardFlags: [], softFlags: [.init(flag: AuditFlag(id: flag.id, severity: .soft, code: "SOFT_IMAGES_PER_CASE",
                                                                                    subject: flag.subject, period: Period(Self.planted.period)!,
                                                                                    reason: "r", score: "0.7"), decision: nil)],
                                  blockOnSoft: true, stats: [])
        #expect(review.blocking(closed: true).first?.contains("approve it in a decisions drop (subject,decision,by — \(flag.id),approve,NAME)") == true,
                "\(review.blocking(closed: true))")
        site.expectAuditorAccepts()
    }

    /// A rerun refused after taking its held drop (a hard flag to decide) leaves April with
    /// reports no close settled. May's volume finding compares May with April as April was
    /// settled — the statistics its close recorded, its index — in every command: the writers
    /// counted the late reports in April's breakdown and `recon status` did not, so the status
    /// cache a writer left was not the one the ledger gives, and `recon verify` failed on an
    /// intact site.
    @Test func aMonthWithAReportTakenSinceItsCloseIsReadAsSettled() throws {
        let site = try TestSite()
        try Self.prepare(site)
        // C05 grows tenfold in May: a volume finding whose drivers compare May with April.
        var may = "report_id,reported_at,client_id,radiologist_id,modality,image_count\n"
        for k in 0..<400 { may += "G\(k),2026-05-\(Self.two(1 + k % 28))T11:00:00Z,C05,D\(1 + k % 3),\(k % 2 == 0 ? "CT" : "MR"),3\n" }
        try site.drop("usage-may-more.csv", may)
        #expect(try site.recon(["ingest"], env: Self.draftClock).code == 0)
        // Late April reports, one over the contract: held, then taken by a rerun that refuses.
        var late = "report_id,reported_at,client_id,radiologist_id,modality,image_count\n"
        for k in 0..<6 { late += "L\(k),2026-04-1\(k)T10:00:00Z,C05,D1,CT,\(k == 0 ? 60 : 3)\n" }
        try site.drop("usage-april-late.csv", late)
        #expect(try site.recon(["ingest"], env: Self.draftClock).code == 3)
        let key = try site.operatorKey("asha", listed: true, env: Self.draftClock)
        let rerun = try site.recon(["rerun", "2026-04", "--reason", "late", "--key", key], env: Self.draftClock)
        #expect(rerun.code == 3, "\(rerun.err)")
        // Verified before any `recon status`, which would write its cache again.
        let verify = try site.recon(["verify"], env: Self.draftClock)
        #expect(verify.code == 0, "\(verify.out)")
        let status = try site.recon(["status"], env: Self.draftClock)
        #expect(status.out.contains("accepted since it was settled"), "\(status.out)")
    }

    /// May's usage (days 1–28) taken half an hour into May 1: its volume is read up to its
    /// latest report's day, not as a whole month's reports in one day (every client ×28 "at this
    /// pace", some flagged "High volume growth").
    @Test func reportsDatedAheadOfTheClockAreNotReadAsOneDaysPace() throws {
        let site = try TestSite()
        let mayFirst = ["RECON_NOW": "2026-05-01T00:30:00Z"]
        try Self.prepare(site, clock: mayFirst)
        let status = try site.recon(["status"], env: mayFirst)
        #expect(status.code == 0, "\(status.err)")
        #expect(!status.out.contains("High volume growth"), "\(status.out)")
    }

    /// A report whose id is a provisional soft flag's (`SOFT-` and ten hex digits): a decision
    /// about the report passed for the flag's review, so a `block_on_soft` close passed a flag no
    /// one reviewed — or, both there, the flag could not be decided at all. Refused at ingest,
    /// before it can name both; the flag is decided by its id as ever.
    @Test func aReportNamedLikeAProvisionalSoftFlagIsRefusedAtIngest() throws {
        let site = try TestSite()
        try Self.prepare(site)
        let finding = try #require(try softRows(site, period: Self.planted.period).first { $0.subject == Self.planted.client })
        let before = try site.read("Ledger/ledger.jsonl")
        try site.drop("usage-soft-named.csv", "report_id,reported_at,client_id,radiologist_id,modality,image_count\n"
            + "\(finding.id),2026-05-20T10:00:00Z,C03,D1,CT,3\n")
        #expect(try site.recon(["ingest"], env: Self.draftClock).code == 2)
        #expect(try site.read("Inbox/rejected/usage-soft-named.csv.errors.txt").contains("\(finding.id) has the shape of a flag id"))
        #expect(try site.read("Ledger/ledger.jsonl") == before)
        #expect(try site.recon(["decide", finding.id, "approve", "--by", "Eve"], env: Self.draftClock).code == 0)
    }

    @Test func draftsKeepSoftFlagsOutOfTheLedgerAndTheCloseRaisesExactlyTheReviewsFlags() throws {
        let site = try TestSite()
        try Self.prepare(site)

        // Open periods: the finding is on May's review, provisional, and not in the ledger.
        #expect(try softRaised(site).allSatisfy { $0.period != Self.planted.period }, "drafts appended soft flags to the ledger")
        let draft = try softRows(site, period: Self.planted.period)
        let finding = try #require(draft.first { $0.subject == Self.planted.client }, "May's review lists no soft flag for C01")
        #expect(finding.status == "provisional")
        #expect(finding.code == "SOFT_IMAGES_PER_CASE")

        // With block_on_soft, an undecided soft flag refuses the close, which appends nothing.
        let toml = site.path("recon.toml")
        try (try site.read("recon.toml").replacingOccurrences(of: "block_on_soft = false", with: "block_on_soft = true")).write(toFile: toml, atomically: true, encoding: .utf8)
        let before = try site.read("Ledger/ledger.jsonl")
        let refused = try site.recon(["close", Self.planted.period], env: Self.closeClock)
        #expect(refused.code == 3, "\(refused.err)")
        #expect(refused.err.contains(finding.id))
        #expect(try site.read("Ledger/ledger.jsonl") == before)
        // Nor any folder made for documents it did not issue.
        #expect(["invoices", "payouts", "credit-notes"].allSatisfy { !site.exists("Outbox/\(Self.planted.period)/\($0)") })

        // A soft flag is reviewed, never excluded: reports are excluded by report id.
        let exclude = try site.recon(["decide", finding.id, "exclude", "--by", "Asha"], env: Self.closeClock)
        #expect(exclude.code == 2)
        #expect(exclude.err.contains("approve"))
        #expect(try site.read("Ledger/ledger.jsonl") == before)

        // The provisional id is decided before the close raises the flag; the decision applies.
        let approve = try site.recon(["decide", finding.id, "approve", "--by", "Asha", "--note", "new CT protocol"], env: Self.closeClock)
        #expect(approve.code == 0, "\(approve.err)")
        let closed = try site.recon(["close", Self.planted.period], env: Self.closeClock)
        #expect(closed.code == 0, "\(closed.err)")

        // Every closed period: the ledger's soft flags are exactly its final review's.
        let raised = try softRaised(site)
        #expect(raised.contains { $0.id == finding.id && $0.subject == Self.planted.client })
        try Self.expectLedgerMatchesReviews(site, periods: Self.months)
        // Raised in the close's own append, before `period.closed`.
        let lines = try entries(site)
        let closeSeq = try #require(lines.last { $0["kind"] as? String == "period.closed" }?["seq"] as? Int)
        let flagSeq = try #require(lines.first { ($0["body"] as? [String: Any])?["id"] as? String == finding.id && $0["kind"] as? String == "flag.raised" }?["seq"] as? Int)
        #expect(flagSeq < closeSeq)
        if let verify = try site.auditorVerify() { #expect(verify.code == 0, "\(verify.out)\(verify.err)") }

        // A review written again (deleted here, as a close interrupted after its entries leaves
        // it) shows what the close's own did, the ratios behind each flag included: they are
        // not in the ledger's entries, and the review put back had lost their columns.
        let review = site.path("Outbox/\(Self.planted.period)/review.xlsx")
        let asClosed = try #require(try XLSXCells(path: review).sheets["Flags"]).cells
        // The features on a sheet of their own (beside the flags they had the sheet print at 4 pt).
        let featuresAsClosed = try #require(try XLSXCells(path: review).sheets["Flag features"]).cells
        #expect(featuresAsClosed["C2"]?["v"] != nil, "the close's review has feature columns: \(featuresAsClosed.keys.sorted())")
        #expect(asClosed["L1"] == nil, "the Flags sheet holds the flags' eleven columns only: \(asClosed.keys.sorted())")
        try FileManager.default.removeItem(atPath: review)
        let putBack = try site.recon(["ingest"], env: Self.closeClock)
        #expect(putBack.code == 0 && site.exists("Outbox/\(Self.planted.period)/review.xlsx"), "\(putBack.err)")
        #expect(try #require(try XLSXCells(path: review).sheets["Flags"]).cells == asClosed)
        #expect(try #require(try XLSXCells(path: review).sheets["Flag features"]).cells == featuresAsClosed)

        // Its Flags sheet gives each column one width: ranges that overlap (the feature columns
        // set twice) are invalid XML for Excel, which offers to repair the workbook.
        let python = try #require(ProcessRunner.executable(named: "python3"), "python3 reads the sheet's XML")
        let script = """
            import re, sys, zipfile
            z = zipfile.ZipFile(sys.argv[1])
            for name in sorted(n for n in z.namelist() if n.startswith("xl/worksheets/sheet")):
                spans = [(int(a), int(b)) for a, b in re.findall(rb'<col min="(\\d+)" max="(\\d+)"', z.read(name))]
                for (a1, b1), (a2, b2) in zip(spans, spans[1:]):
                    if a2 <= b1: print(name, a1, b1, a2, b2)
            """
        let overlaps = try ProcessRunner.run(python, ["-c", script, site.path("Outbox/\(Self.planted.period)/review.xlsx")])
        #expect(overlaps.code == 0 && overlaps.out.isEmpty, "overlapping <col> ranges: \(overlaps.out)\(overlaps.err)")
        // Every header fits its column: the feature columns were 14 characters wide, and
        // `images_per_case` printed into its neighbour (`images_per_casevolume_growth`).
        let flags = try PrintedSheet(site.path("Outbox/\(Self.planted.period)/review.xlsx"))
        for (ref, cell) in flags.cells where PrintedSheet.row(ref) == 1 {
            let header = try #require(cell.text)
            #expect(flags.width(ofColumn: String(ref.prefix { $0.isLetter })) >= Double(header.count), "\(ref) \(header)")
        }
    }

    /// May closed while April is still open: April's reports, in the ledger as accepted drops,
    /// were read as a month of none, so May's growth and own ranges were judged against 0 and
    /// its close recorded other scores and reasons than the same months closed in order.
    @Test func aMonthStillOpenBeforeTheOneClosedCountsAsItsReportsStand() throws {
        let inOrder = try TestSite(), aprilOpen = try TestSite()
        try Self.prepare(inOrder)
        try Self.prepare(aprilOpen, leavingOpen: ["2026-04"])
        for site in [inOrder, aprilOpen] {
            let closed = try site.recon(["close", Self.planted.period], env: Self.closeClock)
            #expect(closed.code == 0, "\(closed.err)")
        }
        let may = { (site: TestSite) in try self.softRaised(site).filter { $0.period == Self.planted.period }.map { "\($0.id) \($0.score) \($0.reason)" } }
        let expected = try may(inOrder)
        #expect(!expected.isEmpty, "the planted finding is raised when the months close in order")
        #expect(try may(aprilOpen) == expected)
        try Self.expectLedgerMatchesReviews(aprilOpen, periods: [Self.planted.period])
    }

    /// The `Trends` sheet beside those flags. A running May's review shows April, still open,
    /// as its findings were scored on it (as its reports stand), the same figure the site that
    /// closed April shows; May closed while April was open shows April blank and says why (it
    /// showed April's closed figures once April closed and the review was written again, and
    /// none before: two final reviews of one month that disagreed), and reads the same
    /// written again after April's close.
    @Test func theTrendsOfAMonthClosedBeforeTheOneBeforeItReadTheSameWhenWrittenAgain() throws {
        let inOrder = try TestSite(), aprilOpen = try TestSite()
        try Self.prepare(inOrder)
        try Self.prepare(aprilOpen, leavingOpen: ["2026-04"])
        // Columns D… are 2025-06 … 2026-05: April is N, May O.
        func trends(_ site: TestSite) throws -> (april: Decimal?, may: Decimal?, note: String?) {
            let sheet = try #require(try XLSXCells(path: site.path("Outbox/2026-05/review.xlsx")).sheets["Trends"])
            var r = 2
            while let subject = sheet.text("B\(r)"), subject != Self.planted.client { r += 1 }
            var below = 2  // the row after the flags' table
            while sheet.text("B\(below)") != nil { below += 1 }
            return (sheet.number("N\(r)"), sheet.number("O\(r)"), sheet.text("A\(below)"))
        }
        let provisional = try trends(aprilOpen)
        for site in [inOrder, aprilOpen] {
            let closed = try site.recon(["close", Self.planted.period], env: Self.closeClock)
            #expect(closed.code == 0, "\(closed.err)")
        }
        let expected = try trends(inOrder)
        let april = try #require(expected.april)
        #expect(april > 2 && april < 4, "about 3 images a case in April")
        #expect(provisional.april == april)
        let atClose = try trends(aprilOpen)
        #expect(atClose.april == nil && atClose.may == expected.may)
        #expect(atClose.note?.contains("2026-04, still open when 2026-05 closed") == true, "\(atClose.note ?? "")")

        #expect(try aprilOpen.recon(["close", "2026-04"], env: Self.closeClock).code == 0)
        try FileManager.default.removeItem(atPath: aprilOpen.path("Outbox/2026-05/review.xlsx"))
        let again = try aprilOpen.recon(["ingest"], env: Self.closeClock)
        #expect(again.code == 0 && again.err.contains("wrote Outbox/2026-05/review.xlsx again"), "\(again.err)")
        let written = try trends(aprilOpen)
        #expect(written.april == nil && written.may == atClose.may && written.note == atClose.note)
    }

    // MARK: helpers

    /// For each closed period: the soft `flag.raised` entries of the ledger equal the soft
    /// rows of its review workbook (ids, codes, subjects, scores, reasons), all marked final.
    static func expectLedgerMatchesReviews(_ site: TestSite, periods: [String]) throws {
        let helper = SoftFlagLedgerTests()
        let raised = try helper.softRaised(site)
        for month in periods {
            let review = try helper.softRows(site, period: month)
            #expect(review.allSatisfy { $0.status == "final" }, "\(month)")
            let fromLedger = raised.filter { $0.period == month }.map {
                Row(id: $0.id, code: $0.code, subject: $0.subject, score: $0.score, reason: $0.reason, status: "final")
            }
            #expect(Set(review) == Set(fromLedger), "\(month): review \(review) ledger \(fromLedger)")
        }
    }

    struct Row: Hashable {
        var id, code, subject, score, reason, status: String
    }

    struct Raised {
        var id, code, subject, period, score, reason: String
    }

    static func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }

    func entries(_ site: TestSite) throws -> [[String: Any]] {
        try site.read("Ledger/ledger.jsonl").split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
    }

    func softRaised(_ site: TestSite) throws -> [Raised] {
        try entries(site).compactMap { e in
            guard e["kind"] as? String == "flag.raised", let b = e["body"] as? [String: Any], b["severity"] as? String == "soft" else { return nil }
            return Raised(id: b["id"] as? String ?? "", code: b["code"] as? String ?? "", subject: b["subject"] as? String ?? "",
                          period: b["period"] as? String ?? "", score: b["score"] as? String ?? "", reason: b["reason"] as? String ?? "")
        }
    }

    /// The soft flags on a period's review workbook, as the xlsx holds them (every `Flags` sheet).
    func softRows(_ site: TestSite, period: String) throws -> [Row] {
        let book = try XLSXCells(path: site.path("Outbox/\(period)/review.xlsx"))
        var out: [Row] = []
        for name in book.sheetNames where name == "Flags" || name.hasPrefix("Flags (") {
            let sheet = try #require(book.sheets[name])
            var r = 2
            while let severity = sheet.text("A\(r)") {
                if severity == "soft" {
                    // The score cell holds the ledger's decimal (at most 4 digits, no trailing zeros) as a number.
                    let score = sheet.number("F\(r)").map { "\($0)" } ?? ""
                    out.append(Row(id: sheet.text("C\(r)") ?? "", code: sheet.text("D\(r)") ?? "", subject: sheet.text("E\(r)") ?? "",
                                   score: score, reason: sheet.text("G\(r)") ?? "", status: sheet.text("B\(r)") ?? ""))
                }
                r += 1
            }
        }
        return out
    }
}
