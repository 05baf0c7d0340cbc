import Foundation
import ReconKit
import Testing

/// The built `recon` binary on a temporary site: ingest, decide, close, verify, tamper.
@Suite("End to end — the recon binary on a real site", .serialized)
struct EndToEndTests {
    static let env = ["RECON_NOW": "2026-04-02T09:00:00Z"]

    static let clients = """
        client_id,name,currency,contract_type,onboarded_on,max_images_per_case,tax_rate
        C1,City Hospital,INR,standard,2020-01-01,5,18
        C2,"Harbor Clinic, Inc.",USD,standard,2021-06-01,10,
        """
    static let radiologists = """
        radiologist_id,name,grade,seniority_years,currency
        D1,Dr Rao,consultant,10,INR
        D2,Dr Lee,junior,2,USD
        """
    static let providerRates = """
        effective_from,grade,modality,urgency,min_seniority_years,rate_per_report,rate_per_image,currency
        2026-03-01,*,*,*,0,50.00,0,INR
        2026-03-01,consultant,*,*,0,70.00,1.50,INR
        """
    static let clientRates = """
        effective_from,client_id,contract_type,modality,urgency,tier_from,tier_to,unit_price,currency,tier_mode
        2026-03-01,*,*,*,*,1,2,100.00,INR,volume
        2026-03-01,*,*,*,*,3,,80.00,INR,volume
        """
    static let fx = "date,currency,rate\n2026-03-01,USD,83.5\n"
    static let usage = """
        report_id,reported_at,client_id,radiologist_id,modality,image_count,urgency
        R1,2026-03-02T10:00:00Z,C1,D1,CT,2,routine
        R2,2026-03-03T10:00:00Z,C1,D1,CT,6,routine
        R3,2026-03-04T10:00:00Z,C1,D1,MR,3,stat
        R4,2026-03-05T10:00:00Z,C2,D2,CT,4,
        """

    /// README's "A newcomer's day" copies `docs/examples/*.csv`: they are this test's drops,
    /// byte for byte, so what the README shows printed is what this site prints.
    @Test func theReadmesExampleDropsAreThisSitesDrops() throws {
        var dir = URL(fileURLWithPath: #filePath)  // <repo>/Tests/ReconKitTests/EndToEnd/EndToEndTests.swift
        for _ in 0..<4 { dir.deleteLastPathComponent() }
        let examples = dir.path + "/docs/examples/"
        let drops = ["clients.csv": Self.clients, "radiologists.csv": Self.radiologists, "provider_rates.csv": Self.providerRates,
                     "client_rates.csv": Self.clientRates, "fx_rates.csv": Self.fx, "usage-2026-03.csv": Self.usage]
        #expect(Set(FileIO.list(examples)) == Set(drops.keys))
        for (name, text) in drops {
            let file = try String(contentsOfFile: examples + name, encoding: .utf8)
            #expect(file == (text.hasSuffix("\n") ? text : text + "\n"), "docs/examples/\(name)")
        }
    }

    func preparedSite() throws -> TestSite {
        let site = try TestSite()
        let r = try site.recon(["init", "--name", "test-site", "--base-currency", "INR", "--timezone", "UTC"], env: Self.env)
        #expect(r.code == 0, "\(r.err)")
        try site.drop("clients.csv", Self.clients)
        try site.drop("radiologists.csv", Self.radiologists)
        try site.drop("provider_rates.csv", Self.providerRates)
        try site.drop("client_rates.csv", Self.clientRates)
        try site.drop("fx_rates.csv", Self.fx)
        try site.drop("usage-2026-03.csv", Self.usage)
        let ingest = try site.recon(["ingest"], env: Self.env)
        #expect(ingest.code == 0, "\(ingest.out)\(ingest.err)")
        return site
    }

    /// Entries of the ledger as dictionaries.
    func entries(_ site: TestSite) throws -> [[String: Any]] {
        try site.read("Ledger/ledger.jsonl").split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
        }
    }

    @Test func ingestDecideCloseVerifyAndTamper() throws {
        let site = try preparedSite()
        #expect(try FileManager.default.contentsOfDirectory(atPath: site.path("Inbox")).filter { !$0.hasPrefix(".") }.sorted()
                == ["held", "rejected"])
        #expect(site.exists("Outbox/2026-03/drafts/invoices.xlsx"))
        #expect(site.exists("Outbox/2026-03/review.xlsx"))

        // R2 has 6 images; C1's contract allows 5: the close is refused, naming the flag.
        let refused = try site.recon(["close", "2026-03"], env: Self.env)
        #expect(refused.code == 3)
        #expect(refused.err.contains("IMAGES_OVER_CONTRACT report R2"))

