import Foundation
import Testing

/// Anyone who can write the site folder can put another bank account in `recon.toml`: the next
/// close printed it on every invoice and nothing said so. The first command that issues to a
/// client with payment instructions other than those the last invoice or credit note printed
/// says both; the next one, issuing with the same, says nothing.
struct ChangedPaymentInstructionsTests {
    static func seller(_ account: String) -> String {
        "\n[seller]\nlegal_name = \"Example Teleradiology Pvt Ltd\"\npayment_instructions = \"HDFC Bank, account \(account)\"\n"
    }

    @Test func changedPaymentInstructionsAreSaidOnceByTheNextCommandThatIssues() throws {
        let site = try TestSite.marchSite()
        let config = try site.read("recon.toml")
        try (config + Self.seller("0012345678")).write(toFile: site.path("recon.toml"), atomically: true, encoding: .utf8)
        let march = try site.recon(["close", "2026-03"], env: TestSite.closeDay)
        #expect(march.code == 0 && !march.err.contains("payment instructions"), "\(march.err)")
        try (config + Self.seller("9999999999")).write(toFile: site.path("recon.toml"), atomically: true, encoding: .utf8)
        try site.drop("usage-2026-04.csv", TestSite.april)
        #expect(try site.recon(["ingest"], env: TestSite.aprilLater).code == 0)
        let may = ["RECON_NOW": "2026-05-02T09:00:00Z"]
        let april = try site.recon(["close", "2026-04"], env: may)
        #expect(april.code == 0 && april.err.contains("the seller's payment instructions in recon.toml ([seller] payment_instructions) "
            + "are not those INV-2026-000002, the last document issued to a client, printed: these documents print \u{201C}HDFC Bank, "
            + "account 9999999999\u{201D}, where it printed \u{201C}HDFC Bank, account 0012345678\u{201D}"), "\(april.err)")
        let key = try site.operatorKey("asha", listed: true, env: may)
        let credit = try site.recon(["credit", "INV-2026-000003", "--amount", "1.00", "--reason", "goodwill", "--key", key], env: may)
        #expect(credit.code == 0 && !credit.err.contains("payment instructions"), "\(credit.out)\(credit.err)")
        site.expectAuditorAccepts()
    }

    /// The seller's legal name and tax ID changed between the close and a rerun: the rerun's
    /// credit note reversed the old entity's invoice under the new entity's name and GSTIN, and
    /// nothing said so. Said as the bank is, once, naming both.
    @Test func aChangedSellerIdentityIsSaidByTheNextCommandThatIssues() throws {
        let site = try TestSite.marchSite()
        let config = try site.read("recon.toml")
        func seller(_ name: String, _ taxId: String) -> String {
            "\n[seller]\nlegal_name = \"\(name)\"\ntax_id = \"\(taxId)\"\npayment_instructions = \"HDFC Bank, account 0012345678\"\n"
        }
        try (config + seller("Example Teleradiology Pvt Ltd", "29ABCDE1234F1Z5")).write(toFile: site.path("recon.toml"), atomically: true, encoding: .utf8)
        let march = try site.recon(["close", "2026-03"], env: TestSite.closeDay)
        #expect(march.code == 0 && !march.err.contains("legal name or tax ID"), "\(march.err)")
        try (config + seller("Other Legal Entity Ltd", "27ZZZZZ9999Z9Z9")).write(toFile: site.path("recon.toml"), atomically: true, encoding: .utf8)
        let key = try site.operatorKey("asha", listed: true)
        let credit = try site.recon(["credit", "INV-2026-000001", "--amount", "1.00", "--reason", "goodwill", "--key", key], env: TestSite.rerunDay)
        #expect(credit.code == 0 && credit.err.contains("the seller's legal name or tax ID in recon.toml ([seller] legal_name, tax_id) are "
            + "not those INV-2026-000002, the last document issued to a client, printed: these documents name \u{201C}Other Legal Entity "
            + "Ltd\u{201D}, tax ID 27ZZZZZ9999Z9Z9, where it named \u{201C}Example Teleradiology Pvt Ltd\u{201D}, tax ID 29ABCDE1234F1Z5"),
                "\(credit.out)\(credit.err)")
        site.expectAuditorAccepts()
    }
}
