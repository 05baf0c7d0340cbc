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

/// The decimal of a drop's money and rate fields (SPEC §2): 15 digits of value before the point.
struct DecimalFieldTests {
    /// Leading zeros were counted as digits: `0000000000000005` (5) was refused as too large.
    @Test(arguments: [("0000000000000005", "5"), ("00005.50", "5.50"), ("999999999999999", "999999999999999"),
                      ("-000000000000000012.5", "-12.5")])
    func leadingZerosAreNoDigitsOfTheValue(text: String, value: String) throws {
        #expect(try FieldValue.decimal(Substring(text)).description == value)
    }

    @Test func sixteenDigitsAreTooLarge() {
        #expect(throws: FieldValue.Invalid.self) { try FieldValue.decimal("1000000000000000") }
        #expect(throws: FieldValue.Invalid.self) { try FieldValue.decimal("0001000000000000000") }
    }
}