        let decided = try site.recon(["decide", "R2", "approve", "--by", "Asha", "--note", "trauma series"], env: Self.env)
        #expect(decided.code == 0, "\(decided.err)")

        let closed = try site.recon(["close", "2026-03"], env: Self.env)
        #expect(closed.code == 0, "\(closed.err)")
        for doc in ["invoices/INV-2026-000001", "invoices/INV-2026-000002", "payouts/PAY-2026-000001", "payouts/PAY-2026-000002"] {
            #expect(site.exists("Outbox/2026-03/\(doc).xlsx"), "\(doc)")
        }

        // Hand-computed totals. C1: V = 3 → tier 3+ at 80.00: CT 2 × 80 = 160.00, MR 1 × 80 = 80.00;
        // subtotal 240.00, tax 18 % = 43.20, total 283.20. C2: V = 1 → 100.00 INR / 83.5 = 1.1976… → 1.20 USD.
        // D1 (consultant, INR): CT 2 × 70 = 140.00 + 8 images × 1.50 = 12.00; MR 1 × 70 = 70.00 + 3 × 1.50 = 4.50 → 226.50.
        // D2 (junior, USD): 1 × 50 INR / 83.5 = 0.5988… → 0.60.
        let issued = try entries(site).filter { ($0["kind"] as? String)?.hasSuffix(".issued") == true }
        func body(_ number: String) -> [String: Any]? {
            issued.compactMap { $0["body"] as? [String: Any] }.first { $0["number"] as? String == number }
        }
        #expect(body("INV-2026-000001")?["client_id"] as? String == "C1")
        #expect(body("INV-2026-000001")?["subtotal"] as? String == "240.00")
        #expect(body("INV-2026-000001")?["tax"] as? String == "43.20")
        #expect(body("INV-2026-000001")?["total"] as? String == "283.20")
        #expect(body("INV-2026-000002")?["total"] as? String == "1.20")
        #expect(body("INV-2026-000002")?["currency"] as? String == "USD")
        #expect(body("PAY-2026-000001")?["total"] as? String == "226.50")
        #expect(body("PAY-2026-000001")?["tax"] as? String == "0.00")
        #expect(body("PAY-2026-000002")?["total"] as? String == "0.60")
        #expect(site.exists("Ledger/checkpoints/\(try entries(site).count).txt"))

        let ok = try site.recon(["verify"])
        #expect(ok.code == 0)
        #expect(ok.out.hasPrefix("ok "))
        if let audit = try site.auditorVerify() { #expect(audit.code == 0, "\(audit.out)\(audit.err)") }

        // One byte changed in an issued document: verify names the seq and exits 4.
        let doc = site.path("Outbox/2026-03/invoices/INV-2026-000001.xlsx")
        var bytes = try Data(contentsOf: URL(fileURLWithPath: doc))
        let original = bytes
        bytes[bytes.count / 2] ^= 0x01
        try bytes.write(to: URL(fileURLWithPath: doc))
        let tampered = try site.recon(["verify"])
        #expect(tampered.code == 4)
        #expect(tampered.out.contains("INV-2026-000001.xlsx does not match"))
        #expect(tampered.out.hasPrefix("seq "))
        try original.write(to: URL(fileURLWithPath: doc))
        #expect(try site.recon(["verify"]).code == 0)

        // One byte changed in the ledger: exit 4 with the seq of the line.
        let ledgerPath = site.path("Ledger/ledger.jsonl")
        var ledger = try Data(contentsOf: URL(fileURLWithPath: ledgerPath))
        let firstLineEnd = ledger.firstIndex(of: 10)!
        let secondLineEnd = ledger[(firstLineEnd + 1)...].firstIndex(of: 10)!
        let target = ledger[(firstLineEnd + 1)..<secondLineEnd].firstIndex(of: UInt8(ascii: "2"))
            ?? ledger[(firstLineEnd + 1)..<secondLineEnd].firstIndex(of: UInt8(ascii: "a"))!
        ledger[target] = ledger[target] == UInt8(ascii: "2") ? UInt8(ascii: "3") : UInt8(ascii: "b")
        try ledger.write(to: URL(fileURLWithPath: ledgerPath))
        let broken = try site.recon(["verify"])
        #expect(broken.code == 4)
        #expect(broken.out.hasPrefix("seq 2"))
        // Nothing is appended to a ledger that does not verify.
        let refusedWrite = try site.recon(["decide", "R1", "approve", "--by", "x"], env: Self.env)
        #expect(refusedWrite.code == 4)
    }

