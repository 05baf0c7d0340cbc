import Foundation
import Testing

import CWorkbookParts
@testable import ReconKit
@testable import XLSX

/// The XLSX writer, checked by opening the files it writes: the zip entries' XML, the
/// bytes of two writes, and (when LibreOffice is installed) a conversion to CSV.
struct WorkbookTests {
    /// 2026-11-01T09:30:00Z, the issue time used by most tests.
    static let issued = Date(timeIntervalSince1970: 1_793_525_400)

    static func properties(created: Date = issued) -> DocumentProperties {
        DocumentProperties(
            title: "Invoice INV-2026-000001", author: "recon", created: created,
            custom: [(name: "checkpoint", value: "1042"), (name: "period", value: "2026-10")])
    }

    // MARK: - The hidden file

    /// A link put at the workbook's hidden `.NAME.XXXXXXXX.partial` name while it was written
    /// was written through (recon's bytes over a file outside the site), and what was read back
    /// and hashed was the file linked to: a close recorded a forged file as an issued invoice.
    /// A thread here swaps every hidden file it sees for a link to a file outside the folder;
    /// the write refuses, the outside file is untouched, and nothing is returned to be hashed.
    @Test func aLinkSwappedInForTheHiddenFileIsNeitherWrittenThroughNorTaken() throws {
        try withTemporaryFolder { folder in
            try withTemporaryFolder { outside in
                let victim = outside + "/precious.txt"
                try "not a workbook\n".write(toFile: victim, atomically: false, encoding: .utf8)
                let book = folder + "/docs"
                try FileManager.default.createDirectory(atPath: book, withIntermediateDirectories: false)
                let swapped = LockedFlag(), stop = LockedFlag()
                let swapper = Thread {
                    var done = Set<String>()
                    while !stop.value {
                        for name in (try? FileManager.default.contentsOfDirectory(atPath: book)) ?? []
                        where name.hasSuffix(".partial") && !done.contains(name) {
                            done.insert(name)
                            let link = book + "/.link"
                            if symlink(victim, link) == 0, rename(link, book + "/" + name) == 0 { swapped.value = true }
                        }
                    }
                }
                swapper.start()
                defer { stop.value = true }
                let path = book + "/INV-2026-000001.xlsx"
                let outcome = Result {
                    try Workbook.write(to: path, properties: Self.properties()) { book in
                        let sheet = try book.addWorksheet(named: "Lines")
                        for row in 0..<20_000 { try sheet.write(number: Double(row), row: row, column: 0) }
                        // The hidden file is there while the workbook is built: wait for the swap (bounded).
                        _ = ProcessRunner.wait(upTo: 2) { swapped.value }
                    }
                }
                stop.value = true
                #expect(swapped.value, "the hidden file was never seen")
                #expect(try String(contentsOfFile: victim, encoding: .utf8) == "not a workbook\n", "written through the link")
                switch outcome {
                case .success(let bytes):
                    Issue.record("the write went on over a swapped hidden file, returning \(bytes.count) bytes")
                case .failure(let error):
                    #expect("\(error)".contains("was put at the workbook's hidden name"), "\(error)")
                }
            }
        }
    }

    // MARK: - Text, numbers, formulas

    @Test(arguments: ["=SUM(A1:A2)", "+1", "-2", "@cmd", "=HYPERLINK(\"http://x\",\"y\")"])
    func textThatLooksLikeAFormulaIsStoredAsText(text: String) throws {
        try withTemporaryFolder { folder in
            let path = folder + "/text.xlsx"
            try Workbook.write(to: path, properties: Self.properties()) { book in
                try book.addWorksheet(named: "Lines").write(text: text, row: 0, column: 0)
            }
            let sheet = try zipEntry(path, "xl/worksheets/sheet1.xml")
            #expect(sheet.contains(#"<c r="A1" t="s"><v>0</v></c>"#))
            #expect(!sheet.contains("<f>"))
            let strings = try zipEntry(path, "xl/sharedStrings.xml")
            #expect(strings.contains("<t>\(xmlEscaped(text))</t>"))
        }
    }

