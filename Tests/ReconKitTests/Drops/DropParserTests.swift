import Foundation
import Testing
@testable import ReconKit

/// Bad input: every malformed drop gets line-precise problems and no rows.
@Suite("Drops — parsing and bad input (SPEC §2)")
struct DropParserTests {
    /// A drop taken now (``DropParser/newDrop``), as `ingest` reads one.
    let parser = {
        var parser = DropParser(zone: SiteTimeZone(identifier: "UTC")!, baseCurrency: Currency(code: "INR")!)
        parser.newDrop = true
        return parser
    }()

    func parse(_ text: String, _ kind: DropKind) -> DropParser.Outcome {
        parse(Array(text.utf8), kind)
    }

    func parse(_ bytes: [UInt8], _ kind: DropKind) -> DropParser.Outcome {
        bytes.withUnsafeBytes { parser.parse($0, kind: kind) }
    }

    func problems(_ text: String, _ kind: DropKind) -> [String] { parse(text, kind).problems.reportLines }

    let usageHeader = "report_id,reported_at,client_id,radiologist_id,modality,image_count,urgency\n"

    /// A line above the header (Excel's `sep=,`, a report's title) was read as the header:
    /// "the header lacks client_id, name, …" of columns plainly there on line 2, and nothing said
    /// why. The line that is the header says so, and what to delete.
    @Test(arguments: [("sep=,\n", "sep=,"), ("Clients export 2026-03\n\n", "Clients export 2026-03")])
    func aLineAboveTheHeaderIsNamed(above: String, shown: String) {
        let lines = problems(above + "client_id,name,currency,contract_type,onboarded_on,max_images_per_case\n"
                             + "C1,City Hospital,INR,standard,2020-01-01,5\n", .clients)
        let line = above.filter { $0 == "\n" }.count + 1
        #expect(lines.contains { $0.hasPrefix("the header lacks client_id") }, "\(lines)")
        #expect(lines.contains("line \(line): this line is the header, but line 1 (\"\(shown)\") comes before it: the header must be the "
            + "file's first line — delete the line\(line > 2 ? "s" : "") above it"), "\(lines)")
        // A header that merely lacks a column says nothing of the kind.
        let lacking = problems("client_id,name,currency,contract_type,onboarded_on\nC1,City,INR,std,2020-01-01\n", .clients)
        #expect(!lacking.contains { $0.contains("this line is the header") }, "\(lacking)")
    }

    @Test func aCleanUsageDropParses() throws {
        let o = parse("\u{FEFF}Report_ID , reported_at,client_id,radiologist_id,modality,image_count,urgency,extra\r\n"
                      + "R1,2026-03-01T10:00Z,C1,D1,CT,3,stat,x\r\n\r\nR2,2026-03-01T10:00:00+05:30,C1,D1,MR,1,,y\r\n", .usage)
        #expect(o.problems.isEmpty)
        #expect(o.unknownColumns == ["extra"])
        guard case .usage(let rows)? = o.rows else { Issue.record("no rows"); return }
        #expect(rows.map(\.id) == ["R1", "R2"])
        #expect(rows[0].urgency == .stat)
        #expect(rows[1].urgency == .routine)
        // 10:00+05:30 is 04:30Z.
        #expect(rows[1].reportedAt.utcText == "2026-03-01T04:30:00Z")
    }

    /// The empty rows a spreadsheet saves below its data (`,,,`) are blank lines: a radiologists
    /// drop exported so was rejected whole, every required column of line 3 "empty". Also the
    /// large usage drop, read in two halves, skips them wherever they fall.
    @Test func rowsOfOnlyCommasAreSkippedInEveryKind() throws {
        let radiologists = parse("radiologist_id,name,grade,seniority_years\r\nR1,Rad One,senior,10\r\n,,,\r\n,,,\r\n", .radiologists)
        #expect(radiologists.problems.isEmpty, "\(radiologists.problems.reportLines)")
        guard case .radiologists(let list)? = radiologists.rows else { Issue.record("no rows"); return }
        #expect(list.map(\.id) == ["R1"])
        var usage = usageHeader
        for i in 0..<40_000 { usage += "R\(i),2026-03-01T10:00:00Z,C1,D1,CT,3,\n" + (i % 1000 == 0 ? ",,,,,,\n" : "") }
        var halves = parser
        halves.halvesFromBytes = 1
        let o = usage.utf8.withContiguousStorageIfAvailable { halves.parse(UnsafeRawBufferPointer($0), kind: .usage) }!
        #expect(o.problems.isEmpty, "\(o.problems.reportLines.prefix(3))")
        guard case .usage(let rows)? = o.rows else { Issue.record("no rows"); return }
        #expect(rows.count == 40_000)
    }

    /// A bare carriage return is no line ending (SPEC §2), also on a line of commas: the drop is
    /// rejected at that line, as a row so ended is.
    @Test(arguments: ["R1,Rad One,senior,10\n,,,\r,,,\n", "R1,Rad One,senior,10\n,,,\r"])
    func aBareCarriageReturnOnALineOfCommasRejectsTheDrop(rows: String) {
        let o = parse("radiologist_id,name,grade,seniority_years\n" + rows, .radiologists)
        #expect(o.problems.reportLines.first?.hasPrefix("line 3") == true, "\(o.problems.reportLines)")
    }

    @Test func equalTimestampsInDifferentSpellingsAreEqual() throws {
        let utc = SiteTimeZone(identifier: "UTC")!
        #expect(try FieldValue.timestamp("2026-03-01T10:00Z", zone: utc) == FieldValue.timestamp("2026-03-01T10:00:00+00:00", zone: utc))
        #expect(try FieldValue.timestamp("2026-03-01T10:00", zone: utc) == FieldValue.timestamp("2026-03-01T10:00:00.000Z", zone: utc))
    }

    @Test func aTimestampWithoutOffsetIsSiteTime() throws {
        let kolkata = SiteTimeZone(identifier: "Asia/Kolkata")!
        let t = try FieldValue.timestamp("2026-03-01T02:00", zone: kolkata)
        #expect(t.utcText == "2026-02-28T20:30:00Z")
        // Local date is still 1 March: the report belongs to 2026-03.
        #expect(kolkata.localDate(of: t).period.description == "2026-03")
    }

    /// A header cell that is not UTF-8 (a Latin-1 `é` from a spreadsheet's export) is the one
    /// problem: the header line was skipped and the first data row read as the header, which
    /// then "lacked" every column, said first.
    @Test(arguments: [DropKind.usage, .clients, .decisions])
    func aHeaderCellThatIsNotUTF8IsTheOneProblemNamed(kind: DropKind) {
        let header: [UInt8] = Array("report_id,reported_at,client_id,radiologist_id,modality,image_count,Not".utf8) + [0xE9] + Array("s\n".utf8)
        let o = parse(header + Array("R1,2026-10-02T10:00Z,C1,D1,CT,2,x\nR2,2026-10-02T10:00Z,C1,D1,CT,2,x\n".utf8), kind)
        #expect(o.rows == nil)
        #expect(o.problems.reportLines.count == 1, "\(o.problems.reportLines)")
        #expect(o.problems.reportLines.first?.hasPrefix("line 1, column 7: the field is not UTF-8 text") == true, "\(o.problems.reportLines)")
    }

    /// A payments file saved as `clients_payments_2026-03.csv` is read as a clients drop (the
    /// kind comes from the name's start, SPEC §2): it was told to add clients' columns, a file
    /// that should have none of them. It is told the header is a payments drop's, and to rename it.
    @Test func aHeaderOfAnotherKindIsToldToRenameTheFile() {
        let p = problems("payment_id,client_id,received_on,amount,currency\nP1,C1,2026-03-10,100,INR\n", .clients)
        #expect(p.count == 1, "\(p)")
        #expect(p.first?.contains("this header is a payments drop's, but the file is read as a clients drop because its name starts "
            + "with \"clients\" — rename it to start with \"payments\"") == true, "\(p)")
        // A clients drop short of a column is told only what it lacks.
        let short = problems("client_id,name,currency,contract_type,onboarded_on\nC1,A,INR,std,2020-01-01\n", .clients)
        #expect(short.count == 1 && short.first?.contains("rename") == false, "\(short)")
    }

    /// `*` in master data (copied from a rate card, where it means any value) was told
    /// `"*" holds "*"`; it is told what `*` is.
    @Test func aWildcardInMasterDataIsToldWhatItIs() {
        let p = problems("client_id,name,currency,contract_type,onboarded_on,max_images_per_case\nC2,Beta,INR,*,2020-01-01,5\n", .clients)
        #expect(p == ["line 2, column 4 (contract_type): \"*\" is a rate card's wildcard (any value), not a value; name one here: "
            + "1–64 characters of A-Z a-z 0-9 . _ - (e.g. C-0042)"], "\(p)")
    }

    @Test func aMissingColumnIsAFileLevelProblemNamingTheHeader() {
        let p = problems("report_id,reported_at,client_id,modality,image_count\nR1,2026-03-01T10:00Z,C1,CT,3\n", .usage)
        #expect(p.count == 1)
        #expect(p[0].hasPrefix("the header lacks radiologist_id"), "a file-level problem, without line (SPEC §2): \(p)")
    }

    @Test func aRepeatedColumnIsNamed() {
        let p = problems("report_id,report_id,reported_at,client_id,radiologist_id,modality,image_count\n", .usage)
        #expect(p.first == "line 1, column 2 (report_id): the column report_id appears twice; keep one")
    }

    /// Only the columns a kind reads must be named once: a spreadsheet's trailing empty header
    /// cells, or a column the drop does not use given twice, are ignored and named in the log.
    @Test func repeatedUnknownColumnsAreIgnoredNotRejected() throws {
        let o = parse("report_id,reported_at,client_id,radiologist_id,modality,image_count,Notes,notes,,\n"
                      + "R1,2026-03-01T10:00Z,C1,D1,CT,3,a,b,,\n", .usage)
        #expect(o.problems.isEmpty, "\(o.problems.reportLines)")
        #expect(o.unknownColumns == ["Notes", "notes", "column 9 (no name)", "column 10 (no name)"])
        guard case .usage(let rows)? = o.rows else { Issue.record("no rows"); return }
        #expect(rows.map(\.id) == ["R1"])
        #expect(problems("report_id,reported_at,client_id,radiologist_id,modality,image_count,urgency,URGENCY\n", .usage)
            == ["line 1, column 8 (urgency): the column urgency appears twice; keep one"])
    }

    @Test func anUnbalancedQuoteIsReportedWithItsLine() {
        let p = problems(usageHeader + "R1,2026-03-01T10:00Z,C1,D1,CT,3,routine\n\"R2,2026-03-01T10:00Z,C1,D1,CT,3,routine\n", .usage)
        #expect(p.count >= 1)
        #expect(p.contains { $0.hasPrefix("line 3") })
        #expect(parse(usageHeader + "\"R2,x\n", .usage).rows?.rowCount == 0)
    }

    @Test func aWrongFieldCountIsReported() {
        let p = problems(usageHeader + "R1,2026-03-01T10:00Z,C1,D1,CT,3\n", .usage)
        #expect(p == ["line 2, column 7 (urgency): the row ends before this column: it has 6 fields but the header has 7; "
            + "give every row all the header's fields (an empty one for an empty value); its other fields are checked once "
            + "it has them all"])
    }

    @Test func nonUTF8BytesAreReportedWithLineAndColumn() {
        var bytes = Array((usageHeader + "R1,2026-03-01T10:00Z,C").utf8)
        bytes += [0xFF, 0xFE]
        bytes += Array(",D1,CT,3,routine\n".utf8)
        let o = parse(bytes, .usage)
        #expect(o.rows?.rowCount == 0)
        #expect(o.problems.problems.first?.line == 2)
        #expect(o.problems.problems.first?.column == 3)
    }

    @Test func anEmptyFileIsRejected() {
        #expect(parse("", .usage).rows == nil)
        #expect(!problems("", .usage).isEmpty)
        #expect(!problems("\u{FEFF}\n\n", .clients).isEmpty)
    }

    @Test func aTenMegabyteFieldIsReportedNotLoaded() {
        let big = String(repeating: "x", count: 10 * 1024 * 1024)
        let o = parse(usageHeader + "R1,2026-03-01T10:00Z,C1,D1,CT,3,\(big)\n", .usage)
        #expect(o.rows?.rowCount == 0)
        #expect(o.problems.problems.first?.line == 2)
        #expect(o.problems.problems.first?.column == 7)
    }

    @Test(arguments: [
        ("R/1", "report_id"), ("..", "report_id"), (".hidden", "report_id"), ("-rf", "report_id"), ("", "report_id"),
        (String(repeating: "a", count: 65), "report_id"),
    ])
    func badIdsAreRejected(id: String, field: String) {
        let p = parse(usageHeader + "\(id),2026-03-01T10:00Z,C1,D1,CT,3,routine\n", .usage).problems.problems
        #expect(p.count == 1)
        #expect(p.first?.field == field)
        #expect(p.first?.column == 1)
    }

    @Test(arguments: ["-1", "2.5", "0", "abc", "1e3", "9999999999"])
    func badImageCountsAreRejected(value: String) {
        let p = parse(usageHeader + "R1,2026-03-01T10:00Z,C1,D1,CT,\(value),routine\n", .usage).problems.problems
        #expect(p.count == 1)
        #expect(p.first?.field == "image_count")
        #expect(p.first?.line == 2)
    }

    @Test func negativeAndFractionalCountsSayWhy() {
        let neg = problems(usageHeader + "R1,2026-03-01T10:00Z,C1,D1,CT,-1,routine\n", .usage)
        #expect(neg.first?.contains("negative") == true)
        let frac = problems(usageHeader + "R1,2026-03-01T10:00Z,C1,D1,CT,2.5,routine\n", .usage)
        #expect(frac.first?.contains("fractional") == true)
    }

    @Test(arguments: ["2026-02-30", "2026-13-01", "2026-2-1", "20260201", "2025-02-29"])
    func impossibleDatesAreRejected(date: String) {
        let p = parse("client_id,name,currency,contract_type,onboarded_on,max_images_per_case\nC1,A,INR,std,\(date),5\n", .clients)
            .problems.problems
        #expect(p.count == 1)
        #expect(p.first?.field == "onboarded_on")
        #expect(p.first?.column == 5)
    }

    /// A date of the right shape that the calendar lacks says which rule it breaks, in a date
    /// field and inside a timestamp alike.
    @Test(arguments: [("2026-02-29", "2026-02-29 is not a day of the calendar; February 2026 has days 01–28"),
                      ("2024-02-30", "2024-02-30 is not a day of the calendar; February 2024 has days 01–29"),
                      ("2026-04-31", "2026-04-31 is not a day of the calendar; April 2026 has days 01–30"),
                      ("2026-10-00", "2026-10-00 is not a day of the calendar; October 2026 has days 01–31"),
                      ("2026-13-01", "2026-13-01 has month 13; months run 01–12"),
                      ("2026-00-10", "2026-00-10 has month 00; months run 01–12")])
    func aDayTheCalendarLacksIsNamed(date: String, why: String) {
        let utc = SiteTimeZone(identifier: "UTC")!
        do {
            _ = try FieldValue.date(Substring(date))
            Issue.record("\(date) was read as a date")
        } catch {
            #expect(message(error) == "\"\(date)\" is not a calendar date: \(why) (e.g. 2026-02-28)")
        }
        let stamp = date + "T10:00:00Z"
        do {
            _ = try FieldValue.timestamp(Substring(stamp), zone: utc)
            Issue.record("\(stamp) was read as a timestamp")
        } catch {
            #expect(message(error) == "\"\(stamp)\" is not a timestamp: \(why); "
                + "write YYYY-MM-DDTHH:MM[:SS[.fraction]][Z|±HH:MM] (e.g. 2026-03-01T10:00:00Z)")
        }
    }

    /// Text not shaped as a date keeps the message that shows the shape.
    @Test(arguments: ["2026-2-1", "20260201", "2026/02/01", "0000-01-01"])
    func aMisshapenDateIsShownTheShape(date: String) {
        do {
            _ = try FieldValue.date(Substring(date))
            Issue.record("\(date) was read as a date")
        } catch {
            #expect(message(error) == "\"\(date)\" is not a calendar date; write YYYY-MM-DD (e.g. 2026-02-28)")
        }
    }

    private func message(_ error: Error) -> String? { (error as? FieldValue.Invalid)?.message }

    @Test func anUnknownCurrencyIsRejected() {
        let p = problems("client_id,name,currency,contract_type,onboarded_on,max_images_per_case\nC1,A,XYZ,std,2026-01-01,5\n", .clients)
        #expect(p == ["line 2, column 3 (currency): \"XYZ\" is not an ISO 4217 currency code (e.g. USD, EUR, INR, JPY, KWD)"])
    }

    @Test(arguments: ["1.2345678", "1,5", "1e2", ".5", "5.", "--1"])
    func badDecimalsAreRejected(value: String) {
        let p = parse("date,currency,rate\n2026-01-01,USD,\(value)\n", .fxRates).problems.problems
        #expect(p.count >= 1)
        #expect(p.first?.field == "rate" || p.first?.line == 2)
    }

    @Test func theBaseCurrencyRateMustBeOne() {
        #expect(parse("date,currency,rate\n2026-01-01,INR,1\n", .fxRates).problems.isEmpty)
        #expect(!parse("date,currency,rate\n2026-01-01,INR,2\n", .fxRates).problems.isEmpty)
    }

    /// A spreadsheet's export with `;` (a German or French locale) or tabs between its fields:
    /// the clerk sees every name in the file, so the message says what is wrong with them.
    @Test(arguments: [(";", "semicolons"), ("\t", "tabs")])
    func aFileSeparatedOtherwiseIsToldItsSeparator(separator: String, name: String) {
        let header = ["report_id", "reported_at", "client_id", "radiologist_id", "modality", "image_count"].joined(separator: separator)
        let p = problems(header + "\nK3" + separator + "2026-11-02T10:00Z\n", .usage)
        #expect(p.count == 1, "\(p)")
        #expect(p.first?.hasPrefix("the header lacks report_id, reported_at, client_id") == true, "\(p)")
        #expect(p.first?.hasSuffix("; the header's names are separated by \(name), not commas: a drop is comma-separated — save it "
            + "as \"CSV UTF-8 (Comma delimited)\"") == true, "\(p)")
        // A header that merely lacks a column gets no such hint.
        #expect(problems("report_id,reported_at;x,client_id\n", .usage).first?.contains("separated by") == false)
    }

    /// Excel's "Unicode Text" is UTF-16: one problem naming that, not a header and every line wrong.
    @Test func aUTF16FileIsToldItsEncoding() {
        let text = usageHeader + "R1,2026-03-01T10:00Z,C1,D1,CT,3,\r\n"
        let little: [UInt8] = [0xFF, 0xFE] + text.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        let big: [UInt8] = [0xFE, 0xFF] + text.utf16.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
        // Without the mark (`iconv -t UTF-16LE`): it was read as UTF-8, and the header, a NUL
        // after each letter, seemed to lack every column.
        for (bytes, encoding) in [(little, "UTF-16LE (it starts with that byte order mark)"), (big, "UTF-16BE (it starts with that byte order mark)"),
                                  (Array(little.dropFirst(2)), "UTF-16LE (a NUL byte after each letter)"),
                                  (Array(big.dropFirst(2)), "UTF-16BE (a NUL byte before each letter)")] {
            let o = parse(bytes, .usage)
            #expect(o.problems.reportLines == ["the file is \(encoding) text, not UTF-8; save it as "
                + "\"CSV UTF-8 (Comma delimited)\" (in Excel: Save As, then that file type)"], "\(o.problems.reportLines)")
            #expect(o.rows == nil)
        }
    }

    /// A drop padded with NUL bytes: its padding read as a line whose fields end early ("the
    /// row ends before this column"), on a line that looks empty in any editor. Said as what
    /// it is, at its line and the byte of that line (the first), and alone: the fields it seemed
    /// to end early are no problem of their own.
    @Test func nulPaddingIsNamed() {
        let text = Array((usageHeader + "R1,2026-03-01T10:00Z,C1,D1,CT,3,stat\n").utf8)
        let lines = parse(text + [UInt8](repeating: 0, count: 512), .usage).problems.reportLines
        #expect(lines == ["line 3: holds NUL bytes (U+0000) from byte 1 of the line: no text has them — the file was padded, "
            + "or is not text; remove them, or save the file again as \"CSV UTF-8 (Comma delimited)\""], "\(lines)")
        // Another problem of the drop is still listed beside it.
        let bad = Array((usageHeader + "R1,2026-03-01T10:00Z,C1,D1,CT,0,stat\n").utf8)
        let both = parse(bad + [UInt8](repeating: 0, count: 8), .usage).problems.reportLines
        #expect(both.count == 2 && both[0].hasPrefix("line 2, column 6 (image_count)") && both[1].hasPrefix("line 3: holds NUL bytes"),
                "\(both)")
        // Padding after a last row with no newline: said at that row's byte, alone.
        let last = Array((usageHeader + "R1,2026-03-01T10:00Z,C1,D1,CT,3,stat").utf8)
        let padded = parse(last + [UInt8](repeating: 0, count: 64), .usage).problems.reportLines
        let rowLength = "R1,2026-03-01T10:00Z,C1,D1,CT,3,stat".utf8.count
        #expect(padded == ["line 2: holds NUL bytes (U+0000) from byte \(rowLength + 1) of the line: no text has them — the file was "
            + "padded, or is not text; remove them, or save the file again as \"CSV UTF-8 (Comma delimited)\""], "\(padded)")
    }

    @Test func problemsAreCappedAtOneThousand() {
        var text = usageHeader
        for i in 0..<1500 { text += "R\(i),not-a-date,C1,D1,CT,3,routine\n" }
        let o = parse(text, .usage)
        #expect(o.problems.total == 1500)
        #expect(o.problems.reportLines.count == 1001)
        #expect(o.problems.reportLines.last == "… and 500 more problems not listed")
        // What the log line and `status` count from those lines: 1,500, not the 1,001 lines.
        #expect(ProblemList.count(ofReportLines: o.problems.reportLines) == 1500)
        #expect(IngestOutcome.rejected(name: "u.csv", problems: o.problems.reportLines).summary
            .hasPrefix("u.csv: rejected with 1500 problems: "))
        #expect(ProblemList.count(ofReportLines: ["line 2: x"]) == 1)
        // A failed row's id and parties are noted (for the site's checks) after its own problem,
        // only while the list is short of its limit: rows 1–999, the 1,000th row's problem
        // filling it first (a million bad rows noted them all: gigabytes).
        #expect(o.problems.idsOfFailedRows.count == 999)
        #expect(o.problems.partiesOfFailedRows.count == 2 * 999)
    }

    /// A valid row is read from its bytes, any other by the reader that names problems: one
    /// report written in every allowed way gives the same values (hand-computed) either way.
    @Test(arguments: [
        "R1,2026-10-05T10:00:00Z,C1,D1,CT,3,stat",
        " R1 ,\t2026-10-05T10:00:00Z ,C1 , D1,CT , 3 ,stat ",
        "\"R1\",\"2026-10-05T10:00:00Z\",\"C1\",\"D1\",\"CT\",\"3\",\"stat\"",
        "R1,2026-10-05t10:00:00z,C1,D1,CT,3,stat",
        "R1,2026-10-05T15:30:00+05:30,C1,D1,CT,3,stat",
        "R1,2026-10-05T10:00Z,C1,D1,CT,003,stat",
        "R1,2026-10-05T10:00:00.000Z,C1,D1,CT,3,stat",
    ])
    func everySpellingOfAValidRowGivesTheSameReport(row: String) throws {
        let o = parse(usageHeader + row + "\r\n", .usage)
        #expect(o.problems.isEmpty)
        guard case .usage(let list)? = o.rows else { Issue.record("no rows"); return }
        let r = try #require(list.first)
        #expect(list.count == 1)
        #expect([r.id, r.clientId, r.radiologistId, r.modality] == ["R1", "C1", "D1", "CT"])
        #expect(r.imageCount == 3 && r.urgency == .stat && r.line == 2)
        // 2026-10-05T10:00:00Z is 1,791,194,400 s after 1970-01-01T00:00:00Z.
        #expect(r.reportedAt.nanoseconds == 1_791_194_400 * 1_000_000_000)
        #expect(r.localDate == LocalDate(year: 2026, month: 10, day: 5))
    }

    /// Rows with a bad cell among good ones: the good are read, the bad named, in line order.
    @Test func badCellsAmongGoodRowsAreNamedWithTheirLines() {
        let o = parse(usageHeader
                      + "R1,2026-10-05T10:00Z,C1,D1,CT,3,stat\n"
                      + "R2,2026-10-05T10:00Z,C1,D1,ct,3,stat\n"       // lower-case code
                      + "R3,2026-10-05T10:00Z,C1,D1,CT,0,\n"           // below 1
                      + "-R4,2026-10-05T10:00Z,C1,D1,CT,1,\n"          // id starting with -
                      + "R5,2026-10-05T24:00Z,C1,D1,CT,1,\n"           // hour out of range
                      + "R6,2026-10-05T10:00Z,C1,D1,CT,1,urgent\n"     // not an urgency
                      + "R7,2026-10-05T10:00Z,C1,D1,CT,1234567890,\n"  // ten digits
                      + "R8,2026-10-05T10:00Z,C1,D1,CT,1,routine\n", .usage)
        #expect(o.problems.problems.map(\.line) == [3, 4, 5, 6, 7, 8])
        #expect(o.problems.problems.map(\.field) == ["modality", "image_count", "report_id", "reported_at", "urgency", "image_count"])
        guard case .usage(let list)? = o.rows else { Issue.record("no rows"); return }
        #expect(list.map(\.id) == ["R1", "R8"])
        #expect(list.map(\.urgency) == [.stat, .routine])
    }

    @Test func aLargeUsageDropReadInTwoHalvesGivesWhatOneReadingGives() throws {
        // ~8.9 MB: above the size where the file is cut in two at a line end outside quotes.
        // Bad rows sit in both halves; a quoted field holds a newline near the middle.
        var text = usageHeader
        let count = 200_000
        for i in 0..<count {
            if i == count / 2 - 1 {
                text += "\"Q\(i)\nX\",2026-03-01T10:00Z,C1,D1,CT,3,routine\n"  // quoted newline: a bad id, 2 lines
            } else if i == 1_000 || i == 120_000 {
                text += "R\(i),2026-02-30T10:00Z,C1,D1,CT,3,routine\n"
            } else {
                text += "R\(i),2026-03-01T10:\(String(format: "%02d", i % 60))Z,C\(i % 7),D\(i % 5),CT,\(1 + i % 9),routine\n"
            }
        }
        let bytes = Array(text.utf8)
        #expect(bytes.count > DropParser.halvesThreshold)
        let halves = bytes.withUnsafeBytes { parser.parseUsageInHalves($0) }
        let whole = bytes.withUnsafeBytes { parser.parseWhole($0, kind: .usage) }
        let h = try #require(halves)
        guard case .usage(let a)? = h.rows, case .usage(let b)? = whole.rows else { Issue.record("no rows"); return }
        #expect(a.count == count - 3)
        #expect(a == b)
        #expect(h.problems.reportLines == whole.problems.reportLines)
        #expect(h.problems.problems.map(\.line) == [1_002, 100_001, 120_003])
    }

    @Test func theCutBetweenHalvesSkipsAQuotedFieldThatSpansTheMiddle() {
        // Quoted fields (two quotes each) before the middle, then one that opens before the
        // middle and closes after it: the cut is the first line end after it closes.
        let before = String(repeating: "\"a,b\",1\n", count: 1_000)
        let spanning = "\"open\n" + String(repeating: "inside\n", count: 2_000) + "close\",2\n"
        let after = String(repeating: "c,3\n", count: 10)
        let bytes = Array((before + spanning + after).utf8)
        #expect(before.utf8.count < bytes.count / 2 && before.utf8.count + spanning.utf8.count > bytes.count / 2)
        let cut = bytes.withUnsafeBytes { DropParser.splitPoint($0) }
        #expect(cut == before.utf8.count + spanning.utf8.count)
    }

    @Test func kindsComeFromTheFileNameStart() {
        #expect(DropKind(fileName: "Usage-2026-03.csv") == .usage)
        #expect(DropKind(fileName: "client_rates_feb.csv") == .clientRates)
        #expect(DropKind(fileName: "CLIENTS.csv") == .clients)
        #expect(DropKind(fileName: "fx_rates.csv") == .fxRates)
        #expect(DropKind(fileName: "invoices.csv") == nil)
    }
}

