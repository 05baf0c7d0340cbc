import Crypto
import Foundation
import Testing

@testable import ReconKit

/// Builds before round 38 parsed a usage drop of 8 MB or more in two halves on two cores with
/// one time zone whose offset memo they raced on: across a clock change some rows came out an
/// hour off, and that cache was recorded (and signed) as the drop's. `recon verify` then
/// refused the site for good, while a close billed the cache's rows — one report in the wrong
/// month. Such a drop's rows now always come from its CSV, and the record is said, not refused.
@Suite("A cache an earlier recon recorded with the two-core fault", .serialized)
struct RaceCacheTests {
    static let env = ["RECON_NOW": "2026-04-10T12:00:00Z"]

    /// A site in New York (daylight saving) with one client C1 billed 2.00 USD a report, and
    /// one radiologist D1 paid 1.00 USD a report.
    static func newYorkSite(env: [String: String]) throws -> TestSite {
        let site = try TestSite()
        #expect(try site.recon(["init", "--name", "ny-site", "--base-currency", "USD", "--timezone", "America/New_York"], env: env).code == 0)
        try site.drop("clients.csv", "client_id,name,currency,contract_type,onboarded_on,max_images_per_case\nC1,City Hospital,USD,standard,2020-01-01,50\n")
        try site.drop("radiologists.csv", "radiologist_id,name,grade,seniority_years,currency\nD1,Dr Rao,consultant,10,USD\n")
        try site.drop("provider_rates.csv", "effective_from,grade,modality,urgency,rate_per_report,currency\n2026-01-01,*,*,*,1,USD\n")
        try site.drop("client_rates.csv",
                      "effective_from,client_id,contract_type,modality,urgency,tier_from,tier_to,unit_price,currency,tier_mode\n2026-01-01,*,*,*,*,1,,2,USD,volume\n")
        return site
    }

