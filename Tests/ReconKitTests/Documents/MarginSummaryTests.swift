import Foundation
import Testing

/// `Outbox/margin-summary.xlsx` read back cell by cell and compared with the ledger's
/// `period.closed` margins, the open month's drafts and sums worked out by hand.
@Suite("Margin summary — the workbook agrees with the ledger", .serialized)
struct MarginSummaryTests {
    static let env = ["RECON_NOW": "2026-04-02T09:00:00Z"]

    static let clients = """
        client_id,name,currency,contract_type,onboarded_on,max_images_per_case,tax_rate
        C1,City Hospital,INR,standard,2020-01-01,5,18
        C2,Harbor Clinic,USD,standard,2021-06-01,10,
        """
    static let radiologists = """
        radiologist_id,name,grade,seniority_years,currency
        D1,Dr Rao,consultant,10,INR
        D2,Dr Lee,junior,2,USD
        """
    static let providerRates = """
        effective_from,grade,modality,urgency,min_seniority_years,rate_per_report,rate_per_image,currency
        2026-01-01,*,*,*,0,50.00,0,INR
        2026-01-01,consultant,*,*,0,70.00,1.50,INR
        2026-01-01,junior,*,*,0,0.60,0,USD
        """
    static let clientRates = """
        effective_from,client_id,contract_type,modality,urgency,tier_from,tier_to,unit_price,currency,tier_mode
        2026-01-01,*,*,*,*,1,,100.00,INR,volume
        2026-01-01,C2,*,*,*,1,,2.00,USD,volume
        """
    static let fx = "date,currency,rate\n2026-01-01,USD,83.5\n2026-02-01,USD,84\n2026-03-01,USD,85\n"
    static let header = "report_id,reported_at,client_id,radiologist_id,modality,image_count\n"
    static let january = header + """
        R1,2026-01-05T10:00:00Z,C1,D1,CT,2
        R2,2026-01-06T10:00:00Z,C1,D1,MR,3
        R3,2026-01-07T10:00:00Z,C2,D2,CT,1
        """
    static let february = header + """
        R4,2026-02-05T10:00:00Z,C1,D2,CT,1
        R5,2026-02-06T10:00:00Z,C2,D1,US,4
        """
    static let march = header + """
        R6,2026-03-05T10:00:00Z,C1,D1,CT,1
        R7,2026-03-06T10:00:00Z,C1,D1,CT,1
        R8,2026-03-07T10:00:00Z,C1,D1,CT,1
        R9,2026-03-08T10:00:00Z,C2,D2,MR,2
        """

    // Worked by hand. Revenue is the invoice amount before tax in INR at the month's USD rate
    // (the latest on or before the month's last day); cost the payout amount in INR.
    // C1 pays 100.00 INR a report; C2 2.00 USD. D1 (consultant) gets 70.00 + 1.50 an image in INR;
    // D2 (junior) 0.60 USD a report.
    //
    // 2026-01 (USD 83.5), closed:
    //   C1 CT  R1: revenue 100.00, cost 70 + 2 × 1.50 = 73.00, margin 27.00
    //   C1 MR  R2: revenue 100.00, cost 70 + 3 × 1.50 = 74.50, margin 25.50
    //   C2 CT  R3: revenue 2.00 × 83.5 = 167.00, cost 0.60 × 83.5 = 50.10, margin 116.90
    //   month: 3 reports, revenue 367.00, cost 197.60, margin 169.40
    // 2026-02 (USD 84), closed:
    //   C1 CT  R4 (read by D2): revenue 100.00, cost 0.60 × 84 = 50.40, margin 49.60
    //   C2 US  R5 (read by D1): revenue 2.00 × 84 = 168.00, cost 70 + 4 × 1.50 = 76.00, margin 92.00
    //   month: 2 reports, revenue 268.00, cost 126.40, margin 141.60
    // 2026-03 (USD 85), open (draft):
    //   C1 CT  R6–R8: revenue 3 × 100 = 300.00, cost 3 × (70 + 1.50) = 214.50, margin 85.50
    //   C2 MR  R9: revenue 2.00 × 85 = 170.00, cost 0.60 × 85 = 51.00, margin 119.00
    //   month: 4 reports, revenue 470.00, cost 265.50, margin 204.50
    // All months: 9 reports, revenue 1,105.00, cost 589.50, margin 515.50.
    // By client: C2 3 reports, 505.00 − 177.10 = 327.90; C1 6 reports, 600.00 − 412.40 = 187.60.
    static let detail: [[String]] = [
        // period, status, client, modality, reports, revenue, cost, margin
        ["2026-01", "closed", "C1", "CT", "1", "100.00", "73.00", "27.00"],
        ["2026-01", "closed", "C1", "MR", "1", "100.00", "74.50", "25.50"],
        ["2026-01", "closed", "C2", "CT", "1", "167.00", "50.10", "116.90"],
        ["2026-02", "closed", "C1", "CT", "1", "100.00", "50.40", "49.60"],
        ["2026-02", "closed", "C2", "US", "1", "168.00", "76.00", "92.00"],
        ["2026-03", "draft", "C1", "CT", "3", "300.00", "214.50", "85.50"],
        ["2026-03", "draft", "C2", "MR", "1", "170.00", "51.00", "119.00"],
    ]
    static let months: [[String]] = [
        // period, status, reports, revenue, cost, margin
        ["2026-01", "closed", "3", "367.00", "197.60", "169.40"],
        ["2026-02", "closed", "2", "268.00", "126.40", "141.60"],
        ["2026-03", "draft", "4", "470.00", "265.50", "204.50"],
    ]