@Suite("Cards — shape rules (SPEC §3)")
struct CardValidatorTests {
    typealias F = Fixture

    @Test func twoProviderRowsWithTheSameKeyMakeAnAmbiguousCard() {
        let problems = ProblemList()
        CardValidator.check(providerCard: [F.pay("10", grade: "senior", line: 2), F.pay("12", grade: "senior", line: 3)],
                            problems: problems)
        #expect(problems.problems.map(\.line) == [3])
        #expect(problems.problems.first?.message.contains("ambiguous") == true)
    }

    @Test func aTierScheduleWithAGapIsRejected() {
        var a = F.tier(1, 10, "5"); a.line = 2
        var b = F.tier(12, nil, "4"); b.line = 3
        let problems = ProblemList()
        CardValidator.check(clientCard: [a, b], problems: problems)
        #expect(problems.problems.count == 1)
        #expect(problems.problems.first?.line == 3)
        #expect(problems.problems.first?.message.contains("gap") == true)
    }

    @Test func overlapsAStartAbove1AndMixedModesAreRejected() {
        var a = F.tier(2, 10, "5"); a.line = 2
        var b = F.tier(8, nil, "4", mode: .graduated); b.line = 3
        let problems = ProblemList()
        CardValidator.check(clientCard: [a, b], problems: problems)
        let text = problems.problems.map(\.message).joined(separator: " | ")
        #expect(text.contains("mixes tier modes"))
        #expect(text.contains("must start at 1"))
        #expect(text.contains("overlaps"))
    }

