import Foundation
import Testing

@testable import ReconKit

/// A rerun reprices a closed month with the cards in force now (SPEC §5), but bills each party
/// under the terms its month closed with: a clients drop after the close (another tax rate, a
/// lower image limit, a new PO) and a radiologist's later seniority are not the terms of
/// supplies already invoiced. A late report for one client re-taxed, re-flagged and reissued
/// every other client's month.
@Suite("Reruns — parties as their month closed", .serialized)
struct RerunTermsTests {
    static let march = ["RECON_NOW": "2026-03-05T06:00:00Z"]
    static let closeDay = ["RECON_NOW": "2026-04-01T06:00:00Z"]
    static let april = ["RECON_NOW": "2026-04-10T06:00:00Z"]

    /// March: C1 (18 % as CGST 9 + SGST 9, 9 images a case, PO-MARCH) and C2 (no tax), D1 with 4
    /// years' seniority; 100.00 a report; D1 paid 50.00 a report, 90.00 from 5 years. A1 (C1, 3
    /// images) and B1 (C2). Closed: INV C1 = 100.00 + 9.00 + 9.00 = 118.00, INV C2 = 100.00,
    /// PAY D1 = 2 × 50.00 = 100.00. Then in April: C1 at 12 % with 2 images a case and PO-APRIL,
    /// D1 at 5 years, and a late March report B2 for C2 (held).
    /// `alsoInMarch`: more usage rows closed with March; `lateB2`: whether B2 waits, held, for a rerun.
    func site(alsoInMarch: String = "", lateB2: Bool = true) throws -> TestSite {
        let site = try TestSite()
        #expect(try site.recon(["init", "--name", "terms-site", "--base-currency", "INR", "--timezone", "UTC"], env: Self.march).code == 0)
        try site.drop("clients.csv", """
            client_id,name,currency,contract_type,onboarded_on,max_images_per_case,tax_rate,tax_components,po_number
            C1,City,INR,std,2020-01-01,9,18,CGST:9;SGST:9,PO-MARCH
            C2,Other,INR,std,2020-01-01,9,,,
            """)
        try site.drop("radiologists.csv", "radiologist_id,name,grade,seniority_years\nD1,Rao,consultant,4\n")
        try site.drop("provider_rates.csv", """
            effective_from,grade,modality,urgency,min_seniority_years,rate_per_report,currency
            2026-03-01,*,*,*,0,50,INR
            2026-03-01,*,*,*,5,90,INR
            """)
        try site.drop("client_rates.csv", """
            effective_from,client_id,contract_type,modality,urgency,tier_from,tier_to,unit_price,currency,tier_mode
            2026-03-01,*,*,*,*,1,,100,INR,volume
            """)
        try site.drop("usage-03.csv", """
            report_id,reported_at,client_id,radiologist_id,modality,image_count
            A1,2026-03-02T10:00Z,C1,D1,CT,3
            B1,2026-03-02T11:00Z,C2,D1,CT,1
            """ + alsoInMarch)
        #expect(try site.recon(["ingest"], env: Self.march).code == 0)
        let close = try site.recon(["close", "2026-03"], env: Self.closeDay)
        #expect(close.code == 0, "\(close.err)")
        try site.drop("clients-apr.csv", """
            client_id,name,currency,contract_type,onboarded_on,max_images_per_case,tax_rate,tax_components,po_number
            C1,City,INR,std,2020-01-01,2,12,CGST:6;SGST:6,PO-APRIL
            """)
        try site.drop("radiologists-apr.csv", "radiologist_id,name,grade,seniority_years\nD1,Rao,consultant,5\n")
        if lateB2 {
            try site.drop("usage-03-late.csv", "report_id,reported_at,client_id,radiologist_id,modality,image_count\nB2,2026-03-20T10:00Z,C2,D1,CT,1\n")
        }
        #expect(try site.recon(["ingest"], env: Self.april).code == (lateB2 ? 3 : 0))
        return site
    }

    /// The provider card of the one-client sites below: `perReport` INR a report, from 2026-01-01.
    static func payCard(_ perReport: String) -> String {
        "effective_from,grade,modality,urgency,rate_per_report,currency\n2026-01-01,*,*,*,\(perReport),INR\n"
    }

