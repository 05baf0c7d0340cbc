import Foundation
import Testing

/// A drop is taken as SPEC §2 says (rows upsert whole; a card replaces its date's card; cards
/// and rates of a closed month wait for a rerun), and what it changed or says that its clerk may
/// not have meant is said: a clients file sent to correct a name took C1's tax to 0 %.
struct DropNoticesTests {
    @Test func aColumnLeftOutOfAPartysRowIsSaidWithWhatItChanged() throws {
        let site = try TestSite.marchSite()
        try site.drop("clients-terms.csv", """
            client_id,name,currency,contract_type,onboarded_on,max_images_per_case,tax_rate,tax_components,po_number
            C1,City Hospital,INR,standard,2020-01-01,5,18,CGST:9;SGST:9,PO-7
            """)
        try site.drop("radiologists-usd.csv", "radiologist_id,name,grade,seniority_years,currency\nD2,Dr Lee,junior,2,USD\n")
        try site.drop("fx_rates.csv", "date,currency,rate\n2026-03-01,USD,83\n")
        let first = try site.recon(["ingest"], env: TestSite.closeDay)
        #expect(first.code == 0 && !first.err.contains("warning"), "\(first.err)")
        // The name corrected with a file of the required columns only.
        try site.drop("clients-rename.csv", "client_id,name,currency,contract_type,onboarded_on,max_images_per_case\nC1,City Hospital Ltd,INR,standard,2020-01-01,5\n")
        try site.drop("radiologists-rename.csv", "radiologist_id,name,grade,seniority_years\nD2,Dr A. Lee,junior,2\n")
        // A dry run says it where its reader looks, and `--json` carries it with the outcome.
        let dry = try site.recon(["ingest", "--dry-run"], env: TestSite.closeDay)
        #expect(dry.out.contains("  warning: clients-rename.csv has no po_number, tax_components, tax_rate columns"), "\(dry.out)")
        let renamed = try site.recon(["ingest", "--json"], env: TestSite.closeDay)
        #expect(renamed.code == 0, "\(renamed.err)")
        #expect(renamed.out.contains("\"warnings\":[\"clients-rename.csv has no po_number"), "\(renamed.out)")
        #expect(renamed.err.contains("clients-rename.csv has no po_number, tax_components, tax_rate columns")
            && renamed.err.contains("so it changed C1: tax_rate 18 → 0, tax_components CGST:9;SGST:9 → Tax:0, po_number PO-7 → (none)"),
                "\(renamed.err)")
        #expect(renamed.err.contains("radiologists-rename.csv has no currency column") && renamed.err.contains("D2: currency USD → INR"),
                "\(renamed.err)")
        // Taken as the SPEC says: C1 is now billed without tax.
        #expect(try site.recon(["status"], env: TestSite.closeDay).out.contains("draft invoices: 2 — 400.00 INR"))
    }

    /// A client rate row for `C01` (C1 meant), a contract type and a grade no party has: taken
    /// without a word, C1 was billed the wildcard row's price with no problem to show it.
    @Test func rateRowsNamingNoKnownPartyAreSaid() throws {
        let site = try TestSite.marchSite()
        try site.drop("client_rates-2.csv", TestSite.clientRatesHeader + "2026-03-01,C01,*,*,*,1,,60.00,INR,volume\n"
            + "2026-03-01,*,premium,*,*,1,,90.00,INR,volume\n2026-03-01,*,*,*,*,1,,100.00,INR,volume\n")
        try site.drop("provider_rates-2.csv", "effective_from,grade,modality,urgency,min_seniority_years,rate_per_report,rate_per_image,currency\n"
            + "2026-03-01,seniour,*,*,0,70.00,0,INR\n2026-03-01,*,*,*,0,50.00,0,INR\n")
        let ingest = try site.recon(["ingest"], env: TestSite.closeDay)
        #expect(ingest.code == 0, "\(ingest.err)")
        #expect(ingest.err.contains("client_rates-2.csv: client_id C01 (line 2) — which no clients drop has named yet: its rows price no one"),
                "\(ingest.err)")
        #expect(ingest.err.contains("client_rates-2.csv: contract_type premium (line 3) — which no client has yet"), "\(ingest.err)")
        #expect(ingest.err.contains("provider_rates-2.csv: grade seniour (line 2) — which no radiologist has yet"), "\(ingest.err)")
        // A row for every client says nothing.
        #expect(!ingest.err.contains("(line 4)"), "\(ingest.err)")
    }

    @Test func aCardReplacedWholeAndRatesOfAClosedMonthAreSaid() throws {
        let site = try TestSite.marchSite()
        #expect(try site.recon(["close", "2026-03"], env: TestSite.closeDay).code == 0)
        // March's client card of one row replaced by one of two keeping it: a notice (a rate
        // renegotiated). Its provider card's `*` row replaced by consultants' rows only: D2
        // (junior) has no row now — warned, naming the row left out. Both in force in closed
        // March, which only a rerun reprices: warned.
        try site.drop("client_rates-march.csv", """
            effective_from,client_id,contract_type,modality,urgency,tier_from,tier_to,unit_price,currency,tier_mode
            2026-03-01,C1,*,*,*,1,,120.00,INR,volume
            2026-03-01,*,*,*,*,1,,100.00,INR,volume
            """)
        try site.drop("provider_rates-march.csv", """
            effective_from,grade,modality,urgency,min_seniority_years,rate_per_report,rate_per_image,currency
            2026-03-01,consultant,*,*,0,60.00,0,INR
            2026-03-01,consultant,MR,*,0,70.00,0,INR
            """)
        try site.drop("fx_rates-march.csv", "date,currency,rate\n2026-03-31,USD,83\n")
        let taken = try site.recon(["ingest"], env: TestSite.rerunDay)
        #expect(taken.code == 0, "\(taken.err)")
        #expect(taken.err.contains("recon: client_rates-march.csv replaces the card of 2026-03-01 (1 row → 2)\n"), "\(taken.err)")
        #expect(taken.err.contains("recon: warning: provider_rates-march.csv replaces the whole card of 2026-03-01 (1 row → 2), "
            + "and the old card's rows for grade/modality/urgency/years */*/*/0 are not in it"), "\(taken.err)")
        #expect(taken.err.contains("provider_rates-march.csv holds rows in force in closed 2026-03: they reach that month only through `recon rerun 2026-03`"),
                "\(taken.err)")
        #expect(taken.err.contains("fx_rates-march.csv holds rates in force in closed 2026-03"), "\(taken.err)")
        // The same provider card again, written otherwise (60.0 for 60.00): nothing replaced, nothing said.
        try site.drop("provider_rates-march-again.csv", """
            effective_from,grade,modality,urgency,min_seniority_years,rate_per_report,rate_per_image,currency
            2026-03-01,consultant,MR,*,0,70,0,INR
            2026-03-01,consultant,*,*,0,60.0,0.00,INR
            """)
        let again = try site.recon(["ingest"], env: TestSite.rerunDay)
        #expect(again.code == 0 && !again.err.contains("replaces"), "\(again.err)")
        // An April card replaces nothing and touches no closed month: nothing to say.
        try site.drop("client_rates-april.csv", """
            effective_from,client_id,contract_type,modality,urgency,tier_from,tier_to,unit_price,currency,tier_mode
            2026-04-01,*,*,*,*,1,,110.00,INR,volume
            """)
        let april = try site.recon(["ingest"], env: TestSite.rerunDay)
        #expect(april.code == 0 && !april.err.contains("warning") && !april.err.contains("replaces"), "\(april.err)")
        // Replaced by a card of fewer rows: what it leaves out stops applying — warned.
        try site.drop("client_rates-april-2.csv", """
            effective_from,client_id,contract_type,modality,urgency,tier_from,tier_to,unit_price,currency,tier_mode
            2026-04-01,C1,*,*,*,1,,115.00,INR,volume
            """)
        try site.drop("client_rates-april-1.csv", """
            effective_from,client_id,contract_type,modality,urgency,tier_from,tier_to,unit_price,currency,tier_mode
            2026-04-01,C1,*,*,*,1,,110.00,INR,volume
            2026-04-01,*,*,*,*,1,,110.00,INR,volume
            """)
        let fewer = try site.recon(["ingest"], env: TestSite.rerunDay)
        #expect(fewer.err.contains("recon: warning: client_rates-april-2.csv replaces the whole card of 2026-04-01 (2 rows → 1), "
            + "and the old card's rows for client *, contract *, modality *, urgency *, tier from 1 are not in it"), "\(fewer.err)")
    }

    /// INV-2026-000001 is issued on 2026-04-02 (the close): a payment for it received on
    /// 2026-03-15 has a wrong date or invoice. Taken (the SPEC rejects neither), and said.
    /// A rate for a currency and date the site holds already, with another value, replaces it
    /// (a slipped decimal point took a draft from 1.20 to 11.98 USD): said as a card replaced
    /// is. The same rate again, written otherwise (83.0 for 83), says nothing.
    @Test func aRateReplacedIsSaid() throws {
        let site = try TestSite.marchSite()
        try site.drop("fx_rates.csv", "date,currency,rate\n2026-03-01,USD,83\n2026-03-02,EUR,90\n")
        #expect(try site.recon(["ingest"], env: TestSite.closeDay).code == 0)
        try site.drop("fx_rates-2.csv", "date,currency,rate\n2026-03-01,USD,830\n2026-03-02,EUR,90.0\n2026-03-03,USD,84\n")
        let taken = try site.recon(["ingest"], env: TestSite.closeDay)
        #expect(taken.code == 0, "\(taken.err)")
        #expect(taken.err.contains("recon: warning: fx_rates-2.csv replaces a rate the site held (line 2, USD on 2026-03-01: 83 → 830): "
            + "the new one is used from now on — if a value is wrong, drop the rate again with the right one"), "\(taken.err)")
        #expect(!taken.err.contains("EUR on"), "\(taken.err)")
    }

    @Test func aPaymentReceivedBeforeItsInvoiceWasIssuedIsSaid() throws {
        let site = try TestSite.marchSite()
        #expect(try site.recon(["close", "2026-03"], env: TestSite.closeDay).code == 0)
        try site.drop("payments.csv", """
            payment_id,client_id,received_on,amount,currency,invoice
            P1,C1,2026-03-15,100.00,INR,INV-2026-000001
            P2,C1,2026-04-03,100.00,INR,INV-2026-000001
            """)
        let taken = try site.recon(["ingest"], env: TestSite.rerunDay)
        #expect(taken.code == 0, "\(taken.err)")
        #expect(taken.err.contains("payments.csv: P1 received 2026-03-15, before INV-2026-000001 was issued (2026-04-02)")
            && !taken.err.contains("P2 received"), "\(taken.err)")
    }

    /// One bank transfer exported twice, by the bank and by accounts receivable, under two
    /// payment ids: both count (SPEC §2 makes only payment_id unique) and the invoice read as
    /// paid twice over, without a word. Said, naming the earlier payment, by the dry run too; a
    /// payment of another day, amount or reference, or without a reference, is not.
    @Test func aPaymentLikeOneRecordedUnderAnotherIdIsSaid() throws {
        let site = try TestSite.marchSite()
        #expect(try site.recon(["close", "2026-03"], env: TestSite.closeDay).code == 0)
        try site.drop("payments-bank.csv", """
            payment_id,client_id,received_on,amount,currency,reference,invoice
            BANK-1,C1,2026-04-05,177.00,INR,UTR 998877,INV-2026-000001
            BANK-2,C1,2026-04-05,100.00,INR,,INV-2026-000001
            """)
        #expect(try site.recon(["ingest"], env: TestSite.rerunDay).code == 0)
        try site.drop("payments-ar.csv", """
            payment_id,client_id,received_on,amount,currency,reference,invoice
            AR-77,C1,2026-04-05,177.0,INR,UTR 998877,INV-2026-000001
            AR-78,C1,2026-04-05,100.00,INR,,INV-2026-000001
            AR-79,C1,2026-04-06,177.00,INR,UTR 998877,INV-2026-000001
            """)
        let dry = try site.recon(["ingest", "--dry-run"], env: TestSite.rerunDay)
        let warning = "payments-ar.csv: AR-77 has the client, reference (UTR 998877), amount, currency and date of BANK-1 — both are "
            + "recorded as received"
        #expect(dry.out.contains(warning) || dry.err.contains(warning), "\(dry.out)\(dry.err)")
        let taken = try site.recon(["ingest"], env: TestSite.rerunDay)
        #expect(taken.code == 0, "\(taken.err)")
        #expect(taken.err.contains(warning) && !taken.err.contains("AR-78 has") && !taken.err.contains("AR-79 has"), "\(taken.err)")
    }
}