    /// Every issued workbook, read back independently (python3's zipfile): its `Lines`
    /// table sums to the ledger's subtotal, its totals are formulas with the ledger's values
    /// cached, and LibreOffice opens it (when installed).
    @Test func issuedWorkbooksAgreeWithTheLedger() throws {
        let site = try preparedSite()
        #expect(try site.recon(["decide", "R2", "approve", "--by", "Asha"], env: Self.env).code == 0)
        #expect(try site.recon(["close", "2026-03"], env: Self.env).code == 0)
        let issued = try entries(site).filter { ($0["kind"] as? String)?.hasSuffix(".issued") == true }
        #expect(issued.count == 4)
        for entry in issued {
            let body = try #require(entry["body"] as? [String: Any])
            let file = try #require(body["file"] as? String)
            let book = try XLSXCells(path: site.path(file))
            #expect(book.sheetNames.count == 2 && book.sheetNames.last == "Lines", "\(file): \(book.sheetNames)")
            let lines = try #require(book.sheets["Lines"])
            let lineCount = (body["lines"] as? [Any])?.count ?? 0
            #expect(lines.text("A1") == "document" && lines.text("J1") == "amount" && lines.text("K1") == "currency")
            var sum = Decimal(0)
            for row in 2...(lineCount + 1) {
                #expect(lines.text("A\(row)") == body["number"] as? String)
                sum += lines.number("J\(row)") ?? 0
            }
            #expect(lines.text("A\(lineCount + 2)") == nil, "\(file): one table row per ledger line")
            #expect(sum == Decimal(string: body["subtotal"] as? String ?? ""), "\(file): Lines sum \(sum) vs ledger")
            // The people's sheet: subtotal, tax and total are formulas holding the ledger's values.
            let front = try #require(book.sheets[book.sheetNames[0]])
            let totals = front.cells.filter { $0.value["f"] != nil }.compactMap { $0.value["v"].flatMap { Decimal(string: $0) } }
            #expect(totals.contains(Decimal(string: body["total"] as? String ?? "")!), "\(file): total formula value")
            #expect(totals.contains(Decimal(string: body["subtotal"] as? String ?? "")!), "\(file): subtotal formula value")
        }
    }

    /// An issued invoice opens in LibreOffice and shows its number and total (only where
    /// LibreOffice is installed; elsewhere the test shows as skipped).
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/soffice"), "LibreOffice (soffice) is not installed"))
    func anIssuedInvoiceOpensInLibreOffice() throws {
        let site = try preparedSite()
        #expect(try site.recon(["decide", "R2", "approve", "--by", "Asha"], env: Self.env).code == 0)
        #expect(try site.recon(["close", "2026-03"], env: Self.env).code == 0)
        let out = site.path("converted")
        let converted = try ProcessRunner.run(
            "/usr/bin/soffice",
            ["-env:UserInstallation=file://" + site.path("lo-profile"), "--headless", "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76",
             "--outdir", out, site.path("Outbox/2026-03/invoices/INV-2026-000001.xlsx")])
        #expect(converted.code == 0, "\(converted.err)")
        let csv = try String(contentsOfFile: out + "/INV-2026-000001.csv", encoding: .utf8)
        #expect(csv.contains("INVOICE") && csv.contains("INV-2026-000001"))
        #expect(csv.contains("Total due (INR),283.2"))  // LibreOffice exports the raw value
    }

