import Foundation
import Testing

@testable import ReconKit

/// A close's invoice to a client whose account holds credit (a payment beyond its invoices, or
/// made before any): it asked for its whole total, which the statement showed paid already,
/// while a rerun's invoice in the same place said what was left. C1's March: R1–R3 at 100.00,
/// 18 % tax: 300.00 + 54.00 = 354.00 INR, due 2026-04-02 + 30 days = 2026-05-02.
struct InvoiceToAClientInCreditTests {
    static func marchWithPayment(_ amount: String) throws -> TestSite {
        let site = try TestSite.marchSite()
        try site.drop("payments-1.csv", "payment_id,client_id,received_on,amount,currency,reference\nP1,C1,2026-03-30,\(amount),INR,cheque 5\n")
        #expect(try site.recon(["ingest"], env: TestSite.closeDay).code == 0)
        #expect(try site.recon(["close", "2026-03"], env: TestSite.closeDay).code == 0)
        return site
    }

    static let may = ["RECON_NOW": "2026-05-01T09:00:00Z"]

    /// March closed with `paid` received before it, C1's terms then cut to 0 days, and April
    /// (R6, 100.00 + 18 % = 118.00) closed on 2026-05-01: April's invoice falls due before March's.
    static func aprilAfterTermsCut(paid: String) throws -> (site: TestSite, april: [String: Any], texts: [String]) {
        let site = try marchWithPayment(paid)
        try site.drop("clients-terms.csv", "client_id,name,currency,contract_type,onboarded_on,max_images_per_case,tax_rate,payment_terms_days\n"
                      + "C1,City Hospital,INR,standard,2020-01-01,10,18,0\n")
        try site.drop("usage-2026-04.csv", TestSite.april)
        #expect(try site.recon(["ingest"], env: may).code == 0)
        #expect(try site.recon(["close", "2026-04"], env: may).code == 0)
        let april = try #require(try site.bodies("invoice.issued").first { $0["client_id"] as? String == "C1" && $0["period"] as? String == "2026-04" })
        let number = try #require(april["number"] as? String)
        return (site, april, try PrintedSheet(site.path("Outbox/2026-04/invoices/\(number).xlsx")).cells.values.compactMap(\.text))
    }

    static func texts(_ site: TestSite) throws -> [String] {
        try PrintedSheet(site.path("Outbox/2026-03/invoices/INV-2026-000001.xlsx")).cells.values.compactMap(\.text)
    }