    @Test func formulaKeepsItsCachedValue() throws {
        try withTemporaryFolder { folder in
            let path = folder + "/total.xlsx"
            try Workbook.write(to: path, properties: Self.properties()) { book in
                let sheet = try book.addWorksheet(named: "Invoice")
                try sheet.write(number: 12.25, row: 0, column: 1)
                try sheet.write(number: 18.25, row: 1, column: 1)
                try sheet.write(formula: "=SUM(B1:B2)", cachedValue: 30.5, row: 2, column: 1)
                try sheet.write(formula: "=UPPER(\"eur\")", cachedText: "EUR", row: 3, column: 1)
            }
            let sheet = try zipEntry(path, "xl/worksheets/sheet1.xml")
            #expect(sheet.contains(#"<c r="B1"><v>12.25</v></c>"#))
            #expect(sheet.contains(#"<c r="B3"><f>SUM(B1:B2)</f><v>30.5</v></c>"#))
            #expect(sheet.contains(#"<c r="B4" t="str"><f>UPPER("eur")</f><v>EUR</v></c>"#))
        }
    }

    @Test(arguments: [Double.nan, .infinity, -.infinity])
    func numbersExcelCannotStoreAreRefused(value: Double) throws {
        try withTemporaryFolder { folder in
            let path = folder + "/nan.xlsx"
            let error = try #require(throws: XLSXError.self) {
                try Workbook.write(to: path, properties: Self.properties()) { book in
                    try book.addWorksheet(named: "S").write(number: value, row: 4, column: 2)
                }
            }
            #expect(error.code == .invalidValue)
            #expect(error.description.contains("sheet \"S\" cell C5"))
            #expect(!FileManager.default.fileExists(atPath: path))
        }
    }

    @Test(arguments: [(-1, 0), (0, -1), (1_048_576, 0), (0, 16_384)])
    func cellsOutsideTheSheetAreRefused(row: Int, column: Int) throws {
        try withTemporaryFolder { folder in
            let error = try #require(throws: XLSXError.self) {
                try Workbook.write(to: folder + "/out.xlsx", properties: Self.properties()) { book in
                    try book.addWorksheet(named: "S").write(text: "x", row: row, column: column)
                }
            }
            #expect(error.code == .invalidCell)
            #expect(error.description.contains("row \(row) column \(column)"))
        }
    }

    /// A text longer than a cell holds, written across a merged range: libxlsxwriter dropped
    /// the error and left the range blank, and an invoice went out with no buyer's name on it.
    /// Refused, as a single cell's is; a text of exactly 32,767 code points is written.
    @Test func aMergedRangeRefusesTextLongerThanACellHolds() throws {
        try withTemporaryFolder { folder in
            let path = folder + "/merged.xlsx"
            let error = try #require(throws: XLSXError.self) {
                try Workbook.write(to: path, properties: Self.properties()) { book in
                    try book.addWorksheet(named: "S").merge(CellRange(row: 13, columns: 0...3), text: "e" + String(repeating: "\u{301}", count: 32_767))
                }
            }
            #expect(error.description.contains("sheet \"S\" range A14:D14") && error.description.contains("32,767"), "\(error)")
            #expect(!FileManager.default.fileExists(atPath: path))
            try Workbook.write(to: path, properties: Self.properties()) { book in
                try book.addWorksheet(named: "S").merge(CellRange(row: 13, columns: 0...3), text: String(repeating: "x", count: 32_767))
            }
            #expect(try zipEntry(path, "xl/sharedStrings.xml").contains(String(repeating: "x", count: 32_767)))
        }
    }

    // MARK: - Styles

    @Test func currencyFormatsFollowMinorDigits() throws {
        try withTemporaryFolder { folder in
            let path = folder + "/money.xlsx"
            try Workbook.write(to: path, properties: Self.properties()) { book in
                let sheet = try book.addWorksheet(named: "Amounts")
                try sheet.write(number: 1500, row: 0, column: 0, style: .currency(code: "JPY", minorDigits: 0))
                try sheet.write(number: 12.5, row: 1, column: 0, style: .currency(code: "EUR", minorDigits: 2))
                try sheet.write(number: 1.125, row: 2, column: 0, style: .currency(code: "KWD", minorDigits: 3))
            }
            let styles = try zipEntry(path, "xl/styles.xml")
            #expect(styles.contains(##"formatCode="#,##0 &quot;JPY&quot;""##))
            #expect(styles.contains(##"formatCode="#,##0.00 &quot;EUR&quot;""##))
            #expect(styles.contains(##"formatCode="#,##0.000 &quot;KWD&quot;""##))
        }
    }

    @Test func oneStyleOnManyCellsMakesOneFormat() throws {
        try withTemporaryFolder { folder in
            let path = folder + "/many.xlsx"
            try Workbook.write(to: path, properties: Self.properties()) { book in
                let sheet = try book.addWorksheet(named: "Lines")
                for row in 0..<10_000 {
                    try sheet.write(number: Double(row), row: row, column: 0, style: .currency(code: "EUR", minorDigits: 2))
                }
            }
            // The default format plus the one currency format.
            #expect(try zipEntry(path, "xl/styles.xml").contains(#"<cellXfs count="2">"#))
        }
    }

    @Test(arguments: [
        CellStyle.currency(code: "eur", minorDigits: 2), .currency(code: "EURO", minorDigits: 2),
        .currency(code: "EUR", minorDigits: 11), .currency(code: "E\"R", minorDigits: 2),
    ])
    func badCurrencyStylesAreRefused(style: CellStyle) throws {
        try withTemporaryFolder { folder in
            let error = try #require(throws: XLSXError.self) {
                try Workbook.write(to: folder + "/bad.xlsx", properties: Self.properties()) { book in
                    try book.addWorksheet(named: "S").write(number: 1, row: 0, column: 0, style: style)
                }
            }
            #expect(error.code == .invalidStyle)
        }
    }

    // MARK: - Reproducible bytes and properties

    @Test func sameInputsAndCreationTimeGiveTheSameBytes() throws {
        try withTemporaryFolder { folder in
            func write(_ name: String, created: Date = Self.issued) throws -> Data {
                let path = "\(folder)/\(name).xlsx"
                try Workbook.write(to: path, properties: Self.properties(created: created)) { book in
                    try sampleInvoice(book)
                }
                return try Data(contentsOf: URL(fileURLWithPath: path))
            }
            let first = try write("first")
            let second = try write("second")
            #expect(first == second)
            // Nothing in the file says when it was written, so the same bytes do not depend on two
            // writes falling in the same second: the zip stamps every entry 1980-01-01 00:00 (not
            // now), with no extra fields (where a zip keeps other times), and docProps/core.xml
            // holds the pinned creation time (below).
            let stamps = try ZipStamps(first)
            #expect(stamps.count >= 8, "too few entries read: \(stamps.count)")
            #expect(stamps.all.allSatisfy { $0 == ZipStamps.Stamp(date: 0x21, time: 0, extraLength: 0) }, "\(stamps.all)")
            let later = try write("later", created: Self.issued.addingTimeInterval(1))
            #expect(first != later)
            let core = try zipEntry("\(folder)/first.xlsx", "docProps/core.xml")
            #expect(core.contains(#"<dcterms:created xsi:type="dcterms:W3CDTF">2026-11-01T09:30:00Z</dcterms:created>"#))
            #expect(core.contains(#"<dcterms:modified xsi:type="dcterms:W3CDTF">2026-11-01T09:30:00Z</dcterms:modified>"#))
        }
    }

    @Test func customPropertiesAreWritten() throws {
        try withTemporaryFolder { folder in
            let path = folder + "/custom.xlsx"
            try Workbook.write(to: path, properties: Self.properties()) { book in
                _ = try book.addWorksheet(named: "Invoice")
            }
            let custom = try zipEntry(path, "docProps/custom.xml")
            #expect(custom.contains(#"name="checkpoint"><vt:lpwstr>1042</vt:lpwstr>"#))
            #expect(custom.contains(#"name="period"><vt:lpwstr>2026-10</vt:lpwstr>"#))
            #expect(try zipEntry(path, "docProps/core.xml").contains("<dc:title>Invoice INV-2026-000001</dc:title>"))
        }
    }

    @Test func aCreationTimeLibxlsxwriterWouldReplaceWithNowIsRefused() throws {
        try withTemporaryFolder { folder in
            let properties = DocumentProperties(created: Date(timeIntervalSince1970: 0))
            let error = try #require(throws: XLSXError.self) {
                try Workbook.write(to: folder + "/epoch.xlsx", properties: properties) { _ in }
            }
            #expect(error.code == .invalidProperty)
        }
    }

    // MARK: - Sheets, tables, charts

    @Test(arguments: [
        "", "This name is far too long for Excel", "a/b", "a:b", "what?", "[x]", "'quoted'", "History",
    ])
    func badSheetNamesAreRefusedClearly(name: String) throws {
        try withTemporaryFolder { folder in
            let error = try #require(throws: XLSXError.self) {
                try Workbook.write(to: folder + "/names.xlsx", properties: Self.properties()) { book in
                    _ = try book.addWorksheet(named: name)
                }
            }
            #expect(error.code == .invalidSheetName)
            #expect(error.description.contains("sheet \"\(name)\""))
            #expect(error.description.contains("1–31 characters"))
        }
    }

    @Test func sheetNamesMustDifferIgnoringCase() throws {
        try withTemporaryFolder { folder in
            let error = try #require(throws: XLSXError.self) {
                try Workbook.write(to: folder + "/twice.xlsx", properties: Self.properties()) { book in
                    _ = try book.addWorksheet(named: "Lines")
                    _ = try book.addWorksheet(named: "LINES")
                }
            }
            #expect(error.code == .invalidSheetName)
            #expect(error.description.contains("already has a sheet"))
        }
    }

    @Test func tablesChartsAndColorScalesAreWritten() throws {
        try withTemporaryFolder { folder in
            let path = folder + "/review.xlsx"
            try Workbook.write(to: path, properties: Self.properties()) { book in
                let sheet = try book.addWorksheet(named: "Scores by period")
                for row in 1...3 {
                    try sheet.write(text: "2026-0\(row)", row: row, column: 0)
                    try sheet.write(number: Double(row) * 1.5, row: row, column: 1)
                }
                try sheet.addTable(
                    CellRange(firstRow: 0, firstColumn: 0, lastRow: 3, lastColumn: 1), name: "Scores",
                    headers: ["period", "score"])
                try sheet.addColorScale(CellRange(column: 1, rows: 1...3))
                try sheet.freezePanes(row: 1, column: 0)
                try sheet.insert(
                    chart: ChartSpec(
                        kind: .line, title: "Score", categoryAxisTitle: "Period", valueAxisTitle: "Score",
                        series: [
                            .init(
                                name: "Score", sheet: "Scores by period",
                                categories: CellRange(column: 0, rows: 1...3), values: CellRange(column: 1, rows: 1...3))
                        ]), row: 5, column: 0)
                // A second, its points marked: a value between blanks is drawn as a dot.
                var marked = ChartSpec(kind: .line, title: "Marked", series: [
                    .init(name: "Score", sheet: "Scores by period", categories: CellRange(column: 0, rows: 1...3),
                          values: CellRange(column: 1, rows: 1...3))])
                marked.markers = true
                try sheet.insert(chart: marked, row: 25, column: 0)
            }
            let table = try zipEntry(path, "xl/tables/table1.xml")
            #expect(table.contains(#"name="Scores" displayName="Scores" ref="A1:B4""#))
            #expect(table.contains(#"<tableColumn id="1" name="period"/><tableColumn id="2" name="score"/>"#))
            let sheet = try zipEntry(path, "xl/worksheets/sheet1.xml")
            #expect(sheet.contains(#"<conditionalFormatting sqref="B2:B4"><cfRule type="colorScale""#))
            #expect(sheet.contains(#"<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>"#))
            let chart = try zipEntry(path, "xl/charts/chart1.xml")
            #expect(chart.contains("<c:lineChart>"))
            #expect(chart.contains("<c:f>'Scores by period'!$A$2:$A$4</c:f>"))
            #expect(chart.contains("<c:f>'Scores by period'!$B$2:$B$4</c:f>"))
            #expect(!chart.contains(#"<c:symbol val="circle"/>"#))
            #expect(try zipEntry(path, "xl/charts/chart2.xml").contains(#"<c:symbol val="circle"/>"#))
        }
    }

    @Test func chartsMustReadSheetsThatExist() throws {
        try withTemporaryFolder { folder in
            let error = try #require(throws: XLSXError.self) {
                try Workbook.write(to: folder + "/chart.xlsx", properties: Self.properties()) { book in
                    try book.addWorksheet(named: "Dashboard").insert(
                        chart: ChartSpec(
                            kind: .column,
                            series: [
                                .init(
                                    name: "Margin", sheet: "Periods", categories: CellRange(column: 0, rows: 1...3),
                                    values: CellRange(column: 1, rows: 1...3))
                            ]), row: 0, column: 0)
                }
            }
            #expect(error.code == .invalidChart)
            #expect(error.description.contains("sheet \"Periods\""))
        }
    }

    @Test(arguments: ["A1", "1st", "has space", "R1C1", "xfd100"])
    func badTableNamesAreRefused(name: String) throws {
        try withTemporaryFolder { folder in
            let error = try #require(throws: XLSXError.self) {
                try Workbook.write(to: folder + "/table.xlsx", properties: Self.properties()) { book in
                    try book.addWorksheet(named: "Lines").addTable(
                        CellRange(firstRow: 0, firstColumn: 0, lastRow: 1, lastColumn: 0), name: name, headers: ["a"])
                }
            }
            #expect(error.code == .invalidTable)
        }
    }

    // MARK: - Saving

    @Test func aMissingFolderGivesAnErrorNamingThePath() throws {
        try withTemporaryFolder { folder in
            let path = folder + "/no-such-folder/INV-2026-000001.xlsx"
            let error = try #require(throws: XLSXError.self) {
                try Workbook.write(to: path, properties: Self.properties()) { book in try sampleInvoice(book) }
            }
            #expect(error.code == .saveFailed)
            #expect(error.path == path)
            #expect(error.description.contains(path))
            #expect(error.description.contains("does not exist"))
        }
    }

    @Test func aFolderInTheWayGivesAnErrorNamingThePath() throws {
        try withTemporaryFolder { folder in
            let path = folder + "/INV.xlsx"
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
            let error = try #require(throws: XLSXError.self) {
                try Workbook.write(to: path, properties: Self.properties()) { book in try sampleInvoice(book) }
            }
            #expect(error.code == .saveFailed)
            #expect(error.description.contains(path))
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["INV.xlsx"])
        }
    }

    @Test func aFailedBuildLeavesNoFile() throws {
        struct Stop: Error {}
        try withTemporaryFolder { folder in
            var escaped: Worksheet?
            #expect(throws: Stop.self) {
                try Workbook.write(to: folder + "/half.xlsx", properties: Self.properties()) { book in
                    escaped = try book.addWorksheet(named: "Lines")
                    try escaped?.write(text: "half", row: 0, column: 0)
                    throw Stop()
                }
            }
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder).isEmpty)
            let error = try #require(throws: XLSXError.self) { try escaped?.write(text: "late", row: 1, column: 0) }
            #expect(error.code == .closedWorkbook)
        }
    }

    // MARK: - Scratch folder

    /// libxlsxwriter's intermediate files go to the scratch folder, or to its default: the
    /// workbook is the same bytes, it is built once, and nothing is left in either place.
    @Test func aWorkbookAssembledInTheScratchFolderIsTheSameBytes() throws {
        try withTemporaryFolder { folder in
            let scratch = folder + "/scratch"
            try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: false)
            let inDefault = try writeCounting(folder + "/default.xlsx", scratch: nil, sampleInvoice)
            let inScratch = try writeCounting(folder + "/scratch.xlsx", scratch: scratch, sampleInvoice)
            #expect(inDefault.builds == 1 && inScratch.builds == 1)
            #expect(inScratch.bytes == inDefault.bytes)
            #expect(try FileManager.default.contentsOfDirectory(atPath: scratch).isEmpty)
        }
    }

    /// A scratch folder gone since it was chosen: libxlsxwriter creates its files in its
    /// default folder instead, and the workbook is the same bytes.
    @Test func aScratchFolderThatIsGoneLeavesThePartsToTheDefaultFolder() throws {
        try withTemporaryFolder { folder in
            let expected = try writeCounting(folder + "/expected.xlsx", scratch: nil, sampleInvoice)
            let written = try writeCounting(folder + "/INV.xlsx", scratch: folder + "/gone", sampleInvoice)
            #expect(written.builds == 1)
            #expect(written.bytes == expected.bytes)
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder).sorted() == ["INV.xlsx", "expected.xlsx"])
        }
    }

    /// This program's `lxw_tmpfile` is the one libxlsxwriter calls, so the parts of a workbook
    /// are made in memory unless a `TMPDIR` is set: the workbook is the same bytes as one whose
    /// parts went through files, growing past a part's first 16 KB of room, and no file is
    /// made for them.
    @Test func aWorkbookWithItsPartsInMemoryIsTheSameBytes() throws {
        #expect(ScratchFolder.canMakePartsInMemory)
        #expect(ScratchFolder.choose(environment: [:]) == ScratchFolder.inMemory)
        #expect(ScratchFolder.choose(environment: ["TMPDIR": "/var/tmp"]) == nil)
        try withTemporaryFolder { folder in
            // A sheet of some 100 KB of XML.
            func build(_ book: Workbook) throws {
                try sampleInvoice(book)
                let sheet = try book.addWorksheet(named: "Lines")
                for row in 0..<2_000 { try sheet.write(text: "report \(row)", row: row, column: 0) }
            }
            let scratch = folder + "/scratch"
            try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: false)
            let inFiles = try writeCounting(folder + "/files.xlsx", scratch: scratch, build)
            let before = ScratchFolder.partsMadeInMemory
            let inMemory = try writeCounting(folder + "/memory.xlsx", scratch: ScratchFolder.inMemory, build)
            // Other tests' workbooks may add to the count meanwhile, never take from it: this
            // one's ten parts at least (properties, relationships, workbook, styles, theme,
            // shared strings, two sheets).
            #expect(ScratchFolder.partsMadeInMemory - before >= 10)
            #expect(inMemory.builds == 1)
            #expect(inMemory.bytes == inFiles.bytes)
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder).sorted() == ["files.xlsx", "memory.xlsx", "scratch"])
        }
    }

    /// A write into a part in memory that fails, as when the machine runs out of memory, would
    /// leave the part cut short (libxlsxwriter does not look): the workbook is made again with
    /// its parts as files, read back, and comes out the same bytes.
    @Test func aPartThatCannotBeHeldInMemoryHasTheWorkbookMadeAgainInFiles() throws {
        try withTemporaryFolder { folder in
            let expected = try writeCounting(folder + "/expected.xlsx", scratch: nil, sampleInvoice)
            var builds = 0
            try Workbook.write(to: folder + "/INV.xlsx", properties: Self.properties(), scratch: ScratchFolder.inMemory) { book in
                builds += 1
                if builds == 1 { recon_fail_next_part_write() }
                try sampleInvoice(book)
            }
            #expect(builds == 2)
            #expect(try Data(contentsOf: URL(fileURLWithPath: folder + "/INV.xlsx")) == expected.bytes)
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder).sorted() == ["INV.xlsx", "expected.xlsx"])
        }
    }

    /// A part in memory behaves as the temporary file libxlsxwriter would have had: written in
    /// pieces past its first room, rewound, read back to its end; a seek past the end and a
    /// write there leave zeros between, as a file does.
    @Test func aPartInMemoryReadsBackAsAFileWould() throws {
        let made = ScratchFolder.inMemory.withCString { lxw_tmpfile(UnsafeMutablePointer(mutating: $0)) }
        let file = try #require(made)
        defer { fclose(file) }
        let text = (0..<10_000).map { String(format: "%09d\n", $0) }.joined()
        #expect(text.utf8.count == 100_000)
        for line in text.split(separator: "\n") { fputs(line + "\n", file) }
        #expect(ftell(file) == 100_000)
        rewind(file)
        var back = [UInt8](repeating: 1, count: 120_000)
        #expect(fread(&back, 1, back.count, file) == 100_000)
        #expect(feof(file) != 0)
        #expect(String(decoding: back[..<100_000], as: UTF8.self) == text)
        #expect(fseek(file, 100_004, SEEK_SET) == 0)
        fputs("end", file)
        rewind(file)
        back = [UInt8](repeating: 1, count: 120_000)
        #expect(fread(&back, 1, back.count, file) == 100_007)
        #expect(Array(back[100_000..<100_007]) == [0, 0, 0, 0] + Array("end".utf8))
        #expect(fseek(file, -1, SEEK_SET) != 0)
    }

    /// Whether a small tmpfs can be mounted here (root, where the machine lets it).
    static let canMountTmpfs: Bool = {
        guard getuid() == 0, FileManager.default.isExecutableFile(atPath: "/bin/mount") else { return false }
        let probe = FileManager.default.temporaryDirectory.appendingPathComponent("recon-tmpfs-probe-\(getpid())").path
        guard (try? FileManager.default.createDirectory(atPath: probe, withIntermediateDirectories: false)) != nil else { return false }
        defer { try? FileManager.default.removeItem(atPath: probe) }
        return (try? withTmpfs(at: probe, size: "16k") {}) != nil
    }()

    /// Runs `body` with a tmpfs of `size` mounted on the folder `dir`, unmounted after.
    static func withTmpfs<T>(at dir: String, size: String, _ body: () throws -> T) throws -> T {
        let mounted = try ProcessRunner.run("/bin/mount", ["-t", "tmpfs", "-o", "size=" + size, "tmpfs", dir])
        guard mounted.code == 0 else { throw TmpfsNotMounted(dir: dir, why: mounted.err) }
        defer { _ = try? ProcessRunner.run("/bin/umount", [dir]) }
        return try body()
    }

    /// A scratch folder that fills up while the parts are written (a real 16 KB tmpfs): the
    /// workbook is built again and assembled in libxlsxwriter's default folder, the same bytes.
    /// Built twice shows the scratch folder was the one tried first.
    @Test(.enabled(if: canMountTmpfs, "as root, needs to mount a small tmpfs"))
    func aScratchFolderThatFillsUpFallsBackToTheDefault() throws {
        try withTemporaryFolder { folder in
            let scratch = folder + "/scratch"
            try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: false)
            try Self.withTmpfs(at: scratch, size: "16k") {
                // A sheet of some 100 KB of XML: more than the scratch folder holds.
                func build(_ book: Workbook) throws {
                    let sheet = try book.addWorksheet(named: "Lines")
                    for row in 0..<2_000 { try sheet.write(text: "report \(row)", row: row, column: 0) }
                }
                let expected = try writeCounting(folder + "/expected.xlsx", scratch: nil, build)
                let written = try writeCounting(folder + "/INV.xlsx", scratch: scratch, build)
                #expect(written.builds == 2)
                #expect(written.bytes == expected.bytes)
                #expect(try FileManager.default.contentsOfDirectory(atPath: scratch).isEmpty)
                #expect(try FileManager.default.contentsOfDirectory(atPath: folder).sorted() == ["INV.xlsx", "expected.xlsx", "scratch"])
            }
        }
    }

    /// A failure that is not the scratch folder's (the document's own folder is missing) is
    /// reported once, naming the document, with no second build (none at all: the hidden file
    /// is made in that folder before the workbook is built).
    @Test func aFailureOfTheDocumentsOwnFolderIsNotRetried() throws {
        try withTemporaryFolder { folder in
            var builds = 0
            let error = try #require(throws: XLSXError.self) {
                try Workbook.write(to: folder + "/missing/INV.xlsx", properties: Self.properties(), scratch: folder) { book in
                    builds += 1
                    try sampleInvoice(book)
                }
            }
            #expect(builds == 0)
            #expect(error.code == .saveFailed)
            #expect(error.description.contains(folder + "/missing/INV.xlsx") && error.description.contains("does not exist"), "\(error)")
        }
    }

    @Test func theScratchFolderIsAWritableFolderWithRoom() throws {
        try withTemporaryFolder { folder in
            let file = folder + "/file"
            try Data("x".utf8).write(to: URL(fileURLWithPath: file))
            #expect(!ScratchFolder.usable(file))
            #expect(!ScratchFolder.usable(folder + "/missing"))
            if let chosen = ScratchFolder.preferred, chosen != ScratchFolder.inMemory { #expect(ScratchFolder.usable(chosen)) }
            // The name that means "in memory" is no folder anything can be made in.
            #expect(!ScratchFolder.usable(ScratchFolder.inMemory))
            // A TMPDIR someone set is left to libxlsxwriter, which honours it.
            #expect(ScratchFolder.choose(environment: ["TMPDIR": folder]) == nil)
            #expect(ScratchFolder.choose(environment: ["TMPDIR": ""]) == ScratchFolder.choose(environment: [:]))
        }
    }

    @Test func anExistingFileIsReplacedWhole() throws {
        try withTemporaryFolder { folder in
            let path = folder + "/draft.xlsx"
            try Data("old draft".utf8).write(to: URL(fileURLWithPath: path))
            try Workbook.write(to: path, properties: Self.properties()) { book in try sampleInvoice(book) }
            #expect(try zipEntry(path, "xl/workbook.xml").contains(#"<sheet name="Invoice""#))
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["draft.xlsx"])
        }
    }

    // MARK: - LibreOffice

    @Test func libreOfficeReadsTextAsTextAndTotalsAsNumbers() throws {
        guard let soffice = ProcessRunner.executable(named: "soffice") else {
            print("⚠︎ skipped libreOfficeReadsTextAsTextAndTotalsAsNumbers: soffice is not on PATH")
            return
        }
        try withTemporaryFolder { folder in
            let path = folder + "/invoice.xlsx"
            try Workbook.write(to: path, properties: Self.properties()) { book in try sampleInvoice(book) }
            // CSV options: comma, double quote, UTF-8, from line 1, …, the last `true`
            // saves cells as shown, so number formats appear in the text.
            let csvAsShown = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true"
            try run(
                soffice,
                ["-env:UserInstallation=file://\(folder)/profile", "--headless", "--convert-to", csvAsShown, "--outdir", folder, path])
            let csv = try String(contentsOfFile: folder + "/invoice.csv", encoding: .utf8)
            let lines = csv.split(whereSeparator: \.isNewline).map(String.init)
            #expect(lines == [
                "modality,note,quantity,amount",
                "CT,=1+1,3,\"1,500.00 EUR\"",
                "MR,@cmd,2,12.50 EUR",
                ",,Total,\"1,512.50 EUR\"",
            ])
        }
    }
}