    @Test func heldRejectedAndDuplicateDrops() throws {
        let site = try preparedSite()
        #expect(try site.recon(["decide", "R2", "exclude", "--by", "Asha"], env: Self.env).code == 0)
        #expect(try site.recon(["close", "2026-03"], env: Self.env).code == 0)

        // Usage for a closed period waits in Inbox/held (exit 3).
        try site.drop("usage-late.csv", "report_id,reported_at,client_id,radiologist_id,modality,image_count\nR9,2026-03-30T10:00:00Z,C1,D1,CT,1\n")
        let held = try site.recon(["ingest"], env: Self.env)
        #expect(held.code == 3)
        #expect(site.exists("Inbox/held/usage-late.csv"))

        // A bad drop is rejected whole with its errors file (exit 2); nothing of it is applied.
        try site.drop("usage-bad.csv", "report_id,reported_at,client_id,radiologist_id,modality,image_count\nR10,2026-04-30T10:00:00Z,C1,D1,CT,1\nR11,2026-02-30T10:00:00Z,C1,D1,CT,1\nR12,2026-04-30T11:00:00Z,C9,D1,CT,1\n")
        let rejected = try site.recon(["ingest"], env: Self.env)
        #expect(rejected.code == 2)
        let errors = try site.read("Inbox/rejected/usage-bad.csv.errors.txt")
        #expect(errors.contains("line 3, column 2 (reported_at)"))
        #expect(errors.contains("line 4, column 3 (client_id): unknown client \"C9\""))
        let status = try site.recon(["status", "--json"])
        #expect(!status.out.contains("\"2026-04\""))

        // The same bytes again: recognised by SHA-256, removed, exit 0.
        try site.drop("clients-again.csv", Self.clients)
        let dup = try site.recon(["ingest"], env: Self.env)
        #expect(dup.code == 0)
        #expect(dup.err.contains("duplicate of the drop accepted at seq"))
        #expect(!site.exists("Inbox/clients-again.csv"))

        // A report id seen before with the same values (spelled differently) is skipped, not an error:
        // it changes nothing, so it does not wait for the closed period either.
        try site.drop("usage-repeat.csv", "report_id,reported_at,client_id,radiologist_id,modality,image_count\nR1,2026-03-02T10:00Z,C1,D1,CT,2\n")
        let repeated = try site.recon(["ingest"], env: Self.env)
        #expect(repeated.code == 0)
        #expect(repeated.err.contains("skipped 1 already recorded with the same values"))
        // With other values it is an error.
        try site.drop("usage-changed.csv", "report_id,reported_at,client_id,radiologist_id,modality,image_count\nR1,2026-03-02T10:00Z,C1,D1,CT,9\n")
        let changed = try site.recon(["ingest"], env: Self.env)
        #expect(changed.code == 2)
        #expect(try site.read("Inbox/rejected/usage-changed.csv.errors.txt").contains("was ingested before with other values"))

        #expect(try site.recon(["verify"]).code == 0)
        if let audit = try site.auditorVerify() { #expect(audit.code == 0, "\(audit.out)\(audit.err)") }
    }

    /// A month large enough to be searched in two halves on two cores: a repeated report is
    /// found in either half, skipped when the same and refused when changed.
    @Test func aReportRepeatedFromEitherHalfOfALargeMonthIsFound() throws {
        let site = try preparedSite()
        func row(_ i: Int, images: Int) -> String {
            "R\(100_000 + i),2026-03-\(String(format: "%02d", 1 + i % 28))T10:00:00Z,C\(1 + i % 2),D\(1 + i % 2),CT,\(images),routine"
        }
        let header = "report_id,reported_at,client_id,radiologist_id,modality,image_count,urgency\n"
        try site.drop("usage-large.csv", header + (0..<70_000).map { row($0, images: 1 + $0 % 5) }.joined(separator: "\n") + "\n")
        let large = try site.recon(["ingest"], env: Self.env)
        #expect(large.code == 0, "\(large.err)")
        // R100010 lies in the first half of the month's reports, R160000 in the second.
        try site.drop("usage-repeats.csv", header + [row(10, images: 1), row(60_000, images: 1), row(90_000, images: 2)].joined(separator: "\n") + "\n")
        let repeats = try site.recon(["ingest"], env: Self.env)
        #expect(repeats.code == 0, "\(repeats.err)")
        #expect(repeats.err.contains("skipped 2 already recorded with the same values"), "\(repeats.err)")
        try site.drop("usage-changed.csv", header + row(60_000, images: 4) + "\n")
        let changed = try site.recon(["ingest"], env: Self.env)
        #expect(changed.code == 2)
        #expect(try site.read("Inbox/rejected/usage-changed.csv.errors.txt").contains("report R160000 was ingested before with other values"))
    }

    @Test func aNamedFileOutsideTheInboxIsCopiedNotMoved() throws {
        let site = try TestSite()
        #expect(try site.recon(["init", "--name", "s2"], env: Self.env).code == 0)
        let outside = site.path("clients-export.csv")
        try Self.clients.write(toFile: outside, atomically: true, encoding: .utf8)
        let r = try site.recon(["ingest", outside], env: Self.env)
        #expect(r.code == 0, "\(r.err)")
        #expect(FileManager.default.fileExists(atPath: outside))
        let bad = site.path("usage-x.csv")
        try "report_id\n".write(toFile: bad, atomically: true, encoding: .utf8)
        let rejected = try site.recon(["ingest", bad], env: Self.env)
        #expect(rejected.code == 2)
        #expect(rejected.out.contains("the header lacks"))
        #expect(FileManager.default.fileExists(atPath: bad))
        #expect(!site.exists("Inbox/rejected/usage-x.csv"))

        // A named file that is not there: bad usage before anything is taken.
        let radiologists = site.path("radiologists-export.csv")
        try Self.radiologists.write(toFile: radiologists, atomically: true, encoding: .utf8)
        let before = try site.read("Ledger/ledger.jsonl")
        let missing = try site.recon(["ingest", radiologists, site.path("no-such.csv")], env: Self.env)
        #expect(missing.code == 1, "\(missing.out)\(missing.err)")
        #expect(missing.err.contains("no such file: \(site.path("no-such.csv")); nothing was ingested"), "\(missing.err)")
        #expect(try site.read("Ledger/ledger.jsonl") == before)
    }

    /// SPEC §4: a hard flag must be decided before the period closes. R2's flag (6 images,
    /// C1 allowed 5) is in the ledger; raising C1's limit to 10 afterwards does not decide it:
    /// the close still refuses (exit 3, naming it and appending nothing) until someone does.
    @Test func aRaisedHardFlagBlocksTheCloseUntilDecidedEvenAfterTheContractChanges() throws {
        let site = try preparedSite()
        let flag = HardGate.flagId(reportId: "R2")
        #expect(try site.read("Ledger/ledger.jsonl").contains(flag))
        try site.drop("clients-2.csv", Self.clients.replacingOccurrences(of: "2020-01-01,5,18", with: "2020-01-01,10,18"))
        #expect(try site.recon(["ingest"], env: Self.env).code == 0)
        let before = try site.read("Ledger/ledger.jsonl")
        let refused = try site.recon(["close", "2026-03"], env: Self.env)
        #expect(refused.code == 3, "\(refused.out)\(refused.err)")
        #expect(refused.err.contains("\(flag) IMAGES_OVER_CONTRACT report R2: 6 images in one case; the contract of C1 now allows 10"),
                "\(refused.err)")
        #expect(try site.read("Ledger/ledger.jsonl") == before)
        #expect(try site.recon(["decide", flag, "approve", "--by", "Asha"], env: Self.env).code == 0)
        let closed = try site.recon(["close", "2026-03"], env: Self.env)
        #expect(closed.code == 0, "\(closed.out)\(closed.err)")
    }

