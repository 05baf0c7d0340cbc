import Foundation
import Testing

/// An issued invoice read back from its XLSX (SPEC §7): every first-sheet item, date cells,
/// FX rates of foreign-priced lines, and the page setup of every sheet.
@Suite("Documents — what an invoice shows, read back from the file", .serialized)
struct DocumentReadBackTests {
    static let env = ["RECON_NOW": "2026-04-02T09:00:00Z"]

    static let seller = """
        paper = "A4"
        [seller]
        legal_name = "Example Teleradiology Pvt Ltd"
        address = ["12 MG Road", "Bengaluru 560001", "India"]
        tax_id = "29ABCDE1234F1Z5"
        email = "billing@example.com"
        payment_instructions = "HDFC Bank, IFSC HDFC0000123, account 0012345678"

        """
    static let clients = """
        client_id,name,currency,contract_type,onboarded_on,max_images_per_case,tax_rate,billing_address,tax_id,po_number,payment_terms_days,email,tax_components
        C1,City Hospital,INR,standard,2020-01-01,5,18,Accounts Payable | 1 Park Street | Kolkata 700016,19AAACC1234C1Z1,PO-4471,45,ap@city.example,CGST:9;SGST:9
        C2,"Harbor Clinic, Inc.",USD,standard,2021-06-01,10,,200 Harbor Way | Boston MA 02110,,,,,
        """

    /// Every cell's value and number format, each sheet's page setup, footer and print titles.
    static let reader = """
        import json, sys, zipfile, xml.etree.ElementTree as ET
        M = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
        R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
        NS = {"m": M}
        z = zipfile.ZipFile(sys.argv[1])
        strings = [("".join(t.text or "" for t in si.iter("{%s}t" % M)))
                   for si in ET.fromstring(z.read("xl/sharedStrings.xml")).findall("m:si", NS)] if "xl/sharedStrings.xml" in z.namelist() else []
        styles = ET.fromstring(z.read("xl/styles.xml"))
        fmts = {n.get("numFmtId"): n.get("formatCode") for n in styles.iter("{%s}numFmt" % M)}
        xfs = [fmts.get(x.get("numFmtId"), x.get("numFmtId")) for x in styles.find("m:cellXfs", NS)]
        wb = ET.fromstring(z.read("xl/workbook.xml"))
        rels = {r.get("Id"): r.get("Target") for r in ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))}
        titles = [d.get("localSheetId") for d in wb.iter("{%s}definedName" % M) if d.get("name") == "_xlnm.Print_Titles"]
        out = {"sheets": [], "print_titles": titles}
        for s in wb.find("m:sheets", NS):
            target = rels[s.get("{%s}id" % R)].lstrip("/")
            root = ET.fromstring(z.read(target if target.startswith("xl/") else "xl/" + target))
            cells = {}
            for c in root.iter("{%s}c" % M):
                t, v = c.get("t", "n"), c.find("m:v", NS)
                val = strings[int(v.text)] if t == "s" and v is not None else (v.text if v is not None else None)
                cells[c.get("r")] = {"v": val, "t": t, "fmt": xfs[int(c.get("s", "0"))] or ""}
            ps = root.find("m:pageSetup", NS)
            fit = root.find("m:sheetPr/m:pageSetUpPr", NS)
            footer = root.find("m:headerFooter/m:oddFooter", NS)
            out["sheets"].append({"name": s.get("name"), "cells": cells,
                                  "page": dict(ps.attrib) if ps is not None else {},
                                  "fit": fit is not None and fit.get("fitToPage") == "1",
                                  "footer": footer.text if footer is not None else ""})
        print(json.dumps(out))
        """

    struct Cell: Decodable {
        var v: String?
        var t: String
        var fmt: String
    }
    struct Sheet: Decodable {
        var name: String
        var cells: [String: Cell]
        var page: [String: String]
        var fit: Bool
        var footer: String
        var texts: [String] { cells.values.compactMap { $0.t == "s" ? $0.v : nil } }
        /// The cell right of (or in the same row as) a label, by column letter.
        func value(rightOf label: String) -> Cell? {
            guard let at = cells.first(where: { $0.value.v == label && $0.value.t == "s" })?.key else { return nil }
            let row = at.drop(while: { $0.isLetter })
            let column = at.prefix(while: { $0.isLetter })
            let next = String(UnicodeScalar(column.unicodeScalars.first!.value + 1)!)
            return cells[next + row]
        }
    }
    struct Book: Decodable {
        var sheets: [Sheet]
        var print_titles: [String]
    }

    func read(_ path: String) throws -> Book {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", Self.reader, path]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return try JSONDecoder().decode(Book.self, from: data)
    }

    /// Excel's serial number of a calendar date (1970-01-01 is 25569).
    func serial(_ y: Int, _ m: Int, _ d: Int) -> String {
        var c = DateComponents()
        (c.year, c.month, c.day) = (y, m, d)
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = TimeZone(identifier: "UTC")!
        return String(25569 + Int(cal.date(from: c)!.timeIntervalSince1970 / 86_400))
    }

