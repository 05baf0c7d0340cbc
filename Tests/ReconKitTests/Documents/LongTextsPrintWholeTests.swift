import Crypto
import Foundation
import Testing

@testable import ReconKit

/// SPEC §1–2 let the seller's and the buyer's texts run to 200 characters, and SPEC §7 puts
/// them on the document's first sheet: printed, none is cut by the cell beside it (accounts
/// payable rejects an invoice whose supplier name is truncated). Layout 4 writes each such
/// line across the sheet, wrapped, on a row as tall as it needs; long values wrap in their
/// column; the period of service is two date cells. The statement does the same for its
/// seller and client blocks. Documents of earlier layouts regenerate as they were printed.
@Suite("Documents — long seller and buyer texts print whole", .serialized)
struct LongTextsPrintWholeTests {
    static let env = ["RECON_NOW": "2026-04-02T09:00:00Z"]
    static let legalName = "Northstar Teleradiology and Imaging Services Private Limited, "
        + "a company under the Companies Act 2013 (Bengaluru Diagnostic Reporting Unit)"
    static let address = ["Unit 1204, 12th Floor, Prestige Tech Park, Outer Ring Road, Marathahalli Post, Kadubeesanahalli Village",
                          "Bengaluru 560103, Karnataka, India"]
    static let payTo = "State Bank of India, Commercial Branch, IFSC SBIN0001234, current account 00000012345678901, "
        + "beneficiary Northstar Teleradiology and Imaging Services Private Limited"
    static let po = "4500012345/2026-27/RADIOLOGY-TELE-SVC-01 (blanket order, amendment 3)"
    static let clientName = "Apollo Diagnostics and Multispeciality Hospitals Limited (Accounts Payable Division, South Zone)"
    static let billingLine = "Tower B, 7th Floor, Embassy Golf Links Business Park, Intermediate Ring Road, Domlur, Off Koramangala"
    /// Excel's serial numbers of 2026-03-01 and 2026-03-31 (1970-01-01 is 25569).
    static let march1 = "46082", march31 = "46112"

    static var sellerLines: [String] { [legalName] + address + ["Tax ID: 29ABCDE1234F1Z5"] }

    func closedSite() throws -> TestSite {
        let site = try TestSite()
        #expect(try site.recon(["init", "--name", "long-texts", "--base-currency", "INR", "--timezone", "UTC"], env: Self.env).code == 0)
        let seller = """

            [seller]
            legal_name = "\(Self.legalName)"
            address = [\(Self.address.map { "\"\($0)\"" }.joined(separator: ", "))]
            tax_id = "29ABCDE1234F1Z5"
            payment_instructions = "\(Self.payTo)"

            """
        try (try site.read("recon.toml") + seller).write(toFile: site.path("recon.toml"), atomically: true, encoding: .utf8)
        try site.drop("clients.csv", "client_id,name,currency,contract_type,onboarded_on,max_images_per_case,tax_rate,po_number,billing_address\n"
                      + "C1,\"\(Self.clientName)\",INR,standard,2020-01-01,5,18,\"\(Self.po)\",\"Accounts Payable | \(Self.billingLine) | Bengaluru 560071\"\n")
        try site.drop("radiologists.csv", EndToEndTests.radiologists)
        try site.drop("provider_rates.csv", EndToEndTests.providerRates)
        try site.drop("client_rates.csv", EndToEndTests.clientRates)
        try site.drop("usage-2026-03.csv", "report_id,reported_at,client_id,radiologist_id,modality,image_count,urgency\n"
                      + "R1,2026-03-02T10:00:00Z,C1,D1,CT,2,routine\n")
        let ingest = try site.recon(["ingest"], env: Self.env)
        #expect(ingest.code == 0, "\(ingest.out)\(ingest.err)")
        let close = try site.recon(["close", "2026-03"], env: Self.env)
        #expect(close.code == 0, "\(close.out)\(close.err)")
        return site
    }

