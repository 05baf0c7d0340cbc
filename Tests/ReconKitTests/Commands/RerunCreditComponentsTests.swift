import Foundation
import Testing

/// A rerun's credit note for what remains of an invoice already credited lists that invoice's
/// tax components only. Computed over every document of the client's period, it also listed
/// the components of an earlier invoice reversed whole (CGST and SGST at 0.00 beside the
/// IGST invoice it credits): wrong paperwork for a GST credit note, though it netted out.
struct RerunCreditComponentsTests {
    static let gstSplit = """
        client_id,name,currency,contract_type,onboarded_on,max_images_per_case,tax_rate,tax_components
        C1,City Hospital,INR,standard,2020-01-01,10,18,CGST:9;SGST:9
        """
    static let igst = """
        client_id,name,currency,contract_type,onboarded_on,max_images_per_case,tax_rate,tax_components
        C1,City Hospital,INR,standard,2020-01-01,10,12,IGST:12
        """
    static let lowerPrice = """
        effective_from,client_id,contract_type,modality,urgency,tier_from,tier_to,unit_price,currency,tier_mode
        2026-03-01,*,*,*,*,1,,90.00,INR,volume
        """

    @Test func theRemainderOfAnIGSTInvoiceIsCreditedAsIGSTOnly() throws {
        let site = try TestSite.marchSite()
        try site.drop("clients-gst.csv", Self.gstSplit)
        #expect(try site.recon(["ingest"], env: TestSite.closeDay).code == 0)
        #expect(try site.recon(["close", "2026-03"], env: TestSite.closeDay).code == 0)
        let asha = try site.operatorKey("asha", listed: true)
        try site.drop("clients-igst.csv", Self.igst)
        #expect(try site.recon(["ingest"], env: TestSite.rerunDay).code == 0)
        // A correction of March's terms: asked for with `--terms now` (a rerun bills on the
        // terms its month closed with otherwise).
        let toIGST = try site.recon(["rerun", "2026-03", "--reason", "tax to IGST", "--key", asha, "--terms", "now"], env: TestSite.rerunDay)
        #expect(toIGST.code == 0, "\(toIGST.err)")
        // C1's three March reports at 100.00: 300.00 + IGST 12 % 36.00 = 336.00.
        let igstInvoice = try #require(try site.bodies("invoice.issued").last { $0["client_id"] as? String == "C1" })
        let number = try #require(igstInvoice["number"] as? String)
        #expect(igstInvoice["total"] as? String == "336.00")
        let credit = try site.recon(["credit", number, "--amount", "11.20", "--reason", "goodwill", "--key", asha], env: TestSite.rerunDay)
        #expect(credit.code == 0, "\(credit.err)")
        try site.drop("client_rates-2026-03-lower.csv", Self.lowerPrice)
        #expect(try site.recon(["ingest"], env: TestSite.rerunDay).code == 0)
        // A later rerun bills on the terms the correction recorded: IGST, not March's CGST and SGST.
        let price = try site.recon(["rerun", "2026-03", "--reason", "price", "--key", asha], env: TestSite.rerunDay)
        #expect(price.code == 0, "\(price.err)")

        // What remains of it: 336.00 − 11.20 = 324.80, of which IGST 36.00 − 1.20 = 34.80.
        let reversal = try #require(try site.bodies("credit_note.issued").last { ($0["refers_to"] as? String) == number
            || ($0["refers_to"] as? [String])?.contains(number) == true })
        let taxes = try #require(reversal["taxes"] as? [[String: Any]])
        #expect(taxes.map { $0["name"] as? String } == ["IGST"], "\(taxes)")
        #expect(taxes.first?["amount"] as? String == "34.80")
        #expect(reversal["subtotal"] as? String == "290.00" && reversal["total"] as? String == "324.80", "\(reversal)")
        #expect(try site.recon(["verify"], env: TestSite.rerunDay).code == 0)
        site.expectAuditorAccepts()
    }
}

/// A rejected drop lists every problem of a row at once (SPEC §2, up to 1,000): a decisions or
/// payments row with a field wrong did not have its subject or client looked for, so the
/// clerk fixed the file and was rejected a second time.
struct EveryProblemOfARowAtOnceTests {
    @Test func aDecisionOrPaymentRowWithAFieldWrongStillHasItsSubjectOrClientChecked() throws {
        let site = try TestSite.marchSite()
        try site.drop("decisions.csv", "subject,decision,by\nNOPE1,approve,\nNOPE2,maybe,Ann\nR2,maybe,Ann\n")
        try site.drop("payments.csv", "payment_id,client_id,received_on,amount,currency\nP1,C9,2026-03-01,abc,INR\nP2,C1,2026-03-01,abc,INR\n")
        #expect(try site.recon(["ingest"], env: TestSite.closeDay).code == 2)
        let decisions = try site.read("Inbox/rejected/decisions.csv.errors.txt")
        #expect(decisions.contains("line 2, column 3 (by)"), "\(decisions)")
        #expect(decisions.contains("line 2, column 1 (subject): \"NOPE1\" is neither a flag id nor a report id"), "\(decisions)")
        #expect(decisions.contains("line 3, column 1 (subject): \"NOPE2\" is neither"), "\(decisions)")
        #expect(!decisions.contains("\"R2\" is neither"), "a known subject is not named: \(decisions)")
        let payments = try site.read("Inbox/rejected/payments.csv.errors.txt")
        #expect(payments.contains("line 2, column 4 (amount)"), "\(payments)")
        #expect(payments.contains("line 2, column 2 (client_id)") && payments.contains("C9"), "\(payments)")
        #expect(!payments.contains("line 3, column 2"), "a known client is not named: \(payments)")
    }

    /// A payment naming an invoice that is not its client's, in a currency that is not the
    /// client's either: both said (only the invoice was).
    @Test func aPaymentNamingAnotherInvoiceInAnotherCurrencyHasBothSaid() throws {
        let site = try TestSite.marchSite()
        #expect(try site.recon(["close", "2026-03"], env: TestSite.closeDay).code == 0)
        try site.drop("payments.csv", "payment_id,client_id,received_on,amount,currency,invoice\nP1,C1,2026-04-01,5,USD,INV-2026-000002\n")
        #expect(try site.recon(["ingest"], env: TestSite.rerunDay).code == 2)
        let errors = try site.read("Inbox/rejected/payments.csv.errors.txt")
        #expect(errors.contains("INV-2026-000002 is not an invoice issued to C1"), "\(errors)")
        #expect(errors.contains("USD is not C1's invoice currency INR"), "\(errors)")
    }
}
