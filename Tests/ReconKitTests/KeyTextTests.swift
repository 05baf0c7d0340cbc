import Foundation
import Testing

@testable import ReconKit

/// The margin summary's closed rows are keyed on every drop (``MarginSummaryWorkbook/detailKey``)
/// by text written straight as bytes: it must be exactly the text `description` and string
/// interpolation give, or a key would name other figures than the rows kept under it.
@Suite("Amounts and margin rows written as bytes read as their text")
struct KeyTextTests {
    static func bytes(_ d: ExactDecimal) -> String {
        var out: [UInt8] = []
        d.appendText(to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    @Test(arguments: [
        (Int128(0), 0, "0"), (0, 2, "0.00"), (5, 2, "0.05"), (-5, 2, "-0.05"), (50, 2, "0.50"), (1250, 2, "12.50"),
        (-1250, 2, "-12.50"), (601955, 3, "601.955"), (47278, 0, "47278"), (-47278, 0, "-47278"), (1, 6, "0.000001"),
        (123456789, 6, "123.456789"), (Int128(UInt64.max), 2, "184467440737095516.15"),
        (-Int128(UInt64.max), 4, "-1844674407370955.1615"),
        (Int128(UInt64.max) + 1, 2, "184467440737095516.16"), (-(Int128(UInt64.max) + 1), 0, "-18446744073709551616"),
        (Int128("100000000000000000000000000000000000")!, 36, "0.100000000000000000000000000000000000"),
    ] as [(Int128, Int, String)])
    func anAmountsBytesAreItsText(mantissa: Int128, scale: Int, text: String) {
        let d = ExactDecimal(mantissa: mantissa, scale: scale)
        #expect(d.description == text)
        #expect(Self.bytes(d) == text)
    }

    /// Ten thousand amounts from a fixed-seed generator, every scale from 0 to 12, both signs.
    @Test func manyAmountsBytesAreTheirText() {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state
        }
        for _ in 0..<10_000 {
            let magnitude = next() >> (next() % 64)
            let mantissa = next() % 2 == 0 ? Int128(magnitude) : -Int128(magnitude)
            let d = ExactDecimal(mantissa: mantissa, scale: Int(next() % 13))
            #expect(Self.bytes(d) == d.description, "mantissa \(mantissa), scale \(d.scale)")
        }
    }

    @Test func marginRowsTextIsTheInterpolatedText() throws {
        let march = try #require(Period("2026-03")), april = try #require(Period("2026-04"))
        let rows: [MarginSummaryWorkbook.Row] = [
            (march, "closed", MarginRow(clientId: "C1", modality: "CT", reports: 3, revenue: ExactDecimal(mantissa: 30000, scale: 2),
                                        cost: ExactDecimal(mantissa: 16050, scale: 2))),
            (march, "closed", MarginRow(clientId: "Ça-Hôpital", modality: "MR", reports: 0, revenue: .zero,
                                        cost: ExactDecimal(mantissa: -1, scale: 3))),
            (april, "draft", MarginRow(clientId: "C2", modality: "XR", reports: 1_234_567,
                                       revenue: ExactDecimal(mantissa: Int128(UInt64.max) * 7, scale: 2),
                                       cost: ExactDecimal(mantissa: 601955, scale: 3))),
        ]
        var text: [UInt8] = []
        MarginSummaryWorkbook.appendRowsText(rows, to: &text)
        let expected = rows.map { r in
            "\(r.period)\t\(r.status)\t\(r.row.clientId)\t\(r.row.modality)\t\(r.row.reports)\t\(r.row.revenue)\t\(r.row.cost)\n"
        }.joined()
        #expect(String(decoding: text, as: UTF8.self) == expected)
    }
}
