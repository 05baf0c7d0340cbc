import Testing

@testable import CSV
@testable import ReconKit

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A record as the reader delivered it.
private struct Delivered: Equatable, CustomStringConvertible {
    let line: Int
    let fields: [String]

    init(_ line: Int, _ fields: [String]) {
        self.line = line
        self.fields = fields
    }

    var description: String { "\(line): \(fields)" }
}

/// What a read gave: every delivered record, in order, and the problems.
private typealias Outcome = (rows: [Delivered], problems: [CSVProblem])

/// Reads `bytes`.
private func readCSV(_ bytes: [UInt8], maxFieldBytes: Int = 65_536) -> Outcome {
    var rows: [Delivered] = []
    let problems = bytes.withUnsafeBytes { buffer in
        CSVReader.read(buffer, maxFieldBytes: maxFieldBytes) { line, fields in
            rows.append(Delivered(line, fields))
        }
    }
    return (rows, problems)
}

/// Reads the UTF-8 bytes of `text`.
private func readCSV(_ text: String, maxFieldBytes: Int = 65_536) -> Outcome {
    readCSV(Array(text.utf8), maxFieldBytes: maxFieldBytes)
}

struct CSVReaderTests {
    @Test func simpleFileDeliversEveryRecordWithItsLine() {
        let result = readCSV("report_id,modality,image_count\nR1,CT,3\nR2,MR,12\n")
        #expect(result.problems == [])
        #expect(
            result.rows == [
                Delivered(1, ["report_id", "modality", "image_count"]),
                Delivered(2, ["R1", "CT", "3"]),
                Delivered(3, ["R2", "MR", "12"]),
            ])
    }

    @Test func lastLineWithoutLineEndingIsRead() {
        let result = readCSV("id,name\nA1,Apollo")
        #expect(result.problems == [])
        #expect(result.rows == [Delivered(1, ["id", "name"]), Delivered(2, ["A1", "Apollo"])])
    }

    @Test func leadingByteOrderMarkIsDropped() {
        let result = readCSV([0xEF, 0xBB, 0xBF] + Array("id,name\nA1,Apollo\n".utf8))
        #expect(result.problems == [])
        #expect(result.rows == [Delivered(1, ["id", "name"]), Delivered(2, ["A1", "Apollo"])])
    }

    @Test func byteOrderMarkAfterTheStartIsKept() {
        let result = readCSV("id\n\u{FEFF}A1\n")
        #expect(result.rows == [Delivered(1, ["id"]), Delivered(2, ["\u{FEFF}A1"])])
    }

    @Test func crlfLineEndingsAreNotPartOfFields() {
        let result = readCSV("id,name\r\nA1,Apollo\r\nA2,\r\n")
        #expect(result.problems == [])
        #expect(
            result.rows == [
                Delivered(1, ["id", "name"]), Delivered(2, ["A1", "Apollo"]), Delivered(3, ["A2", ""]),
            ])
    }

    /// SPEC §2: LF or CRLF. libcsv also ends a row at a bare CR (an old Mac file, or a CR
    /// between rows): that is a problem at its line; a CR inside quotes is part of the field.
    @Test(arguments: ["id,name\rA1,Apollo\rA2,Bhavan\r", "id,name\nA1,Apollo\rA2,Bhavan\n", "id,name\r\nA1,Apollo\r"])
    func aBareCarriageReturnEndingARowIsAProblem(text: String) {
        let result = readCSV(text)
        let line = text.hasPrefix("id,name\r") && !text.hasPrefix("id,name\r\n") ? 1 : 2
        #expect(result.problems.map(\.line) == [line], "\(result.problems)")
        #expect(result.problems.first?.message.hasPrefix("a row ends in a carriage return (CR) with no line feed (LF) after it") == true)
        #expect(readCSV("id,note\n1,\"a\rb\"\n").problems == [])
    }

    @Test func quotedFieldsKeepCommasQuotesAndNewlines() {
        let text = """
            id,note
            1,"Apollo, Chennai"
            2,"the ""12"" film"
            3,"first line
            second line"
            4,after
            5,""

            """
        let result = readCSV(text)
        #expect(result.problems == [])
        #expect(
            result.rows == [
                Delivered(1, ["id", "note"]),
                Delivered(2, ["1", "Apollo, Chennai"]),
                Delivered(3, ["2", "the \"12\" film"]),
                Delivered(4, ["3", "first line\nsecond line"]),
                Delivered(6, ["4", "after"]),
                Delivered(7, ["5", ""]),
            ])
    }

    @Test func quotedCRLFIsKeptAndLinesStillCount() {
        let result = readCSV("id,note\r\n\"a\r\n\r\nb\",x\r\n2,y\r\n")
        #expect(result.problems == [])
        #expect(
            result.rows == [
                Delivered(1, ["id", "note"]), Delivered(2, ["a\r\n\r\nb", "x"]), Delivered(5, ["2", "y"]),
            ])
    }

    @Test func quotedFieldMayStartOnTheLineAfterTheRecord() {
        let result = readCSV("id,note\n1,\"\nx\"\n2,y\n")
        #expect(
            result.rows == [
                Delivered(1, ["id", "note"]), Delivered(2, ["1", "\nx"]), Delivered(4, ["2", "y"]),
            ])
    }

    @Test func blankLinesAreSkippedEverywhere() {
        let text = "\n\r\nid,name\n\n \t \r\nA1,Apollo\n\n\r\n\n"
        let result = readCSV(text)
        #expect(result.problems == [])
        #expect(result.rows == [Delivered(3, ["id", "name"]), Delivered(6, ["A1", "Apollo"])])
    }

    @Test func blankLinesInsideAQuotedFieldArePartOfIt() {
        let result = readCSV("id,note\n1,\"a\n\n \t\r\nb\"\n2,c\n")
        #expect(result.problems == [])
        #expect(
            result.rows == [
                Delivered(1, ["id", "note"]), Delivered(2, ["1", "a\n\n \t\r\nb"]), Delivered(6, ["2", "c"]),
            ])
    }

    /// A spreadsheet saves the formatted but empty rows below its data as `,,,`: no value, a
    /// blank line (SPEC §2), not a row of empty required fields that rejected the whole drop.
    @Test func aLineOfOnlyCommasIsBlank() {
        let result = readCSV("a,b,c\n,,\r\nx,y,z\n , ,\t\n,,\n")
        #expect(result.problems == [])
        #expect(result.rows == [Delivered(1, ["a", "b", "c"]), Delivered(3, ["x", "y", "z"])])
    }

    /// A quoted empty field is written, not left blank: its line is a record.
    @Test func aQuotedEmptyFieldMakesARecord() {
        let result = readCSV("a,b\n\"\",\n")
        #expect(result.rows == [Delivered(1, ["a", "b"]), Delivered(2, ["", ""])])
    }

    @Test func spacesArePartOfAField() {
        let result = readCSV("id , name\n A1,\tApollo \n")
        #expect(result.problems == [])
        #expect(result.rows == [Delivered(1, ["id ", " name"]), Delivered(2, [" A1", "\tApollo "])])
    }

    @Test func raggedRowsAreDeliveredAsTheyAre() {
        let result = readCSV("a,b,c\n1\n1,2,3,4\n,,\"\"\n")
        #expect(result.problems == [])
        #expect(
            result.rows == [
                Delivered(1, ["a", "b", "c"]),
                Delivered(2, ["1"]),
                Delivered(3, ["1", "2", "3", "4"]),
                Delivered(4, ["", "", ""]),
            ])
    }

    @Test func unterminatedQuoteAtTheEndIsAProblemAtItsOpeningLine() {
        let result = readCSV("id,note\n1,ok\n2,\"never closed\n3,x\n4,y\n")
        #expect(result.rows == [Delivered(1, ["id", "note"]), Delivered(2, ["1", "ok"])])
        #expect(result.problems.count == 1)
        #expect(result.problems.first?.line == 3)
        #expect(result.problems.first?.column == 2)
        #expect(result.problems.first?.message.contains("never closed") == true)
    }

    @Test func unterminatedQuoteInTheHeaderIsAtLineOne() {
        let result = readCSV("\"id,note\n")
        #expect(result.rows == [])
        #expect(result.problems.map(\.line) == [1])
        #expect(result.problems.map(\.column) == [1])
    }

    @Test func strayQuoteInsideAnUnquotedFieldSkipsItsRecordAndReadingGoesOn() {
        let result = readCSV("id,note\n1,12\" film\n2,after\n")
        #expect(result.rows == [Delivered(1, ["id", "note"]), Delivered(3, ["2", "after"])])
        #expect(result.problems.count == 1)
        #expect(result.problems.first?.line == 2)
        #expect(result.problems.first?.column == 2)
        #expect(result.problems.first?.message.contains("byte 5 of the line") == true)
    }

    @Test func quoteAfterASpaceIsAStrayQuote() {
        let result = readCSV("id,note\n1, \"x\"\n")
        #expect(result.problems.map(\.line) == [2])
        #expect(result.problems.map(\.column) == [2])
        #expect(result.problems.first?.message.contains("does not start with one") == true)
    }

    @Test func characterAfterAClosingQuoteSkipsItsRecordAndReadingGoesOn() {
        let result = readCSV("id,note\r\n1,ok\r\n2,\"a\"b,c\r\n3,z\r\n")
        #expect(result.rows == [Delivered(1, ["id", "note"]), Delivered(2, ["1", "ok"]), Delivered(4, ["3", "z"])])
        #expect(result.problems.count == 1)
        #expect(result.problems.first?.line == 3)
        #expect(result.problems.first?.column == 2)
        #expect(result.problems.first?.message.contains("'b' follows the closing double quote") == true)
    }

    /// SPEC §2 lists all of a drop's problems: each broken record is reported, in file
    /// order with the field problems, and the records between them are read.
    @Test func everyStructuralProblemOfAFileIsReported() {
        let bytes = Array("id,m\n1,C\"T\n2,ok\n3,\"x\"y\n".utf8) + Array("4,Caf".utf8) + [0xE9] + Array("\n5,\"open\n".utf8)
        let result = readCSV(bytes)
        #expect(result.rows == [Delivered(1, ["id", "m"]), Delivered(3, ["2", "ok"])])
        #expect(result.problems.map(\.line) == [2, 4, 5, 6])
        #expect(result.problems.map(\.column) == [2, 2, 2, 2])
        #expect(result.problems.last?.message.contains("never closed") == true)
    }

    /// A broken header cannot be read past: the next row must not pass for the header.
    @Test func aStructuralProblemInTheHeaderEndsTheRead() {
        let result = readCSV("id,n\"ote\n1,ok\n2,\"a\"b\n")
        #expect(result.rows.isEmpty)
        #expect(result.problems.map(\.line) == [1])
    }

    /// Lines after the header, cut from a large file, read as the whole file reads them there:
    /// a byte order mark is content, a broken first record does not end the read, and blank
    /// lines are no "empty file".
    @Test func aPartAfterTheHeaderIsReadAsTheFileReadsItThere() {
        func readPart(_ text: String) -> Outcome {
            var rows: [Delivered] = []
            let problems = Array(text.utf8).withUnsafeBytes { buffer in
                CSVReader.readFields(buffer, part: .afterHeader) { line, fields in rows.append(Delivered(line, fields.strings)) }
            }
            return (rows, problems)
        }
        #expect(readPart("\u{FEFF}A1,x\n").rows == [Delivered(1, ["\u{FEFF}A1", "x"])])
        let broken = readPart("1,C\"T\n2,ok\n")
        #expect(broken.rows == [Delivered(2, ["2", "ok"])])
        #expect(broken.problems.map(\.line) == [1])
        #expect(readPart("\n  \n") == ([], []))
        #expect(readPart("") == ([], []))
    }

    @Test func structuralProblemInsideAMultiLineFieldIsAtItsLine() {
        let result = readCSV("id,note\n1,\"one\ntwo\"x\n")
        #expect(result.problems.map(\.line) == [3])
        #expect(result.problems.map(\.column) == [2])
    }

    @Test func fieldThatIsNotUTF8IsReportedAndItsRecordSkipped() {
        let bytes = Array("id,name\n1,Caf".utf8) + [0xE9] + Array(",x\n2,Ok\n".utf8)
        let result = readCSV(bytes)
        #expect(result.rows == [Delivered(1, ["id", "name"]), Delivered(3, ["2", "Ok"])])
        #expect(result.problems.count == 1)
        #expect(result.problems.first?.line == 2)
        #expect(result.problems.first?.column == 2)
        #expect(result.problems.first?.message.contains("byte 0xE9 at byte 4 of the field") == true)
    }

    @Test func everyBadFieldOfARecordIsReported() {
        let bytes = Array("a,b,c\n".utf8) + [0xFF] + Array(",ok,\"x".utf8) + [0xC3] + Array("\"\n".utf8)
        let result = readCSV(bytes)
        #expect(result.rows == [Delivered(1, ["a", "b", "c"])])
        #expect(result.problems.map(\.line) == [2, 2])
        #expect(result.problems.map(\.column) == [1, 3])
    }

    /// Lines are looked at whole for bytes beyond ASCII: a field's bad byte on a later line
    /// of its record, after an all-ASCII first line, is still found, and so is one on a line
    /// that follows a record with non-ASCII text.
    @Test func aBadByteOnAnyLineOfAMultiLineRecordIsReported() {
        let spanning = Array("id,note\n1,\"first line\nsecond ".utf8) + [0xFF] + Array(" line\"\n2,Ok\n".utf8)
        let result = readCSV(spanning)
        #expect(result.rows == [Delivered(1, ["id", "note"]), Delivered(4, ["2", "Ok"])])
        #expect(result.problems.map(\.line) == [2])
        #expect(result.problems.map(\.column) == [2])
        // The same record opened on a line beyond ASCII, its bad byte on the next.
        let afterText = Array("id,note\n1,\"Zürich\n".utf8) + [0xC3, 0x28] + Array("\"\n2,Müller\n3,".utf8) + [0xE9] + Array("\n".utf8)
        let after = readCSV(afterText)
        #expect(after.rows == [Delivered(1, ["id", "note"]), Delivered(4, ["2", "Müller"])])
        #expect(after.problems.map(\.line) == [2, 5])
        // A field ended on an all-ASCII line of a record that began on a line with a bad byte.
        let begun = Array("id,a,b\n".utf8) + [0xE9] + Array(",\"x\ny\",z\n".utf8)
        let third = readCSV(begun)
        #expect(third.rows == [Delivered(1, ["id", "a", "b"])])
        #expect(third.problems.map(\.column) == [1])
        // A field whose bad byte is on its first line and which ends on an all-ASCII one.
        let ending = readCSV(Array("id,note\n1,\"caf".utf8) + [0xE9] + Array("\nok\"\n2,Ok\n".utf8))
        #expect(ending.rows == [Delivered(1, ["id", "note"]), Delivered(4, ["2", "Ok"])])
        #expect(ending.problems.map(\.line) == [2])
        #expect(ending.problems.map(\.column) == [2])
    }

    @Test func nonASCIITextIsRead() {
        let result = readCSV("name,city\nRenée Müller,Zürich 日本\n")
        #expect(result.problems == [])
        #expect(
            result.rows == [Delivered(1, ["name", "city"]), Delivered(2, ["Renée Müller", "Zürich 日本"])])
    }

    @Test func fieldAtTheLimitIsReadAndOneByteMoreIsAProblem() {
        // `"abc"""""` is abc"" (5 bytes), `"abc"""""""` is abc""" (6 bytes).
        let result = readCSV("id\nabcde\nabcdef\n\"abc\"\"\"\"\"\n\"abc\"\"\"\"\"\"\"\n", maxFieldBytes: 5)
        #expect(result.rows == [Delivered(1, ["id"]), Delivered(2, ["abcde"]), Delivered(4, ["abc\"\""])])
        #expect(result.problems.map(\.line) == [3, 5])
        #expect(result.problems.map(\.column) == [1, 1])
        #expect(
            result.problems.first?.message.contains("is 6 bytes long; a field may be at most 5 bytes") == true
        )
    }

    @Test func tenMegabyteFieldIsReportedAndReadingGoesOn() {
        let big = [UInt8](repeating: UInt8(ascii: "x"), count: 10 * 1_048_576)
        let bytes =
            Array("id,blob\n1,".utf8) + big + Array("\n2,small\n3,\"".utf8) + big
            + Array("\"\n4,end\n".utf8)
        let result = readCSV(bytes)
        #expect(
            result.rows == [
                Delivered(1, ["id", "blob"]), Delivered(3, ["2", "small"]), Delivered(5, ["4", "end"]),
            ])
        #expect(result.problems.map(\.line) == [2, 4])
        #expect(result.problems.map(\.column) == [2, 2])
        #expect(result.problems.first?.message.contains("is 10485760 bytes long") == true)
    }

    @Test func tenMegabyteFieldOverManyLinesKeepsLineNumbers() {
        let piece = Array(String(repeating: "y", count: 99).utf8) + [UInt8(ascii: "\n")]
        let lines = 100_000
        var bytes = Array("id,blob\n1,\"".utf8)
        for _ in 0..<lines { bytes += piece }
        bytes += Array("\"\n2,z\n".utf8)
        let result = readCSV(bytes)
        #expect(result.rows == [Delivered(1, ["id", "blob"]), Delivered(lines + 3, ["2", "z"])])
        #expect(result.problems.map(\.line) == [2])
        #expect(result.problems.first?.message.contains("is 10000000 bytes long") == true)
    }

    @Test func memoryForAnOversizedFieldStaysNearTheLimit() throws {
        let parser = try CSVParser(maxFieldBytes: 65_536)
        let line =
            Array("1,\"".utf8) + [UInt8](repeating: UInt8(ascii: "x"), count: 10 * 1_048_576)
            + Array("\"\n".utf8)
        try line.withUnsafeBytes { try parser.feed($0, number: 1) }
        try parser.finish()
        var delivered = 0
        parser.deliverRecords { _, _ in delivered += 1 }
        #expect(delivered == 0)
        #expect(parser.problems.map(\.column) == [2])
        #expect(parser.gatheringBufferBytes <= 4 * 65_536)
    }

    @Test(arguments: [65_532, 65_531])
    func closingQuoteAtAPieceBoundaryIsNotCountedInTheLength(maxFieldBytes: Int) {
        // libcsv is fed 65,536 bytes at a time: the closing quote is the last byte of the
        // first piece, so the field is 65,532 bytes long.
        let field = [UInt8](repeating: UInt8(ascii: "q"), count: 65_532)
        let bytes = Array("1,\"".utf8) + field + Array("\",2\n".utf8)
        let result = readCSV(bytes, maxFieldBytes: maxFieldBytes)
        if maxFieldBytes >= 65_532 {
            #expect(result.problems == [])
            #expect(result.rows == [Delivered(1, ["1", String(repeating: "q", count: 65_532), "2"])])
        } else {
            #expect(result.rows == [])
            #expect(result.problems.map(\.column) == [2])
            #expect(result.problems.first?.message.contains("is 65532 bytes long") == true)
        }
    }

    @Test(arguments: [
        [UInt8](),
        [0xEF, 0xBB, 0xBF],
        Array("\n\r\n  \n\t\n".utf8),
        [0xEF, 0xBB, 0xBF] + Array("\r\n\r\n".utf8),
    ])
    func fileWithoutRecordsIsAFileLevelProblem(bytes: [UInt8]) {
        let result = readCSV(bytes)
        #expect(result.rows == [])
        #expect(result.problems.count == 1)
        #expect(result.problems.first?.line == nil)
        #expect(result.problems.first?.column == nil)
        #expect(result.problems.first?.message.hasPrefix("the file is empty") == true)
    }

    @Test func fileWhoseOnlyRecordIsBadIsNotEmpty() {
        let result = readCSV([0xFF, UInt8(ascii: "\n")])
        #expect(result.rows == [])
        #expect(result.problems.map(\.line) == [1])
    }

    @Test func errorThrownByTheCallerStopsTheRead() {
        struct Stop: Error {}
        var lines: [Int] = []
        #expect(throws: Stop.self) {
            _ = try Array("a\nb\nc\n".utf8).withUnsafeBytes { bytes in
                try CSVReader.read(bytes) { line, _ in
                    lines.append(line)
                    if line == 2 { throw Stop() }
                }
            }
        }
        #expect(lines == [1, 2])
    }

    /// Records are handed over in batches: across batch boundaries every record still comes
    /// with its line, in order, and each way a read stops keeps the records before it.
    @Test(arguments: [255, 256, 257, 1_000])
    func manyRecordsComeInOrderWithTheirLines(count: Int) {
        let body = (1...count).map { "R\($0),CT,\($0 % 7 + 1)\n" }.joined()
        let result = readCSV("report_id,modality,image_count\n" + body)
        #expect(result.problems == [])
        #expect(result.rows.count == count + 1)
        #expect(result.rows.last == Delivered(count + 1, ["R\(count)", "CT", "\(count % 7 + 1)"]))
        #expect(result.rows.map(\.line) == Array(1...(count + 1)))
    }

    @Test func aQuoteLeftOpenAfterManyRecordsKeepsThemAll() {
        let body = (1...1_000).map { "\($0),ok\n" }.joined()
        let result = readCSV("id,note\n" + body + "1001,\"never closed\n")
        #expect(result.rows.count == 1_001)
        #expect(result.rows.last == Delivered(1_001, ["1000", "ok"]))
        #expect(result.problems.map(\.line) == [1_002])
    }

    @Test func aStrayQuoteAfterManyRecordsSkipsOnlyItsRecord() {
        let body = (1...700).map { $0 == 499 ? "499,12\" film\n" : "\($0),ok\n" }.joined()
        let result = readCSV("id,note\n" + body)
        #expect(result.rows.count == 700)
        #expect(!result.rows.contains { $0.line == 500 })
        #expect(result.rows.last == Delivered(701, ["700", "ok"]))
        #expect(result.problems.map(\.line) == [500])
    }

    @Test func aBadFieldAmongManyRecordsSkipsOnlyItsRecord() {
        var bytes = Array("id,note\n".utf8)
        for i in 1...600 { bytes += i == 399 ? Array("399,".utf8) + [0xFF, 0x0A] : Array("\(i),ok\n".utf8) }
        let result = readCSV(bytes)
        #expect(result.rows.count == 600)
        #expect(!result.rows.contains { $0.line == 400 })
        #expect(result.rows.last == Delivered(601, ["600", "ok"]))
        #expect(result.problems.map(\.line) == [400])
    }

    @Test func aCallerStoppingAfterManyRecordsSeesNoneAfter() {
        struct Stop: Error {}
        var lines: [Int] = []
        let text = (1...1_000).map { "\($0)\n" }.joined()
        #expect(throws: Stop.self) {
            _ = try Array(text.utf8).withUnsafeBytes { bytes in
                try CSVReader.read(bytes) { line, _ in
                    lines.append(line)
                    if line == 300 { throw Stop() }
                }
            }
        }
        #expect(lines == Array(1...300))
    }

    @Test func readsAFileFromDisk() throws {
        let path = "/tmp/recon-csvreader-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).csv"
        let text = "id,name\r\nA1,\"Apollo, Chennai\"\r\n"
        let file = try #require(fopen(path, "wb"))
        fputs(text, file)
        fclose(file)
        defer { unlink(path) }

        var rows: [Delivered] = []
        let problems = try CSVReader.read(contentsOf: path) { line, fields in
            rows.append(Delivered(line, fields))
        }
        #expect(problems == [])
        #expect(rows == [Delivered(1, ["id", "name"]), Delivered(2, ["A1", "Apollo, Chennai"])])
    }

    @Test func missingFileThrowsAFileLevelProblem() {
        let path = "/tmp/recon-csvreader-does-not-exist-\(getpid()).csv"
        let problem = #expect(throws: CSVProblem.self) {
            try CSVReader.read(contentsOf: path) { _, _ in }
        }
        #expect(problem?.line == nil)
        #expect(problem?.message.contains("No such file or directory") == true)
    }

    @Test func problemDescriptionNamesLineAndColumn() {
        #expect(CSVProblem(line: 3, column: 2, message: "bad").description == "line 3, column 2: bad")
        #expect(CSVProblem(line: 3, column: nil, message: "bad").description == "line 3: bad")
        #expect(CSVProblem(line: nil, column: nil, message: "bad").description == "bad")
    }
}
