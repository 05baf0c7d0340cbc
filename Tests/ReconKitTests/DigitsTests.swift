import Testing
@testable import ReconKit

/// Amounts and counts for people: the whole part in groups of three, the rest as written.
struct DigitsTests {
    @Test(arguments: [
        ("2065634.20", "2,065,634.20"), ("-1234.5", "-1,234.5"), ("999.99", "999.99"), ("47278", "47,278"),
        ("1000.000", "1,000.000"), ("0.00", "0.00"),
    ])
    func amountsGroupTheirWholePart(text: String, shown: String) throws {
        #expect(Digits.grouped(try FieldValue.decimal(Substring(text))) == shown)
    }

    @Test(arguments: [(1_234_567, "1,234,567"), (-1000, "-1,000"), (12, "12"), (0, "0")])
    func countsGroupInThrees(n: Int, shown: String) {
        #expect(Digits.grouped(n) == shown)
    }
}
