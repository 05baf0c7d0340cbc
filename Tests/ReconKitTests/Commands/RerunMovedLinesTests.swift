import Foundation
import Testing

@testable import ReconKit

/// A rerun leaves alone a client whose total is unchanged (SPEC §5), even when what it bills
/// moved: an excluded CT report and a late MR report at the same price keep C1's March at
/// 300.00, and INV-2026-000001 still lists two CT reports and one MR. The rerun said nothing;
/// the review and the margin summary then disagreed with the invoice in force, line by line.
/// It now says which client, what the month bills and what was counted before.
struct RerunMovedLinesTests {
    static let lateMR = """
        report_id,reported_at,client_id,radiologist_id,modality,image_count
        R5,2026-03-20T10:00:00Z,C1,D1,MR,1
        """

    /// March closed (C1: R1, R2 CT and R3 MR at 100.00 each, INV-2026-000001 300.00 INR plus
    /// tax), then `drops` held for a rerun, which runs.
    private func rerun(after drops: [(String, String)]) throws -> (site: TestSite, run: TestSite.Run) {
        let site = try TestSite.marchSite()
        #expect(try site.recon(["close", "2026-03"], env: TestSite.closeDay).code == 0)
        let key = try site.operatorKey("asha", listed: true)
        for (name, body) in drops { try site.drop(name, body) }
        #expect(try site.recon(["ingest"], env: TestSite.rerunDay).code == 3)
        let run = try site.recon(["rerun", "2026-03", "--reason", "R2 sent twice; R5 late", "--key", key], env: TestSite.rerunDay)
        #expect(run.code == 0, "\(run.out)\(run.err)")
        return (site, run)
    }