    func closedSite(paper: String = "A4") throws -> TestSite {
        let site = try TestSite()
        #expect(try site.recon(["init", "--name", "test-site", "--base-currency", "INR", "--timezone", "UTC"], env: Self.env).code == 0)
        let config = try site.read("recon.toml")
        try (config + "\n" + Self.seller.replacingOccurrences(of: "\"A4\"", with: "\"\(paper)\"")).write(toFile: site.path("recon.toml"), atomically: true, encoding: .utf8)
        try site.drop("clients.csv", Self.clients)
        try site.drop("radiologists.csv", EndToEndTests.radiologists)
        try site.drop("provider_rates.csv", EndToEndTests.providerRates)
        try site.drop("client_rates.csv", EndToEndTests.clientRates)
        try site.drop("fx_rates.csv", EndToEndTests.fx)
        try site.drop("usage-2026-03.csv", EndToEndTests.usage)
        let ingest = try site.recon(["ingest"], env: Self.env)
        #expect(ingest.code == 0, "\(ingest.out)\(ingest.err)")
        #expect(try site.recon(["decide", "R2", "approve", "--by", "Asha"], env: Self.env).code == 0)
        let close = try site.recon(["close", "2026-03"], env: Self.env)
        #expect(close.code == 0, "\(close.out)\(close.err)")
        return site
    }

    /// A draft whose party has reports that could not be converted (no FX rate) or priced says
    /// so beside its total, and `status` beside the draft totals: the total leaves them out,
    /// it does not price them at zero. C1: CT 2 × 1000.00 INR = 2,000.00; its 3 MR reports are
    /// priced in USD, and there is no USD rate. D1: all 5 reports paid in USD: no line at all.
    @Test func aDraftSaysWhatItsTotalLeavesOut() throws {
        let site = try TestSite()
        #expect(try site.recon(["init", "--name", "test-site", "--base-currency", "INR", "--timezone", "UTC"], env: Self.env).code == 0)
        try site.drop("clients.csv", "client_id,name,currency,contract_type,onboarded_on,max_images_per_case,tax_rate\nC1,City Hospital,INR,standard,2020-01-01,50,0\n")
        try site.drop("radiologists.csv", "radiologist_id,name,grade,seniority_years,currency\nD1,Dr Rao,consultant,10,INR\n")
        try site.drop("provider_rates.csv", "effective_from,grade,modality,urgency,min_seniority_years,rate_per_report,rate_per_image,currency\n2026-01-01,*,*,*,0,10,0,USD\n")
        try site.drop("client_rates.csv", "effective_from,client_id,contract_type,modality,urgency,tier_from,tier_to,unit_price,currency,tier_mode\n"
                      + "2026-01-01,*,*,CT,*,1,,1000,INR,volume\n2026-01-01,*,*,MR,*,1,,20,USD,volume\n")
        try site.drop("usage-2026-03.csv", "report_id,reported_at,client_id,radiologist_id,modality,image_count,urgency\n"
                      + (1...2).map { "A\($0),2026-03-0\($0)T10:00:00Z,C1,D1,CT,1,routine\n" }.joined()
                      + (3...5).map { "A\($0),2026-03-0\($0)T10:00:00Z,C1,D1,MR,1,routine\n" }.joined())
        let ingest = try site.recon(["ingest"], env: Self.env)
        #expect(ingest.code == 0, "\(ingest.out)\(ingest.err)")

        let invoices = try read(site.path("Outbox/2026-03/drafts/invoices.xlsx")).sheets[0]
        #expect(invoices.cells["A5"]?.v == "C1" && invoices.cells["G5"]?.v == "2000", "\(invoices.cells)")
        let c1 = try #require(invoices.cells["H5"]?.v, "\(invoices.cells)")
        #expect(c1.contains("FX_MISSING") && c1.contains("(3 reports)"), "\(c1)")
        #expect(invoices.texts.contains { $0.contains("1 party's total leaves out reports that could not be priced or converted") }, "\(invoices.texts)")
        #expect(invoices.footer == "&LDraft invoices 2026-03 (DRAFT), test-site&CPage &P of &N", "\(invoices.footer)")
        // The day its rates are read on: a draft written before the month ended keeps that day's
        // until the next drop, while the close reads the last day's (nothing said it).
        #expect(invoices.cells["A2"]?.v == "Not issued: these change with every drop until the period closes. Exchange rates as of "
            + "the period's last day, 2026-03-31.", "\(invoices.cells["A2"]?.v ?? "")")
        // D1 has no line that could be converted: its total 0.00 says what it leaves out.
        let payouts = try read(site.path("Outbox/2026-03/drafts/payouts.xlsx")).sheets[0]
        #expect(payouts.cells["A5"]?.v == "D1" && payouts.cells["D5"]?.v == "5" && payouts.cells["G5"]?.v == "0", "\(payouts.cells)")
        #expect(payouts.cells["H5"]?.v?.contains("(5 reports)") == true, "\(payouts.cells)")