    /// Two closed months and an open one, every drop through the binary.
    func builtSite() throws -> TestSite {
        let site = try TestSite()
        func run(_ args: [String]) throws {
            let r = try site.recon(args, env: Self.env)
            try #require(r.code == 0, "recon \(args.joined(separator: " ")): \(r.out)\(r.err)")
        }
        try run(["init", "--name", "margin-site", "--base-currency", "INR", "--timezone", "UTC"])
        try site.drop("clients.csv", Self.clients)
        try site.drop("radiologists.csv", Self.radiologists)
        try site.drop("provider_rates.csv", Self.providerRates)
        try site.drop("client_rates.csv", Self.clientRates)
        try site.drop("fx_rates.csv", Self.fx)
        try site.drop("usage-2026-01.csv", Self.january)
        try run(["ingest"])
        try run(["close", "2026-01"])
        try site.drop("usage-2026-02.csv", Self.february)
        try run(["ingest"])
        try run(["close", "2026-02"])
        try site.drop("usage-2026-03.csv", Self.march)
        try run(["ingest"])
        return site
    }

    @Test func everyNumberEqualsTheLedgerAndTheHandSums() throws {
        let site = try builtSite()
        let book = try XLSXCells(path: site.path("Outbox/margin-summary.xlsx"))
        #expect(book.sheetNames == ["By month", "By client", "Detail"])

        // Detail: one row a period, client and modality, exactly the hand-worked rows.
        let detail = try #require(book.sheets["Detail"])
        #expect(detail.text("A1") == "period" && detail.text("I1") == "margin_pct")
        for (i, want) in Self.detail.enumerated() {
            let r = i + 2
            #expect([detail.text("A\(r)"), detail.text("B\(r)"), detail.text("C\(r)"), detail.text("D\(r)")] == Array(want[0...3]), "row \(r)")
            #expect(detail.number("E\(r)") == Decimal(string: want[4]), "reports row \(r)")
            #expect(detail.number("F\(r)") == Decimal(string: want[5]), "revenue row \(r)")
            #expect(detail.number("G\(r)") == Decimal(string: want[6]), "cost row \(r)")
            #expect(detail.number("H\(r)") == Decimal(string: want[7]), "margin row \(r)")
            #expect(detail.formula("H\(r)") == "F\(r)-G\(r)")
        }
        #expect(detail.text("A\(Self.detail.count + 2)") == nil, "no row beyond the hand-worked ones")

        // The closed months are the ledger's period.closed margins, row for row.
        var fromLedger: [[String]] = []
        for entry in try ledgerEntries(site) where entry["kind"] as? String == "period.closed" {
            let body = try #require(entry["body"] as? [String: Any])
            for m in try #require(body["margins"] as? [[String: Any]]) {
                fromLedger.append([body["period"] as? String ?? "", "closed", m["client_id"] as? String ?? "", m["modality"] as? String ?? "",
                                   "\(m["reports"] as? Int ?? -1)", m["revenue"] as? String ?? "", m["cost"] as? String ?? ""])
            }
        }
        #expect(fromLedger == Self.detail.filter { $0[1] == "closed" }.map { Array($0[0...6]) })
        let closedRows = fromLedger.count
        for (i, want) in fromLedger.enumerated() {
            let r = i + 2
            #expect(detail.number("F\(r)") == Decimal(string: want[5]) && detail.number("G\(r)") == Decimal(string: want[6]), "ledger row \(i)")
        }
        #expect(closedRows == 5)