    @Test func aClientWhoseReportsMovedWithTheSameTotalIsNamed() throws {
        let (site, run) = try rerun(after: [("decisions-2026-03.csv", "subject,decision,by,note\nR2,exclude,Asha Rao,sent twice\n"),
                                            ("usage-late.csv", Self.lateMR)])
        // C1: CT 1, MR 2 now; CT 2, MR 1 at the close; 300.00 + 18 % = 354.00 INR either way.
        #expect(run.err.contains("C1: 2026-03 now bills CT 1 for 100.00, MR 2 for 200.00 INR (CT 2 for 200.00, MR 1 for 100.00 when "
                                 + "the month was last closed or rerun; reports and revenue in INR by modality), but its total is "
                                 + "unchanged, 354.00 INR"), "\(run.err)")
        #expect(run.err.contains("INV-2026-000001 stays in force with its lines as issued"), "\(run.err)")
        // Nothing issued for C1: its invoice is the only one.
        let creditNotes = (try? FileManager.default.contentsOfDirectory(atPath: site.path("Outbox/2026-03/credit-notes"))) ?? []
        #expect(creditNotes.isEmpty, "\(creditNotes)")
        site.expectAuditorAccepts()
    }

    /// The same rerun on the payee side: D1 read R1, R2 (CT) and R3 (MR) at 50.00 each; R2
    /// excluded and R5 (MR) late keep its March at 150.00, so PAY-2026-000001 stays in force
    /// listing two CT reports and one MR, which the rerun now says.
    @Test func aPayeeWhoseWorkMovedWithTheSameTotalIsNamed() throws {
        let (site, run) = try rerun(after: [("decisions-2026-03.csv", "subject,decision,by,note\nR2,exclude,Asha Rao,sent twice\n"),
                                            ("usage-late.csv", Self.lateMR)])
        #expect(run.err.contains("D1: 2026-03 now pays CT, routine: 1 × 50.00 INR per report; MR, routine: 2 × 50.00 INR per report "
                                 + "(CT, routine: 2 × 50.00 INR per report; MR, routine: 1 × 50.00 INR per report on PAY-2026-000001), "
                                 + "but its total is unchanged, 150.00 INR"), "\(run.err)")
        #expect(run.err.contains("so PAY-2026-000001 stays in force with its lines as issued"), "\(run.err)")
        // D2 (R4 alone) moved nothing, and is not named.
        #expect(!run.err.contains("D2: 2026-03 now pays"), "\(run.err)")
        // Nothing issued for either payee: the close's two statements are the month's only ones.
        let payouts = (try? FileManager.default.contentsOfDirectory(atPath: site.path("Outbox/2026-03/payouts"))) ?? []
        #expect(payouts.sorted() == ["PAY-2026-000001.xlsx", "PAY-2026-000002.xlsx"], "\(payouts)")
    }

    /// A card agreed later for March moves C1's prices between modalities: CT 75.00, MR 150.00,
    /// 2 × 75.00 + 150.00 = 300.00 as before.
    @Test func aClientWhosePricesMovedBetweenModalitiesWithTheSameTotalIsNamed() throws {
        let card = """
            effective_from,client_id,contract_type,modality,urgency,tier_from,tier_to,unit_price,currency,tier_mode
            2026-03-01,C1,*,CT,*,1,,75.00,INR,volume
            2026-03-01,C1,*,MR,*,1,,150.00,INR,volume
            2026-03-01,*,*,*,*,1,,100.00,INR,volume
            """
        let site = try TestSite.marchSite()
        #expect(try site.recon(["close", "2026-03"], env: TestSite.closeDay).code == 0)
        let key = try site.operatorKey("asha", listed: true)
        try site.drop("client_rates-2026-03.csv", card)
        #expect(try site.recon(["ingest"], env: TestSite.rerunDay).code == 0)
        let run = try site.recon(["rerun", "2026-03", "--reason", "card agreed for March", "--key", key], env: TestSite.rerunDay)
        #expect(run.code == 0 && run.err.contains("C1: 2026-03 now bills CT 2 for 150.00, MR 1 for 150.00 INR (CT 2 for 200.00, MR 1 "
                                                  + "for 100.00 when the month was last closed or rerun"), "\(run.out)\(run.err)")
    }

    /// A client billed in USD whose March nothing changed: an exchange rate dropped since moves
    /// its revenue in INR (the base), which is no line of its invoice moved.
    @Test func aClientBilledInAnotherCurrencyIsNotNamedForAnExchangeRate() throws {
        let run = try Self.rerunAfterALateRate(clientCurrency: "USD", reason: "September's rate")
        #expect(run.code == 0 && !run.err.contains("stays in force"), "\(run.out)\(run.err)")
    }

    /// U1, priced 2 USD a report (1 USD = 83 INR), its two September reports closed; then a
    /// rate of 90 dated in September dropped, and September rerun for `reason`.
    static func rerunAfterALateRate(clientCurrency: String, reason: String) throws -> ProcessOutput {
        let env = ["RECON_NOW": "2026-10-02T10:00:00Z"]
        let site = try TestSite.oneClient(base: "INR", client: "U1", clientCurrency: clientCurrency,
            providerRates: "effective_from,grade,modality,urgency,rate_per_report,currency\n2026-01-01,*,*,*,50,INR\n",
            clientRates: "2026-01-01,U1,*,*,*,1,,2,USD,volume\n", fx: "2026-01-01,USD,83\n",
            usage: "u1,2026-09-05T10:00:00Z,U1,R1,CT,1\nu2,2026-09-06T10:00:00Z,U1,R1,MR,1\n", env: env)
        #expect(try site.recon(["close", "2026-09"], env: env).code == 0)
        let later = ["RECON_NOW": "2026-10-10T10:00:00Z"]
        let key = try site.operatorKey("asha", listed: true, env: later)
        try site.drop("fx_rates-september.csv", "date,currency,rate\n2026-09-15,USD,90\n")
        #expect(try site.recon(["ingest"], env: later).code == 0)
        return try site.recon(["rerun", "2026-09", "--reason", reason, "--key", key], env: later)
    }

    /// A client billed in INR from a card in USD: a rate of September dropped after its close
    /// reissues its invoice under the operator's reason, which may name another client, with
    /// nothing on the documents or in the output to say why. By hand: 2 reports × 2 USD × 83 =
    /// 332.00 INR at the close; × 90 = 360.00 INR now. The rerun says so.
    @Test func aPartyReissuedOnlyThroughAnExchangeRateIsSaid() throws {
        let run = try Self.rerunAfterALateRate(clientCurrency: "INR", reason: "a late report for another client")
        #expect(run.code == 0 && run.err.contains("U1 (INV-2026-000001, 332.00 → 360.00 INR): reissued only because an exchange rate "
            + "in force for 2026-09 changed since it was billed") && run.err.contains("\u{201C}a late report for another client\u{201D}"),
                "\(run.out)\(run.err)")
    }

    @Test func aClientWhoseTotalChangedOrWhoseReportsDidNotMoveIsNotNamed() throws {
        // R5 alone: C1's total changes, so it is billed anew; C2 is untouched.
        let (_, run) = try rerun(after: [("usage-late.csv", Self.lateMR)])
        #expect(!run.err.contains("stays in force"), "\(run.err)")
    }
}
