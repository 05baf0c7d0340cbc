import Foundation

/// Deterministic drops for the benchmarks: 200 clients (INR, USD, EUR), 300 radiologists,
/// volume and graduated cards and FX in force from 2020, and usage for any month.
enum BenchData {
    static let modalities = ["CT", "MR", "XR", "US", "MG"]
    /// Cards and FX take effect here, so every month a benchmark generates is priced.
    static let effectiveFrom = "2020-01-01"
    /// The month the single-month benchmarks fill.
    static let month = BenchMonth(year: 2026, month: 10)
    static let masterFiles = ["clients.csv", "radiologists.csv", "provider_rates.csv", "client_rates.csv", "fx_rates.csv"]

    /// Writes the master data, cards and FX into `dir`; returns their paths, in `masterFiles` order.
    @discardableResult
    static func writeMasterData(to dir: String) throws -> [String] {
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
        let from = effectiveFrom
        try """
            effective_from,grade,modality,urgency,min_seniority_years,rate_per_report,rate_per_image,currency
            \(from),*,*,*,0,300,0,INR
            \(from),consultant,*,*,0,500,2.5,INR
            \(from),consultant,*,*,10,650,2.5,INR
            \(from),senior,CT,*,0,450,3,INR
            \(from),*,MR,stat,0,700,4,INR
            \(from),junior,*,*,0,250,0,INR

            """.write(toFile: dir + "/provider_rates.csv", atomically: true, encoding: .utf8)
        try """
            effective_from,client_id,contract_type,modality,urgency,tier_from,tier_to,unit_price,currency,tier_mode
            \(from),*,standard,*,*,1,1000,900,INR,volume
            \(from),*,standard,*,*,1001,4000,800,INR,volume
            \(from),*,standard,*,*,4001,,700,INR,volume
            \(from),*,premium,*,*,1,2000,15,USD,graduated
            \(from),*,premium,*,*,2001,,12.5,USD,graduated
            \(from),*,*,MR,*,1,,1200,INR,volume
            \(from),C000,*,*,*,1,,10,EUR,volume

            """.write(toFile: dir + "/client_rates.csv", atomically: true, encoding: .utf8)
        try "date,currency,rate\n\(from),USD,83.25\n\(from),EUR,90.1\n"
            .write(toFile: dir + "/fx_rates.csv", atomically: true, encoding: .utf8)
        return masterFiles.map { dir + "/" + $0 }
    }

    /// The scale benchmark's drops in `dir`: master data, a month of `reports` reports
    /// (`usage-month.csv`) and a further 10,000 (`usage-more.csv`).
    static func write(to dir: String, reports: Int) throws {
        try writeMasterData(to: dir)
        try usage(dir + "/usage-month.csv", count: reports, first: 0, month: month)
        try usage(dir + "/usage-more.csv", count: 10_000, first: reports, month: month)
    }

    /// Usage rows numbered from `first`, spread over `month`, streamed to `path`.
    static func usage(_ path: String, count: Int, first: Int, month: BenchMonth) throws {
        try UsageFile.write(path, count: count, first: first, month: month)
    }

    /// `drops` usage files of `rows` reports each into `dir` (`usage-backlog-0001.csv` …),
    /// numbered on from `first`; returns their paths in order.
    static func smallDrops(into dir: String, drops: Int, rows: Int, first: Int, month: BenchMonth, name: String) throws -> [String] {
        try (0..<drops).map { d in
            let path = dir + "/usage-\(name)-\(pad(d + 1, 4)).csv"
            try usage(path, count: rows, first: first + d * rows, month: month)
            return path
        }
    }

    static func pad(_ v: Int, _ width: Int) -> String {
        let s = String(v)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}