    @Test func aLargeDropAcrossAClockChangeIsReadFromItsCSV() throws {
        let site = try Self.newYorkSite(env: Self.env)
        // 250,000 March reports either side of the change of 8 March (local times), and one at
        // 00:30 on 1 April: 8.9 MB, read in halves.
        var csv = "report_id,reported_at,client_id,radiologist_id,modality,image_count\n"
        for i in 0..<250_000 {
            csv += "R\(i),2026-03-\(i % 2 == 0 ? "01" : "20")T\(String(format: "%02d:%02d", i % 24, i % 60)),C1,D1,CT,1\n"
        }
        csv += "LATE,2026-04-01T00:30,C1,D1,CT,1\n"
        #expect(csv.utf8.count >= DropParser.halvesThreshold)
        try site.drop("usage-2026-03.csv", csv)
        #expect(try site.recon(["ingest"], env: Self.env).code == 0)

        // The cache as the fault could make it: LATE an hour early, in March; recorded and signed.
        let body = try #require(try site.bodies("drop.accepted").first { $0["kind"] as? String == "usage" })
        let sha = try #require(body["sha256"] as? String)
        let cache = DropCache(dir: site.path(".recon/cache"))
        var rows = try #require(cache.load(sha256: sha))
        let late = try #require(rows.firstIndex { $0.id == "LATE" })
        rows[late].reportedAt = Timestamp(nanoseconds: rows[late].reportedAt.nanoseconds - 3_600_000_000_000)
        rows[late].localDate = LocalDate(Substring("2026-03-31"))!
        let faulty = DropCache.encode(sha256: sha, rows, layout: .v5)
        try Data(faulty).write(to: URL(fileURLWithPath: site.path(".recon/cache/\(sha).bin")))
        let faultySha = SHA256.hash(data: faulty).map { String(format: "%02x", $0) }.joined()
        let key = try SiteKeyFile.load(Site(root: site.root))
        try site.rewriteLedger { _, kind, body in
            guard kind == "drop.accepted", body["sha256"]?.stringValue == sha else { return }
            body["cache_sha256"] = .string(faultySha)
            body["cache_signature"] = .string(try! #require(CacheSignature.sign(sha256: sha, format: "RCNU5", cacheSha256: faultySha, with: key)))
        }

        let verify = try site.recon(["verify"], env: Self.env)
        #expect(verify.code == 0, "\(verify.out)\(verify.err)")
        #expect(verify.err.contains("was made by an earlier recon whose two-core parse"), "\(verify.err)")
        let close = try site.recon(["close", "2026-03"], env: Self.env)
        #expect(close.code == 0, "\(close.out)\(close.err)")
        #expect(close.err.contains("the drop's own rows are used"), "\(close.err)")
        // March holds the 250,000 rows the CSV gives it, not LATE: 250,000 × 2.00 = 500,000.00 USD.
        let invoice = try #require(try site.bodies("invoice.issued").first)
        #expect(invoice["subtotal"] as? String == "500000.00", "\(invoice)")
        site.expectAuditorAccepts()

        // An earlier build closed March from that cache: its index (and its file) held LATE, an
        // hour early, in March. `recon verify` refused the site for good over it, though nothing
        // on the site could ever match it again; it says so instead, and how a rerun puts it right.
        let march = Period(year: 2026, month: 3)
        let positions = rows.indices.filter { rows[$0].period == march }.map { Int32($0) }
        let index = site.path(ClosedPeriodIndex.relativePath(march))
        try FileManager.default.removeItem(atPath: index)
        let oldSha = try ClosedPeriodIndex.write(period: march, all: rows, positions: positions, excluded: [], to: index)
        try site.rewriteLedger { _, kind, body in
            if kind == "period.closed" { body["report_index_sha256"] = .string(oldSha) }
        }
        try CreditNoteOfAnotherClientTests().resignEveryCheckpoint(site, origin: "ny-site")
        let upgraded = try site.recon(["verify"], env: Self.env)
        #expect(upgraded.code == 0, "\(upgraded.out)\(upgraded.err)")
        #expect(upgraded.err.contains("the report index recorded for 2026-03 was made from the faulty cache of an earlier recon")
            && upgraded.err.contains("`recon rerun 2026-03` records the index anew"), "\(upgraded.err)")
        // Without the faulty cache's note (its signature gone), the same index is damage again.
        try site.rewriteLedger { _, kind, body in
            if kind == "drop.accepted", body["sha256"]?.stringValue == sha { body["cache_signature"] = nil }
        }
        try CreditNoteOfAnotherClientTests().resignEveryCheckpoint(site, origin: "ny-site")
        let unsigned = try site.recon(["verify"], env: Self.env)
        #expect(unsigned.code == 4, "\(unsigned.out)\(unsigned.err)")
    }

    /// An intact drop of this build across the November change, 25 October to 3 November: once
    /// October is closed, the drop read again leaves out October's rows (the month's index holds
    /// them), so the rows read are not the whole drop its cache was recorded for. That is no
    /// fault of the cache: every command said it was, once October closed.
    @Test func aPartlySettledDropIsNotTakenForAFaultyCache() throws {
        let env = ["RECON_NOW": "2026-11-20T12:00:00Z"]
        let site = try Self.newYorkSite(env: env)
        // 230,000 reports four seconds apart from 25 October 00:00 local: to 4 November 15:33.
        var csv = "report_id,reported_at,client_id,radiologist_id,modality,image_count\n"
        let start = try #require(SiteTimeZone(identifier: "America/New_York")).utcSecond(ofLocalSecond: Int64(LocalDate(Substring("2026-10-25"))!.dayNumber) * 86_400)
        for i in 0..<230_000 {
            csv += "X\(i),\(Timestamp(nanoseconds: (start + Int64(i) * 4) * 1_000_000_000).utcText),C1,D1,CT,1\n"
        }
        #expect(csv.utf8.count >= DropParser.halvesThreshold)
        try site.drop("usage-span.csv", csv)
        #expect(try site.recon(["ingest"], env: env).code == 0)
        #expect(try site.recon(["close", "2026-10"], env: env).code == 0)
        for command in [["status"], ["ingest"], ["verify"]] {
            let run = try site.recon(command, env: env)
            #expect(run.code == 0 && !run.err.contains("was made by an earlier recon"), "\(command): \(run.err)")
        }
    }
}
