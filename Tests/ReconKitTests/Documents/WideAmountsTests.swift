import Foundation
import Testing

/// An issued document's amount columns hold the amounts they print: a month of 1,500
/// reports at 1,250,000.00 IDR is 1,875,000,000.00 IDR, which printed `###` in the `Lines`
/// sheet's fixed width (16), as a unit price of 100,000.123456 printed `###` on the first sheet (19).
@Suite("Documents — amount columns as wide as their amounts")
struct WideAmountsTests {
    /// `<col>` widths of each worksheet of an xlsx, by sheet part and 1-based column, read by python3.
    static func columnWidths(_ path: String) throws -> [String: [Int: Double]] {
        let python = try #require(ProcessRunner.executable(named: "python3"), "python3 reads the sheets' XML")
        let script = """
            import re, sys, zipfile
            z = zipfile.ZipFile(sys.argv[1])
            for name in sorted(n for n in z.namelist() if n.startswith("xl/worksheets/sheet")):
                for a, b, w in re.findall(rb'<col min="(\\d+)" max="(\\d+)" width="([0-9.]+)"', z.read(name)):
                    for c in range(int(a), int(b) + 1): print(name, c, w.decode())
            """
        let run = try ProcessRunner.run(python, ["-c", script, path])
        #expect(run.code == 0, "\(run.err)")
        var out: [String: [Int: Double]] = [:]
        for line in run.out.split(separator: "\n") {
            let f = line.split(separator: " ")
            out[String(f[0]), default: [:]][Int(f[1])!] = Double(f[2])!
        }
        return out
    }

    @Test func aLargeAmountPrintsWhole() throws {
        let env = ["RECON_NOW": "2026-10-02T10:00:00Z"]
        var usage = ""
        for i in 1...1500 { usage += "u\(i),2026-09-\(String(format: "%02d", 1 + i % 28))T10:00:00Z,E1,R1,CT,1\n" }
        let site = try TestSite.oneClient(
            base: "IDR", client: "E1", clientCurrency: "IDR",
            providerRates: "effective_from,grade,modality,urgency,rate_per_report,currency\n2026-01-01,*,*,*,100000.123456,IDR\n",
            clientRates: "2026-01-01,E1,*,*,*,1,,1250000.00,IDR,volume\n", usage: usage, env: env)
        let close = try site.recon(["close", "2026-09"], env: env)
        #expect(close.code == 0, "\(close.err)")
        // Each width at least the printed text's characters and two (AmountColumnWidths).
        let invoice = try Self.columnWidths(site.path("Outbox/2026-09/invoices/INV-2026-000001.xlsx"))
        let amount = Double("1,875,000,000.00 IDR".count + 2)
        #expect((invoice["xl/worksheets/sheet2.xml"]?[10] ?? 0) >= amount, "Lines amount: \(invoice)")
        #expect((invoice["xl/worksheets/sheet1.xml"]?[4] ?? 0) >= amount, "first sheet amount: \(invoice)")
        // The payout: its unit price prints 100,000.123456 IDR (20 wide with the two).
        let payout = try Self.columnWidths(site.path("Outbox/2026-09/payouts/PAY-2026-000001.xlsx"))
        #expect((payout["xl/worksheets/sheet1.xml"]?[3] ?? 0) >= Double("100,000.123456 IDR".count + 2), "\(payout)")
        #expect((payout["xl/worksheets/sheet2.xml"]?[8] ?? 0) >= Double("100,000.123456 IDR".count + 2), "\(payout)")
        // The margin summary (not an issued document) likewise: its Total row printed `###`.
        let summary = try Self.columnWidths(site.path("Outbox/margin-summary.xlsx"))
        let widest = Double("1,875,000,000.00 IDR".count + 2)
        for (sheet, columns) in [("sheet1", 4...6), ("sheet2", 4...6), ("sheet3", 6...8)] {
            for c in columns { #expect((summary["xl/worksheets/\(sheet).xml"]?[c] ?? 0) >= widest, "\(sheet) column \(c): \(summary)") }
        }
        #expect(try site.recon(["verify"], env: env).code == 0)
    }

    /// A client billed 1.00 INR a report that costs 5,000.00: margin % (1 − 5,000) / 1 =
    /// −499,900.0 %, printed `-499900.0%` (10 characters), `###` in a column of 10.
    @Test func aLargeMarginShareFitsItsColumn() throws {
        let site = try TestSite.closedMarginMonth(unitPrice: "1.00", ratePerReport: "5000")
        let summary = try Self.columnWidths(site.path("Outbox/margin-summary.xlsx"))
        for sheet in ["sheet1", "sheet2"] {
            #expect((summary["xl/worksheets/\(sheet).xml"]?[7] ?? 0) >= Double("-499900.0%".count + 2), "\(sheet): \(summary)")
        }
    }
}
