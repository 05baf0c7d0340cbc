import Foundation
import Testing

/// `period.closed` records each party's revenue and cost in the base currency (the soft
/// gate's history) as money: exact, rounded once, with the base currency's minor digits
/// (SPEC §6), the same figures as the entry's margin rows.
@Suite struct PartyStatsRecordTests {
    @Test func statsAreMoneyInTheBaseCurrencysMinorUnit() throws {
        let env = TestSite.marchEnd
        let site = try TestSite.march(base: "KWD",
            clients: "K1,Kuwait Hospital,KWD,k1,2020-01-01,10,0\nK2,Big Hospital,KWD,k2,2020-01-01,10,0",
            radiologists: "R1,Dr One,A,5,KWD", providerRates: "2026-01-01,*,*,*,0,0.001,0.000333,KWD",
            clientRates: "2026-01-01,K1,*,*,*,1,,1.001,KWD,volume\n2026-01-01,K2,*,*,*,1,,98765432109.876,KWD,volume",
            usage: "r1,2026-03-02T10:00Z,K1,R1,CT,1,\nr2,2026-03-02T11:00Z,K2,R1,CT,1,\nr3,2026-03-02T12:00Z,K2,R1,MR,1,")
        let figures = try closedFigures(site, env: env)
        // K1: 1.001 billed; cost 0.001 + 0.000333 = 0.001333 → 0.001.
        // K2: 2 × 98,765,432,109.876 = 197,530,864,219.752; cost 2 × 0.001333 = 0.002666 → 0.003.
        // R1's statement: CT 2 × 0.001 = 0.002 and 2 images × 0.000333 = 0.000666 → 0.001; MR 0.001 and
        // 0.000333 → 0.000; subtotal 0.004. A radiologist has no revenue: 0.000.
        #expect(figures == ["client K1": ["1.001", "0.001"], "client K2": ["197530864219.752", "0.003"],
                            "radiologist R1": ["0.000", "0.004"]])
        site.expectAuditorAccepts()
    }

    /// A radiologist paid in GBP on a EUR site without a GBP rate: no document needs the rate,
    /// so the close goes on, but the cost in base is unknown. The record leaves it out rather
    /// than write 0.00, which the soft gate would read next month as a cost per case of 0.
    @Test func aFigureAnFXGapLeavesUnknownIsLeftOutNotZero() throws {
        let site = try TestSite.march(base: "EUR",
            clients: "L1,L one,EUR,std,2020-01-01,10,0\nL2,L two,EUR,std,2020-01-01,10,0",
            radiologists: "K1,Dr K,z,1,EUR\nK2,Dr G,y,1,GBP",
            providerRates: "2026-01-01,*,*,*,0,1,0,EUR\n2026-01-01,y,*,*,0,2,0,GBP",
            clientRates: "2026-01-01,*,*,*,*,1,,100,EUR,volume",
            usage: "z1,2026-03-02T10:00Z,L1,K1,CT,1,\nz2,2026-03-02T10:00Z,L2,K2,CT,1,")
        let figures = try closedFigures(site, env: TestSite.marchEnd)
        // L1: 100 EUR billed, K1 paid 1 EUR. L2: 100 EUR billed (no rate needed); its cost is
        // K2's 2 GBP, unknown in EUR. K2: no revenue, cost unknown.
        #expect(figures == ["client L1": ["100.00", "1.00"], "client L2": ["100.00", "-"],
                            "radiologist K1": ["0.00", "1.00"], "radiologist K2": ["0.00", "-"]])
        site.expectAuditorAccepts()
    }

    /// March closed; then each party's `[revenue_base, cost_base]` as its `period.closed`
    /// records them ("-" for a member left out), by "client ID" or "radiologist ID".
    func closedFigures(_ site: TestSite, env: [String: String]) throws -> [String: [String]] {
        let close = try site.recon(["close", "2026-03"], env: env)
        #expect(close.code == 0, "\(close.err)")
        let closed = try #require(try site.bodies("period.closed").first)
        let stats = try #require(closed["stats"] as? [[String: Any]])
        var figures: [String: [String]] = [:]
        for s in stats {
            figures["\(s["party"] ?? "") \(s["id"] ?? "")"] = [s["revenue_base"] as? String ?? "-", s["cost_base"] as? String ?? "-"]
        }
        return figures
    }
}

extension TestSite {
    /// The clock of a March site's close.
    static let marchEnd = ["RECON_NOW": "2026-04-02T00:00:00Z"]

    /// A site of base `base` with one drop of each kind (the rows under each kind's header),
    /// March usage ingested (exit 0 expected), not closed.
    static func march(base: String, clients: String, radiologists: String, providerRates: String, clientRates: String,
                      usage: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> TestSite {
        let site = try TestSite()
        let made = try site.recon(["init", "--name", "march", "--base-currency", base, "--timezone", "UTC"], env: marchEnd)
        #expect(made.code == 0, "\(made.err)", sourceLocation: sourceLocation)
        try site.drop("clients.csv", "client_id,name,currency,contract_type,onboarded_on,max_images_per_case,tax_rate\n\(clients)\n")
        try site.drop("radiologists.csv", "radiologist_id,name,grade,seniority_years,currency\n\(radiologists)\n")
        try site.drop("provider_rates.csv", "effective_from,grade,modality,urgency,min_seniority_years,rate_per_report,rate_per_image,"
                      + "currency\n\(providerRates)\n")
        try site.drop("client_rates.csv", "effective_from,client_id,contract_type,modality,urgency,tier_from,tier_to,unit_price,"
                      + "currency,tier_mode\n\(clientRates)\n")
        try site.drop("usage.csv", "report_id,reported_at,client_id,radiologist_id,modality,image_count,urgency\n\(usage)\n")
        let ingest = try site.recon(["ingest"], env: marchEnd)
        #expect(ingest.code == 0, "\(ingest.err)", sourceLocation: sourceLocation)
        return site
    }
}