// MARK: - Helpers

/// A small invoice: text that looks like formulas, amounts in EUR, a total formula.
private func sampleInvoice(_ book: Workbook) throws {
    let sheet = try book.addWorksheet(named: "Invoice")
    let eur = CellStyle.currency(code: "EUR", minorDigits: 2)
    for (column, header) in ["modality", "note", "quantity", "amount"].enumerated() {
        try sheet.write(text: header, row: 0, column: column, style: .header)
    }
    try sheet.write(text: "CT", row: 1, column: 0)
    try sheet.write(text: "=1+1", row: 1, column: 1)
    try sheet.write(number: 3, row: 1, column: 2, style: .integer)
    try sheet.write(number: 1500, row: 1, column: 3, style: eur)
    try sheet.write(text: "MR", row: 2, column: 0)
    try sheet.write(text: "@cmd", row: 2, column: 1)
    try sheet.write(number: 2, row: 2, column: 2, style: .integer)
    try sheet.write(number: 12.5, row: 2, column: 3, style: eur)
    try sheet.write(text: "Total", row: 3, column: 2, style: .bold)
    try sheet.write(formula: "=SUM(D2:D3)", cachedValue: 1512.5, row: 3, column: 3, style: .total(code: "EUR", minorDigits: 2))
    try sheet.setColumnWidth(16, columns: 0...3)
}

