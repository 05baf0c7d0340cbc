import Testing

@testable import XLSX

/// Excel refuses a table whose name it could read as a cell: each name below is judged by
/// hand here, against the rules a name must meet (SPEC §7's `Lines` table among them).
@Suite("Table names")
struct TableNameTests {
    static let cellReference = "the table name reads as a cell reference"

    @Test("names a table may take", arguments: ["Lines", "Lines_2026", "lines.2026", "_x", "ABCD1", "CR", "R1C1X", "RCX", "A", "Tbl1a"])
    func accepted(_ name: String) {
        #expect(Worksheet.problem(withTableName: name) == nil)
    }

    @Test("names that read as a cell in A1 notation", arguments: ["A1", "xfd1048576", "Ab12", "R1", "c7"])
    func cellNames(_ name: String) {
        #expect(Worksheet.problem(withTableName: name) == Self.cellReference)
    }

    @Test("names that read as a row or column in R1C1 notation", arguments: ["R", "c", "RC", "r2c3", "R12C", "RC9"])
    func r1c1Names(_ name: String) {
        #expect(Worksheet.problem(withTableName: name) == Self.cellReference)
    }

    @Test("names Excel refuses for their characters or length")
    func otherProblems() {
        #expect(Worksheet.problem(withTableName: "") == "the table name is empty")
        #expect(Worksheet.problem(withTableName: "1abc") == "the table name must start with a letter or _")
        #expect(Worksheet.problem(withTableName: "a b") == "the table name contains \" \"")
        #expect(Worksheet.problem(withTableName: String(repeating: "a", count: 256)) == "the table name is longer than 255 characters")
    }
}
