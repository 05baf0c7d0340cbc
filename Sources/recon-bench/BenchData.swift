import Foundation

/// Deterministic drops for the scale benchmark: 200 clients (INR, USD, EUR), 300
/// radiologists, volume and graduated cards, FX, a month of usage and a further 10,000.
enum BenchData {
    static let modalities = ["CT", "MR", "XR", "US", "MG"]

    static func write(to dir: String, reports: Int) throws {
        var clients = "client_id,name,currency,contract_type,onboarded_on,max_images_per_case,tax_rate\n"
        let currencies = ["INR", "USD", "EUR"]
        for c in 0..<200 {
            clients += "C\(pad(c, 3)),Hospital \(c),\(currencies[c % 3]),\(c % 2 == 0 ? "standard" : "premium"),2020-01-01,60,\(c % 4 == 0 ? "18" : "0")\n"
        }
        try clients.write(toFile: dir + "/clients.csv", atomically: true, encoding: .utf8)
        var rads = "radiologist_id,name,grade,seniority_years,currency\n"
        let grades = ["consultant", "senior", "junior"]
        for r in 0..<300 { rads += "D\(pad(r, 3)),Dr \(r),\(grades[r % 3]),\(r % 20),\(currencies[r % 3])\n" }
        try rads.write(toFile: dir + "/radiologists.csv", atomically: true, encoding: .utf8)
        try """
            effective_from,grade,modality,urgency,min_seniority_years,rate_per_report,rate_per_image,currency
            2026-10-01,*,*,*,0,300,0,INR
            2026-10-01,consultant,*,*,0,500,2.5,INR
            2026-10-01,consultant,*,*,10,650,2.5,INR
            2026-10-01,senior,CT,*,0,450,3,INR
            2026-10-01,*,MR,stat,0,700,4,INR
            2026-10-01,junior,*,*,0,250,0,INR

            """.write(toFile: dir + "/provider_rates.csv", atomically: true, encoding: .utf8)
        try """
            effective_from,client_id,contract_type,modality,urgency,tier_from,tier_to,unit_price,currency,tier_mode
            2026-10-01,*,standard,*,*,1,1000,900,INR,volume
            2026-10-01,*,standard,*,*,1001,4000,800,INR,volume
            2026-10-01,*,standard,*,*,4001,,700,INR,volume
            2026-10-01,*,premium,*,*,1,2000,15,USD,graduated
            2026-10-01,*,premium,*,*,2001,,12.5,USD,graduated
            2026-10-01,*,*,MR,*,1,,1200,INR,volume
            2026-10-01,C000,*,*,*,1,,10,EUR,volume

            """.write(toFile: dir + "/client_rates.csv", atomically: true, encoding: .utf8)
        try "date,currency,rate\n2026-10-01,USD,83.25\n2026-10-01,EUR,90.1\n"
            .write(toFile: dir + "/fx_rates.csv", atomically: true, encoding: .utf8)
        try usage(dir + "/usage-month.csv", count: reports, first: 0)
        try usage(dir + "/usage-more.csv", count: 10_000, first: reports)
    }

    /// Usage rows spread over October 2026, written in one buffer.
    static func usage(_ path: String, count: Int, first: Int) throws {
        var out = [UInt8]()
        out.reserveCapacity(count * 64)
        out += Array("report_id,reported_at,client_id,radiologist_id,modality,image_count,urgency\n".utf8)
        var rng: UInt64 = 0x9E37_79B9_7F4A_7C15 &+ UInt64(first)
        func next() -> UInt64 {
            rng &+= 0x9E37_79B9_7F4A_7C15
            var z = rng
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        for i in first..<(first + count) {
            let second = Int(next() % (31 * 86_400))
            let day = second / 86_400 + 1, h = second / 3600 % 24, m = second / 60 % 60, s = second % 60
            let line = "R\(pad(i, 8)),2026-10-\(pad(day, 2))T\(pad(h, 2)):\(pad(m, 2)):\(pad(s, 2))Z,C\(pad(Int(next() % 200), 3)),D\(pad(Int(next() % 300), 3)),\(modalities[Int(next() % 5)]),\(1 + next() % 8),\(next() % 10 == 0 ? "stat" : "routine")\n"
            out += Array(line.utf8)
        }
        try Data(out).write(to: URL(fileURLWithPath: path))
    }

    static func pad(_ v: Int, _ width: Int) -> String {
        let s = String(v)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}
