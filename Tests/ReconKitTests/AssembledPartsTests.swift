import Foundation
import Testing

@testable import XLSX

/// The read-back of a workbook just assembled: every XML part must end with its root's end
/// tag (libxlsxwriter copies a part cut short by a full temporary folder without a word).
struct AssembledPartsTests {
    @Test func aWorkbookWrittenWholePasses() throws {
        try withTemporaryFolder { folder in
            let path = folder + "/whole.xlsx"
            try Workbook.write(to: path, properties: WorkbookTests.properties()) { book in
                let sheet = try book.addWorksheet(named: "Lines")
                for row in 0..<500 { try sheet.write(text: "report \(row)", row: row, column: 0) }
            }
            #expect(AssembledParts.problem(inWorkbookAt: path) == nil)
        }
    }

    @Test func aPartCutShortIsNamed() {
        let zip = storedZip([
            ("[Content_Types].xml", #"<?xml version="1.0"?><Types xmlns="x"><Default Extension="xml"/></Types>"#),
            ("xl/worksheets/sheet1.xml", #"<?xml version="1.0"?>\#n<worksheet xmlns="x"><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c>"#),
        ])
        let problem = zip.withUnsafeBufferPointer { AssembledParts.problem(in: $0) }
        #expect(problem?.contains("the part xl/worksheets/sheet1.xml is cut short") == true, "\(problem ?? "nil")")
        #expect(problem?.contains("not ending with </worksheet>") == true)
    }

    @Test func wholePartsWithATrailingNewlinePass() {
        let zip = storedZip([
            ("_rels/.rels", "<?xml version=\"1.0\"?>\n<Relationships xmlns=\"x\"><Relationship Id=\"rId1\"/></Relationships>\n"),
            ("xl/worksheets/sheet1.xml", #"<?xml version="1.0"?><worksheet><sheetData/></worksheet>"#),
        ])
        #expect(zip.withUnsafeBufferPointer { AssembledParts.problem(in: $0) } == nil)
    }

    @Test(arguments: ["", "<?xml version=\"1.0\"?>\n"])
    func aPartWithNoElementIsNamed(text: String) {
        let zip = storedZip([("xl/workbook.xml", text)])
        let problem = zip.withUnsafeBufferPointer { AssembledParts.problem(in: $0) }
        #expect(problem == "the part xl/workbook.xml holds no XML element (\(text.utf8.count) bytes)")
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