    @Test func aLateReportForOneClientReissuesOnlyItsPartiesUnderTheTermsTheirMonthClosedWith() throws {
        let site = try site()
        let key = try site.operatorKey("op", listed: true, env: Self.april)
        let rerun = try site.recon(["rerun", "2026-03", "--reason", "late report for C2", "--key", key], env: Self.april)
        #expect(rerun.code == 0, "\(rerun.out)\(rerun.err)")
        let documents = try site.entries().compactMap { $0["body"] as? [String: Any] }.filter { $0["number"] != nil && $0["file"] != nil }
        func of(_ party: String) -> [String] {
            documents.filter { $0["client_id"] as? String == party || $0["radiologist_id"] as? String == party }
                .map { "\($0["number"] as? String ?? "") \($0["total"] as? String ?? "")" }
        }
        // C1 did not change: its March invoice stands at 18 % (A1, 3 images, was within its
        // contract of 9 when billed: no flag to decide).
        #expect(of("C1") == ["INV-2026-000001 118.00"], "\(of("C1"))")
        // C2: its invoice reversed whole, and 2 × 100.00 billed anew.
        #expect(of("C2") == ["INV-2026-000002 100.00", "CN-2026-000001 100.00", "INV-2026-000003 200.00"], "\(of("C2"))")
        // D1: paid 3 × 50.00 = 150.00, at the 4 years March was worked at, not 3 × 90.00.
        #expect(of("D1") == ["PAY-2026-000001 100.00", "PAYADJ-2026-000001 100.00", "PAY-2026-000002 150.00"], "\(of("D1"))")
        // Its documents print the ledger its operator signed for (README), before the held drop it took.
        let entries = try site.entries()
        let request = try #require((entries.last { $0["kind"] as? String == "rerun" }?["body"] as? [String: Any])?["request"] as? [String: Any])
        let held = try #require(entries.first { ($0["body"] as? [String: Any])?["name"] as? String == "usage-03-late.csv" })
        let under = entries.filter { ($0["seq"] as? Int ?? 0) > (held["seq"] as? Int ?? .max) }
            .compactMap { ($0["body"] as? [String: Any])?["issued_under"] as? [String: Any] }
        #expect(under.count == 4 && under.allSatisfy { $0["head"] as? String == request["ledger_head"] as? String
            && ($0["seq"] as? Int) == (held["seq"] as? Int).map { $0 - 1 } }, "\(under) \(request)")
        site.expectAuditorAccepts()
    }

    /// A closed month's terms corrected on purpose: `--terms now`, signed with the request and
    /// recorded in the `rerun` entry, bills every party under the master data of today. A1 (3
    /// images) is then over C1's limit of 2 and must be decided first; once approved, C1 is
    /// reissued at 12 % (100.00 + 6.00 + 6.00 = 112.00), C2 for its late report (200.00) and
    /// D1 at 5 years' seniority (3 × 90.00 = 270.00).
    @Test func termsNowBillsTheMonthUnderTodaysMasterDataAndIsSigned() throws {
        let site = try site()
        let key = try site.operatorKey("op", listed: true, env: Self.april)
        let refused = try site.recon(["rerun", "2026-03", "--reason", "terms corrected", "--key", key, "--terms", "now"], env: Self.april)
        #expect(refused.code == 3, "\(refused.err)")
        #expect(refused.err.contains("report A1 (IMAGES_OVER_CONTRACT): 3 images in one case; the contract of C1 allows 2")
                && refused.err.contains("nothing was appended"), "\(refused.err)")
        try site.drop("decisions-a1.csv", "subject,decision,by\nA1,approve,Asha\n")
        #expect(try site.recon(["ingest"], env: Self.april).code == 3)
        let rerun = try site.recon(["rerun", "2026-03", "--reason", "terms corrected", "--key", key, "--terms", "now"], env: Self.april)
        #expect(rerun.code == 0, "\(rerun.out)\(rerun.err)")
        let totals = try site.entries().compactMap { $0["body"] as? [String: Any] }.filter { $0["file"] != nil }
            .map { "\($0["number"] as? String ?? "") \($0["total"] as? String ?? "")" }
        #expect(totals == ["INV-2026-000001 118.00", "INV-2026-000002 100.00", "PAY-2026-000001 100.00",
                           "CN-2026-000001 118.00", "INV-2026-000003 112.00", "CN-2026-000002 100.00", "INV-2026-000004 200.00",
                           "PAYADJ-2026-000001 100.00", "PAY-2026-000002 270.00"], "\(totals)")
        let entry = try #require(try site.bodies("rerun").last)
        #expect(entry["terms"] as? String == "now", "\(entry)")
        #expect(((entry["request"] as? [String: Any])?["args"] as? [String: Any])?["terms"] as? String == "now", "\(entry)")
        #expect(try site.recon(["verify"], env: Self.april).code == 0)
        site.expectAuditorAccepts()
    }

    /// A client the close did not know, billed by a rerun on its terms of that day, keeps them:
    /// C3 (10 %, PO-A) joined after March closed and was invoiced 100.00 + 10.00 = 110.00 for a
    /// late March report; after C3 moved to 20 % and PO-B, a rerun for C2's next late report
    /// reversed and re-billed C3 at 120.00 too. Only C2 changes now.
    @Test func aPartyFirstBilledByARerunKeepsTheTermsThatRerunBilledItOn() throws {
        let site = try site()
        let key = try site.operatorKey("op", listed: true, env: Self.april)
        #expect(try site.recon(["rerun", "2026-03", "--reason", "late C2", "--key", key], env: Self.april).code == 0)
        let c3 = "client_id,name,currency,contract_type,onboarded_on,max_images_per_case,tax_rate,tax_components,po_number\n"
        try site.drop("clients-c3.csv", c3 + "C3,Third,INR,std,2020-01-01,9,10,,PO-A\n")
        try site.drop("usage-03-c3.csv", "report_id,reported_at,client_id,radiologist_id,modality,image_count\nC3R1,2026-03-22T10:00Z,C3,D1,CT,1\n")
        #expect(try site.recon(["ingest"], env: Self.april).code == 3)
        #expect(try site.recon(["rerun", "2026-03", "--reason", "late C3", "--key", key], env: Self.april).code == 0)
        try site.drop("clients-c3-b.csv", c3 + "C3,Third,INR,std,2020-01-01,9,20,,PO-B\n")
        try site.drop("usage-03-c2-b.csv", "report_id,reported_at,client_id,radiologist_id,modality,image_count\nB3,2026-03-23T10:00Z,C2,D1,CT,1\n")
        #expect(try site.recon(["ingest"], env: Self.april).code == 3)
        let rerun = try site.recon(["rerun", "2026-03", "--reason", "late C2 again", "--key", key], env: Self.april)
        #expect(rerun.code == 0, "\(rerun.err)")
        let c3Documents = try site.entries().compactMap { $0["body"] as? [String: Any] }
            .filter { $0["file"] != nil && $0["client_id"] as? String == "C3" }.map { "\($0["number"] as? String ?? "") \($0["total"] as? String ?? "")" }
        #expect(c3Documents.count == 1 && c3Documents[0].hasSuffix(" 110.00"), "\(c3Documents)")
        let reruns = try site.bodies("rerun")
        #expect(reruns.allSatisfy { $0["terms"] as? String == "closed" }, "\(reruns.map { $0["terms"] ?? "none" })")
        site.expectAuditorAccepts()
    }

    /// `--terms now` reissues a client whose printed terms changed though its total did not
    /// (CGST 9 + SGST 9 corrected to IGST 18: still 118.00), and the credit that later settles
    /// what remains of the corrected invoice names its components at the corrected rates.
    @Test func termsNowReissuesAChangedTaxSplitAndLaterCreditsUseItsRates() throws {
        let site = try site()
        let header = "client_id,name,currency,contract_type,onboarded_on,max_images_per_case,tax_rate,tax_components,po_number\n"
        try site.drop("clients-fix.csv", header + "C1,City,INR,std,2020-01-01,9,18,IGST:18,PO-MARCH\n")
        #expect(try site.recon(["ingest"], env: Self.april).code == 0)
        let key = try site.operatorKey("op", listed: true, env: Self.april)
        let fixed = try site.recon(["rerun", "2026-03", "--reason", "IGST, not CGST and SGST", "--key", key, "--terms", "now"], env: Self.april)
        #expect(fixed.code == 0, "\(fixed.err)")
        let igst = try #require(try site.bodies("invoice.issued").last { $0["client_id"] as? String == "C1" })
        #expect(igst["total"] as? String == "118.00" && igst["number"] as? String != "INV-2026-000001", "\(igst)")
        #expect((igst["taxes"] as? [[String: Any]])?.map { "\($0["name"] ?? "") \($0["rate"] ?? "") \($0["amount"] ?? "")" } == ["IGST 18 18.00"], "\(igst)")
        // Then C1 at 5 % as IGST, corrected again; a goodwill credit of 50.00 on it; and a late C1
        // report rerun on those terms: the credit note for what remains names IGST at 5.
        try site.drop("clients-fix-2.csv", header + "C1,City,INR,std,2020-01-01,9,5,IGST:5,PO-MARCH\n")
        #expect(try site.recon(["ingest"], env: Self.april).code == 0)
        #expect(try site.recon(["rerun", "2026-03", "--reason", "5 %", "--key", key, "--terms", "now"], env: Self.april).code == 0)
        let five = try #require(try site.bodies("invoice.issued").last { $0["client_id"] as? String == "C1" }?["number"] as? String)
        #expect(try site.recon(["credit", five, "--amount", "50.00", "--reason", "goodwill", "--key", key], env: Self.april).code == 0)
        try site.drop("usage-03-a2.csv", "report_id,reported_at,client_id,radiologist_id,modality,image_count\nA2,2026-03-21T10:00Z,C1,D1,CT,1\n")
        #expect(try site.recon(["ingest"], env: Self.april).code == 3)
        #expect(try site.recon(["rerun", "2026-03", "--reason", "late A2", "--key", key], env: Self.april).code == 0)
        let remainder = try #require(try site.bodies("credit_note.issued").last)
        #expect((remainder["taxes"] as? [[String: Any]])?.map { "\($0["name"] ?? "") \($0["rate"] ?? "")" } == ["IGST 5"], "\(remainder)")
        // 105.00 − 50.00 = 55.00 remains; the new invoice: 2 × 100.00 + 5 % = 210.00.
        #expect(remainder["total"] as? String == "55.00", "\(remainder)")
        #expect(try site.bodies("invoice.issued").last { $0["client_id"] as? String == "C1" }?["total"] as? String == "210.00")
        site.expectAuditorAccepts()
    }

    /// C1's replacement invoice, when it has one, prints the PO its month was billed under.
    @Test func aReplacementInvoicePrintsThePONumberItsMonthClosedWith() throws {
        let site = try site()
        // A late C1 report too: C1 is reissued, 2 × 100.00 + 9.00 × 2 × 2 = 236.00 at 18 %.
        try site.drop("usage-03-late-c1.csv", "report_id,reported_at,client_id,radiologist_id,modality,image_count\nA2,2026-03-21T10:00Z,C1,D1,CT,1\n")
        #expect(try site.recon(["ingest"], env: Self.april).code == 3)
        let key = try site.operatorKey("op", listed: true, env: Self.april)
        let rerun = try site.recon(["rerun", "2026-03", "--reason", "late reports", "--key", key], env: Self.april)
        #expect(rerun.code == 0, "\(rerun.out)\(rerun.err)")
        let invoice = try #require(try site.bodies("invoice.issued").last { $0["client_id"] as? String == "C1" })
        #expect(invoice["total"] as? String == "236.00", "\(invoice)")
        #expect((invoice["party"] as? [String: Any])?["po_number"] as? String == "PO-MARCH", "\(invoice)")
        site.expectAuditorAccepts()
    }

    /// A client whose currency changed after the close and who is reissued for a late report is
    /// billed in its currency now (SPEC §3), and the rerun records that invoice's margin. C2 moved
    /// to USD at 83 INR: 2 × 100.00 INR = 200/83 = 2.4096… → 2.41 USD, whose revenue in base is
    /// 2.41 × 83 = 200.03 INR (not the 200.00 INR it would have been billed in INR); its cost
    /// 2 × 50.00 = 100.00 INR (D1 at the 4 years March was worked at).
    @Test func aClientReissuedInItsNewCurrencyHasThatInvoicesMarginRecorded() throws {
        let site = try site()
        try site.drop("clients-c2-usd.csv", "client_id,name,currency,contract_type,onboarded_on,max_images_per_case\nC2,Other,USD,std,2020-01-01,9\n")
        try site.drop("fx_rates.csv", "date,currency,rate\n2026-03-01,USD,83\n")
        #expect(try site.recon(["ingest"], env: Self.april).code == 0)
        let key = try site.operatorKey("op", listed: true, env: Self.april)
        let rerun = try site.recon(["rerun", "2026-03", "--reason", "late report for C2", "--key", key], env: Self.april)
        #expect(rerun.code == 0, "\(rerun.out)\(rerun.err)")
        let invoice = try #require(try site.bodies("invoice.issued").last { $0["client_id"] as? String == "C2" })
        #expect(invoice["currency"] as? String == "USD" && invoice["subtotal"] as? String == "2.41", "\(invoice)")
        let body = try #require(try site.bodies("rerun").last)
        let rows = (body["margins"] as? [[String: Any]] ?? []).filter { $0["client_id"] as? String == "C2" }
        #expect(rows.map { "\($0["revenue"] ?? "") \($0["cost"] ?? "")" } == ["200.03 100.00"], "\(rows)")
        let stats = (body["stats"] as? [[String: Any]] ?? []).filter { $0["id"] as? String == "C2" }
        #expect(stats.map { "\($0["revenue_base"] ?? "")" } == ["200.03"], "\(stats)")
        site.expectAuditorAccepts()
    }

    /// C2 billed 300.00 INR a report in `clientCurrency`, R2 paid 100.00 INR a report in USD
    /// (1 USD = 83.5 INR, 1 EUR = 90 INR), one March report, A1; March closed.
    static func usdPayeeMarchClosed(clientCurrency: String) throws -> TestSite {
        let site = try TestSite.oneClient(base: "INR", client: "C2", clientCurrency: clientCurrency,
                                          radiologists: "radiologist_id,name,grade,seniority_years,currency\nR2,Two,g,2,USD\n",
                                          providerRates: payCard("100"), clientRates: "2026-01-01,*,*,*,*,1,,300,INR,volume\n",
                                          fx: "2026-01-01,USD,83.5\n2026-01-01,EUR,90\n", usage: "A1,2026-03-05T10:00Z,C2,R2,CT,1\n",
                                          env: march)
        #expect(try site.recon(["close", "2026-03"], env: closeDay).code == 0)
        return site
    }

    /// `--terms now` after a client's and a radiologist's currency were corrected (USD to EUR):
    /// both are reissued in EUR, their USD documents reversed whole in USD, though nothing else
    /// changed (SPEC §3: an invoice is in the client's currency, a statement in the
    /// radiologist's). The rerun said "totals unchanged" and issued nothing. INR base, 300.00 INR
    /// a report billed, 100.00 INR paid, 1 USD = 83.5 INR, 1 EUR = 90 INR: the invoice was
    /// 300/83.5 = 3.5928… → 3.59 USD and is 300/90 = 3.333… → 3.33 EUR; the statement was
    /// 100/83.5 = 1.1976… → 1.20 USD and is 100/90 = 1.111… → 1.11 EUR.
    @Test func termsNowReissuesAPartyWhoseCurrencyWasCorrected() throws {
        let site = try Self.usdPayeeMarchClosed(clientCurrency: "USD")
        try site.drop("clients-fix.csv", "client_id,name,currency,contract_type,onboarded_on,max_images_per_case\nC2,Beta,EUR,std,2025-01-01,10\n")
        try site.drop("radiologists-fix.csv", "radiologist_id,name,grade,seniority_years,currency\nR2,Two,g,2,EUR\n")
        #expect(try site.recon(["ingest"], env: Self.april).code == 0)
        let key = try site.operatorKey("op", listed: true, env: Self.april)
        let rerun = try site.recon(["rerun", "2026-03", "--reason", "currency corrected", "--key", key, "--terms", "now"], env: Self.april)
        #expect(rerun.code == 0, "\(rerun.out)\(rerun.err)")
        let documents = try site.entries().compactMap { $0["body"] as? [String: Any] }.filter { $0["number"] != nil && $0["file"] != nil }
        func of(_ party: String) -> [String] {
            documents.filter { $0["client_id"] as? String == party || $0["radiologist_id"] as? String == party }
                .map { "\($0["number"] as? String ?? "") \($0["total"] as? String ?? "") \($0["currency"] as? String ?? "")" }
        }
        #expect(of("C2") == ["INV-2026-000001 3.59 USD", "CN-2026-000001 3.59 USD", "INV-2026-000002 3.33 EUR"], "\(of("C2"))")
        #expect(of("R2") == ["PAY-2026-000001 1.20 USD", "PAYADJ-2026-000001 1.20 USD", "PAY-2026-000002 1.11 EUR"], "\(of("R2"))")
        site.expectAuditorAccepts()
        // Without `--terms now`, a rerun judges a change in the currency its month was issued in: nothing changed.
        let again = try site.recon(["rerun", "2026-03", "--reason", "nothing to change", "--key", key], env: Self.april)
        #expect(again.code == 0 && again.out.contains("issued 0 document(s)"), "\(again.out)\(again.err)")
    }

    /// A payee moved from USD to EUR, its rate raised from 100.00 to 200.00 INR a report: PAY-2026-000001
    /// paid 100/83.5 = 1.1976… → 1.20 USD; PAY-2026-000002 pays 200/90 = 2.222… → 2.22 EUR. What the
    /// payee holds, 1.20 USD, is 1.20 × 83.5 / 90 = 1.11333… → 1.11 EUR at the period's rates: 2.22 −
    /// 1.11 = 1.11 EUR to transfer. The statement said "set all of it off" with no amount and no rate,
    /// and the USD adjustment beside it asked for a set-off of its own as well (layout 13).
    @Test func aPayeeMovedToAnotherCurrencyIsToldWhatItHoldsAtThePeriodsRate() throws {
        let site = try Self.usdPayeeMarchClosed(clientCurrency: "USD")
        try site.drop("radiologists-fix.csv", "radiologist_id,name,grade,seniority_years,currency\nR2,Two,g,2,EUR\n")
        try site.drop("provider_rates-raise.csv", Self.payCard("200"))
        #expect(try site.recon(["ingest"], env: Self.april).code == 0)
        let key = try site.operatorKey("op", listed: true, env: Self.april)
        let rerun = try site.recon(["rerun", "2026-03", "--reason", "rate raised, paid in EUR", "--key", key, "--terms", "now"], env: Self.april)
        #expect(rerun.code == 0, "\(rerun.out)\(rerun.err)")
        let payout = try #require(try site.bodies("payout.issued").last)
        #expect(payout["number"] as? String == "PAY-2026-000002" && payout["total"] as? String == "2.22" && payout["currency"] as? String == "EUR"
                && payout["paid_before"] == nil && payout["layout"] as? Int == 16, "\(payout)")
        let held = try #require((payout["held_elsewhere"] as? [[String: Any]])?.first)
        #expect(held["amount"] as? String == "1.20" && held["currency"] as? String == "USD" && held["converted"] as? String == "1.11", "\(held)")
        let texts = try PrintedSheet(site.path("Outbox/2026-03/payouts/PAY-2026-000002.xlsx")).cells.values.compactMap(\.text)
        #expect(texts.contains("The payee holds for 2026-03, from its earlier statements (the last, PAY-2026-000001, which PAYADJ-2026-000001 "
            + "takes back) once they are followed, 1.20 USD: at 1 USD = 0.927778 EUR (fx_rates rows: 1 USD = 83.5 INR on 2026-01-01, "
            + "1 EUR = 90 INR on 2026-01-01), 1.11 EUR. Transfer 1.11 EUR: this statement's total, 2.22 EUR, less 1.11 EUR. If they were "
            + "not all followed, transfer this statement's total less what the payee holds for 2026-03."),
                "\(texts.filter { $0.contains("holds") })")
        #expect(texts.contains("Replaces PAY-2026-000001 of 2026-03, reversed by PAYADJ-2026-000001: this statement pays 2026-03 in full; "
            + "with what was sent for it before, in another currency at the period's rate, 1.11 EUR is left to transfer (see Payment)."),
                "\(texts.filter { $0.contains("eplaces") })")
        // The USD adjustment is netted by the statement: no second set-off.
        let adjustment = try PrintedSheet(site.path("Outbox/2026-03/payouts/PAYADJ-2026-000001.xlsx")).cells.values.compactMap(\.text)
        #expect(adjustment.contains("This adjustment takes back what was paid on PAY-2026-000001. PAY-2026-000002, issued with it, "
            + "already counts it in what it leaves to transfer: nothing is to be set off or repaid for this adjustment itself."),
                "\(adjustment)")
        site.expectAuditorAccepts()
        #expect(try site.recon(["verify"]).code == 0)
    }

    /// A payee moved twice (USD, then EUR, then INR), each move rerun: its March documents in USD
    /// and in EUR each net to zero. A later rerun for a late report refused — "PAY-… is in EUR,
    /// other documents of R2 in USD; settle by hand" — after it had taken the held drop, so the
    /// late report was billed to no one, and every rerun of March refused the same way.
    @Test func aPayeeMovedTwiceCanStillBeRerun() throws {
        let site = try Self.usdPayeeMarchClosed(clientCurrency: "INR")
        let key = try site.operatorKey("op", listed: true, env: Self.april)
        for (n, currency) in ["EUR", "INR"].enumerated() {
            try site.drop("radiologists-\(n).csv", "radiologist_id,name,grade,seniority_years,currency\nR2,Two,g,2,\(currency)\n")
            #expect(try site.recon(["ingest"], env: Self.april).code == 0)
            let moved = try site.recon(["rerun", "2026-03", "--reason", "paid in \(currency)", "--key", key, "--terms", "now"], env: Self.april)
            #expect(moved.code == 0, "\(moved.out)\(moved.err)")
        }
        try site.drop("usage-late.csv", "report_id,reported_at,client_id,radiologist_id,modality,image_count\nA2,2026-03-20T10:00Z,C2,R2,CT,1\n")
        #expect(try site.recon(["ingest"], env: Self.april).code == 3)
        let rerun = try site.recon(["rerun", "2026-03", "--reason", "late A2", "--key", key], env: Self.april)
        #expect(rerun.code == 0 && rerun.out.contains("applied 1 held drop(s)"), "\(rerun.out)\(rerun.err)")
        // R2's month is now two reports at 100.00 INR: its last statement 200.00 INR.
        let payout = try #require(try site.bodies("payout.issued").last)
        #expect(payout["total"] as? String == "200.00" && payout["currency"] as? String == "INR", "\(payout)")
        site.expectAuditorAccepts()
    }

    /// A rerun's credit note repeats its invoice's conversion (1 USD = 83.3 INR, the row of
    /// 2026-01-01), while its replacement is converted at the row of 2026-03-31 added since (90):
    /// the credit note said it was converted "at the rows in force on 2026-03-31", which by then
    /// were the replacement's. It says it converts as the invoice it reverses did (layout 10).
    @Test func aRerunsCreditNoteSaysItsRatesAreThoseOfTheInvoiceItReverses() throws {
        let site = try TestSite.oneClient(base: "INR", client: "C2", clientCurrency: "USD", providerRates: Self.payCard("100"),
                                          clientRates: "2026-01-01,*,*,*,*,1,,400,INR,volume\n", fx: "2026-01-01,USD,83.3\n",
                                          usage: "u1,2026-03-05T10:00Z,C2,R1,CT,1\n", env: Self.march)
        #expect(try site.recon(["close", "2026-03"], env: Self.closeDay).code == 0)
        try site.drop("fx_rates-mar.csv", "date,currency,rate\n2026-03-31,USD,90\n")
        try site.drop("usage-late.csv", "report_id,reported_at,client_id,radiologist_id,modality,image_count\nu2,2026-03-06T10:00Z,C2,R1,CT,1\n")
        _ = try site.recon(["ingest"], env: Self.april)
        let key = try site.operatorKey("op", listed: true, env: Self.april)
        let rerun = try site.recon(["rerun", "2026-03", "--reason", "late report", "--key", key], env: Self.april)
        #expect(rerun.code == 0, "\(rerun.out)\(rerun.err)")
        func text(_ file: String) throws -> String {
            try zipEntry(site.path(file), "xl/worksheets/sheet1.xml") + ((try? zipEntry(site.path(file), "xl/sharedStrings.xml")) ?? "")
        }
        let credit = try text("Outbox/2026-03/credit-notes/CN-2026-000001.xlsx")
        #expect(credit.contains("1 USD = 83.3 INR on 2026-01-01"), "\(credit)")
        #expect(credit.contains("Each line is converted exactly as on INV-2026-000001, which this document reverses: at the rows in "
            + "force on 2026-03-31 when it was issued"), "\(credit)")
        let replacement = try text("Outbox/2026-03/invoices/INV-2026-000002.xlsx")
        #expect(replacement.contains("1 USD = 90 INR on 2026-03-31") && replacement.contains("Each line is converted exactly at the rows "
            + "in force on 2026-03-31"), "\(replacement)")
        let adjustment = try text("Outbox/2026-03/payouts/PAYADJ-2026-000001.xlsx")
        #expect(!adjustment.contains("in force on 2026-03-31 (amount"), "paid in INR: no conversion to speak of")
        site.expectAuditorAccepts()
    }

    /// A report approved while its month was open, within its contract (4 images of 5), is over
    /// it once the limit is lowered to 3 and the month rerun `--terms now`: the rerun raised no
    /// flag, while its review listed HARD-… as raised and approved — a flag the ledger never
    /// held. The flag is raised in the ledger by the rerun, and the review shows that flag; the
    /// approve given in March decides it, as a closed month's early approves do (README).
    @Test func termsNowUnderALoweredLimitRaisesTheFlagItsReviewShows() throws {
        let site = try TestSite.oneClient(base: "INR", client: "C1", clientCurrency: "INR", maxImages: 5, providerRates: Self.payCard("50"),
                                          clientRates: "2026-01-01,*,*,*,*,1,,100,INR,volume\n", usage: "U1,2026-03-02T10:00Z,C1,R1,CT,4\n",
                                          env: Self.march)
        #expect(try site.recon(["decide", "U1", "approve", "--by", "Asha"], env: Self.march).code == 0)
        #expect(try site.recon(["close", "2026-03"], env: Self.closeDay).code == 0)
        #expect(try site.bodies("flag.raised").isEmpty)
        try site.drop("clients-apr.csv", "client_id,name,currency,contract_type,onboarded_on,max_images_per_case\nC1,City,INR,std,2020-01-01,3\n")
        #expect(try site.recon(["ingest"], env: Self.april).code == 0)
        let key = try site.operatorKey("op", listed: true, env: Self.april)
        let rerun = try site.recon(["rerun", "2026-03", "--reason", "terms now", "--key", key, "--terms", "now"], env: Self.april)
        #expect(rerun.code == 0, "\(rerun.out)\(rerun.err)")
        let raised = try site.bodies("flag.raised").filter { $0["subject"] as? String == "U1" }
        #expect(raised.count == 1 && raised.first?["period"] as? String == "2026-03"
                && (raised.first?["reason"] as? String)?.contains("4 images in one case; the contract of C1 allows 3") == true, "\(raised)")
        let id = try #require(raised.first?["id"] as? String)
        let review = try zipEntry(site.path("Outbox/2026-03/review.xlsx"), "xl/sharedStrings.xml")
            + ((try? zipEntry(site.path("Outbox/2026-03/review.xlsx"), "xl/worksheets/sheet1.xml")) ?? "")
        #expect(review.contains(id), "the review shows the flag the ledger raised")
        site.expectAuditorAccepts()
    }

    /// U1 (4 images) billed within C1's limit of 5, March closed; a clients drop lowering the
    /// limit to 3 waits in the Inbox.
    func marchClosedThenLimitThree() throws -> TestSite {
        let site = try TestSite.oneClient(base: "INR", client: "C1", clientCurrency: "INR", maxImages: 5, providerRates: Self.payCard("50"),
                                          clientRates: "2026-01-01,*,*,*,*,1,,100,INR,volume\n", usage: "U1,2026-03-02T10:00Z,C1,R1,CT,4\n",
                                          env: Self.march)
        #expect(try site.recon(["close", "2026-03"], env: Self.closeDay).code == 0)
        try site.drop("clients-apr.csv", "client_id,name,currency,contract_type,onboarded_on,max_images_per_case\nC1,City,INR,std,2020-01-01,3\n")
        return site
    }

    /// A rerun `--terms now` whose held decisions name none of the reports the lowered limit
    /// flags (U3 only, not U1) refuses before it takes anything: it took them, raised U1's flag
    /// and was refused, the drops and the flag standing with no rerun signed for them (and the
    /// rerun on the terms March closed on was then refused for that flag). On those terms, U1
    /// within the close's limit of 5, the month reruns with the held drops.
    @Test func aRerunOnTheTermsNowWhoseHeldDecisionsNameNoFlaggedReportTakesNothing() throws {
        let site = try TestSite.oneClient(base: "INR", client: "C1", clientCurrency: "INR", maxImages: 5, providerRates: Self.payCard("50"),
                                          clientRates: "2026-01-01,*,*,*,*,1,,100,INR,volume\n",
                                          usage: "U1,2026-03-02T10:00Z,C1,R1,CT,4\nU3,2026-03-03T10:00Z,C1,R1,CT,1\n", env: Self.march)
        #expect(try site.recon(["close", "2026-03"], env: Self.closeDay).code == 0)
        try site.drop("clients-apr.csv", "client_id,name,currency,contract_type,onboarded_on,max_images_per_case\nC1,City,INR,std,2020-01-01,3\n")
        try site.drop("usage-late.csv", "report_id,reported_at,client_id,radiologist_id,modality,image_count\nU2,2026-03-20T10:00Z,C1,R1,CT,1\n")
        try site.drop("decisions-u3.csv", "subject,decision,by\nU3,exclude,Asha\n")
        #expect(try site.recon(["ingest"], env: Self.april).code == 3)
        #expect(site.exists("Inbox/held/decisions-u3.csv") && site.exists("Inbox/held/usage-late.csv"))
        let key = try site.operatorKey("op", listed: true, env: Self.april)
        let before = try site.ledgerBytes()
        let now = try site.recon(["rerun", "2026-03", "--reason", "terms now", "--key", key, "--terms", "now"], env: Self.april)
        #expect(now.code == 3 && now.err.contains("report U1") && now.err.contains("nothing was appended"), "\(now.out)\(now.err)")
        #expect(try site.ledgerBytes() == before)
        #expect(try site.bodies("flag.raised").isEmpty)
        #expect(site.exists("Inbox/held/decisions-u3.csv") && site.exists("Inbox/held/usage-late.csv"))
        let asClosed = try site.recon(["rerun", "2026-03", "--reason", "as closed", "--key", key], env: Self.april)
        #expect(asClosed.code == 0, "\(asClosed.out)\(asClosed.err)")
        #expect(!site.exists("Inbox/held/decisions-u3.csv") && !site.exists("Inbox/held/usage-late.csv"))
        site.expectAuditorAccepts()
    }

    /// A rerun `--terms now` under a limit mistyped since the close (3 where 5 was meant) raised
    /// U1's flag and was then refused: the flag stood, so with the limit corrected every rerun of
    /// March, as closed too, was still refused. Refused now before anything is appended, naming
    /// the report; corrected, the month reruns; decided instead (a held decisions drop), it
    /// reruns on the terms now with the flag raised and decided.
    @Test func termsNowRefusedForAFlagItWouldRaiseAppendsNothing() throws {
        let site = try marchClosedThenLimitThree()
        #expect(try site.recon(["ingest"], env: Self.april).code == 0)
        let key = try site.operatorKey("op", listed: true, env: Self.april)
        let ledger = try site.read("Ledger/ledger.jsonl")
        let now = try site.recon(["rerun", "2026-03", "--reason", "terms now", "--key", key, "--terms", "now"], env: Self.april)
        #expect(now.code == 3, "\(now.out)\(now.err)")
        #expect(now.err.contains("cannot rerun 2026-03 on the terms now: 1 report(s) of it are over the limit of the contract now")
                && now.err.contains("nothing was appended") && now.err.contains("report U1 (IMAGES_OVER_CONTRACT): 4 images in one case; the contract of C1 allows 3")
                && !now.err.contains("HARD-")
                && now.err.contains("a decisions drop naming the report (subject U1"), "\(now.err)")
        #expect(try site.read("Ledger/ledger.jsonl") == ledger)
        // Decided by a decisions drop, held for the rerun: the rerun takes it, raises the flag, and issues.
        let decided = try site.copy()
        try decided.drop("decisions-u1.csv", "subject,decision,by\nU1,approve,Asha\n")
        #expect(try decided.recon(["ingest"], env: Self.april).code == 3)
        let rerun = try decided.recon(["rerun", "2026-03", "--reason", "U1 approved", "--key", key, "--terms", "now"], env: Self.april)
        #expect(rerun.code == 0, "\(rerun.out)\(rerun.err)")
        #expect(try decided.bodies("flag.raised").map { $0["subject"] as? String } == ["U1"])
        decided.expectAuditorAccepts()
        // Or the limit corrected: the month reruns as closed (nothing to issue) and on the terms now.
        try site.drop("clients-fixed.csv", "client_id,name,currency,contract_type,onboarded_on,max_images_per_case\nC1,City,INR,std,2020-01-01,5\n")
        #expect(try site.recon(["ingest"], env: Self.april).code == 0)
        let asClosed = try site.recon(["rerun", "2026-03", "--reason", "as closed", "--key", key], env: Self.april)
        #expect(asClosed.code == 0, "\(asClosed.out)\(asClosed.err)")
        let fixed = try site.recon(["rerun", "2026-03", "--reason", "terms now, fixed", "--key", key, "--terms", "now"], env: Self.april)
        #expect(fixed.code == 0, "\(fixed.out)\(fixed.err)")
        #expect(try site.bodies("flag.raised").isEmpty)
        site.expectAuditorAccepts()
    }

    /// A rerun that takes held usage drops only, refused for what no such drop can settle — a
    /// flag the terms now raise, a report of the month no card prices — took the drops and raised
    /// the flag first: they stood in the ledger with no rerun signed for them, and the flag
    /// blocked every later rerun of the month, the limit corrected. Refused now before anything
    /// is appended, the drops left in Inbox/held/; the cause mended, the rerun takes them.
    @Test(arguments: ["flag", "unpriced"])
    func aRerunRefusedForWhatNoHeldDropSettlesTakesNothing(cause: String) throws {
        let site = try marchClosedThenLimitThree()
        if cause == "unpriced" {
            // The limit as it was; a March card for C2 only: C1's U1, billed, is priced by none now.
            try FileManager.default.removeItem(atPath: site.path("Inbox/clients-apr.csv"))
            try site.drop("client_rates-mar.csv", "effective_from,client_id,contract_type,modality,urgency,tier_from,tier_to,unit_price,currency,tier_mode\n"
                          + "2026-03-01,C2,*,*,*,1,,90,INR,volume\n")
        }
        try site.drop("usage-late.csv", "report_id,reported_at,client_id,radiologist_id,modality,image_count\nU2,2026-03-20T10:00Z,C1,R1,CT,1\n")
        #expect(try site.recon(["ingest"], env: Self.april).code == 3)
        let key = try site.operatorKey("op", listed: true, env: Self.april)
        let ledger = try site.read("Ledger/ledger.jsonl")
        let refused = try site.recon(["rerun", "2026-03", "--reason", "late U2", "--key", key] + (cause == "flag" ? ["--terms", "now"] : []),
                                     env: Self.april)
        #expect(refused.code == 3 && refused.err.lowercased().contains("nothing was appended"), "\(refused.out)\(refused.err)")
        #expect(refused.err.contains(cause == "flag" ? "report U1 (IMAGES_OVER_CONTRACT)" : "UNPRICED"), "\(refused.err)")
        #expect(try site.read("Ledger/ledger.jsonl") == ledger)
        #expect(site.exists("Inbox/held/usage-late.csv"))
        // Mended (the limit corrected; C1's card back), the rerun takes the held drop and issues.
        if cause == "flag" {
            try site.drop("clients-fixed.csv", "client_id,name,currency,contract_type,onboarded_on,max_images_per_case\nC1,City,INR,std,2020-01-01,5\n")
        } else {
            try site.drop("client_rates-mar2.csv", "effective_from,client_id,contract_type,modality,urgency,tier_from,tier_to,unit_price,currency,tier_mode\n"
                          + "2026-03-02,*,*,*,*,1,,100,INR,volume\n")
        }
        #expect(try site.recon(["ingest"], env: Self.april).code == 0)
        let rerun = try site.recon(["rerun", "2026-03", "--reason", "late U2, mended", "--key", key] + (cause == "flag" ? ["--terms", "now"] : []),
                                   env: Self.april)
        #expect(rerun.code == 0, "\(rerun.out)\(rerun.err)")
        let raised = try site.bodies("flag.raised")
        #expect(!site.exists("Inbox/held/usage-late.csv") && raised.isEmpty)
        site.expectAuditorAccepts()
    }

    /// A held drop recon's user may not read (strace denies its open; root reads anything): the
    /// rerun rejected it as "no longer passing the site's rules", went on without it and issued
    /// final documents, the signed request spent. It refuses first, appending nothing.
    @Test(.enabled(if: ProcessRunner.executable(named: "strace") != nil, "needs strace (Debian strace) to deny the held drop's open"))
    func aRerunWithAHeldDropItCannotReadRefusesFirst() throws {
        let site = try marchClosedThenLimitThree()
        try FileManager.default.removeItem(atPath: site.path("Inbox/clients-apr.csv"))
        try site.drop("usage-late.csv", "report_id,reported_at,client_id,radiologist_id,modality,image_count\nU2,2026-03-20T10:00Z,C1,R1,CT,1\n")
        #expect(try site.recon(["ingest"], env: Self.april).code == 3)
        let key = try site.operatorKey("op", listed: true, env: Self.april)
        let ledger = try site.read("Ledger/ledger.jsonl")
        let denied = try ProcessRunner.run(try #require(ProcessRunner.executable(named: "strace")),
            ["-f", "-o", "/dev/null", "-P", site.path("Inbox/held/usage-late.csv"), "-e", "trace=openat,open", "-e", "inject=openat,open:error=EACCES",
             TestSite.binary, "rerun", "2026-03", "--reason", "late U2", "--key", key, "--site", site.root], environment: Self.april)
        #expect(denied.code == 3 && denied.err.contains("Inbox/held/usage-late.csv cannot be read by the user recon runs as")
                && denied.err.contains("nothing was appended"), "\(denied.code) \(denied.out)\(denied.err)")
        #expect(try site.read("Ledger/ledger.jsonl") == ledger && site.exists("Inbox/held/usage-late.csv"))
        // Readable again, the same request goes through.
        let rerun = try site.recon(["rerun", "2026-03", "--reason", "late U2", "--key", key], env: Self.april)
        #expect(rerun.code == 0, "\(rerun.out)\(rerun.err)")
    }

    /// A goodwill credit on the invoice a rerun reverses is absorbed (SPEC §3: the reversal
    /// credits what remains, 100.00 − 30.00 = 70.00, and the new invoice bills 2 × 100.00 in full):
    /// the rerun says so, naming the credit, so the concession can be given again.
    @Test func aRerunThatAbsorbsAGoodwillCreditSaysSo() throws {
        let site = try site()
        let key = try site.operatorKey("op", listed: true, env: Self.april)
        let credit = try site.recon(["credit", "INV-2026-000002", "--amount", "30.00", "--reason", "goodwill", "--key", key], env: Self.april)
        #expect(credit.code == 0, "\(credit.err)")
        let rerun = try site.recon(["rerun", "2026-03", "--reason", "late report for C2", "--key", key], env: Self.april)
        #expect(rerun.code == 0, "\(rerun.out)\(rerun.err)")
        let totals = try site.bodies("credit_note.issued").map { "\($0["number"] ?? "") \($0["total"] ?? "")" }
        #expect(totals == ["CN-2026-000001 30.00", "CN-2026-000002 70.00"], "\(totals)")
        #expect(rerun.err.contains("C2: CN-2026-000001 (30.00 INR) credited INV-2026-000002 before this rerun")
            && rerun.err.contains("anew in full (200.00 INR)") && rerun.err.contains("give it again"), "\(rerun.err)")
        // C1's invoice is not reissued: nothing to say of it.
        #expect(!rerun.err.contains("C1:"), "\(rerun.err)")
        site.expectAuditorAccepts()
    }

    /// C2 pays `paid` INR on INV-2026-000002 (the ingest exits `ingestExits`: 3 with a drop held
    /// for March, `held` in `Inbox/held/`), an operator reruns March for `reason`: the replacement
    /// invoice's entry, which must be INV-2026-000003, and its first sheet.
    func replacement(in site: TestSite, paid: String, ingestExits: Int32, held: String? = nil, reason: String) throws
        -> (invoice: [String: Any], sheet: PrintedSheet) {
        try site.drop("payments-1.csv", "payment_id,client_id,received_on,amount,currency,reference,invoice\n"
                      + "P1,C2,2026-04-05,\(paid),INR,NEFT 1,INV-2026-000002\n")
        let ingest = try site.recon(["ingest"], env: Self.april)
        #expect(ingest.code == ingestExits && held.map { site.exists("Inbox/held/" + $0) } != false, "\(ingest.code) \(ingest.err)")
        let key = try site.operatorKey("op", listed: true, env: Self.april)
        let rerun = try site.recon(["rerun", "2026-03", "--reason", reason, "--key", key], env: Self.april)
        #expect(rerun.code == 0, "\(rerun.out)\(rerun.err)")
        let invoice = try #require(try site.bodies("invoice.issued").last)
        #expect(invoice["number"] as? String == "INV-2026-000003", "\(invoice)")
        return (invoice, try PrintedSheet(site.path("Outbox/2026-03/invoices/INV-2026-000003.xlsx")))
    }

    /// C2 paid INV-2026-000002 (100.00) in full; the rerun reverses it (CN 100.00) and bills
    /// March anew (INV-2026-000003, 200.00). The new invoice asked for 200.00 and said nothing of
    /// the 100.00 received: a payables clerk working from the documents paid the month twice.
    /// It records what was received against the invoice it replaces, and asks for the rest:
    /// 200.00 − 100.00 = 100.00 (layout 11; before, it asked for 200.00 and said the rest after).
    @Test func aReplacementInvoiceSaysWhatWasReceivedAgainstTheOneItReplaces() throws {
        let site = try site()
        let (invoice, sheet) = try replacement(in: site, paid: "100.00", ingestExits: 0, reason: "late report for C2")
        #expect(invoice["total"] as? String == "200.00" && invoice["paid_before"] as? String == "100.00", "\(invoice)")
        // Due 30 days (C2's terms, the default) after the rerun's day, 2026-04-10.
        let pay = "Please pay 100.00 INR by 2026-05-10, quoting INV-2026-000003: its total, 200.00 INR, less 100.00 INR already "
            + "received for 2026-03."
        #expect(sheet.cells.values.contains { $0.text == pay }, "\(sheet.cells.values.compactMap(\.text).filter { $0.contains("pay") })")
        #expect(!sheet.cells.values.contains { $0.text?.hasPrefix("Please pay 200.00") == true })
        #expect((invoice["layout"] as? Int ?? 0) >= 11, "\(invoice)")
        // The account agrees: 200.00 − 100.00 left to pay.
        let statement = try site.recon(["statement", "C2"], env: Self.april)
        #expect(statement.code == 0 && statement.out.contains("total due: 100.00 INR"), "\(statement.out)")
        site.expectAuditorAccepts()
    }

    /// C2 (100.00 a report, no tax, D1 paid 50.00): February closed, INV-2026-000001 100.00
    /// unpaid; March closed, INV-2026-000002 100.00 (M1). An operator's key, added at `keyAt`.
    func februaryUnpaidMarchClosed(keyAt: [String: String] = Self.april) throws -> (site: TestSite, key: String) {
        let feb = ["RECON_NOW": "2026-02-05T06:00:00Z"]
        let site = try TestSite()
        #expect(try site.recon(["init", "--name", "twice-site", "--base-currency", "INR", "--timezone", "UTC"], env: feb).code == 0)
        try site.drop("clients.csv", "client_id,name,currency,contract_type,onboarded_on,max_images_per_case\nC2,Other,INR,std,2020-01-01,9\n")
        try site.drop("radiologists.csv", "radiologist_id,name,grade,seniority_years\nD1,Rao,consultant,4\n")
        try site.drop("provider_rates.csv", Self.payCard("50"))
        try site.drop("client_rates.csv", "effective_from,client_id,contract_type,modality,urgency,tier_from,tier_to,unit_price,currency,tier_mode\n"
                      + "2026-02-01,*,*,*,*,1,,100,INR,volume\n")
        let usage = "report_id,reported_at,client_id,radiologist_id,modality,image_count\n"
        try site.drop("usage-02.csv", usage + "F1,2026-02-02T10:00Z,C2,D1,CT,1\n")
        #expect(try site.recon(["ingest"], env: feb).code == 0)
        #expect(try site.recon(["close", "2026-02"], env: ["RECON_NOW": "2026-03-01T06:00:00Z"]).code == 0)
        try site.drop("usage-03.csv", usage + "M1,2026-03-02T10:00Z,C2,D1,CT,1\n")
        #expect(try site.recon(["ingest"], env: Self.march).code == 0)
        #expect(try site.recon(["close", "2026-03"], env: Self.closeDay).code == 0)
        return (site, try site.operatorKey("op", listed: true, env: keyAt))
    }

    /// C2 pays (`payment`: a payments row) and a late March report of C2's (`late`: its id and
    /// time) is held, both dropped as files named with `name`; an operator reruns March.
    func payThenRerunMarch(_ site: TestSite, key: String, _ name: String, payment: String, late: String) throws {
        try site.drop("payments-\(name).csv", "payment_id,client_id,received_on,amount,currency,invoice\n" + payment + "\n")
        try site.drop("usage-late-\(name).csv", "report_id,reported_at,client_id,radiologist_id,modality,image_count\n" + late + ",C2,D1,CT,1\n")
        #expect(try site.recon(["ingest"], env: Self.april).code == 3)
        let rerun = try site.recon(["rerun", "2026-03", "--reason", "late report \(name)", "--key", key], env: Self.april)
        #expect(rerun.code == 0, "\(rerun.out)\(rerun.err)")
    }

    /// The last invoice issued is March's `number`, of `total` with `paidBefore` recorded, and
    /// its first sheet's payment line reads `asking`.
    func expectMarchReplacement(_ site: TestSite, _ number: String, total: String, paidBefore: String, asking: String) throws {
        let invoice = try #require(try site.bodies("invoice.issued").last)
        #expect(invoice["number"] as? String == number && invoice["total"] as? String == total
                && invoice["paid_before"] as? String == paidBefore, "\(invoice)")
        let sheet = try PrintedSheet(site.path("Outbox/2026-03/invoices/\(number).xlsx"))
        #expect(sheet.cells.values.contains { $0.text == asking }, "\(sheet.cells.values.compactMap(\.text).filter { $0.contains("pay") })")
    }

    /// P1 pays 150.00 naming March's INV-2026-000002 (100.00): 50.00 beyond it goes to
    /// February's, open. A late report, rerun: INV-2026-000003 bills March anew, 200.00. The
    /// statement then sets P1 on it (the invoice it named was reversed): 200.00 − 150.00 = 50.00
    /// open on it, February's 100.00 open again. The invoice asked for 100.00, counting only what
    /// the old invoice had taken: paid as asked, with February's, 200.00 for 150.00 owed.
    @Test func aReplacementInvoiceAsksForWhatTheStatementShowsOpenOnIt() throws {
        let (site, key) = try februaryUnpaidMarchClosed()
        try payThenRerunMarch(site, key: key, "1", payment: "P1,C2,2026-04-05,150.00,INR,INV-2026-000002", late: "M2,2026-03-20T10:00Z")
        try expectMarchReplacement(site, "INV-2026-000003", total: "200.00", paidBefore: "150.00", asking: "Please pay 50.00 INR by "
            + "2026-05-10, quoting INV-2026-000003: its total, 200.00 INR, less 150.00 INR already received for 2026-03.")
        // 100 + 100 + 200 invoiced − 100 credited − 150 paid = 150.00: February's 100.00 and 50.00 on the new invoice.
        let statement = try site.recon(["statement", "C2"], env: Self.april)
        // February's due 2026-03-31, 10 days past on 2026-04-10; the new invoice's not yet.
        #expect(statement.code == 0 && statement.out.contains("total due: 150.00 INR (current 50.00, 1-30 100.00, 31-60 0.00"),
                "\(statement.out)")
        site.expectAuditorAccepts()
    }

    /// February (INV-2026-000001) and March (INV-2026-000002) closed, 100.00 each; a cheque that
    /// named no invoice, P1 100.00, pays February's, the oldest due; a drop for February (`held`:
    /// its name and text) is held, and February rerun.
    func chequeThenRerunFebruary(held: (name: String, text: String), reason: String) throws -> TestSite {
        let (site, key) = try februaryUnpaidMarchClosed()
        try site.drop("payments-1.csv", "payment_id,client_id,received_on,amount,currency,reference\nP1,C2,2026-04-05,100.00,INR,cheque 77\n")
        #expect(try site.recon(["ingest"], env: Self.april).code == 0)
        try site.drop(held.name, held.text)
        #expect(try site.recon(["ingest"], env: Self.april).code == 3)
        let rerun = try site.recon(["rerun", "2026-02", "--reason", reason, "--key", key], env: Self.april)
        #expect(rerun.code == 0, "\(rerun.out)\(rerun.err)")
        return site
    }

    /// March's invoice as `account_changes` records it once the cheque that paid February pays it.
    static let marchNowPaid = [["number": "INV-2026-000002", "period": "2026-03", "currency": "INR", "before": "100.00", "after": "0.00"]]

    /// A cheque that named no invoice, P1 100.00, settles February's INV-2026-000001 (the oldest
    /// due). A late February report, rerun: CN-2026-000001 reverses it, INV-2026-000003 bills
    /// February anew, 200.00, due 2026-05-10 — after March's INV-2026-000002 (2026-05-01), which the
    /// cheque now settles. The new invoice asks for its 200.00 and says March's is paid: 100 + 100
    /// + 200 − 100 − 100 = 200.00 due. It said only "Please pay 200.00", and March's invoice still
    /// asked for 100.00: followed, 300.00 paid for 200.00 owed.
    @Test func aReplacementInvoiceNamesAnotherInvoiceAPaymentNowSettles() throws {
        let site = try chequeThenRerunFebruary(held: ("usage-feb-late.csv", "report_id,reported_at,client_id,radiologist_id,modality,"
            + "image_count\nF2,2026-02-20T10:00Z,C2,D1,CT,1\n"), reason: "late report F2")
        let invoice = try #require(try site.bodies("invoice.issued").last)
        #expect(invoice["number"] as? String == "INV-2026-000003" && invoice["total"] as? String == "200.00" && invoice["paid_before"] == nil
                && invoice["account_changes"] as? [[String: String]] == Self.marchNowPaid, "\(invoice)")
        let texts = try PrintedSheet(site.path("Outbox/2026-02/invoices/INV-2026-000003.xlsx")).cells.values.compactMap(\.text)
        #expect(texts.contains("Please pay 200.00 INR by 2026-05-10, quoting INV-2026-000003.")
                && texts.contains(Self.changedLine("invoice", "INV-2026-000002 (2026-03) nothing to pay (100.00 INR before)")),
                "\(texts.filter { $0.contains("pay") })")
        // Its head says so too, where a reader looks first.
        #expect(texts.contains("Replaces INV-2026-000001 of 2026-02, reversed by CN-2026-000001: this invoice bills 2026-02 in full; 200.00 "
            + "INR to pay by 2026-05-10; what your other invoices leave to pay changes with it (see Payment)."),
                "\(texts.filter { $0.hasPrefix("Replaces") })")
        let statement = try site.recon(["statement", "C2"], env: Self.april)
        #expect(statement.code == 0 && statement.out.contains("total due: 200.00 INR (current 200.00, 1-30 0.00"), "\(statement.out)")
        site.expectAuditorAccepts()
    }

    /// P1 pays 100.00 naming March's INV-2026-000002 (100.00). March's price is cut to 50.00 and
    /// March rerun: INV-2026-000003 bills 50.00; P1 follows it, and the 50.00 over it goes to
    /// February's INV-2026-000001 (100.00, open), which has 50.00 left to pay. The new invoice said
    /// "50.00 INR already received" — half of what was sent for March — and nothing of where the
    /// rest went, while February's still asked for 100.00. It counts the 100.00 received for March
    /// and says what February's invoice has left.
    @Test func aReplacementInvoiceCountsWhatItsPaymentPaidBeyondItIntoAnotherInvoice() throws {
        let (site, key) = try februaryUnpaidMarchClosed()
        let texts = try payThenCutMarchToFifty(site, key: key, payments: "P1,C2,2026-04-05,100.00,INR,INV-2026-000002\n")
        #expect(texts.contains(Self.changedLine("invoice", "INV-2026-000001 (2026-02) 50.00 INR to pay (100.00 INR before)")),
                "\(texts.filter { $0.contains("pay") })")
        // 100 + 100 + 50 invoiced − 100 credited − 100 paid = 50.00, on February's invoice.
        let statement = try site.recon(["statement", "C2"], env: Self.april)
        #expect(statement.code == 0 && statement.out.contains("total due: 50.00 INR"), "\(statement.out)")
        site.expectAuditorAccepts()
    }

    /// C2's `payments` (rows), March's price cut to 50.00 and March rerun: its new invoice,
    /// INV-2026-000003, bills 50.00 with 100.00 received for March, nothing to pay. Its first
    /// sheet's texts.
    func payThenCutMarchToFifty(_ site: TestSite, key: String, payments: String) throws -> [String] {
        try site.drop("payments-1.csv", "payment_id,client_id,received_on,amount,currency,invoice\n" + payments)
        try site.drop("client_rates-cut.csv", "effective_from,client_id,contract_type,modality,urgency,tier_from,tier_to,unit_price,currency,tier_mode\n"
                      + "2026-02-01,*,*,*,*,1,,50,INR,volume\n")
        #expect(try site.recon(["ingest"], env: Self.april).code == 0)
        let rerun = try site.recon(["rerun", "2026-03", "--reason", "price cut", "--key", key], env: Self.april)
        #expect(rerun.code == 0, "\(rerun.out)\(rerun.err)")
        try expectMarchReplacement(site, "INV-2026-000003", total: "50.00", paidBefore: "100.00",
                                   asking: "Nothing to pay on this invoice: 100.00 INR already received for 2026-03 covers its total, 50.00 INR.")
        return try PrintedSheet(site.path("Outbox/2026-03/invoices/INV-2026-000003.xlsx")).cells.values.compactMap(\.text)
    }

    /// February paid (P0 100.00 naming it); March paid 100.00 naming its invoice (P1), and a
    /// cheque of 30.00 naming none (P2). March's price cut to 50.00, rerun: INV-2026-000003 bills
    /// 50.00; P1 follows it, 50.00 over it; P2 finds nothing open. Received for March 100.00; the
    /// account's credit 50.00 + 30.00 = 80.00. "100.00 received covers 50.00" beside "80.00 in
    /// credit" did not add up: the credit says what it is made of.
    @Test func aReplacementInvoiceSaysWhatItsAccountsCreditIsMadeOf() throws {
        let (site, key) = try februaryUnpaidMarchClosed()
        let texts = try payThenCutMarchToFifty(site, key: key, payments: "P0,C2,2026-04-05,100.00,INR,INV-2026-000001\n"
            + "P1,C2,2026-04-05,100.00,INR,INV-2026-000002\nP2,C2,2026-04-06,30.00,INR,\n")
        #expect(texts.contains("Your account holds 80.00 INR in credit (50.00 INR received for 2026-03 beyond this invoice, and 30.00 INR "
            + "of other payments beyond your invoices), for payments beyond your invoices: your account statement gives each payment; "
            + "it is set against what you are invoiced next in its currency, or repaid on request."),
                "\(texts.filter { $0.contains("credit") })")
        let statement = try site.recon(["statement", "C2"], env: Self.april)
        #expect(statement.code == 0 && statement.out.contains("total due: -80.00 INR"), "\(statement.out)")
    }

    /// What a credit note says when it frees a payment: "With this credit note your payments are
    /// set against your invoices anew, and leave …".
    /// A credit note's head line (layout 15) naming the other invoices whose open amount it changes.
    static func changedHead(_ list: String) -> String {
        "With this credit note your payments are set against your invoices anew, and leave \(list) (see Payment)."
    }

    static func changedLine(_ document: String, _ list: String) -> String {
        "With this \(document) your payments are set against your invoices anew, and leave \(list): pay from this list, not from "
            + "what that invoice asked when issued."
    }

    /// February taken back whole (its only report excluded), no new invoice: the cheque that had
    /// paid it (P1, 100.00, naming no invoice) now pays March's INV-2026-000002. The credit note
    /// said only that it reduced what was due on February's invoice, and March's still asked
    /// for 100.00: 0.00 is due.
    @Test func aCreditNoteOfAMonthTakenBackWholeSaysWhereItsPaymentWent() throws {
        let site = try chequeThenRerunFebruary(held: ("decisions-02.csv", "subject,decision,by\nF1,exclude,Asha\n"), reason: "F1 not ours")
        let note = try #require(try site.bodies("credit_note.issued").first)
        #expect(note["account_changes"] as? [[String: String]] == Self.marchNowPaid && note["account_credit"] == nil, "\(note)")
        try Self.expectCreditNoteNames("INV-2026-000002 (2026-03) nothing to pay (100.00 INR before)", totalDue: "0.00", in: site)
    }

    /// February's credit note CN-2026-000001 names `change` in its payment lines and (layout 15)
    /// in its head — on page 2 alone, a payer filing it from page 1 paid March again — and C2's
    /// statement shows `totalDue` INR.
    static func expectCreditNoteNames(_ change: String, totalDue: String, in site: TestSite) throws {
        let texts = try PrintedSheet(site.path("Outbox/2026-02/credit-notes/CN-2026-000001.xlsx")).cells.values.compactMap(\.text)
        #expect(texts.contains(changedLine("credit note", change)) && texts.contains(changedHead(change)), "\(texts.filter { $0.contains("pay") })")
        let statement = try site.recon(["statement", "C2"], env: april)
        #expect(statement.code == 0 && statement.out.contains("total due: \(totalDue) INR"), "\(statement.out)")
        site.expectAuditorAccepts()
    }

    /// A goodwill credit of 30.00 on February's INV-2026-000001, paid in full (P1 naming it): the
    /// 30.00 it frees goes to March's INV-2026-000002, 70.00 left on it. The credit note said
    /// nothing of it, and March's invoice still asked for 100.00.
    @Test func aGoodwillCreditOnAPaidInvoiceSaysWhereWhatItFreesWent() throws {
        let (site, key) = try februaryUnpaidMarchClosed()
        try site.drop("payments-1.csv", "payment_id,client_id,received_on,amount,currency,invoice\nP1,C2,2026-04-05,100.00,INR,INV-2026-000001\n")
        #expect(try site.recon(["ingest"], env: Self.april).code == 0)
        let credit = try site.recon(["credit", "INV-2026-000001", "--amount", "30.00", "--reason", "goodwill", "--key", key], env: Self.april)
        #expect(credit.code == 0, "\(credit.out)\(credit.err)")
        try Self.expectCreditNoteNames("INV-2026-000002 (2026-03) 70.00 INR to pay (100.00 INR before)", totalDue: "70.00", in: site)
    }

    /// February rerun the day March closes: its new invoice falls due the same day as March's
    /// (2026-05-01). An unnamed 120.00 goes to the oldest due first, by number among the same
    /// day: March's INV-2026-000002 takes 100.00, the new INV-2026-000003 (200.00) 20.00, and
    /// 180.00 stays open on it. Reckoned with a stand-in sorting before every `INV-…`, the new
    /// invoice took the payment first and asked for 80.00.
    @Test func aReplacementDueTheSameDayAsAnotherTakesWhatTheStatementGivesIt() throws {
        let (site, key) = try februaryUnpaidMarchClosed(keyAt: Self.closeDay)
        try site.drop("payments-1.csv", "payment_id,client_id,received_on,amount,currency\nP1,C2,2026-04-01,120.00,INR\n")
        try site.drop("usage-feb-late.csv", "report_id,reported_at,client_id,radiologist_id,modality,image_count\nF2,2026-02-20T10:00Z,C2,D1,CT,1\n")
        #expect(try site.recon(["ingest"], env: Self.closeDay).code == 3)
        let rerun = try site.recon(["rerun", "2026-02", "--reason", "late report", "--key", key], env: Self.closeDay)
        #expect(rerun.code == 0, "\(rerun.out)\(rerun.err)")
        let invoice = try #require(try site.bodies("invoice.issued").last)
        #expect(invoice["number"] as? String == "INV-2026-000003" && invoice["due_on"] as? String == "2026-05-01"
                && invoice["paid_before"] as? String == "20.00", "\(invoice)")
        // 100 + 100 + 200 − 100 − 120 = 180.00: all of it on the new invoice, March's paid.
        let statement = try site.recon(["statement", "C2"], env: Self.closeDay)
        #expect(statement.code == 0 && statement.out.contains("total due: 180.00 INR (current 180.00"), "\(statement.out)")
    }

    /// A late March report dropped into the Inbox and not yet ingested (the watcher's second of
    /// waiting, or an ingest stopped before it held the drop): the signed rerun applied only
    /// B2, held before, said nothing of it, and spent its request. Refused (exit 3) before
    /// anything is appended, naming the drop; ingested (held), the same rerun bills both.
    @Test func aRerunWithALateDropStillInTheInboxRefusesFirst() throws {
        let site = try site()
        try site.drop("usage-03-later.csv", "report_id,reported_at,client_id,radiologist_id,modality,image_count\nB4,2026-03-21T10:00Z,C2,D1,CT,1\n")
        let key = try site.operatorKey("op", listed: true, env: Self.april)
        let ledger = try site.ledgerBytes()
        let refused = try site.recon(["rerun", "2026-03", "--reason", "late reports", "--key", key], env: Self.april)
        #expect(refused.code == 3 && refused.err.contains("Inbox/ holds a drop not yet ingested (usage-03-later.csv): run `recon "
            + "ingest` first") && refused.err.contains("nothing was appended"), "\(refused.out)\(refused.err)")
        #expect(try site.ledgerBytes() == ledger && site.exists("Inbox/usage-03-later.csv"))
        #expect(try site.recon(["ingest"], env: Self.april).code == 3)
        let rerun = try site.recon(["rerun", "2026-03", "--reason", "late reports", "--key", key], env: Self.april)
        #expect(rerun.code == 0, "\(rerun.out)\(rerun.err)")
        // B1, B2 and B4 at 100.00.
        #expect(try site.bodies("invoice.issued").last?["total"] as? String == "300.00")
        site.expectAuditorAccepts()
    }

    /// A month rerun twice, for a client with an older month unpaid. C2: February INV-2026-000001
    /// (100.00, unpaid) and March INV-2026-000002 (100.00). P1 pays March's 100.00, naming it; a
    /// late report, rerun: CN-2026-000001 reverses it and INV-2026-000003 bills March anew, 200.00,
    /// "less 100.00 received", so P2 pays the 100.00 asked, naming it. A second late report, rerun
    /// again: CN-2026-000002 reverses INV-2026-000003 and INV-2026-000004 bills 300.00. Received
    /// for March: 100.00 + 100.00 = 200.00, so it asks for 300.00 − 200.00 = 100.00. It asked for
    /// 200.00: P1, its invoice reversed, went to February, oldest due, and was asked again.
    @Test func aSecondReplacementInvoiceCountsWhatWasPaidForTheMonthBeforeTheFirst() throws {
        let (site, key) = try februaryUnpaidMarchClosed()
        try payThenRerunMarch(site, key: key, "1", payment: "P1,C2,2026-04-05,100.00,INR,INV-2026-000002", late: "M2,2026-03-20T10:00Z")
        try payThenRerunMarch(site, key: key, "2", payment: "P2,C2,2026-04-10,100.00,INR,INV-2026-000003", late: "M3,2026-03-21T10:00Z")
        try expectMarchReplacement(site, "INV-2026-000004", total: "300.00", paidBefore: "200.00", asking: "Please pay 100.00 INR by "
            + "2026-05-10, quoting INV-2026-000004: its total, 300.00 INR, less 200.00 INR already received for 2026-03.")
        // The account agrees: February's 100.00 is still owed, and March's 100.00 still to pay.
        // 100 + 100 + 200 + 300 invoiced − 100 − 200 credited − 200 paid = 200.00.
        let statement = try site.recon(["statement", "C2"], env: Self.april)
        #expect(statement.code == 0 && statement.out.contains("total due: 200.00 INR"), "\(statement.out)")
        site.expectAuditorAccepts()
    }

    /// The payout side of the same rerun: D1 was paid PAY-2026-000001, 2 × 50.00 = 100.00; the
    /// rerun takes it back (PAYADJ-2026-000001, 100.00) and issues PAY-2026-000002 for the month
    /// whole, 3 × 50.00 = 150.00. It said only that it "pays 2026-03 in full", 150.00: paid from
    /// it, the month was paid twice. It says what to transfer: 150.00 − 100.00 = 50.00.
    @Test func aReplacementPayoutStatementSaysWhatIsLeftToTransfer() throws {
        let site = try site()
        _ = try replacement(in: site, paid: "100.00", ingestExits: 0, reason: "late report for C2")
        let payout = try #require(try site.bodies("payout.issued").last)
        #expect(payout["number"] as? String == "PAY-2026-000002" && payout["total"] as? String == "150.00"
                && payout["paid_before"] as? String == "100.00" && payout["layout"] as? Int == 16, "\(payout)")
        let sheet = try PrintedSheet(site.path("Outbox/2026-03/payouts/PAY-2026-000002.xlsx"))
        let texts = sheet.cells.values.compactMap(\.text)
        #expect(texts.contains(Self.transferLine("50.00", total: "150.00", held: "100.00")),
                "\(texts.filter { $0.contains("ransfer") || $0.contains("full") })")
        // Said in its head too, where its reader looks first.
        #expect(texts.contains("Replaces PAY-2026-000001 of 2026-03, reversed by PAYADJ-2026-000001: this statement pays 2026-03 in "
            + "full; with what was sent for it before, 50.00 INR is left to transfer (see Payment)."),
                "\(texts.filter { $0.contains("ransfer") || $0.contains("full") })")
        site.expectAuditorAccepts()
    }

    /// Two reruns, the first lowering D1's month, the second raising it. March: A1, B1, B3, D1
    /// paid 3 × 50.00 = 150.00 (PAY-2026-000001), sent. A held decision excludes B1: PAY-2026-000002
    /// bills 100.00, nothing to transfer (150.00 sent covers it; the 50.00 over it set off or
    /// repaid, as it says). A late B2: PAY-2026-000003 bills 150.00 again. The payee holds 100.00
    /// once those are followed: 50.00 to transfer, and, if PAY-2026-000002's 50.00 was never taken
    /// back, the statement's total less what it holds (nothing). Counting all that was ever sent
    /// (150.00), it said "nothing to transfer" while PAY-2026-000002 still asked for 50.00 back.
    @Test func aSecondReplacementPayoutCountsWhatThePayeeHoldsOnceTheEarlierDocumentsAreFollowed() throws {
        let site = try site(alsoInMarch: "\nB3,2026-03-03T11:00Z,C2,D1,CT,1", lateB2: false)
        let key = try site.operatorKey("op", listed: true, env: Self.april)
        try site.drop("decisions-03.csv", "subject,decision,by\nB1,exclude,Asha\n")
        #expect(try site.recon(["ingest"], env: Self.april).code == 3)
        #expect(try site.recon(["rerun", "2026-03", "--reason", "B1 not ours", "--key", key], env: Self.april).code == 0)
        try site.drop("usage-03-late.csv", "report_id,reported_at,client_id,radiologist_id,modality,image_count\nB2,2026-03-20T10:00Z,C2,D1,CT,1\n")
        #expect(try site.recon(["ingest"], env: Self.april).code == 3)
        let rerun = try site.recon(["rerun", "2026-03", "--reason", "late B2", "--key", key], env: Self.april)
        #expect(rerun.code == 0, "\(rerun.out)\(rerun.err)")
        let totals = try site.bodies("payout.issued").map { "\($0["number"] ?? "") \($0["total"] ?? "") \($0["paid_before"] ?? "-")" }
        #expect(totals == ["PAY-2026-000001 150.00 -", "PAY-2026-000002 100.00 150.00", "PAY-2026-000003 150.00 100.00"], "\(totals)")
        let texts = try PrintedSheet(site.path("Outbox/2026-03/payouts/PAY-2026-000003.xlsx")).cells.values.compactMap(\.text)
        #expect(texts.contains(Self.transferLine("50.00", total: "150.00", held: "100.00")), "\(texts.filter { $0.contains("ransfer") })")
        // Its adjustment asks for no set-off of its own: the statement nets it.
        let adjustment = try PrintedSheet(site.path("Outbox/2026-03/payouts/PAYADJ-2026-000002.xlsx")).cells.values.compactMap(\.text)
        #expect(adjustment.contains("This adjustment takes back what was paid on PAY-2026-000002. PAY-2026-000003, issued with it, "
            + "already counts it in what it leaves to transfer: nothing is to be set off or repaid for this adjustment itself."),
                "\(adjustment)")
        site.expectAuditorAccepts()
    }

    /// A month taken back whole, then billed anew, then rerun again. C2 pays March's
    /// INV-2026-000002 (100.00) in full. Held decisions exclude A1 and B1, every report of the
    /// month: the rerun reverses each party whole and issues nothing new (PAYADJ-2026-000001 takes
    /// D1's 100.00 back, to be set off or repaid). A late B2 (C2, D1): March is billed anew —
    /// INV-2026-000003 (100.00) and PAY-2026-000002 (50.00), each replacing the documents reversed
    /// before. A late B4: PAY-2026-000003 (2 × 50.00 = 100.00). The payee holds 50.00 once the
    /// earlier documents are followed (100.00 − 100.00 + 50.00): 50.00 to transfer. It counted
    /// PAY-2026-000001's 100.00 as still sent, said "nothing to transfer" and asked for 100.00
    /// back; and INV-2026-000003, a new bill, asked C2 to pay 100.00 again, in credit by 100.00.
    @Test func aMonthBilledAnewAfterItWasTakenBackWholeCountsWhatWasPaidAndHeld() throws {
        let site = try site(lateB2: false)
        let key = try site.operatorKey("op", listed: true, env: Self.april)
        try site.drop("payments-1.csv", "payment_id,client_id,received_on,amount,currency,reference,invoice\n"
                      + "P1,C2,2026-04-05,100.00,INR,NEFT 1,INV-2026-000002\n")
        #expect(try site.recon(["ingest"], env: Self.april).code == 0)
        try site.drop("decisions-03.csv", "subject,decision,by\nA1,exclude,Asha\nB1,exclude,Asha\n")
        #expect(try site.recon(["ingest"], env: Self.april).code == 3)
        let first = try site.recon(["rerun", "2026-03", "--reason", "none of these were ours", "--key", key], env: Self.april)
        #expect(first.code == 0, "\(first.out)\(first.err)")
        // Taken back whole, no new invoice: C2's credit note says the 100.00 it paid is its credit now
        // (it said only where a balance is paid). C1 paid nothing: its credit note says no credit.
        let notes = try site.bodies("credit_note.issued")
        let c2 = try #require(notes.first { $0["client_id"] as? String == "C2" })
        #expect(c2["account_credit"] as? [[String: String]] == [["amount": "100.00", "currency": "INR"]], "\(c2)")
        #expect(notes.first { $0["client_id"] as? String == "C1" }?["account_credit"] == nil, "\(notes)")
        let note = try PrintedSheet(site.path("Outbox/2026-03/credit-notes/\(c2["number"] as? String ?? "").xlsx")).cells.values.compactMap(\.text)
        #expect(note.contains(Self.creditLine("100.00 INR")), "\(note.filter { $0.contains("credit") })")
        for (n, row) in ["B2,2026-03-20T10:00Z", "B4,2026-03-21T10:00Z"].enumerated() {
            try site.drop("usage-03-late-\(n).csv", "report_id,reported_at,client_id,radiologist_id,modality,image_count\n\(row),C2,D1,CT,1\n")
            #expect(try site.recon(["ingest"], env: Self.april).code == 3)
            let rerun = try site.recon(["rerun", "2026-03", "--reason", "late report \(n)", "--key", key], env: Self.april)
            #expect(rerun.code == 0, "\(rerun.out)\(rerun.err)")
        }
        let payouts = try site.entries().compactMap { $0["body"] as? [String: Any] }.filter { $0["radiologist_id"] as? String == "D1" }
            .map { "\($0["number"] ?? "") \($0["total"] ?? "") \($0["paid_before"] ?? "-") \(($0["replaces"] as? [String])?.joined() ?? "-")" }
        // PAY-2026-000002: what PAY-2026-000001 sent, PAYADJ-2026-000001 took back: the payee holds nothing (layout 15:
        // it said nothing of what to transfer).
        #expect(payouts == ["PAY-2026-000001 100.00 - -", "PAYADJ-2026-000001 100.00 - -", "PAY-2026-000002 50.00 0.00 PAY-2026-000001",
                            "PAYADJ-2026-000002 50.00 - -", "PAY-2026-000003 100.00 50.00 PAY-2026-000002"], "\(payouts)")
        let anew = try PrintedSheet(site.path("Outbox/2026-03/payouts/PAY-2026-000002.xlsx")).cells.values.compactMap(\.text)
        #expect(anew.contains("Transfer 50.00 INR, this statement's total: the payee holds nothing for 2026-03 once its earlier "
            + "statements and adjustments are followed (what they sent, the adjustments took back). If they were not all followed, "
            + "transfer this statement's total less what the payee holds for 2026-03.")
                && anew.contains { $0.hasSuffix("with what was sent for it before, 50.00 INR is left to transfer (see Payment).") },
                "\(anew.filter { $0.contains("ransfer") })")
        let statement = try PrintedSheet(site.path("Outbox/2026-03/payouts/PAY-2026-000003.xlsx")).cells.values.compactMap(\.text)
        #expect(statement.contains(Self.transferLine("50.00", total: "100.00", held: "50.00")), "\(statement.filter { $0.contains("ransfer") })")
        // The adjustment issued alone still asks for its own set-off.
        let alone = try PrintedSheet(site.path("Outbox/2026-03/payouts/PAYADJ-2026-000001.xlsx")).cells.values.compactMap(\.text)
        #expect(alone.contains("This adjustment reduces what was paid on PAY-2026-000001: it is set off against what is next paid to "
            + "the payee, or repaid."), "\(alone)")
        // C2's month billed anew counts P1, paid for the month: nothing to pay.
        let invoice = try #require(try site.bodies("invoice.issued").first { $0["number"] as? String == "INV-2026-000003" })
        #expect(invoice["total"] as? String == "100.00" && invoice["paid_before"] as? String == "100.00"
                && invoice["replaces"] as? [String] == ["INV-2026-000002"], "\(invoice)")
        let texts = try PrintedSheet(site.path("Outbox/2026-03/invoices/INV-2026-000003.xlsx")).cells.values.compactMap(\.text)
        #expect(texts.contains("Nothing to pay on this invoice: 100.00 INR already received for 2026-03 covers its total, 100.00 INR."),
                "\(texts.filter { $0.contains("pay") })")
        #expect(texts.contains("Replaces INV-2026-000002 of 2026-03 (credited in full before): this invoice bills 2026-03 in full; "
            + "with what was received for it, nothing is left to pay (see Payment)."),
                "\(texts.filter { $0.contains("eplaces") })")
        site.expectAuditorAccepts()
        #expect(try site.recon(["verify"]).code == 0)
    }

    /// What a rerun's new payout statement (layout 13) of March says is left to transfer.
    static func transferLine(_ left: String, total: String, held: String) -> String {
        "Transfer \(left) INR: this statement's total, \(total) INR, less \(held) INR the payee holds for 2026-03 once its earlier "
            + "statements and adjustments are followed. If they were not all followed, transfer this statement's total less what "
            + "the payee holds for 2026-03."
    }

    /// What a replacement invoice says of the client's credit once it is issued (layout 13).
    static func creditLine(_ amounts: String) -> String {
        "Your account holds \(amounts) in credit, for payments beyond your invoices: your account statement gives each payment; "
            + "it is set against what you are invoiced next in its currency, or repaid on request."
    }

    /// A payment that named no invoice: C2's 250.00 cheque went to INV-2026-000002 (100.00), the
    /// only invoice, and 150.00 stayed as credit; the rerun bills March anew, 200.00. The
    /// account then sets 200.00 of it against the new invoice and holds 50.00 in credit. The
    /// invoice said only what it set against it, and nothing of the credit (a payment naming the
    /// invoice had its excess said): 250.00 − 200.00 = 50.00, said as the account's credit.
    @Test func aReplacementInvoiceSaysTheCreditAnUnnamedPaymentLeaves() throws {
        let site = try site()
        try site.drop("payments-1.csv", "payment_id,client_id,received_on,amount,currency,reference,invoice\n"
                      + "P1,C2,2026-04-05,250.00,INR,cheque 1,\n")
        #expect(try site.recon(["ingest"], env: Self.april).code == 0)
        let key = try site.operatorKey("op", listed: true, env: Self.april)
        #expect(try site.recon(["rerun", "2026-03", "--reason", "late report for C2", "--key", key], env: Self.april).code == 0)
        let invoice = try #require(try site.bodies("invoice.issued").last)
        #expect(invoice["number"] as? String == "INV-2026-000003" && invoice["total"] as? String == "200.00"
                && invoice["paid_before"] as? String == "200.00", "\(invoice)")
        let texts = try PrintedSheet(site.path("Outbox/2026-03/invoices/INV-2026-000003.xlsx")).cells.values.compactMap(\.text)
        #expect(texts.contains("Nothing to pay on this invoice: 200.00 INR already received for 2026-03 covers its total, 200.00 INR."),
                "\(texts.filter { $0.contains("pay") })")
        #expect(texts.contains(Self.creditLine("50.00 INR")), "\(texts.filter { $0.contains("credit") })")
        // Its head says it too, where the first page's reader looks.
        #expect(texts.contains("Replaces INV-2026-000002 of 2026-03, reversed by CN-2026-000001: this invoice bills 2026-03 in full; "
            + "with what was received for it, nothing is left to pay (see Payment)."), "\(texts.filter { $0.contains("eplaces") })")
        let statement = try site.recon(["statement", "C2"], env: Self.april)
        #expect(statement.code == 0 && statement.out.contains("-50.00 INR"), "\(statement.out)")
        site.expectAuditorAccepts()
    }

    /// Overpaid: C2 paid 250.00 on INV-2026-000002 (100.00); the rerun bills March anew, 200.00.
    /// The replacement counted 100.00 received (what the old invoice could take) and asked for
    /// 100.00 more, while the statement showed C2 in credit. 250.00 was paid for it: nothing to
    /// pay, 250.00 − 200.00 = 50.00 stays as credit, as the statement says.
    @Test func aReplacementInvoiceCountsAnOverpaymentOnTheOneItReplacesWhole() throws {
        let site = try site()
        let (invoice, sheet) = try replacement(in: site, paid: "250.00", ingestExits: 0, reason: "late report for C2")
        #expect(invoice["total"] as? String == "200.00" && invoice["paid_before"] as? String == "250.00", "\(invoice)")
        let texts = sheet.cells.values.compactMap(\.text)
        #expect(texts.contains("Nothing to pay on this invoice: 250.00 INR already received for 2026-03 covers its "
            + "total, 200.00 INR."), "\(texts.filter { $0.contains("pay") })")
        #expect(texts.contains(Self.creditLine("50.00 INR")), "\(texts.filter { $0.contains("credit") })")
        #expect(invoice["account_credit"] as? [[String: String]] == [["amount": "50.00", "currency": "INR"]], "\(invoice)")
        // 100.00 + 200.00 invoiced − 100.00 credited − 250.00 paid = −50.00.
        let statement = try site.recon(["statement", "C2"], env: Self.april)
        #expect(statement.code == 0 && statement.out.contains("-50.00 INR"), "\(statement.out)")
        site.expectAuditorAccepts()
    }

    /// What was received covers the replacement: C2 paid INV-2026-000002 (B1 and B3, 2 ×
    /// 100.00) in full, and a held decision excludes B1, so the rerun bills March anew for B3
    /// alone, 100.00. There is nothing to pay on it, 200.00 − 100.00 = 100.00 stays on C2's
    /// account, and it says so rather than asking for 100.00.
    @Test func aReplacementInvoiceCoveredByWhatWasReceivedAsksForNothing() throws {
        let site = try site(alsoInMarch: "\nB3,2026-03-03T11:00Z,C2,D1,CT,1", lateB2: false)
        try site.drop("decisions-03.csv", "subject,decision,by\nB1,exclude,Asha\n")
        let (invoice, sheet) = try replacement(in: site, paid: "200.00", ingestExits: 3, held: "decisions-03.csv", reason: "B1 not ours")
        #expect(invoice["total"] as? String == "100.00" && invoice["paid_before"] as? String == "200.00", "\(invoice)")
        let texts = sheet.cells.values.compactMap(\.text)
        #expect(texts.contains("Nothing to pay on this invoice: 200.00 INR already received for 2026-03 covers its "
            + "total, 100.00 INR."), "\(texts.filter { $0.contains("pay") })")
        #expect(texts.contains(Self.creditLine("100.00 INR")), "\(texts.filter { $0.contains("credit") })")
        #expect(!texts.contains { $0.hasPrefix("Please pay") }, "\(texts)")
        // The account agrees: 200.00 + 100.00 invoiced − 200.00 credited − 200.00 paid = −100.00.
        let statement = try site.recon(["statement", "C2"], env: Self.april)
        #expect(statement.code == 0 && statement.out.contains("-100.00 INR"), "\(statement.out)")
        site.expectAuditorAccepts()
    }

    /// A rerun reissuing a party whose invoice `recon credit` had brought to zero reverses
    /// nothing (0.00 remains), yet that invoice is settled by it as by a reversal: a later
    /// rerun's credit note names only the invoice still owed on, and its warning only the
    /// goodwill given on that one. C2: INV-2 100.00 credited whole (CN-1); rerun → INV-3 200.00
    /// (B1, B2); 30.00 credited on it (CN-2); a third report B3, rerun → CN-3 credits what
    /// remains, 200.00 − 30.00 = 170.00, on INV-3 alone, and INV-4 bills 3 × 100.00 = 300.00.
    /// (CN-3 named INV-2 as well, and the warning CN-1 again, already absorbed by the first rerun.)
    @Test func aSecondRerunNamesOnlyTheInvoiceStillOwedOnAndOnlyItsGoodwill() throws {
        let site = try site()
        let key = try site.operatorKey("op", listed: true, env: Self.april)
        #expect(try site.recon(["credit", "INV-2026-000002", "--amount", "100.00", "--reason", "waived", "--key", key],
                               env: Self.april).code == 0)
        let first = try site.recon(["rerun", "2026-03", "--reason", "late report B2", "--key", key], env: Self.april)
        #expect(first.code == 0, "\(first.out)\(first.err)")
        #expect(first.err.contains("C2: CN-2026-000001 (100.00 INR) credited INV-2026-000002 before this rerun"), "\(first.err)")
        let reissued = try #require(try site.bodies("invoice.issued").last)
        #expect("\(reissued["number"] ?? "") \(reissued["client_id"] ?? "") \(reissued["total"] ?? "")" == "INV-2026-000003 C2 200.00")
        #expect(try site.bodies("credit_note.issued").count == 1)  // nothing remained to reverse
        #expect(try site.recon(["credit", "INV-2026-000003", "--amount", "30.00", "--reason", "goodwill", "--key", key],
                               env: Self.april).code == 0)
        try site.drop("usage-03-later.csv", "report_id,reported_at,client_id,radiologist_id,modality,image_count\nB3,2026-03-21T10:00Z,C2,D1,CT,1\n")
        #expect(try site.recon(["ingest"], env: Self.april).code == 3)
        let second = try site.recon(["rerun", "2026-03", "--reason", "late report B3", "--key", key, "--json"], env: Self.april)
        #expect(second.code == 0, "\(second.out)\(second.err)")
        let reversal = try #require(try site.bodies("credit_note.issued").last)
        #expect(reversal["number"] as? String == "CN-2026-000003" && reversal["total"] as? String == "170.00"
            && reversal["refers_to"] as? [String] == ["INV-2026-000003"], "\(reversal)")
        let latest = try #require(try site.bodies("invoice.issued").last)
        #expect("\(latest["number"] ?? "") \(latest["client_id"] ?? "") \(latest["total"] ?? "")" == "INV-2026-000004 C2 300.00")
        #expect(second.err.contains("C2: CN-2026-000002 (30.00 INR) credited INV-2026-000003 before this rerun")
            && !second.err.contains("CN-2026-000001"), "\(second.err)")
        // Each new invoice says what it replaces, and by what it was reversed, in its entry and on
        // its first sheet: a payables clerk sees a replacement, not a second bill for March.
        #expect(reissued["replaces"] as? [String] == ["INV-2026-000002"] && reissued["reversed_by"] == nil, "\(reissued)")
        #expect(latest["replaces"] as? [String] == ["INV-2026-000003"] && latest["reversed_by"] as? String == "CN-2026-000003", "\(latest)")
        let sheet = try PrintedSheet(site.path("Outbox/2026-03/invoices/INV-2026-000004.xlsx"))
        #expect(sheet.reference(of: "Replaces INV-2026-000003 of 2026-03, reversed by CN-2026-000003: this invoice bills 2026-03 in full; "
            + "300.00 INR to pay by 2026-05-10 (see Payment).") != nil, "\(sheet.cells.values.compactMap(\.text).filter { $0.hasPrefix("Replaces") })")
        let earlier = try PrintedSheet(site.path("Outbox/2026-03/invoices/INV-2026-000003.xlsx"))
        #expect(earlier.reference(of: "Replaces INV-2026-000002 of 2026-03 (credited in full before): this invoice bills 2026-03 in full; "
            + "200.00 INR to pay by 2026-05-10 (see Payment).") != nil, "\(earlier.cells.values.compactMap(\.text).filter { $0.hasPrefix("Replaces") })")
        // The radiologist's new statement likewise (D1 was paid 2, then 3, then 4 reports).
        let statement = try #require(try site.bodies("payout.issued").last)
        #expect((statement["replaces"] as? [String])?.count == 1 && (statement["reversed_by"] as? String)?.hasPrefix("PAYADJ-") == true,
                "\(statement)")
        site.expectAuditorAccepts()

        // Rewritten to say it replaces C1's invoice, the chain re-hashed and every checkpoint signed
        // again (what the site key's holder can do): refused, as recon writes no such entry.
        try site.rewriteLedger { _, kind, body in
            if kind == "invoice.issued", body["number"] == .string("INV-2026-000004") { body["replaces"] = .array([.string("INV-2026-000001")]) }
        }
        try CreditNoteOfAnotherClientTests().resignEveryCheckpoint(site, origin: "terms-site")
        let verify = try site.recon(["verify"], env: Self.april)
        #expect(verify.code == 4 && verify.out.contains("INV-2026-000004 says it replaces INV-2026-000001, which is no document of its "
            + "party and period issued before it"), "\(verify.out)")
        // Rewritten to name an invoice a rerun replaced already, or the goodwill credit as its reversal: refused alike.
        for (member, value, said) in [("replaces", JSONValue.array([.string("INV-2026-000002")]), "which the document of seq"),
                                      ("reversed_by", JSONValue.string("CN-2026-000002"), "a credit `recon credit` issued")] {
            try site.rewriteLedger { _, kind, body in
                guard kind == "invoice.issued", body["number"] == .string("INV-2026-000004") else { return }
                body["replaces"] = .array([.string("INV-2026-000003")])
                body[member] = value
            }
            try CreditNoteOfAnotherClientTests().resignEveryCheckpoint(site, origin: "terms-site")
            let refused = try site.recon(["verify"], env: Self.april)
            #expect(refused.code == 4 && refused.out.contains(said), "\(member): \(refused.out)")
        }
    }
}