        let status = try site.recon(["status"], env: Self.env).out
        #expect(status.contains("draft invoices: 1 — 2,000.00 INR, leaving out what 1 problem below names"), "\(status)")
        #expect(status.contains("draft payouts: 1 — 0.00 INR, leaving out what 1 problem below names"), "\(status)")
        // Column H (what a total leaves out) is wide where something is left out, narrow where
        // nothing is: empty at 60 characters, it shrank the fitted page's print to about 5 points.
        func widthOfH(_ file: String) throws -> Double? {
            let xml = try zipEntry(site.path(file), "xl/worksheets/sheet1.xml")
            guard let col = xml.range(of: "<col min=\"8\" max=\"8\" width=\"") else { return nil }
            return Double(xml[col.upperBound...].prefix { $0 != "\"" })
        }
        #expect(try widthOfH("Outbox/2026-03/drafts/invoices.xlsx").map { $0 > 50 } == true)
        // An April draft written on 20 April reads that day's rates.
        try site.drop("usage-2026-04.csv", "report_id,reported_at,client_id,radiologist_id,modality,image_count\nB1,2026-04-02T10:00:00Z,C1,D1,CT,1\n")
        #expect(try site.recon(["ingest"], env: ["RECON_NOW": "2026-04-20T10:00:00Z"]).code == 0)
        let april = try read(site.path("Outbox/2026-04/drafts/invoices.xlsx")).sheets[0]
        #expect(april.cells["A2"]?.v?.hasSuffix("Exchange rates as of 2026-04-20, the day it was written.") == true, "\(april.cells["A2"]?.v ?? "")")
        #expect(try widthOfH("Outbox/2026-04/drafts/invoices.xlsx").map { $0 < 30 } == true)
    }

    @Test func anInvoiceShowsEverythingAccountsPayableNeeds() throws {
        let site = try closedSite()
        // C1 (CGST + SGST): CT 2 × 80.00 = 160.00, MR 1 × 80.00 = 80.00 (volume 3 is in tier 3+);
        // subtotal 240.00; CGST 9 % 21.60, SGST 9 % 21.60; total 283.20.
        let book = try read(site.path("Outbox/2026-03/invoices/INV-2026-000001.xlsx"))
        let front = try #require(book.sheets.first)
        let texts = Set(front.texts)
        for item in ["Example Teleradiology Pvt Ltd", "12 MG Road", "Bengaluru 560001", "India", "Tax ID: 29ABCDE1234F1Z5",
                     "HDFC Bank, IFSC HDFC0000123, account 0012345678",
                     "City Hospital", "Client ID: C1", "Accounts Payable", "1 Park Street", "Kolkata 700016",
                     "Tax ID: 19AAACC1234C1Z1", "PO number: PO-4471", "ap@city.example",
                     "INV-2026-000001", "CGST 9 %", "SGST 9 %",
                     "CT, routine — tier 3+, volume pricing", "MR, stat — tier 3+, volume pricing"] {
            #expect(texts.contains(item), "the first sheet lacks \(item)")
        }
        // Issue and due dates are date cells: 2026-04-02, and 45 days later 2026-05-17.
        let issued = try #require(front.value(rightOf: "Issue date"))
        #expect(issued.t == "n" && issued.v == serial(2026, 4, 2) && issued.fmt == "yyyy-mm-dd", "\(issued)")
        let due = try #require(front.value(rightOf: "Due date"))
        #expect(due.t == "n" && due.v == serial(2026, 5, 17) && due.fmt == "yyyy-mm-dd", "\(due)")
        // The period of service too: its first day, and its last beside "to".
        let from = try #require(front.value(rightOf: "Period of service"))
        #expect(from.t == "n" && from.v == serial(2026, 3, 1) && from.fmt == "yyyy-mm-dd", "\(from)")
        let to = try #require(front.value(rightOf: "to"))
        #expect(to.t == "n" && to.v == serial(2026, 3, 31) && to.fmt == "yyyy-mm-dd", "\(to)")
        #expect(front.value(rightOf: "CGST 9 %")?.v == "21.6" && front.value(rightOf: "SGST 9 %")?.v == "21.6")
        #expect(front.value(rightOf: "Total due (INR)")?.v == "283.2")
        // The currency is said once per amount: no column of currency codes beside the amounts.
        #expect(!front.cells.values.contains { $0.v == "Unit currency" })

        // The ledger entry holds the same: taxes, due_on.
        let ledger = try site.read("Ledger/ledger.jsonl")
        #expect(ledger.contains(#""due_on":"2026-05-17""#))
        #expect(ledger.contains(#"{"amount":"21.60","name":"CGST","rate":"9"}"#))

        // C2 is invoiced in USD for a line priced in INR: the rate to 6 decimals, and the row it
        // comes from with its value and date, so the line can be redone exactly (the 6 decimals
        // alone cannot: 1 INR = 1 / 83.5 USD = 0.0119760… → 0.011976).
        let usd = try read(site.path("Outbox/2026-03/invoices/INV-2026-000002.xlsx"))
        let usdTexts = try #require(usd.sheets.first).texts
        #expect(usdTexts.contains { $0.hasPrefix("1 INR = 0.011976 USD") && $0.contains("fx_rates rows: 1 USD = 83.5 INR on 2026-03-01") },
                "\(usdTexts)")
        #expect(ledger.contains(#""base":"INR","from":"INR","rate":"0.011976","to":"USD","to_date":"2026-03-01","to_rate":"83.5""#), "\(ledger)")
        site.expectAuditorAccepts()
    }

    /// SPEC §1: the seller is printed on every credit note too, with its payment instructions
    /// (a credit may leave part of the invoice due); the buyer and period are those of the invoice.
    @Test func aCreditNoteNamesTheSellerAndWhereABalanceIsPaid() throws {
        let site = try closedSite()
        let key = try site.operatorKey("asha", listed: true)
        let credit = try site.recon(["credit", "INV-2026-000001", "--amount", "100.00", "--reason", "goodwill", "--key", key],
                                    env: TestSite.rerunDay)
        #expect(credit.code == 0, "\(credit.err)")
        let front = try #require(read(site.path("Outbox/2026-03/credit-notes/CN-2026-000001.xlsx")).sheets.first)
        let texts = Set(front.texts)
        for item in ["Example Teleradiology Pvt Ltd", "12 MG Road", "Bengaluru 560001", "India", "Tax ID: 29ABCDE1234F1Z5",
                     "billing@example.com",
                     "Any balance still due is payable to: HDFC Bank, IFSC HDFC0000123, account 0012345678",
                     "City Hospital", "Client ID: C1", "Tax ID: 19AAACC1234C1Z1", "PO number: PO-4471",
                     "CN-2026-000001", "INV-2026-000001", "CGST 9 %", "SGST 9 %"] {
            #expect(texts.contains(item), "the credit note's first sheet lacks \(item)")
        }
        // 100.00 gross at 18 %: each component 100.00 × 9 / 118 = 7.627… → 7.63; subtotal 100.00 − 15.26 = 84.74.
        #expect(front.value(rightOf: "CGST 9 %")?.v == "7.63" && front.value(rightOf: "SGST 9 %")?.v == "7.63")
        // Cells hold binary doubles (written with 16 digits): compared as the double nearest to 84.74.
        #expect(front.value(rightOf: "Subtotal")?.v.flatMap(Double.init) == 84.74)
        #expect(try site.read("Ledger/ledger.jsonl").contains(#""layout":16"#))
        // The invoice it amends, and that invoice's issue date as a date cell: the close ran on
        // 2026-04-02 (UTC site), the credit on TestSite.rerunDay.
        let refers = try #require(front.cells.first { $0.value.v == "Refers to" }?.key)
        #expect(front.value(rightOf: "Refers to")?.v == "INV-2026-000001", "\(refers)")
        let date = try #require(front.value(rightOf: "Invoice date"))
        #expect(date.v == serial(2026, 4, 2) && date.fmt.contains("yy"), "\(date)")
        let entry = try #require(try site.read("Ledger/ledger.jsonl").split(separator: "\n").last { $0.contains("credit_note.issued") })
        #expect(entry.contains(#""refers_to":["INV-2026-000001"],"refers_to_issued_on":["2026-04-02"]"#), "\(entry)")
        // Every printed page of both sheets names the credit note.
        let book = try read(site.path("Outbox/2026-03/credit-notes/CN-2026-000001.xlsx"))
        #expect(book.sheets.allSatisfy { $0.footer == "&LCN-2026-000001&CPage &P of &N" }, "\(book.sheets.map(\.footer))")
    }

    @Test func everySheetOfEveryDocumentPrintsOnA4FittedToWidthWithPageNumbers() throws {
        let site = try closedSite()
        let files = ["Outbox/2026-03/invoices/INV-2026-000001.xlsx", "Outbox/2026-03/invoices/INV-2026-000002.xlsx",
                     "Outbox/2026-03/payouts/PAY-2026-000001.xlsx"]
        for file in files {
            let book = try read(site.path(file))
            for sheet in book.sheets {
                #expect(sheet.page["paperSize"] == "9", "\(file) \(sheet.name): \(sheet.page)")
                #expect(sheet.fit && sheet.page["fitToWidth"] == nil && sheet.page["fitToHeight"] == "0",
                        "\(file) \(sheet.name): fitted to one page wide, \(sheet.page)")
                #expect(sheet.footer.contains("&P"), "\(file) \(sheet.name): page numbers in the footer")
                // Each page says whose it is: a page of a long invoice is often read apart from the first.
                let number = String(file.split(separator: "/").last!.dropLast(5))
                #expect(sheet.footer.hasPrefix("&L\(number)&C"), "\(file) \(sheet.name): \(sheet.footer)")
            }
            // Both sheets repeat their header row on every printed page.
            #expect(Set(book.print_titles) == ["0", "1"], "\(file): \(book.print_titles)")
        }
        let statement = try site.recon(["statement", "C1", "--as-of", "2026-06-30"], env: Self.env)
        #expect(statement.code == 0, "\(statement.err)")
        let book = try read(site.path("Outbox/statements/C1.xlsx"))
        #expect(book.sheets.allSatisfy { $0.page["paperSize"] == "9" && $0.footer.contains("&P") })
        #expect(book.sheets.first?.footer == "&LAccount statement C1, 2026-06-30&CPage &P of &N", "\(book.sheets.map(\.footer))")
        // Due 2026-05-17, as of 2026-06-30: 44 days past due → 31–60.
        #expect(statement.out.contains("total due: 283.20 INR (current 0.00, 1-30 0.00, 31-60 283.20"), "\(statement.out)")
        // The review workbook too: every sheet with a header row repeats it (Images per case included).
        let review = try read(site.path("Outbox/2026-03/review.xlsx"))
        #expect(review.sheets.map(\.name).contains("Images per case"))
        #expect(Set(review.print_titles) == Set(review.sheets.indices.map(String.init)), "\(review.sheets.map(\.name)): \(review.print_titles)")
        // Every printed page of the review and the margin summary says what it is.
        #expect(review.sheets.allSatisfy { $0.footer == "&LReview of 2026-03, test-site&CPage &P of &N" }, "\(review.sheets.map(\.footer))")
        let summary = try read(site.path("Outbox/margin-summary.xlsx"))
        #expect(summary.sheets.allSatisfy { $0.footer == "&LMargin summary, test-site&CPage &P of &N" }, "\(summary.sheets.map(\.footer))")
    }

    /// An open month's review is month to date, its soft flags provisional: without a soft flag
    /// nothing on it told it from a closed month's. Every printed page says so until the close.
    @Test func anOpenMonthsReviewSaysItIsMonthToDate() throws {
        let site = try TestSite.marchSite()
        let open = try read(site.path("Outbox/2026-03/review.xlsx"))
        #expect(!open.sheets.isEmpty && open.sheets.allSatisfy {
            $0.footer == "&LReview of 2026-03 (open: month to date, soft flags provisional), trust-site&CPage &P of &N"
        }, "\(open.sheets.map(\.footer))")
        #expect(try site.recon(["close", "2026-03"], env: TestSite.closeDay).code == 0)
        let closed = try read(site.path("Outbox/2026-03/review.xlsx"))
        #expect(!closed.sheets.isEmpty && closed.sheets.allSatisfy { $0.footer == "&LReview of 2026-03, trust-site&CPage &P of &N" },
                "\(closed.sheets.map(\.footer))")
    }

    /// A client that paid more than it was invoiced: its statement printed "In credit (INR)"
    /// beside the running sum, −46.00, which reads as 46.00 owed. It says what is held for the
    /// client as the positive sum it is. By hand: INV-2026-000001 354.00, paid 400.00: 46.00.
    @Test func aStatementInCreditShowsWhatIsHeldForTheClient() throws {
        let site = try TestSite.closedMarchSite()
        try site.drop("payments-bank.csv", "payment_id,client_id,received_on,amount,currency,invoice\nP1,C1,2026-04-05,400.00,INR,INV-2026-000001\n")
        #expect(try site.recon(["ingest"], env: TestSite.aprilLater).code != 2)
        #expect(try site.recon(["statement", "C1", "--as-of", "2026-04-06"], env: TestSite.aprilLater).code == 0)
        let sheet = try PrintedSheet(site.path("Outbox/statements/C1.xlsx"))
        let label = try #require(sheet.reference(of: "In credit: held for the client (INR)"), "\(sheet.cells.values.compactMap(\.text))")
        let total = try #require(sheet.cells["G\(PrintedSheet.row(label))"])
        #expect(total.number == "46" && total.formula?.hasPrefix("-SUM(") == true, "\(total)")
    }

    @Test func letterPaperReachesEverySheetOfEveryWorkbook() throws {
        let site = try closedSite(paper: "Letter")
        #expect(try site.recon(["statement", "C1"], env: Self.env).code == 0)
        for file in ["Outbox/2026-03/invoices/INV-2026-000001.xlsx", "Outbox/2026-03/payouts/PAY-2026-000001.xlsx",
                     "Outbox/margin-summary.xlsx", "Outbox/statements/C1.xlsx", "Outbox/2026-03/review.xlsx"] {
            for sheet in try read(site.path(file)).sheets {
                #expect(sheet.page["paperSize"] == "1", "\(file) \(sheet.name): US Letter is paper size 1, \(sheet.page)")
            }
        }
    }

    /// The margin summary left out, with no word on it, a client whose currency had no rate to
    /// the base (its revenue vanished from the month) and the credit notes of `recon credit`:
    /// an accountant read the month as whole. Its note says what it leaves out.
    @Test func theMarginSummarySaysWhatItLeavesOut() throws {
        let site = try closedSite()
        let byMonth = try #require(try read(site.path("Outbox/margin-summary.xlsx")).sheets.first)
        let note = try #require(byMonth.texts.first { $0.hasPrefix("Revenue is what clients are invoiced") })
        #expect(note.contains("Left out: reports with no rate to INR and a draft's clients with reports not yet priced (the "
            + "month's review names them, MARGIN_FX_MISSING, MARGIN_UNPRICED), and credit notes issued with `recon credit`"), "\(note)")
        // Detail's modality rows are apportioned to add up to the client's figures, each rounded once.
        #expect(note.contains("A client's revenue and cost in a month are each rounded once; Detail splits them by modality so "
            + "that its rows add up to them"), "\(note)")
    }

    /// The margin summary's charts name every category: left to the reader, LibreOffice named
    /// every other bar of the top clients (the one client losing money went unnamed).
    @Test func theMarginSummarysChartsNameEveryCategory() throws {
        let site = try closedSite()
        let python = try #require(ProcessRunner.executable(named: "python3"), "python3 reads the workbook's parts")
        let script = """
            import re, sys, zipfile
            z = zipfile.ZipFile(sys.argv[1])
            for name in sorted(n for n in z.namelist() if n.startswith("xl/charts/chart")):
                print(name, re.findall(rb'tickLblSkip val="(\\d+)"', z.read(name)))
            """
        let run = try ProcessRunner.run(python, ["-c", script, site.path("Outbox/margin-summary.xlsx")])
        let lines = run.out.split(separator: "\n")
        #expect(run.code == 0 && lines.count == 2 && lines.allSatisfy { $0.hasSuffix("[b'1']") }, "\(run.out)\(run.err)")
    }

    @Test func aStatementNamesOnlyClientsAndNeverAHiddenFile() throws {
        let site = try closedSite()
        for bad in [".hidden", "../x", "-x"] {
            let r = try site.recon(["statement", "--site", site.root, "--", bad], site: false, env: Self.env)
            #expect(r.code == 2, "\(bad): \(r.out)\(r.err)")
        }
        #expect((try? FileManager.default.contentsOfDirectory(atPath: site.path("Outbox/statements")))?.isEmpty ?? true)
        // A statement's date lies in the years dates may take (SPEC §2: 1970–2199).
        for date in ["1969-12-31", "2200-01-01", "2026-4-30"] {
            let r = try site.recon(["statement", "C1", "--as-of", date], env: Self.env)
            #expect(r.code == 1 && r.err.contains("is not a date in the years 1970–2199"), "\(date): \(r.err)")
        }
        // A day the calendar lacks is named as such, as in a drop.
        let lacking = try site.recon(["statement", "C1", "--as-of", "2026-02-30"], env: Self.env)
        #expect(lacking.code == 1 && lacking.err.contains("--as-of 2026-02-30 is not a day of the calendar; February 2026 has days 01–28"),
                "\(lacking.err)")
        #expect((try? FileManager.default.contentsOfDirectory(atPath: site.path("Outbox/statements")))?.isEmpty ?? true)
        // A folder in C2's statement's place: `--all` wrote C1's, skipped those after C2, and
        // said nothing was written. Refused before the first statement now.
        try FileManager.default.createDirectory(atPath: site.path("Outbox/statements/C2.xlsx"), withIntermediateDirectories: true)
        let blocked = try site.recon(["statement", "--all", "--as-of", "2026-04-30"], env: Self.env)
        #expect(blocked.code == 3 && blocked.err.contains("cannot write Outbox/statements/C2.xlsx: a folder is in its place; nothing was written"),
                "\(blocked.err)")
        #expect(!site.exists("Outbox/statements/C1.xlsx"))
        try FileManager.default.removeItem(atPath: site.path("Outbox/statements/C2.xlsx"))
        let all = try site.recon(["statement", "--all", "--as-of", "2026-04-30"], env: Self.env)
        #expect(all.code == 0, "\(all.err)")
        #expect(site.exists("Outbox/statements/C1.xlsx") && site.exists("Outbox/statements/C2.xlsx"))
    }

    /// SPEC §2: the clients' optional columns are printed on invoices and statements: the
    /// statement names C1 as its invoices do — address, tax id, PO number, email, terms and
    /// tax components — and says how to pay the seller.
    @Test func aStatementNamesTheClientAsItsInvoicesDo() throws {
        let site = try closedSite()
        #expect(try site.recon(["statement", "C1", "--as-of", "2026-04-30"], env: Self.env).code == 0)
        let sheet = try #require(read(site.path("Outbox/statements/C1.xlsx")).sheets.first)
        let texts = Set(sheet.texts)
        for item in ["City Hospital", "Client ID: C1", "Accounts Payable", "1 Park Street", "Kolkata 700016",
                     "Tax ID: 19AAACC1234C1Z1", "PO number: PO-4471", "ap@city.example", "Payment terms: 45 days",
                     "Tax: CGST 9 %, SGST 9 %", "Example Teleradiology Pvt Ltd", "billing@example.com",
                     "Pay to: HDFC Bank, IFSC HDFC0000123, account 0012345678"] {
            #expect(texts.contains(item), "the statement lacks \(item)")
        }
        // How to pay is a row of its own across the sheet (A:G), never cut at the column the
        // client's block starts in: printed, the account number was lost (a long instruction).
        let cell = try #require(sheet.cells.first { $0.value.v?.hasPrefix("Pay to: ") == true }?.key)
        #expect(cell.hasPrefix("A"), "\(cell)")
        let xml = try zipEntry(site.path("Outbox/statements/C1.xlsx"), "xl/worksheets/sheet1.xml")
        #expect(xml.contains(#"<mergeCell ref="\#(cell):G\#(cell.dropFirst())"/>"#), "\(xml.suffix(600))")
    }

    @Test func paymentsReduceWhatIsDueAndOverpaymentIsUnappliedCredit() throws {
        let site = try closedSite()
        // C1's INV-2026-000001 is 283.20 INR. P1 pays 100.00 naming it; P2 pays 200.00 naming none:
        // 183.20 settles the invoice, 16.80 is unapplied. Total due = 283.20 − 300.00 = −16.80.
        try site.drop("payments-1.csv", "payment_id,client_id,received_on,amount,currency,reference,invoice\n"
                      + "P1,C1,2026-04-10,100.00,INR,UTR 1 from CITY HOSPITAL after TDS 194J deduction of 10 percent,INV-2026-000001\n"
                      + "P2,C1,2026-04-20,200.00,INR,UTR 2,\n")
        let ok = try site.recon(["ingest"], env: Self.env)
        #expect(ok.code == 0, "\(ok.out)\(ok.err)")
        let statement = try site.recon(["statement", "C1", "--as-of", "2026-04-30", "--json"], env: Self.env)
        // A long reference wraps in its Details cell on a taller row: the amount beside it cut
        // off the part that says why the payment is short; a short one stays on one line.
        let sheet = try PrintedSheet(site.path("Outbox/statements/C1.xlsx"))
        let long = try #require(sheet.cells.first { $0.value.text?.contains("TDS 194J deduction of 10 percent") == true })
        #expect(long.value.wraps && (sheet.rowHeights[PrintedSheet.row(long.key)] ?? 0) >= 30, "\(long) \(sheet.rowHeights)")
        // Its date, reference and amounts at the top of the taller row, beside the details' first
        // line: at its foot they read as the next entry's.
        let rowCells = sheet.cells.filter { PrintedSheet.row($0.key) == PrintedSheet.row(long.key) }
        #expect(rowCells.count >= 6 && rowCells.allSatisfy(\.value.topAligned), "\(rowCells)")
        let short = try #require(sheet.cells.first { $0.value.text?.contains("UTR 2") == true })
        #expect(!short.value.wraps && sheet.rowHeights[PrintedSheet.row(short.key)] == nil, "\(short)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(statement.out.utf8)) as? [String: Any])
        #expect((json["total_due"] as? [String: String])?["INR"] == "-16.80", "\(statement.out)")
        let text = try site.recon(["statement", "C1", "--as-of", "2026-04-30"], env: Self.env)
        #expect(text.out.contains("unapplied credit 16.80"), "\(text.out)")
        // A payment id seen before, or a payment in another currency than the client's invoices: rejected whole.
        try site.drop("payments-2.csv", "payment_id,client_id,received_on,amount,currency,reference,invoice\n"
                      + "P1,C1,2026-04-21,5.00,INR,,\nP3,C2,2026-04-21,5.00,INR,,\n")
        let bad = try site.recon(["ingest"], env: Self.env)
        #expect(bad.code == 2)
        let errors = try site.read("Inbox/rejected/payments-2.csv.errors.txt")
        #expect(errors.contains("line 2, column 1 (payment_id)") && errors.contains("line 3, column 5 (currency)"), "\(errors)")
        // The accepted payments come back from the ledger alone: status, after a fresh read, agrees.
        let status = try site.recon(["status", "--json"], env: ["RECON_NOW": "2026-04-30T09:00:00Z"])
        let s = try #require(try JSONSerialization.jsonObject(with: Data(status.out.utf8)) as? [String: Any])
        let inr = try #require((s["receivables"] as? [String: [String: String]])?["INR"])
        // Across clients, status adds up what clients owe (nothing: C1 is in credit), the credit beside it.
        #expect(inr["total_due"] == "0.00" && inr["unapplied"] == "16.80", "\(inr)")
    }

    /// SPEC §2 lets a price or rate carry 6 decimals: the month closes, each line is rounded
    /// once, and the unit cell shows every decimal the card gave.
    @Test func pricesWithSixDecimalsCloseAndShowEveryDecimal() throws {
        let env = ["RECON_NOW": "2026-11-02T10:00:00Z"]
        let site = try TestSite.oneClient(
            base: "USD", clientCurrency: "USD",
            providerRates: "effective_from,grade,modality,urgency,rate_per_report,rate_per_image,currency\n2026-01-01,*,*,*,10.12345,0.000001,USD\n",
            clientRates: "2026-01-01,*,*,*,*,1,,11.111111,USD,volume\n",
            usage: "u1,2026-10-05T10:00:00Z,Z1,R1,CT,1\nu2,2026-10-06T10:00:00Z,Z1,R1,CT,1\n", env: env)
        #expect(site.exists("Outbox/2026-10/drafts"))
        let close = try site.recon(["close", "2026-10"], env: env)
        #expect(close.code == 0, "\(close.out)\(close.err)")
        // 2 × 11.111111 = 22.222222 → 22.22; payout 2 × 10.12345 = 20.2469 → 20.25 and 2 × 0.000001 → 0.00.
        let invoice = try #require(read(site.path("Outbox/2026-10/invoices/INV-2026-000001.xlsx")).sheets.first)
        let unit = try #require(invoice.cells.values.first { $0.v == "11.111111" })
        #expect(unit.fmt == "#,##0.000000 \"USD\"", "\(unit)")
        #expect(invoice.value(rightOf: "Total due (USD)")?.v == "22.22")
        let ledger = try site.read("Ledger/ledger.jsonl")
        #expect(ledger.contains(#""amount":"20.25""#) && ledger.contains(#""amount":"0.00""#))
    }

    /// SPEC §6 writes decimals without trailing zeros, §7 shows a rate to 6 decimal places:
    /// an INR invoice for a card priced in USD at 83.5 records `"rate":"83.5"` and shows
    /// `1 USD = 83.500000 INR`; 2 × 1.20 USD = 2.40 USD × 83.5 = 200.40 INR.
    @Test func anFXRateIsRecordedWithoutTrailingZerosAndShownToSixPlaces() throws {
        let env = ["RECON_NOW": "2026-11-02T10:00:00Z"]
        let site = try TestSite.oneClient(
            base: "INR", clientCurrency: "INR",
            providerRates: "effective_from,grade,modality,urgency,rate_per_report,currency\n2026-01-01,*,*,*,10,INR\n",
            clientRates: "2026-01-01,*,*,*,*,1,,1.20,USD,volume\n", fx: "2026-10-01,USD,83.5\n",
            usage: "u1,2026-10-05T10:00:00Z,Z1,R1,CT,1\nu2,2026-10-06T10:00:00Z,Z1,R1,CT,1\n", env: env)
        #expect(try site.recon(["close", "2026-10"], env: env).code == 0)
        let invoice = try #require(try site.document("INV-2026-000001"))
        let fx = try #require((invoice["fx"] as? [[String: Any]])?.first)
        #expect(fx["rate"] as? String == "83.5", "\(fx)")
        #expect(invoice["total"] as? String == "200.40")
        let texts = try #require(read(site.path("Outbox/2026-10/invoices/INV-2026-000001.xlsx")).sheets.first).texts
        #expect(texts.contains { $0.hasPrefix("1 USD = 83.500000 INR") }, "\(texts)")
        // Regenerated from that entry, the workbook is the same bytes.
        let original = try Data(contentsOf: URL(fileURLWithPath: site.path("Outbox/2026-10/invoices/INV-2026-000001.xlsx")))
        try FileManager.default.removeItem(atPath: site.path("Outbox/2026-10/invoices/INV-2026-000001.xlsx"))
        #expect(try site.recon(["ingest"], env: env).code == 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: site.path("Outbox/2026-10/invoices/INV-2026-000001.xlsx"))) == original)
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/soffice")))
    func libreOfficeOpensTheInvoice() throws {
        let site = try closedSite()
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/soffice")
        p.arguments = ["-env:UserInstallation=file://" + site.path("lo-profile"), "--headless", "--convert-to", "pdf",
                       "--outdir", site.path("pdf"), site.path("Outbox/2026-03/invoices/INV-2026-000001.xlsx")]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        #expect(site.exists("pdf/INV-2026-000001.pdf"))
    }
}