    /// `line` is in column A, merged across `A:last` with wrapping, on a row tall enough for
    /// it at `width` characters a line at best, and no other cell shares its row.
    func expectWhole(_ line: String, in sheet: PrintedSheet, across last: String, width: Double,
                     sourceLocation: SourceLocation = #_sourceLocation) {
        guard let ref = sheet.reference(of: line) else {
            Issue.record("no cell holds \(line)", sourceLocation: sourceLocation)
            return
        }
        let row = PrintedSheet.row(ref)
        #expect(sheet.merge(at: ref) == "\(ref):\(last)\(row)", "\(ref) \(sheet.merges)", sourceLocation: sourceLocation)
        #expect(sheet.cells[ref]?.wraps == true, "\(ref) does not wrap", sourceLocation: sourceLocation)
        #expect(sheet.height(ofRow: row) >= 15 * (Double(line.count) / width).rounded(.up), "row \(row): \(line.count) characters",
                sourceLocation: sourceLocation)
    }

    /// No cell of the document's label column (C) shares a row with a seller line.
    @Test func theSellerAndTheBuyerPrintWholeOnEveryIssuedDocument() throws {
        let site = try closedSite()
        let key = try site.operatorKey("asha", listed: true)
        let reason = "Goodwill credit agreed with the client's radiology head for the reports of March that were "
            + "delivered after the agreed turnaround time because of the network outage at the Bengaluru data centre"
        let credit = try site.recon(["credit", "INV-2026-000001", "--amount", "10.00", "--reason", reason, "--key", key],
                                    env: TestSite.rerunDay)
        #expect(credit.code == 0, "\(credit.err)")
        let invoice = try PrintedSheet(site.path("Outbox/2026-03/invoices/INV-2026-000001.xlsx"))
        let creditNote = try PrintedSheet(site.path("Outbox/2026-03/credit-notes/CN-2026-000001.xlsx"))
        let payout = try PrintedSheet(site.path("Outbox/2026-03/payouts/PAY-2026-000001.xlsx"))
        for sheet in [invoice, creditNote, payout] {
            for line in Self.sellerLines {
                expectWhole(line, in: sheet, across: "D", width: 99)
                let row = sheet.reference(of: line).map(PrintedSheet.row)
                let labels = sheet.cells.filter { PrintedSheet.column($0.key) == "C" && $0.value.text != nil }.keys
                #expect(!labels.contains { PrintedSheet.row($0) == row }, "\(line)")
            }
        }
        for sheet in [invoice, creditNote] {
            expectWhole(Self.clientName, in: sheet, across: "D", width: 99)
            expectWhole(Self.billingLine, in: sheet, across: "D", width: 99)
            expectWhole("PO number: \(Self.po)", in: sheet, across: "D", width: 99)
        }
        expectWhole(Self.payTo, in: invoice, across: "D", width: 99)
        expectWhole("Any balance still due is payable to: \(Self.payTo)", in: creditNote, across: "D", width: 99)
        expectWhole("Reason: \(reason)", in: creditNote, across: "D", width: 99)
    }

    /// A value longer than its column (25 characters) wraps in it, on a row as tall as it needs.
    /// The drafts' summary and the margin summary's `By client` printed a long client name cut
    /// at 28 characters, into the currency beside it ("…Service dEUR"). It wraps now, in a
    /// column up to 40 wide, on a row tall enough for it.
    @Test func aLongClientNamePrintsWholeOnTheDraftsAndTheMarginSummary() throws {
        let site = try closedSite()
        try site.drop("usage-2026-04.csv", "report_id,reported_at,client_id,radiologist_id,modality,image_count,urgency\n"
                      + "R2,2026-04-01T10:00:00Z,C1,D1,CT,2,routine\n")
        #expect(try site.recon(["ingest"], env: Self.env).code == 0)
        for (path, sheet) in [("Outbox/2026-04/drafts/invoices.xlsx", 1), ("Outbox/margin-summary.xlsx", 2)] {
            let printed = try PrintedSheet(site.path(path), sheet: sheet)
            let ref = try #require(printed.reference(of: Self.clientName), "\(path)")
            #expect(printed.cells[ref]?.wraps == true, "\(path)")
            // 40 characters (the file gives the width with the cell's padding, 40.71).
            #expect((40...41).contains(printed.columnWidths["B"] ?? 0), "\(path): \(printed.columnWidths)")
            // 96 characters at 32 a line (a 40-wide column's worst case), broken between words:
            // "Apollo Diagnostics and" / "Multispeciality Hospitals" / "Limited (Accounts Payable" /
            // "Division, South Zone)" — four lines of 15 points.
            #expect(printed.rowHeights[PrintedSheet.row(ref)] == 60, "\(path): \(printed.rowHeights)")
        }
    }

    /// recon.toml deleted (not restored with the site) after invoices went out with the seller's
    /// details: the next close issued final invoices without them, unsaid. Refused, nothing
    /// appended; a recon.toml kept without `[seller]` says the site means it, and closes.
    @Test func aCloseWithRecontomlGoneRefusesToIssueWithoutTheSeller() throws {
        let site = try closedSite()
        try site.drop("usage-2026-04.csv", "report_id,reported_at,client_id,radiologist_id,modality,image_count,urgency\n"
                      + "R2,2026-04-01T10:00:00Z,C1,D1,CT,2,routine\n")
        #expect(try site.recon(["ingest"], env: Self.env).code == 0)
        let kept = try site.read("recon.toml")
        try FileManager.default.removeItem(atPath: site.path("recon.toml"))
        let may = ["RECON_NOW": "2026-05-01T09:00:00Z"]
        let before = try site.ledgerBytes()
        // `recon status` says so before the close, as a blocker of the open month (it said
        // "ready to close").
        let status = try site.recon(["status"], env: may)
        #expect(status.out.contains("  not ready to close: \(site.path("recon.toml")) is missing, and with it the [seller]")
            && !status.out.contains("  ready to close"), "\(status.out)")
        #expect(try site.recon(["status", "--json"], env: may).out.contains(#""blocking":[""# + site.path("recon.toml") + " is missing"))
        let close = try site.recon(["close", "2026-04"], env: may)
        #expect(close.code == 3 && close.err.contains("is missing, and with it the [seller] that INV-2026-000001"), "\(close.err)")
        #expect(try site.ledgerBytes() == before)
        try Data().write(to: URL(fileURLWithPath: site.path("recon.toml")))  // emptied, as an editor killed mid-save leaves it
        let emptied = try site.recon(["close", "2026-04"], env: may)
        #expect(emptied.code == 3 && emptied.err.contains("is empty, and with it the [seller]"), "\(emptied.err)")
        #expect(try site.ledgerBytes() == before)
        let withoutSeller = kept.components(separatedBy: "[seller]").first ?? kept
        try withoutSeller.write(toFile: site.path("recon.toml"), atomically: true, encoding: .utf8)
        #expect(try site.recon(["status"], env: may).out.contains("  ready to close"))
        #expect(try site.recon(["close", "2026-04"], env: may).code == 0)
        // That month's invoice went out without a seller; the file lost now still refuses: March's
        // carried one (the check had looked at the latest invoice only).
        try site.drop("usage-2026-05.csv", "report_id,reported_at,client_id,radiologist_id,modality,image_count,urgency\n"
                      + "R3,2026-05-01T10:00:00Z,C1,D1,CT,2,routine\n")
        let june = ["RECON_NOW": "2026-06-01T09:00:00Z"]
        #expect(try site.recon(["ingest"], env: june).code == 0)
        try FileManager.default.removeItem(atPath: site.path("recon.toml"))
        let afterOne = try site.ledgerBytes()
        let lost = try site.recon(["close", "2026-05"], env: june)
        #expect(lost.code == 3 && lost.err.contains("is missing, and with it the [seller] that INV-2026-000001 carries"), "\(lost.err)")
        #expect(try site.ledgerBytes() == afterOne)
    }

    @Test func aLongPONumberPrintsWholeBesideItsLabel() throws {
        let site = try closedSite()
        let invoice = try PrintedSheet(site.path("Outbox/2026-03/invoices/INV-2026-000001.xlsx"))
        let label = try #require(invoice.reference(of: "PO number"))
        #expect(PrintedSheet.column(label) == "C")
        let value = try #require(invoice.cell(rightOf: label))
        #expect(value.text == Self.po && value.wraps, "\(value)")
        #expect(invoice.height(ofRow: PrintedSheet.row(label)) >= 15 * (Double(Self.po.count) / 25).rounded(.up))
    }

    /// SPEC §7: dates are date cells — the period of service too, as its first and last day.
    @Test func thePeriodOfServiceIsTwoDateCells() throws {
        let site = try closedSite()
        let invoice = try PrintedSheet(site.path("Outbox/2026-03/invoices/INV-2026-000001.xlsx"))
        let from = try #require(invoice.reference(of: "Period of service").flatMap(invoice.cell(rightOf:)))
        #expect(from.number == Self.march1 && from.numberFormat == "yyyy-mm-dd", "\(from)")
        let to = try #require(invoice.reference(of: "to").flatMap(invoice.cell(rightOf:)))
        #expect(to.number == Self.march31 && to.numberFormat == "yyyy-mm-dd", "\(to)")
        #expect(!invoice.cells.values.contains { $0.text?.contains("2026-03-01 to") == true })
        #expect(try site.read("Ledger/ledger.jsonl").contains(#""layout":16"#))
    }

    /// The statement: the seller across A:C, the client across D:G, each wrapped, the row as
    /// tall as the longer of the two needs.
    @Test func theStatementPrintsTheSellerAndTheClientWhole() throws {
        let site = try closedSite()
        #expect(try site.recon(["statement", "C1"], env: TestSite.rerunDay).code == 0)
        let sheet = try PrintedSheet(site.path("Outbox/statements/C1.xlsx"))
        for line in Self.sellerLines { expectWhole(line, in: sheet, across: "C", width: 42) }
        let buyer = ["Client ID: C1", "Accounts Payable", Self.billingLine, "Bengaluru 560071", "PO number: \(Self.po)"]
        for (i, line) in buyer.enumerated() {
            let ref = try #require(sheet.reference(of: line), "\(line)")
            #expect(PrintedSheet.column(ref) == "D")
            let row = PrintedSheet.row(ref)
            #expect(sheet.merge(at: ref) == "\(ref):G\(row)" && sheet.cells[ref]?.wraps == true, "\(line)")
            let seller = i + 1 < Self.sellerLines.count ? Self.sellerLines[i + 1].count : 0
            let lines = max((Double(line.count) / 81).rounded(.up), (Double(seller) / 42).rounded(.up))
            #expect(sheet.height(ofRow: row) >= 15 * lines, "row \(row)")
        }
        let name = try #require(sheet.reference(of: Self.clientName))
        #expect(sheet.merge(at: name) == "\(name):G\(PrintedSheet.row(name))")
    }

    /// Japanese text prints two digit-widths a character: a 70-character address line in the
    /// invoice's 75-character line needs two lines, and was given one (its row counted
    /// characters), the merged row never grew, and the end of the address was cut. The
    /// statement's client block the same; its account lines wrap between words as they print.
    @Test func wideTextIsGivenTheLinesItPrintsOn() throws {
        let site = try TestSite()
        #expect(try site.recon(["init", "--name", "wide-texts", "--base-currency", "INR", "--timezone", "UTC"], env: Self.env).code == 0)
        let address = String(repeating: "東京都千代田区丸の内", count: 7)
        try (try site.read("recon.toml") + "\n[seller]\nlegal_name = \"株式会社ノーススター遠隔画像診断\"\naddress = [\"\(address)\"]\n"
             + "payment_instructions = \"三井住友銀行 丸の内支店 普通預金 1234567\"\n")
            .write(toFile: site.path("recon.toml"), atomically: true, encoding: .utf8)
        try site.drop("clients.csv", "client_id,name,currency,contract_type,onboarded_on,max_images_per_case,tax_rate,billing_address\n"
                      + "C1,医療法人社団東京,INR,standard,2020-01-01,5,18,\"\(address)\"\n")
        try site.drop("radiologists.csv", EndToEndTests.radiologists)
        try site.drop("provider_rates.csv", EndToEndTests.providerRates)
        try site.drop("client_rates.csv", EndToEndTests.clientRates)
        try site.drop("usage-2026-03.csv", "report_id,reported_at,client_id,radiologist_id,modality,image_count,urgency\n"
                      + "R1,2026-03-02T10:00:00Z,C1,D1,CT,2,routine\n")
        #expect(try site.recon(["ingest"], env: Self.env).code == 0)
        #expect(try site.recon(["close", "2026-03"], env: Self.env).code == 0)
        let invoice = try PrintedSheet(site.path("Outbox/2026-03/invoices/INV-2026-000001.xlsx"))
        let refs = invoice.cells.filter { $0.value.text == address }.map(\.key)
        #expect(refs.count == 2, "\(refs)")  // the seller's line and the client's billing address
        for ref in refs { #expect(invoice.height(ofRow: PrintedSheet.row(ref)) >= 30, "\(ref): \(invoice.rowHeights)") }
        #expect(try site.recon(["statement", "C1"], env: TestSite.rerunDay).code == 0)
        let statement = try PrintedSheet(site.path("Outbox/statements/C1.xlsx"))
        // 140 widths: in the client's block (D:G, 60 a line) three lines, in the seller's (A:C, 28 a line) five.
        let lines = ["A": 5.0, "D": 3.0]
        let wide = statement.cells.filter { $0.value.text == address }.map(\.key)
        #expect(wide.count == 2, "\(wide)")
        for ref in wide {
            #expect(statement.height(ofRow: PrintedSheet.row(ref)) >= 15 * (lines[PrintedSheet.column(ref)] ?? 9), "\(ref): \(statement.rowHeights)")
        }
    }

    /// `Tests/Fixtures/invoice-layout3`: an invoice issued in layout 3 (seller block beside the
    /// document's labels, period of service as text) and its entry. It regenerates byte for byte.
    @Test func anInvoiceOfLayoutThreeRegeneratesAsPrinted() throws {
        let fixture = try DocumentFixture("invoice-layout3", seq: 7, kind: "invoice.issued")
        let record = try DocumentRecord(entry: fixture.entry)
        #expect(record.layout == 3)
        try withTemporaryFolder { folder in
            let regenerated = try fixture.regenerated(record, in: folder, as: "again.xlsx")
            #expect(regenerated == (try fixture.printed("INV-2026-000001.xlsx")))
            #expect(Hex.string(SHA256.hash(data: regenerated)) == fixture.entry.body["sha256"]?.stringValue)
        }
    }
}