/// The text of one entry of a zip file, read with `unzip -p` or, without it, Python's zipfile.
/// `mount -t tmpfs` refused (``WorkbookTests/withTmpfs(at:size:_:)``).
private struct TmpfsNotMounted: Error {
    let dir: String
    let why: String
}

/// Writes a workbook at `path` with its parts assembled in `scratch`; its bytes, and how many
/// times `build` ran (twice when the first assembly failed and the default folder was used).
private func writeCounting(_ path: String, scratch: String?, _ build: (Workbook) throws -> Void) throws -> (bytes: Data, builds: Int) {
    var builds = 0
    try Workbook.write(to: path, properties: WorkbookTests.properties(), scratch: scratch) { book in
        builds += 1
        try build(book)
    }
    return (try Data(contentsOf: URL(fileURLWithPath: path)), builds)
}

func zipEntry(_ path: String, _ entry: String) throws -> String {
    if FileManager.default.isExecutableFile(atPath: "/usr/bin/unzip") {
        return try run("/usr/bin/unzip", ["-p", path, entry])
    }
    let python = try #require(ProcessRunner.executable(named: "python3"), "neither unzip nor python3 is installed")
    let script = "import sys, zipfile; sys.stdout.write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]).decode())"
    return try run(python, ["-c", script, path, entry])
}

/// Runs a program, failing the test on a non-zero exit; returns standard output.
@discardableResult
private func run(_ program: String, _ arguments: [String]) throws -> String {
    let run = try ProcessRunner.run(program, arguments)
    #expect(run.code == 0, "\(program) \(arguments.joined(separator: " ")) failed: \(run.err)")
    return run.out
}


/// Text as libxlsxwriter escapes it in XML.
private func xmlEscaped(_ text: String) -> String {
    text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
        .replacingOccurrences(of: ">", with: "&gt;")
}

/// A flag two threads share.
private final class LockedFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var set = false
    var value: Bool {
        get { lock.withLock { set } }
        set { lock.withLock { set = newValue } }
    }
}
