import Foundation
import Testing

extension TestSite {
    static let usageHeader = "report_id,reported_at,client_id,radiologist_id,modality,image_count\n"
    static let clientRatesHeader = "effective_from,client_id,contract_type,modality,urgency,tier_from,tier_to,unit_price,currency,tier_mode\n"

    /// A small site for one arithmetic question: client `client` (invoiced in `clientCurrency`,
    /// `maxImages` a case), radiologist R1 in the base currency or the `radiologists` drop given
    /// whole, the given provider card (a whole CSV), client card rows and FX rows, and `usage`
    /// rows — all ingested at `env`'s clock.
    static func oneClient(base: String, client: String = "Z1", clientCurrency: String, maxImages: Int = 10,
                          radiologists: String = "radiologist_id,name,grade,seniority_years\nR1,Dr R,g,1\n", providerRates: String,
                          clientRates: String, fx: String? = nil, usage: String, env: [String: String]) throws -> TestSite {
        let site = try TestSite()
        #expect(try site.recon(["init", "--name", "one-client", "--base-currency", base], env: env).code == 0)
        try site.drop("clients.csv", "client_id,name,currency,contract_type,onboarded_on,max_images_per_case\n"
            + "\(client),Zed,\(clientCurrency),std,2020-01-01,\(maxImages)\n")
        try site.drop("radiologists.csv", radiologists)
        try site.drop("provider_rates.csv", providerRates)
        try site.drop("client_rates.csv", clientRatesHeader + clientRates)
        if let fx { try site.drop("fx_rates.csv", "date,currency,rate\n" + fx) }
        try site.drop("usage.csv", usageHeader + usage)
        let ingest = try site.recon(["ingest"], env: env)
        #expect(ingest.code == 0 && !ingest.err.contains("could not"), "\(ingest.out)\(ingest.err)")
        return site
    }

    /// E1, invoiced in INR, with two CT reports read by R1 in September 2026, each billed
    /// `unitPrice` and paid `ratePerReport` INR; September closed (its margin summary written).
    static func closedMarginMonth(unitPrice: String, ratePerReport: String) throws -> TestSite {
        let env = ["RECON_NOW": "2026-10-02T10:00:00Z"]
        let site = try oneClient(
            base: "INR", client: "E1", clientCurrency: "INR",
            providerRates: "effective_from,grade,modality,urgency,rate_per_report,currency\n2026-01-01,*,*,*,\(ratePerReport),INR\n",
            clientRates: "2026-01-01,E1,*,*,*,1,,\(unitPrice),INR,volume\n",
            usage: "u1,2026-09-05T10:00:00Z,E1,R1,CT,1\nu2,2026-09-06T10:00:00Z,E1,R1,CT,1\n", env: env)
        #expect(try site.recon(["close", "2026-09"], env: env).code == 0)
        return site
    }
}