        // The open month is its drafts: revenue = invoice subtotals in INR, cost = payouts in INR.
        let status = try site.recon(["status", "--json"])
        let json = try #require(try JSONSerialization.jsonObject(with: Data(status.out.utf8)) as? [String: Any])
        let open = try #require((json["open_periods"] as? [[String: Any]])?.first)
        func subtotal(_ side: String, _ party: String) -> String? {
            (open[side] as? [[String: Any]])?.first { $0["party_id"] as? String == party }?["subtotal"] as? String
        }
        #expect(subtotal("invoices", "C1") == "300.00")  // INR: revenue 300.00
        #expect(subtotal("invoices", "C2") == "2.00")  // USD: × 85 = revenue 170.00
        #expect(subtotal("payouts", "D1") == "214.50")  // INR: C1's cost 214.50
        #expect(subtotal("payouts", "D2") == "0.60")  // USD: × 85 = C2's cost 51.00

        // By month: one row a month, a SUM total, the chart over the months only.
        let months = try #require(book.sheets["By month"])
        #expect(months.text("A4") == "Period" && months.text("G4") == "Margin %")
        for (i, want) in Self.months.enumerated() {
            let r = i + 5
            #expect(months.text("A\(r)") == want[0] && months.text("B\(r)") == want[1], "row \(r)")
            for (column, value) in zip(["C", "D", "E", "F"], want[2...5]) {
                #expect(months.number("\(column)\(r)") == Decimal(string: value), "\(column)\(r)")
            }
            // Margin % is margin / revenue: 169.40 / 367.00 = 0.46158…
            let pct = try #require(months.number("G\(r)"))
            let expected = try #require(Decimal(string: want[5])) / (try #require(Decimal(string: want[3])))
            #expect(abs(NSDecimalNumber(decimal: pct - expected).doubleValue) < 1e-9, "G\(r)")
        }
        #expect(months.text("A8") == "Total")
        #expect(months.formula("D8") == "SUM(D5:D7)")
        #expect(months.number("C8") == 9)
        #expect(months.number("D8") == Decimal(string: "1105.00"))
        #expect(months.number("E8") == Decimal(string: "589.50"))
        #expect(months.number("F8") == Decimal(string: "515.50"))