    /// 200.00 of credit: 354.00 − 200.00 = 154.00 to pay, what the statement shows open.
    @Test func anInvoiceAsksForItsTotalLessTheAccountsCredit() throws {
        let site = try Self.marchWithPayment("200.00")
        let invoice = try #require(try site.bodies("invoice.issued").first { $0["client_id"] as? String == "C1" })
        #expect(invoice["total"] as? String == "354.00" && invoice["credit_applied"] as? String == "200.00"
                && invoice["account_credit"] == nil, "\(invoice)")
        let texts = try Self.texts(site)
        #expect(texts.contains("Please pay 154.00 INR by 2026-05-02, quoting INV-2026-000001: its total, 354.00 INR, less 200.00 INR "
            + "of your account's credit (payments beyond your earlier invoices)."), "\(texts.filter { $0.contains("pay") })")
        // In its head too (layout 15): the total closing page 1 read as the amount due.
        #expect(texts.contains("With your account's credit set against it, 154.00 INR is left to pay on this invoice by 2026-05-02 "
            + "(see Payment)."), "\(texts.filter { $0.contains("pay") })")
        let statement = try site.recon(["statement", "C1"], env: TestSite.closeDay)
        #expect(statement.code == 0 && statement.out.contains("total due: 154.00 INR"), "\(statement.out)")
        // The other client has no payment: its invoice asks for its total, as ever.
        let other = try PrintedSheet(site.path("Outbox/2026-03/invoices/INV-2026-000002.xlsx")).cells.values.compactMap(\.text)
        #expect(other.contains("Please pay 100.00 INR by 2026-05-02, quoting INV-2026-000002."), "\(other.filter { $0.contains("pay") })")
        site.expectAuditorAccepts()
    }

    /// C1's terms cut to 0 days after March closed (March's 354.00 less 200.00 of credit, due
    /// 2026-05-02): April's invoice (R6, 100.00 + 18 % = 118.00), closed 2026-05-01, falls due
    /// first, and the statement sets the credit on it — 118.00, nothing to pay — and the 82.00 left
    /// on March's, 354.00 − 82.00 = 272.00 open where it asked for 154.00. Both invoices said "less
    /// 200.00" and asked for 154.00 + 0.00 where 272.00 is due; April's names March's change.
    @Test func anInvoiceThatTakesTheCreditFromAnEarlierOneSaysSo() throws {
        let (site, april, texts) = try Self.aprilAfterTermsCut(paid: "200.00")
        // Not credit (layout 15): the statement showed 154.00 owed before April; P1 had paid March, due after April now.
        #expect(texts.contains("Nothing to pay on this invoice: 118.00 INR of your payments that had been set against your invoices "
            + "falling due after this one (see below) covers its total, 118.00 INR.") && texts.contains(RerunTermsTests.changedLine("invoice",
                "INV-2026-000001 (2026-03) 272.00 INR to pay (154.00 INR before)")), "\(texts.filter { $0.contains("pay") })")
        #expect(texts.contains("With your payments set against it, nothing is left to pay on this invoice; what your other invoices "
            + "leave to pay changes with it (see Payment)."), "\(texts.filter { $0.contains("pay") })")
        #expect(april["credit_applied"] as? String == "118.00" && april["credit_moved"] as? String == "118.00", "\(april)")
        // Paid before the older March invoice: not "oldest first" (layout 15), in the order they fall due.
        #expect(texts.contains("Your account statement sets every payment against the invoice it names, then against your invoices "
            + "in the order they fall due, and gives the balance of them all.") && !texts.contains { $0.contains("oldest first") },
                "\(texts.filter { $0.contains("statement") })")
        let statement = try site.recon(["statement", "C1"], env: Self.may)
        #expect(statement.code == 0 && statement.out.contains("total due: 272.00 INR"), "\(statement.out)")
        site.expectAuditorAccepts()
    }

    /// 500.00 of credit covers 354.00: nothing to pay, 146.00 left in credit.
    @Test func anInvoiceTheCreditCoversAsksForNothing() throws {
        let site = try Self.marchWithPayment("500.00")
        let texts = try Self.texts(site)
        #expect(texts.contains("Nothing to pay on this invoice: 354.00 INR of your account's credit (payments beyond your earlier "
            + "invoices) covers its total, 354.00 INR.") && texts.contains(RerunTermsTests.creditLine("146.00 INR")),
                "\(texts.filter { $0.contains("pay") || $0.contains("credit") })")
        #expect(texts.contains("With your account's credit set against it, nothing is left to pay on this invoice (see Payment)."),
                "\(texts.filter { $0.contains("pay") })")
        site.expectAuditorAccepts()
    }

    /// Credit partly from payments beyond every invoice, partly from one that paid an invoice
    /// now falling due later: C1 pays 400.00 for March (354.00, 46.00 over), and its terms are
    /// cut to 0 days; April's 118.00 takes the 46.00 of credit and 72.00 off March's, 72.00 open
    /// on it. The invoice tells the two apart.
    @Test func anInvoiceTellsCreditApartFromPaymentsMovedOffALaterInvoice() throws {
        let (site, april, texts) = try Self.aprilAfterTermsCut(paid: "400.00")
        #expect(april["credit_applied"] as? String == "118.00" && april["credit_moved"] as? String == "72.00", "\(april)")
        #expect(texts.contains("Nothing to pay on this invoice: 118.00 INR of your payments: 46.00 INR of your account's credit (payments "
            + "beyond your earlier invoices) and 72.00 INR that had been set against your invoices falling due after this one (see "
            + "below) covers its total, 118.00 INR."), "\(texts.filter { $0.contains("pay") })")
        let statement = try site.recon(["statement", "C1"], env: Self.may)
        #expect(statement.code == 0 && statement.out.contains("total due: 72.00 INR"), "\(statement.out)")
        site.expectAuditorAccepts()
    }

    /// A client the close issued nothing for March (no report then), with 300.00 paid ahead: a
    /// late report (100.00, no tax) and a rerun issue its first March invoice, which asked for
    /// 100.00 while saying, beside it, that the account held 200.00 in credit once it was paid.
    @Test func aRerunsFirstInvoiceToAClientInCreditAsksForWhatIsLeft() throws {
        let site = try TestSite.marchSite(march: TestSite.trustMarch.replacingOccurrences(of: "\nR4,2026-03-05T10:00:00Z,C2,D2,CT,1", with: ""))
        try site.drop("payments-1.csv", "payment_id,client_id,received_on,amount,currency,reference\nP1,C2,2026-03-30,300.00,INR,advance\n")
        #expect(try site.recon(["ingest"], env: TestSite.closeDay).code == 0)
        #expect(try site.recon(["close", "2026-03"], env: TestSite.closeDay).code == 0)
        #expect(try site.bodies("invoice.issued").allSatisfy { $0["client_id"] as? String == "C1" })
        let key = try site.operatorKey("asha", listed: true)
        try site.drop("usage-late.csv", "report_id,reported_at,client_id,radiologist_id,modality,image_count\nR9,2026-03-20T10:00:00Z,C2,D2,CT,1\n")
        #expect(try site.recon(["ingest"], env: TestSite.rerunDay).code == 3)
        let rerun = try site.recon(["rerun", "2026-03", "--reason", "late report", "--key", key], env: TestSite.rerunDay)
        #expect(rerun.code == 0, "\(rerun.out)\(rerun.err)")
        let invoice = try #require(try site.bodies("invoice.issued").first { $0["client_id"] as? String == "C2" })
        #expect(invoice["credit_applied"] as? String == "100.00" && invoice["paid_before"] == nil && invoice["credit_moved"] == nil, "\(invoice)")
        let number = try #require(invoice["number"] as? String)
        let texts = try PrintedSheet(site.path("Outbox/2026-03/invoices/\(number).xlsx")).cells.values.compactMap(\.text)
        #expect(texts.contains("Nothing to pay on this invoice: 100.00 INR of your account's credit (payments beyond your earlier "
            + "invoices) covers its total, 100.00 INR.") && texts.contains(RerunTermsTests.creditLine("200.00 INR"))
                && !texts.contains { $0.hasPrefix("Please pay") }, "\(texts.filter { $0.contains("pay") || $0.contains("credit") })")
        let statement = try site.recon(["statement", "C2"], env: TestSite.rerunDay)
        #expect(statement.code == 0 && statement.out.contains("total due: -200.00 INR"), "\(statement.out)")
        site.expectAuditorAccepts()
    }
}
