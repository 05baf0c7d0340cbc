import Foundation
import Testing

/// An open month's provisional soft findings are scored against the closed history (SPEC §4),
/// so a close changes them: the open month's review workbook must follow, or it says "No
/// flags" while `recon status` lists one — right when a reviewer reads it, after month end.
@Suite("Open reviews after a close", .serialized)
struct OpenReviewAfterCloseTests {
    static let env = ["RECON_NOW": "2026-04-02T00:00:00Z"]

    /// Twelve mature clients with some 35–45 reports a month from 2025-11 to 2026-02; in
    /// 2026-03 K03 sends 400 (a mature client's volume ×10). With `young`, K11 was onboarded
    /// on 2025-12-01 and grows tenfold in 2026-03 too.
    func site(young: Bool = false, matureSpike: Bool = true) throws -> TestSite {
        let site = try TestSite()
        #expect(try site.recon(["init", "--name", "s10", "--base-currency", "INR", "--timezone", "UTC"],
                               env: ["RECON_NOW": "2025-11-01T00:00:00Z"]).code == 0)
        var clients = "client_id,name,currency,contract_type,onboarded_on,max_images_per_case,tax_rate\n"
        for i in 0..<12 { clients += "K\(i < 10 ? "0" : "")\(i),Hosp \(i),INR,standard,\(young && i == 11 ? "2025-12-01" : "2018-01-01"),50,18\n" }
        try site.drop("clients.csv", clients)
        try site.drop("radiologists.csv", "radiologist_id,name,grade,seniority_years,currency\n"
                      + (0..<6).map { "D\($0),Dr \($0),consultant,10,INR\n" }.joined())
        try site.drop("provider_rates.csv", "effective_from,grade,modality,urgency,min_seniority_years,rate_per_report,rate_per_image,currency\n"
                      + "2025-01-01,*,*,*,0,50.00,1.00,INR\n")
        try site.drop("client_rates.csv", "effective_from,client_id,contract_type,modality,urgency,tier_from,tier_to,unit_price,currency,tier_mode\n"
                      + "2025-01-01,*,*,*,*,1,,100.00,INR,volume\n")
        for (month, days) in [("2025-11", 30), ("2025-12", 31), ("2026-01", 31), ("2026-02", 28), ("2026-03", 31)] {
            var rows = "report_id,reported_at,client_id,radiologist_id,modality,image_count\n"
            for i in 0..<12 {
                let client = "K\(i < 10 ? "0" : "")\(i)"
                let count = month == "2026-03" && ((matureSpike && i == 3) || (young && i == 11)) ? 400 : 35 + (i * 7) % 11
                for k in 0..<count {
                    let day = 1 + k % days
                    rows += "\(month)-\(client)-\(k),\(month)-\(day < 10 ? "0" : "")\(day)T10:\(k % 60 < 10 ? "0" : "")\(k % 60):00Z,"
                        + "\(client),D\(k % 6),CT,\(2 + (k * 5 + i) % 3)\n"
                }
            }
            try site.drop("usage-\(month).csv", rows)
        }
        #expect(try site.recon(["ingest"], env: Self.env).code == 0)
        return site
    }

    @Test func theOpenMonthsReviewFollowsEveryClose() throws {
        let site = try site()
        for period in ["2025-11", "2025-12", "2026-01", "2026-02"] {
            let close = try site.recon(["close", period], env: Self.env)
            #expect(close.code == 0, "\(period): \(close.err)")
            let status = try site.recon(["status", "--json"], env: Self.env)
            let json = try #require(try JSONSerialization.jsonObject(with: Data(status.out.utf8)) as? [String: Any])
            let open = try #require((json["open_periods"] as? [[String: Any]])?.first { $0["period"] as? String == "2026-03" })
            let flags = open["soft_flags"] as? [[String: Any]] ?? []
            let soft = flags.compactMap { $0["id"] as? String }
            // Marked provisional (SPEC §4): the close raises the final ones.
            #expect(flags.allSatisfy { $0["provisional"] as? Bool == true }, "\(flags)")
            let review = try zipEntry(site.path("Outbox/2026-03/review.xlsx"), "xl/sharedStrings.xml")
            for id in soft { #expect(review.contains(id), "after closing \(period), status lists \(id); the review does not") }
            if period == "2026-02" { #expect(!soft.isEmpty, "K03's tenfold month is flagged once its history is closed") }
        }
    }

    /// The radiologists reading K03's tenfold month and young K11's (ordinary, SPEC §4) were
    /// flagged on their own: neither client alone held more than half of their extra reports.
    /// Flagged and young clients together explain them, so they are listed under K03's flag.
    @Test func radiologistsReadingAFlaggedAndAYoungClientsGrowthAreListedUnderTheFlag() throws {
        let site = try site(young: true)
        for period in ["2025-11", "2025-12", "2026-01", "2026-02", "2026-03"] {
            #expect(try site.recon(["close", period], env: Self.env).code == 0, "\(period)")
        }
        let raised = try site.read("Ledger/ledger.jsonl").split(separator: "\n").compactMap { line -> [String: Any]? in
            guard let e = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], e["kind"] as? String == "flag.raised",
                  let body = e["body"] as? [String: Any], body["severity"] as? String == "soft" else { return nil }
            return body
        }
        let subjects = raised.compactMap { $0["subject"] as? String }
        #expect(subjects.contains("K03"), "\(raised)")
        #expect(!subjects.contains("K11"), "young growth is ordinary: \(raised)")
        #expect(!subjects.contains { $0.hasPrefix("D") }, "\(raised)")
    }

    /// Young K11's tenfold month alone: ordinary growth (SPEC §4), and reading it is too.
    @Test func radiologistsReadingOnlyAYoungClientsGrowthAreNotFlagged() throws {
        let site = try site(young: true, matureSpike: false)
        for period in ["2025-11", "2025-12", "2026-01", "2026-02", "2026-03"] {
            #expect(try site.recon(["close", period], env: Self.env).code == 0, "\(period)")
        }
        let raised = try site.read("Ledger/ledger.jsonl").split(separator: "\n").compactMap { line -> String? in
            guard let e = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], e["kind"] as? String == "flag.raised",
                  let body = e["body"] as? [String: Any], body["severity"] as? String == "soft" else { return nil }
            return "\(body["subject"] ?? "") \(body["reason"] ?? "")"
        }
        #expect(raised.isEmpty, "\(raised)")
    }
}
