import Testing

@testable import ReconKit

/// The writer checks read a document entry's number on its bytes; it must accept exactly the
/// number the series gives next, as comparing with the number written out would.
@Suite("Document numbers read on their bytes")
struct DocumentNumberTests {
    @Test func theNextNumberAndNoOtherIsAccepted() {
        #expect(IssuedDocumentEntries.isNumber("INV-2026-000013", series: "INV-2026", sequence: 13))
        #expect(IssuedDocumentEntries.isNumber("PAY-2026-000001", series: "PAY-2026", sequence: 1))
        #expect(IssuedDocumentEntries.isNumber("INV-2026-999999", series: "INV-2026", sequence: 999_999))
        // A seventh digit once six are used up.
        #expect(IssuedDocumentEntries.isNumber("INV-2026-1000000", series: "INV-2026", sequence: 1_000_000))
        #expect(!IssuedDocumentEntries.isNumber("INV-2026-01000000", series: "INV-2026", sequence: 1_000_000))
        // Another sequence, padding, year, kind or separator.
        #expect(!IssuedDocumentEntries.isNumber("INV-2026-000013", series: "INV-2026", sequence: 12))
        #expect(!IssuedDocumentEntries.isNumber("INV-2026-000013", series: "INV-2026", sequence: 14))
        #expect(!IssuedDocumentEntries.isNumber("INV-2026-0000013", series: "INV-2026", sequence: 13))
        #expect(!IssuedDocumentEntries.isNumber("INV-2026-00013", series: "INV-2026", sequence: 13))
        #expect(!IssuedDocumentEntries.isNumber("INV-2025-000013", series: "INV-2026", sequence: 13))
        #expect(!IssuedDocumentEntries.isNumber("PAY-2026-000013", series: "INV-2026", sequence: 13))
        #expect(!IssuedDocumentEntries.isNumber("INV-2026+000013", series: "INV-2026", sequence: 13))
        #expect(!IssuedDocumentEntries.isNumber("INV-2026-00001a", series: "INV-2026", sequence: 13))
        #expect(!IssuedDocumentEntries.isNumber("INV-2026-0000١٣", series: "INV-2026", sequence: 13))
        #expect(!IssuedDocumentEntries.isNumber("", series: "INV-2026", sequence: 1))
        #expect(!IssuedDocumentEntries.isNumber("INV-2026-000000", series: "INV-2026", sequence: 0))
    }

    /// Against the number written out, for every kind over sequences either side of each width.
    @Test func itAgreesWithTheNumberWrittenOut() {
        let sequences = [1, 2, 9, 10, 99, 100, 12_345, 99_999, 100_000, 999_999, 1_000_000, 1_234_567]
        for kind in DocumentKind.allCases {
            for year in [1999, 2026, 12_026] {
                let series = kind.series(year: year)
                for n in sequences {
                    let number = kind.number(year: year, sequence: n)
                    #expect(IssuedDocumentEntries.isNumber(number, series: series, sequence: n), "\(number)")
                    #expect(!IssuedDocumentEntries.isNumber(number, series: series, sequence: n + 1), "\(number) as \(n + 1)")
                    #expect(!IssuedDocumentEntries.isNumber(number + "0", series: series, sequence: n), "\(number)0")
                }
            }
        }
    }
}