    /// The other way: C1's limit lowered from 5 to 4 after R2's flag (6 images) was raised.
    /// The close refuses with the flag as the ledger raised it ("allows 5", what a decision
    /// would be made on), the limit now beside it; once decided, the review says the same.
    @Test func aHardFlagUnderALimitLoweredSinceReadsAsRaised() throws {
        let site = try preparedSite()
        let flag = HardGate.flagId(reportId: "R2")
        try site.drop("clients-2.csv", Self.clients.replacingOccurrences(of: "2020-01-01,5,18", with: "2020-01-01,4,18"))
        #expect(try site.recon(["ingest"], env: Self.env).code == 0)
        let said = "\(flag) IMAGES_OVER_CONTRACT report R2: 6 images in one case; the contract of C1 allows 5; the contract of C1 now allows 4"
        let refused = try site.recon(["close", "2026-03"], env: Self.env)
        #expect(refused.code == 3 && refused.err.contains(said), "\(refused.err)")
        #expect(try site.recon(["decide", flag, "approve", "--by", "Asha"], env: Self.env).code == 0)
        let closed = try site.recon(["close", "2026-03"], env: Self.env)
        #expect(closed.code == 0, "\(closed.out)\(closed.err)")
        let sheet = try #require(try XLSXCells(path: site.path("Outbox/2026-03/review.xlsx")).sheets["Flags"])
        var r = 2
        while let id = sheet.text("C\(r)"), id != flag { r += 1 }
        #expect(sheet.text("G\(r)") == "6 images in one case; the contract of C1 allows 5; the contract of C1 now allows 4 "
            + "(report: CT, routine, read by D1 on 2026-03-03)")
    }

    @Test func aConfigThatDisagreesWithSiteInitIsRefused() throws {
        let site = try TestSite()
        #expect(try site.recon(["init", "--name", "s3", "--base-currency", "EUR"], env: Self.env).code == 0)
        let toml = try site.read("recon.toml").replacingOccurrences(of: "\"EUR\"", with: "\"USD\"")
        try toml.write(toFile: site.path("recon.toml"), atomically: true, encoding: .utf8)
        let r = try site.recon(["status"])
        #expect(r.code == 3)
        #expect(r.err.contains("base_currency is USD but the ledger says EUR"))
    }
}
