import Foundation
import Testing

@testable import XLSX

/// The read-back of a workbook just assembled: every XML part must end with its root's end
/// tag (libxlsxwriter copies a part cut short by a full temporary folder without a word).
struct AssembledPartsTests {
    @Test func aWorkbookWrittenWholePasses() throws {
        try withTemporaryFolder { folder in
            let path = folder + "/whole.xlsx"
            let returned = try Workbook.write(to: path, properties: WorkbookTests.properties()) { book in
                let sheet = try book.addWorksheet(named: "Lines")
                for row in 0..<500 { try sheet.write(text: "report \(row)", row: row, column: 0) }
            }
            // What the write returns is what it read back: the file's bytes, whole.
            let onDisk = try #require(FileManager.default.contents(atPath: path))
            #expect(returned == onDisk)
            #expect(AssembledParts.problem(inWorkbook: onDisk) == nil)
        }
    }

    @Test func aPartCutShortIsNamed() {
        let zip = storedZip([
            ("[Content_Types].xml", #"<?xml version="1.0"?><Types xmlns="x"><Default Extension="xml"/></Types>"#),
            ("xl/worksheets/sheet1.xml", #"<?xml version="1.0"?>\#n<worksheet xmlns="x"><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c>"#),
        ])
        let problem = zip.withUnsafeBufferPointer { AssembledParts.problem(in: $0) }
        #expect(problem?.contains("the part xl/worksheets/sheet1.xml is cut short") == true, "\(problem ?? "nil")")
        #expect(problem?.contains("ending with 3 elements still open") == true, "\(problem ?? "nil")")
    }

    /// A stretch missing from the middle (its 4 KB writes failed while the folder was full,
    /// later ones succeeded): the part still ends with its root's end tag, and is refused.
    @Test(arguments: [
        (#"<worksheet><sheetData><row r="1"><c r="A1" s<c r="G1903" t="s"><v>1</v></c></row></sheetData></worksheet>"#,
         "a '<' inside a tag"),
        (#"<worksheet><sheetData><row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c r="B2"><v>2</v></c></sheetData></worksheet>"#,
         "an end tag that does not close the element open"),
        (#"<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>1</v></c></row></sheetData></worksheet>et>"#,
         "text outside the root element"),
        (#"<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>1</v></c></row></sheetData></worksheet><worksheet/>"#,
         "a second root element"),
        (#"<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>1</v></c></row></sheetData></worksheet></worksheet>"#,
         "an end tag with no element open"),
        // From one cell's value to another's at the same depth: well formed, but the cells
        // that follow are in the wrong row.
        (#"<worksheet><sheetData><row r="1373" spans="1:9"><c r="A1373" t="s"><v>4</v></c><c r="E1373" s="5"><v>99</v></c><c r="H1903" s="6"><v>7</v></c></row></sheetData></worksheet>"#,
         "a cell of row 1903 inside row 1373"),
    ])
    func aPartMissingAStretchInTheMiddleIsNamed(xml: String, what: String) {
        let zip = storedZip([("xl/worksheets/sheet1.xml", "<?xml version=\"1.0\"?>\n" + xml)])
        let problem = zip.withUnsafeBufferPointer { AssembledParts.problem(in: $0) }
        #expect(problem?.hasPrefix("the part xl/worksheets/sheet1.xml has bytes missing or out of place: ") == true, "\(problem ?? "nil")")
        #expect(problem?.contains(what) == true, "\(problem ?? "nil")")
    }

    @Test func wholePartsWithATrailingNewlinePass() {
        let zip = storedZip([
            ("_rels/.rels", "<?xml version=\"1.0\"?>\n<Relationships xmlns=\"x\"><Relationship Id=\"rId1\"/></Relationships>\n"),
            ("xl/worksheets/sheet1.xml", #"<?xml version="1.0"?><worksheet><sheetData/></worksheet>"#),
            // Self-closing tags, quotes of both kinds, '>' and '/' inside attribute values.
            ("xl/styles.xml", #"<?xml version="1.0"?><styleSheet a="1>2"><fonts count='1'><font b="x/y"/></fonts><x:y z="/"/></styleSheet>"#),
        ])
        #expect(zip.withUnsafeBufferPointer { AssembledParts.problem(in: $0) } == nil)
    }

    /// A shared-strings part missing strings from the middle still balances: its count tells.
    @Test func aStringTableMissingStringsIsNamed() {
        let strings = #"<sst xmlns="x" count="9" uniqueCount="3"><si><t>Revenue</t></si><si><t>Co</t></si></sst>"#
        let zip = storedZip([("xl/sharedStrings.xml", strings)])
        let problem = zip.withUnsafeBufferPointer { AssembledParts.problem(in: $0) }
        #expect(problem?.contains("it holds 2 strings where it declares 3") == true, "\(problem ?? "nil")")
        let whole = storedZip([("xl/sharedStrings.xml", strings.replacingOccurrences(of: "uniqueCount=\"3\"", with: "uniqueCount='2'"))])
        #expect(whole.withUnsafeBufferPointer { AssembledParts.problem(in: $0) } == nil)
    }

    @Test(arguments: ["", "<?xml version=\"1.0\"?>\n"])
    func aPartWithNoElementIsNamed(text: String) {
        let zip = storedZip([("xl/workbook.xml", text)])
        let problem = zip.withUnsafeBufferPointer { AssembledParts.problem(in: $0) }
        #expect(problem?.hasPrefix("the part xl/workbook.xml holds no XML element (\(text.utf8.count) bytes)") == true, "\(problem ?? "nil")")
    }

    @Test func bytesThatAreNotAZipAreRefused() {
        let bytes = [UInt8]("not a workbook at all, just text".utf8)
        #expect(bytes.withUnsafeBufferPointer { AssembledParts.problem(in: $0) } == "its zip directory could not be read")
    }
}

/// A zip of stored (uncompressed) entries, as small as the format allows.
private func storedZip(_ files: [(name: String, text: String)]) -> [UInt8] {
    func le16(_ v: Int) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF)] }
    func le32(_ v: Int) -> [UInt8] { le16(v & 0xFFFF) + le16(v >> 16 & 0xFFFF) }
    var out: [UInt8] = [], directory: [UInt8] = []
    for file in files {
        let name = Array(file.name.utf8), data = Array(file.text.utf8), offset = out.count
        // Local header: signature, version, flags, method 0, time, date, crc (unchecked here), sizes, name.
        out += le32(0x0403_4B50) + le16(20) + le16(0) + le16(0) + le16(0) + le16(0x21) + le32(0)
            + le32(data.count) + le32(data.count) + le16(name.count) + le16(0) + name + data
        directory += le32(0x0201_4B50) + le16(20) + le16(20) + le16(0) + le16(0) + le16(0) + le16(0x21) + le32(0)
            + le32(data.count) + le32(data.count) + le16(name.count) + le16(0) + le16(0) + le16(0) + le16(0) + le32(0)
            + le32(offset) + name
    }
    let start = out.count
    out += directory
    out += le32(0x0605_4B50) + le16(0) + le16(0) + le16(files.count) + le16(files.count) + le32(directory.count) + le32(start) + le16(0)
    return out
}
