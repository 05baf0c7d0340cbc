import Foundation
import Testing

@testable import ReconKit

/// A margin, or a sum on the margin summary, too large for an exact amount is an error that
/// says which figure, never a silent zero (or a total that quietly leaves a row out).
@Suite struct MarginOverflowTests {
    /// 10^36 INR, i.e. a mantissa of 10^38 at 2 decimals: it fits in 128 bits (Int128.max ≈ 1.70 × 10^38);
    /// two of them added (2 × 10^38) or one minus its negative do not.
    static let huge = ExactDecimal(mantissa: Int128(10).power(38), scale: 2)
    static let minusHuge = ExactDecimal(mantissa: -Int128(10).power(38), scale: 2)

    @Test func aMarginTooLargeToComputeThrowsInsteadOfBeingZero() throws {
        // 10^36 − (−10^36) = 2 × 10^36 INR: 2 × 10^38 at 2 decimals, past Int128.max.
        let row = MarginRow(clientId: "C1", modality: "CT", reports: 1, revenue: Self.huge, cost: Self.minusHuge)
        #expect(throws: ArithmeticOverflow.self) { try row.margin }
        let client = ClientMargin(clientId: "C1", reports: 1, revenue: Self.huge, cost: Self.minusHuge, byModality: [row])
        #expect(throws: ArithmeticOverflow.self) { try client.margin }

        // One that fits still computes exactly: 10^36 − 0.01 INR.
        let fits = MarginRow(clientId: "C1", modality: "CT", reports: 1, revenue: Self.huge,
                             cost: ExactDecimal(mantissa: 1, scale: 2))
        #expect(try fits.margin == ExactDecimal(mantissa: Int128(10).power(38) - 1, scale: 2))
    }

    @Test func aSummaryWhoseTotalsOverflowIsRefusedAndNotWritten() throws {
        try withTemporaryFolder { folder in
            let path = folder + "/margin-summary.xlsx"
            let inr = try #require(Currency(code: "INR"))
            // Each month fits (10^36 INR of revenue); C1 over both months, and all months together,
            // would be 2 × 10^36 INR: past what 128 bits hold at 2 decimals.
            let rows: [MarginSummaryWorkbook.Row] = [
                .init(try #require(Period("2026-01")), "closed",
                 MarginRow(clientId: "C1", modality: "CT", reports: 1, revenue: Self.huge, cost: .zero)),
                .init(try #require(Period("2026-02")), "closed",
                 MarginRow(clientId: "C1", modality: "CT", reports: 1, revenue: Self.huge, cost: .zero)),
            ]
            let error = try #require(throws: MarginSummaryWorkbook.TooLarge.self) {
                try MarginSummaryWorkbook.write(rows: rows, base: inr, site: "s", to: path,
                                                created: Date(timeIntervalSince1970: 1_780_000_000))
            }
            #expect("\(error)".contains("revenue of client C1"), "\(error)")
            #expect("\(error)".contains("margin-summary.xlsx was not written"), "\(error)")
            #expect(ReconFailure.exitCode(for: error) == 3)  // refused, as any amount too large to compute
            #expect(!FileManager.default.fileExists(atPath: path))
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder).isEmpty, "a temporary file was left behind")
        }
    }

    @Test func aSummaryThatFitsIsWritten() throws {
        try withTemporaryFolder { folder in
            let path = folder + "/margin-summary.xlsx"
            let inr = try #require(Currency(code: "INR"))
            // The same two months at half the size: 2 × (10^36 / 2) = 10^36 INR, which fits.
            let half = ExactDecimal(mantissa: Int128(10).power(38) / 2, scale: 2)
            let rows: [MarginSummaryWorkbook.Row] = [
                .init(try #require(Period("2026-01")), "closed", MarginRow(clientId: "C1", modality: "CT", reports: 1, revenue: half, cost: .zero)),
                .init(try #require(Period("2026-02")), "closed", MarginRow(clientId: "C1", modality: "CT", reports: 1, revenue: half, cost: .zero)),
            ]
            try MarginSummaryWorkbook.write(rows: rows, base: inr, site: "s", to: path, created: Date(timeIntervalSince1970: 1_780_000_000))
            #expect(FileManager.default.fileExists(atPath: path))
        }
    }

    /// Amounts of more than 15 digits before the point are sums, not drop values: a close whose
    /// invoice reaches 2 × 999,999,999,999,999 INR records it, and every reader of the ledger
    /// (`recon verify`, the next command, the auditor's verifier) reads it back.
    @Test func aCloseWithSixteenDigitAmountsRecordsWhatItsReadersAccept() throws {
        let env = TestSite.marchEnd
        let site = try TestSite.march(base: "INR", clients: "C1,Big Hospital,INR,std,2020-01-01,10,18",
            radiologists: "R1,Dr One,A,5,INR", providerRates: "2026-01-01,*,*,*,0,999999999999999.99,0,INR",
            clientRates: "2026-01-01,*,*,*,*,1,,999999999999999,INR,volume",
            usage: "r1,2026-03-02T10:00Z,C1,R1,CT,1,\nr2,2026-03-03T10:00Z,C1,R1,CT,1,")
        let close = try site.recon(["close", "2026-03"], env: env)
        #expect(close.code == 0, "\(close.out)\(close.err)")
        // 2 × 999,999,999,999,999 = 1,999,999,999,999,998.00; tax 18 % = 359,999,999,999,999.64; total 2,359,999,999,999,997.64.
        // The payout: 2 × 999,999,999,999,999.99 = 1,999,999,999,999,999.98.
        let invoice = try #require(try site.document("INV-2026-000001"))
        #expect(invoice["subtotal"] as? String == "1999999999999998.00")
        #expect(invoice["tax"] as? String == "359999999999999.64")
        #expect(invoice["total"] as? String == "2359999999999997.64")
        #expect(try site.document("PAY-2026-000001")?["total"] as? String == "1999999999999999.98")
        site.expectAuditorAccepts()
        #expect(try site.recon(["status"], env: env).code == 0)
        #expect(try site.recon(["statement", "C1"], env: env).code == 0)
    }
}