    /// SPEC §2: every problem is `line L, column C (NAME): message`, a card's shape problems
    /// too; the columns are where this drop has them (here tier_from is the 7th).
    @Test func aCardsShapeProblemNamesItsLineAndColumn() throws {
        let site = try TestSite()
        let env = ["RECON_NOW": "2026-04-02T09:00:00Z"]
        #expect(try site.recon(["init", "--name", "cards", "--base-currency", "INR"], env: env).code == 0)
        try site.drop("client_rates.csv", """
            effective_from,client_id,contract_type,modality,urgency,currency,tier_from,tier_to,unit_price,tier_mode
            2026-02-01,*,*,*,*,INR,2,10,5,volume
            2026-02-01,*,*,*,*,INR,12,,4,graduated
            """)
        #expect(try site.recon(["ingest"], env: env).code == 2)
        let errors = try site.read("Inbox/rejected/client_rates.csv.errors.txt")
        #expect(errors.contains("line 2, column 7 (tier_from): card 2026-02-01"), "\(errors)")
        #expect(errors.contains("line 3, column 7 (tier_from): card 2026-02-01"), "\(errors)")
        #expect(errors.contains("line 3, column 10 (tier_mode): card 2026-02-01"), "\(errors)")
    }

    @Test func aSoundScheduleHasNoProblems() {
        let problems = ProblemList()
        CardValidator.check(clientCard: [F.tier(1, 10, "5"), F.tier(11, 20, "4"), F.tier(21, nil, "3"),
                                         F.tier(1, nil, "9", modality: "MR")], problems: problems)
        #expect(problems.isEmpty)
    }
}