        // By client: largest margin first, with names, and a total.
        let clients = try #require(book.sheets["By client"])
        #expect([clients.text("A5"), clients.text("B5"), clients.text("A6"), clients.text("B6")]
                == ["C2", "Harbor Clinic", "C1", "City Hospital"])
        #expect([clients.number("C5"), clients.number("D5"), clients.number("E5"), clients.number("F5")]
                == [3, Decimal(string: "505.00"), Decimal(string: "177.10"), Decimal(string: "327.90")])
        #expect([clients.number("C6"), clients.number("D6"), clients.number("E6"), clients.number("F6")]
                == [6, Decimal(string: "600.00"), Decimal(string: "412.40"), Decimal(string: "187.60")])
        #expect(clients.text("A7") == "Total" && clients.number("F7") == Decimal(string: "515.50"))

        // Charts plot the data rows, never the header or the total.
        let charts = book.charts.joined(separator: "\n")
        #expect(book.charts.count == 2)
        #expect(charts.contains("'By month'!$A$5:$A$7") && charts.contains("'By month'!$F$5:$F$7"), "\(charts)")
        #expect(charts.contains("'By client'!$B$5:$B$6") && charts.contains("'By client'!$F$5:$F$6"), "\(charts)")
        #expect(!charts.contains("$8"), "a chart reaches the total row")

        #expect(try site.recon(["verify"]).code == 0)
        if let audit = try site.auditorVerify() { #expect(audit.code == 0, "\(audit.out)\(audit.err)") }
    }

    @Test func closingTheOpenMonthTurnsItsDraftRowsIntoTheLedgersNumbers() throws {
        let site = try builtSite()
        #expect(try site.recon(["close", "2026-03"], env: Self.env).code == 0)
        let book = try XLSXCells(path: site.path("Outbox/margin-summary.xlsx"))
        let months = try #require(book.sheets["By month"])
        #expect(months.text("B7") == "closed")
        #expect(months.number("D7") == Decimal(string: "470.00") && months.number("E7") == Decimal(string: "265.50"))
        let detail = try #require(book.sheets["Detail"])
        #expect(detail.text("B7") == "closed" && detail.text("B8") == "closed")
        #expect(detail.number("G7") == Decimal(string: "214.50") && detail.number("G8") == Decimal(string: "51.00"))
        let closes = try ledgerEntries(site).filter { $0["kind"] as? String == "period.closed" }
        #expect(closes.count == 3)
    }

    /// SPEC §3: a client's revenue is its invoice subtotal converted to base, rounded once.
    /// E1 pays 9.99 USD a report, USD at 83.5: one CT and one MR report, subtotal 19.98 USD
    /// = 1,668.33 INR (1,668.33 exactly). Each modality alone is 834.165 → 834.17, which
    /// would add up to 1,668.34: the CT row (first of two equal roundings up) gives the cent
    /// back, so the rows, the client and the month all read 1,668.33. Cost 2 × 10.00 = 20.00;
    /// margin 1,648.33.
    @Test func aClientsRowsAddUpToItsRevenueRoundedOnce() throws {
        let env = ["RECON_NOW": "2026-10-02T10:00:00Z"]
        let site = try TestSite.oneClient(
            base: "INR", client: "E1", clientCurrency: "USD",
            providerRates: "effective_from,grade,modality,urgency,rate_per_report,currency\n2026-01-01,*,*,*,10,INR\n",
            clientRates: "2026-01-01,E1,*,*,*,1,,9.99,USD,volume\n", fx: "2026-01-01,USD,83.5\n",
            usage: "u1,2026-09-05T10:00:00Z,E1,R1,CT,1\nu2,2026-09-06T10:00:00Z,E1,R1,MR,1\n", env: env)
        #expect(try site.recon(["close", "2026-09"], env: env).code == 0)
        let book = try XLSXCells(path: site.path("Outbox/margin-summary.xlsx"))
        let detail = try #require(book.sheets["Detail"])
        #expect([detail.text("D2"), detail.text("D3")] == ["CT", "MR"])
        #expect([detail.number("F2"), detail.number("F3")] == [Decimal(string: "834.16"), Decimal(string: "834.17")])
        let clients = try #require(book.sheets["By client"])
        #expect(clients.number("D5") == Decimal(string: "1668.33") && clients.number("F5") == Decimal(string: "1648.33"))
        let months = try #require(book.sheets["By month"])
        #expect(months.number("D5") == Decimal(string: "1668.33"))
        let closed = try #require(try ledgerEntries(site).first { $0["kind"] as? String == "period.closed" }?["body"] as? [String: Any])
        let revenues = try #require(closed["margins"] as? [[String: Any]]).compactMap { $0["revenue"] as? String }
        #expect(revenues == ["834.16", "834.17"])
    }

    /// A client billed nothing (a unit price of 0.00) for reports that cost 2 × 10.00 INR:
    /// margin −20.00, and a margin % of none, where 0.0 % read as break-even beside the loss.
    @Test func aMarginWithoutRevenueHasNoShare() throws {
        let site = try TestSite.closedMarginMonth(unitPrice: "0.00", ratePerReport: "10")
        let book = try XLSXCells(path: site.path("Outbox/margin-summary.xlsx"))
        let detail = try #require(book.sheets["Detail"])
        #expect(detail.number("F2") == 0 && detail.number("G2") == Decimal(string: "20.00") && detail.number("H2") == Decimal(string: "-20.00"))
        #expect(detail.text("I2") == "n/a" && detail.formula("I2") == nil)
        #expect(try #require(book.sheets["By client"]).text("G5") == "n/a")
        #expect(try #require(book.sheets["By month"]).text("G5") == "n/a")
    }

    /// A site's first close leaves one month: its "Margin by month" line chart had one point a
    /// series and no markers, so it drew nothing beside a table of 100.00 revenue. A single
    /// month's points are marked; a chart of several months is drawn as lines, as before.
    @Test func aSingleMonthsChartShowsItsPoints() throws {
        let one = try TestSite.closedMarginMonth(unitPrice: "100.00", ratePerReport: "10")
        let chart = try zipEntry(one.path("Outbox/margin-summary.xlsx"), "xl/charts/chart1.xml")
        #expect(chart.contains("Margin by month") && chart.components(separatedBy: #"<c:symbol val="circle"/>"#).count - 1 == 3, "\(chart)")
        let three = try builtSite()
        let lines = try zipEntry(three.path("Outbox/margin-summary.xlsx"), "xl/charts/chart1.xml")
        #expect(lines.contains("Margin by month") && !lines.contains(#"<c:symbol val="circle"/>"#))
    }

    /// SPEC §7: the summary shows every period. A month closed with no reports (October here)
    /// had no line: the chart ran from September straight to November, and nobody could tell
    /// October was closed empty. Its line is there, 0 reports, at the close and in every later
    /// summary (whose closed part is kept between commands).
    @Test func aMonthClosedWithNoReportsHasItsLine() throws {
        let site = try TestSite.closedMarginMonth(unitPrice: "100.00", ratePerReport: "10")
        #expect(try site.recon(["close", "2026-10"], env: ["RECON_NOW": "2026-11-02T10:00:00Z"]).code == 0)
        try site.drop("usage-nov.csv", TestSite.usageHeader + "u3,2026-11-05T10:00:00Z,E1,R1,CT,1\n")
        #expect(try site.recon(["ingest"], env: ["RECON_NOW": "2026-11-10T10:00:00Z"]).code == 0)
        #expect(try site.recon(["close", "2026-11"], env: ["RECON_NOW": "2026-12-02T10:00:00Z"]).code == 0)
        try site.drop("usage-dec.csv", TestSite.usageHeader + "u4,2026-12-05T10:00:00Z,E1,R1,CT,1\n")
        for step in ["closed", "kept"] {
            let month = try #require(try XLSXCells(path: site.path("Outbox/margin-summary.xlsx")).sheets["By month"])
            let periods = (5...9).compactMap { month.text("A\($0)") }
            #expect(periods.starts(with: ["2026-09", "2026-10", "2026-11"]), "\(step): \(periods)")
            #expect(month.text("B6") == "closed" && month.number("C6") == 0 && month.number("D6") == 0, "\(step)")
            #expect(month.number("C5") == 2 && month.number("C7") == 1, "\(step)")
            if step == "closed" { #expect(try site.recon(["ingest"], env: ["RECON_NOW": "2026-12-10T10:00:00Z"]).code == 0) }
        }
        #expect(try #require(try XLSXCells(path: site.path("Outbox/margin-summary.xlsx")).sheets["By month"]).text("A8") == "2026-12")
        // The closed part kept between commands, its sums the empty month's too, is the one verify builds.
        let verify = try site.recon(["verify", "--strict"], env: ["RECON_NOW": "2026-12-10T10:00:00Z"])
        #expect(verify.code == 0, "\(verify.out)\(verify.err)")
    }

    /// A client's long name wraps down its row of "By client": drawn at the row's foot, its
    /// figures stood level with the next client's name (C-A's under C-B's, as it printed). The
    /// row's cells are drawn at its top, beside the name's first line.
    @Test func aLongClientNamesFiguresStandBesideItsFirstLine() throws {
        let site = try TestSite.closedMarginMonth(unitPrice: "100.00", ratePerReport: "10")
        let long = "Municipal General Hospital and Research Institute of Advanced Diagnostic Imaging Interventional Radiology"
        try site.drop("clients-name.csv", "client_id,name,currency,contract_type,onboarded_on,max_images_per_case\nE1,\(long),INR,std,2020-01-01,10\n")
        #expect(try site.recon(["ingest"], env: ["RECON_NOW": "2026-10-03T10:00:00Z"]).code == 0)
        let sheet = try PrintedSheet(site.path("Outbox/margin-summary.xlsx"), sheet: 2)
        let name = try #require(sheet.cells.first { $0.value.text == long })
        #expect(name.value.wraps && (sheet.rowHeights[PrintedSheet.row(name.key)] ?? 0) >= 30, "\(name) \(sheet.rowHeights)")
        let row = sheet.cells.filter { PrintedSheet.row($0.key) == PrintedSheet.row(name.key) }
        #expect(row.count == 7 && row.allSatisfy(\.value.topAligned), "\(row)")
        // The same on the open month's draft invoices' Summary.
        try site.drop("usage-oct.csv", TestSite.usageHeader + "u9,2026-10-05T10:00:00Z,E1,R1,CT,1\n")
        #expect(try site.recon(["ingest"], env: ["RECON_NOW": "2026-10-06T10:00:00Z"]).code == 0)
        let draft = try PrintedSheet(site.path("Outbox/2026-10/drafts/invoices.xlsx"), sheet: 1)
        let drafted = try #require(draft.cells.first { $0.value.text == long })
        let draftRow = draft.cells.filter { PrintedSheet.row($0.key) == PrintedSheet.row(drafted.key) }
        #expect(draftRow.count >= 7 && draftRow.allSatisfy(\.value.topAligned), "\(draftRow)")
    }

    func ledgerEntries(_ site: TestSite) throws -> [[String: Any]] {
        try site.read("Ledger/ledger.jsonl").split(separator: "\n").compactMap {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }
}

/// The cells of an .xlsx file as its XML holds them, read by python3's zipfile and
/// ElementTree (independent of the library that wrote it): text, numbers and formulas by A1 name.
struct XLSXCells {
    struct Sheet {
        var cells: [String: [String: String]]  // A1 → {"t": type, "v": value, "f": formula}
        func text(_ a1: String) -> String? { cells[a1]?["v"] }
        /// The cell's number (a formula's cached value), exact as written in the XML.
        func number(_ a1: String) -> Decimal? { cells[a1]?["v"].flatMap { Decimal(string: $0) } }
        func formula(_ a1: String) -> String? { cells[a1]?["f"] }
    }

    var sheetNames: [String]
    var sheets: [String: Sheet]
    var charts: [String]

    static let reader = """
        import json, sys, zipfile, xml.etree.ElementTree as ET
        NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
              "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships"}
        z = zipfile.ZipFile(sys.argv[1])
        strings = []
        if "xl/sharedStrings.xml" in z.namelist():
            for si in ET.fromstring(z.read("xl/sharedStrings.xml")).findall("m:si", NS):
                strings.append("".join(t.text or "" for t in si.iter("{%s}t" % NS["m"])))
        rels = {r.get("Id"): r.get("Target") for r in ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))}
        out = {"names": [], "sheets": {}, "charts": []}
        for s in ET.fromstring(z.read("xl/workbook.xml")).find("m:sheets", NS):
            name = s.get("name")
            target = rels[s.get("{%s}id" % NS["r"])].lstrip("/")
            path = target if target.startswith("xl/") else "xl/" + target
            cells = {}
            for c in ET.fromstring(z.read(path)).iter("{%s}c" % NS["m"]):
                t, v, f = c.get("t", "n"), c.find("m:v", NS), c.find("m:f", NS)
                cell = {"t": t}
                if t == "s" and v is not None: cell["v"] = strings[int(v.text)]
                elif t == "inlineStr": cell["v"] = "".join(x.text or "" for x in c.iter("{%s}t" % NS["m"]))
                elif v is not None: cell["v"] = v.text
                if f is not None: cell["f"] = f.text
                cells[c.get("r")] = cell
            out["names"].append(name)
            out["sheets"][name] = cells
        for n in sorted(z.namelist()):
            if n.startswith("xl/charts/chart"): out["charts"].append(z.read(n).decode())
        print(json.dumps(out))
        """

    init(path: String) throws {
        let run = try ProcessRunner.run("/usr/bin/env", ["python3", "-c", Self.reader, path])
        try #require(run.code == 0, "python3 could not read \(path): \(run.err)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(run.out.utf8)) as? [String: Any])
        sheetNames = json["names"] as? [String] ?? []
        let raw = json["sheets"] as? [String: [String: [String: String]]] ?? [:]
        sheets = raw.mapValues { Sheet(cells: $0) }
        charts = json["charts"] as? [String] ?? []
    }
}
