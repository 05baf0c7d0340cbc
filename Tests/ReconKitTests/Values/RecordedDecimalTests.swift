import Testing
@testable import ReconKit

/// Amounts as the ledger records them, read back exactly (``ExactDecimal/init(recorded:)``):
/// digits summed in 64 bits up to nineteen of them, in 128 bits past that.
struct RecordedDecimalTests {
    @Test(arguments: [
        ("0.00", 0, 2), ("601.955", 601_955, 3), ("47278", 47_278, 0), ("-12.5", -125, 1), ("-0.01", -1, 2),
        // Nineteen digits: the most gathered in 64 bits; twenty: the 128-bit sum takes over.
        ("9999999999999999999", 9_999_999_999_999_999_999, 0), ("99999999999999999999", 99_999_999_999_999_999_999, 0),
        ("1234567890123456789.01", 123_456_789_012_345_678_901, 2),
    ] as [(String, Int128, Int)])
    func amountsReadBackAsWritten(text: String, mantissa: Int128, scale: Int) {
        let value = ExactDecimal(recorded: Substring(text))
        #expect(value?.mantissa == mantissa)
        #expect(value?.scale == scale)
    }

    /// The largest mantissa 128 bits hold, 2¹²⁷ − 1 (39 digits), and one past it.
    @Test func theWidestAmountFitsAndOnePastItDoesNot() {
        let widest = "170141183460469231731687303715884105727"
        #expect(ExactDecimal(recorded: Substring(widest))?.mantissa == Int128.max)
        #expect(ExactDecimal(recorded: Substring("-" + widest))?.mantissa == -Int128.max)
        #expect(ExactDecimal(recorded: "170141183460469231731687303715884105728") == nil)
        #expect(ExactDecimal(recorded: "1701411834604692317316873037158841057270") == nil)
    }

    /// Thirty-six digits after the point are the most an amount has; a thirty-seventh is refused.
    @Test func thirtySixFractionDigitsAndNoMore() {
        let fraction = String(repeating: "1", count: 36)
        #expect(ExactDecimal(recorded: Substring("0." + fraction))?.scale == 36)
        #expect(ExactDecimal(recorded: Substring("0." + fraction + "1")) == nil)
    }

    @Test(arguments: ["", "-", ".5", "-.5", "1.", "1..2", "1.2.3", "+1", "1e5", "1,5", " 1", "1 ", "--1", "1-", "١٢", "0x10"])
    func whatIsNotADecimalIsRefused(text: String) {
        #expect(ExactDecimal(recorded: Substring(text)) == nil)
    }

    /// A slice of a longer text reads only its own bytes.
    @Test func aSubstringReadsOnlyItsOwnBytes() {
        let line = "total=1234.56;tax=7"
        let start = line.index(line.startIndex, offsetBy: 6), end = line.index(start, offsetBy: 7)
        #expect(ExactDecimal(recorded: line[start..<end]).map { ($0.mantissa, $0.scale) } ?? (0, 0) == (123_456, 2))
    }
}
