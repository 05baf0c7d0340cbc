import Testing
@testable import ReconKit

/// A large usage drop is read in two halves on two cores: it must give the rows and problems
/// one reading of the whole file gives (SPEC §2: all problems, up to 1,000, at their lines),
/// whatever starts the second half. The parser here halves files from 0 bytes, so a file of
/// 20 rows shows it.
@Suite("Drops — a large usage drop read in two halves (SPEC §2)")
struct UsageHalvesTests {
    let halving: DropParser = {
        var p = DropParser(zone: SiteTimeZone(identifier: "UTC")!, baseCurrency: Currency(code: "INR")!)
        p.halvesFromBytes = 0
        return p
    }()

    /// 76 bytes.
    static let header = "report_id,reported_at,client_id,radiologist_id,modality,image_count,urgency\n"

    /// Row `i` (0-based, on line i + 2) as written unless changed: 48 bytes,
    /// `B000000,2026-03-02T10:00:00Z,C1,D1,CT,2,routine`.
    static func row(_ i: Int) -> String {
        let id = String(i)
        return "B" + String(repeating: "0", count: 6 - id.count) + id + ",2026-03-02T10:00:00Z,C1,D1,CT,2,routine\n"
    }

    /// 20 rows: 76 + 20 × 48 = 1,036 bytes, and what `changed` adds. The cut comes at the first
    /// line end at or past the middle (518 and a byte or two): row 9 spans bytes 508–555, so
    /// the second half starts with row 10, on line 12.
    static func drop(_ changed: [Int: String]) -> [UInt8] {
        Array((header + (0..<20).map { changed[$0] ?? row($0) }.joined()).utf8)
    }

    /// The file read through ``DropParser/parse(_:kind:)``, which halves it, and in one pass.
    func bothReadings(_ bytes: [UInt8]) -> (halves: DropParser.Outcome, whole: DropParser.Outcome) {
        bytes.withUnsafeBytes { b in (halving.parse(b, kind: .usage), halving.parseWhole(b, kind: .usage)) }
    }

    func ids(_ o: DropParser.Outcome) -> [String] {
        guard case .usage(let rows)? = o.rows else { return [] }
        return rows.map(\.id)
    }

    /// Only the file's first three bytes can be its byte order mark: at the start of the second
    /// half they are part of the id, as in a small file.
    @Test func aByteOrderMarkStartingTheSecondHalfStaysInTheId() throws {
        let bytes = Self.drop([10: "\u{FEFF}" + Self.row(10)])
        #expect(Array(bytes[556..<559]) == [0xEF, 0xBB, 0xBF])
        let (halves, whole) = bothReadings(bytes)
        #expect(halves.problems.reportLines == [
            "line 12, column 1 (report_id): \"\\u{FEFF}B000010\" holds U+FEFF (ZERO WIDTH NO-BREAK SPACE, a byte order mark) "
                + "at character 1; an id uses only A-Z a-z 0-9 . _ - (e.g. C-0042)"])
        #expect(halves.problems.reportLines == whole.problems.reportLines)
        #expect(ids(halves).count == 19)
        #expect(ids(halves) == ids(whole))
    }

    /// A stray quote in the second half's first record skips that record only, as below the
    /// header of any file: image_count 0 on line 17 is still named.
    @Test func aStrayQuoteStartingTheSecondHalfHidesNoLaterProblem() throws {
        let bytes = Self.drop([10: "B000010,2026-03-02T10:00:00Z,C1,D1,C\"T,2,routine\n",
                               15: "B000015,2026-03-02T10:00:00Z,C1,D1,CT,0,routine\n"])
        let (halves, whole) = bothReadings(bytes)
        let p = halves.problems.problems
        #expect(p.map(\.line) == [12, 17], "\(p)")
        #expect(p.map(\.column) == [5, 6] && p.map(\.field) == ["modality", "image_count"], "\(p)")
        #expect(halves.problems.reportLines == whole.problems.reportLines)
        #expect(ids(halves).count == 18)
        #expect(ids(halves) == ids(whole))
    }

    /// The cut is placed by counting quotes, which a stray quote in the first half throws off:
    /// here (76 + 20 × 48 + 4 = 1,040 bytes, middle 520) it would fall inside row 9's quoted
    /// client_id, after its line feed at byte 540. What the file holds is still what one
    /// reading finds.
    @Test func aStrayQuoteInTheFirstHalfDoesNotMoveTheCutIntoAQuotedField() throws {
        let bytes = Self.drop([2: "B000002,2026-03-02T10:00:00Z,C1,D1,C\"T,2,routine\n",
                               9: "B000009,2026-03-02T10:00:00Z,\"C\n1\",D1,CT,2,routine\n"])
        #expect(bytes[540] == 10 && bytes[539] == UInt8(ascii: "C") && bytes[538] == UInt8(ascii: "\""))
        let (halves, whole) = bothReadings(bytes)
        let p = halves.problems.problems
        #expect(p.map(\.line) == [4, 11], "\(p)")
        #expect(p.map(\.field) == ["modality", "client_id"], "\(p)")
        #expect(halves.problems.reportLines == whole.problems.reportLines)
        #expect(ids(halves).count == 18)
        #expect(ids(halves) == ids(whole))
        // Row 10 is on line 13: row 9's quoted field took two lines.
        guard case .usage(let rows)? = halves.rows else { Issue.record("no rows"); return }
        #expect(rows.first { $0.id == "B000010" }?.line == 13)
    }

    /// The production threshold stays: below 8 MiB a drop is read in one pass.
    @Test func dropsAreHalvedFrom8MiB() {
        #expect(DropParser(zone: SiteTimeZone(identifier: "UTC")!, baseCurrency: Currency(code: "INR")!).halvesFromBytes == 8 * 1_048_576)
    }
}
