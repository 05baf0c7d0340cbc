import Foundation
import Testing
import TestSupport

@testable import XLSX

/// Rows written as a sheet's XML (`Worksheet.writeRows`), read back by Python's zipfile and
/// ElementTree and, when installed, by LibreOffice: the same cells, formats and values as
/// libxlsxwriter writes cell by cell, in a zip every reader opens.
struct SheetRowsTests {
    /// Text a drop may carry: formula look-alikes, XML's own characters, spaces at the ends,
    /// a tab, a control character, letters beyond ASCII.
    /// Every workbook here: a fixed creation time, so the same rows make the same bytes.
    static let properties = DocumentProperties(title: "t", created: Date(timeIntervalSince1970: 1_793_525_400))

    static let texts = ["CT", "=1+1", "@cmd", "+1", "a & b <c> \"d\"", " leading", "trailing ", "tab\there", "bell\u{7}",
                        "Kraków — 日本語", "x"]

    /// A header (libxlsxwriter), one row a text with a number, an amount and two formulas,
    /// then a total row (libxlsxwriter); `block` writes the middle rows as XML.
    static func write(_ path: String, block: Bool) throws {
        try Workbook.write(to: path, properties: Self.properties) { book in
            let sheet = try book.addWorksheet(named: "Lines")
            let plain = try book.format(.plain), integer = try book.format(.integer)
            let eur = try book.format(.currency(code: "EUR", minorDigits: 2)), percent = try book.format(.percent)
            for (c, h) in ["text", "count", "amount", "double", "share"].enumerated() {
                try sheet.write(text: h, row: 0, column: c, style: .header)
            }
            func rows(_ sink: inout some CellSink) throws {
                for (i, text) in texts.enumerated() {
                    let row = i + 1
                    try sink.write(text: text, row: row, column: 0, format: plain)
                    try sink.write(number: Double(i * 1000 + 7), row: row, column: 1, format: integer)
                    try sink.write(number: Double(i) * 1234.5 + 0.25, row: row, column: 2, format: eur)
                    try sink.write(formula: "=C\(row + 1)*2", cachedValue: (Double(i) * 1234.5 + 0.25) * 2, row: row, column: 3,
                                   format: eur)
                    try sink.write(formula: "=IF(C\(row + 1)=0,0,B\(row + 1)/C\(row + 1))", cachedValue: 0.1 + 0.2, row: row,
                                   column: 4, format: percent)
                }
            }
            if block {
                try sheet.writeRows { try rows(&$0) }
            } else {
                var cells = sheet
                try rows(&cells)
            }
            try sheet.write(text: "Total", row: texts.count + 1, column: 0, style: .bold)
            try sheet.write(formula: "=SUM(C2:C\(texts.count + 1))", cachedValue: 1, row: texts.count + 1, column: 2,
                            style: .total(code: "EUR", minorDigits: 2))
            try sheet.addTable(CellRange(firstRow: 0, firstColumn: 0, lastRow: texts.count, lastColumn: 4), name: "Lines",
                               headers: ["text", "count", "amount", "double", "share"], style: .light(9))
        }
    }

    /// Every cell of every sheet (text whether shared or inline, number as written, formula,
    /// number format), each sheet's dimension, and whether the zip's checksums hold.
    static let reader = """
        import json, sys, zipfile, xml.etree.ElementTree as ET
        M = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
        NS = {"m": M}
        z = zipfile.ZipFile(sys.argv[1])
        bad = z.testzip()
        strings = [("".join(t.text or "" for t in si.iter("{%s}t" % M)))
                   for si in ET.fromstring(z.read("xl/sharedStrings.xml")).findall("m:si", NS)] if "xl/sharedStrings.xml" in z.namelist() else []
        styles = ET.fromstring(z.read("xl/styles.xml"))
        fmts = {n.get("numFmtId"): n.get("formatCode") for n in styles.iter("{%s}numFmt" % M)}
        xfs = [fmts.get(x.get("numFmtId"), x.get("numFmtId")) for x in styles.find("m:cellXfs", NS)]
        root = ET.fromstring(z.read("xl/worksheets/sheet1.xml"))
        cells, rows = {}, []
        for row in root.iter("{%s}row" % M):
            rows.append(int(row.get("r")))
            for c in row.iter("{%s}c" % M):
                t, v, f = c.get("t", "n"), c.find("m:v", NS), c.find("m:f", NS)
                if t == "s": value, kind = strings[int(v.text)], "text"
                elif t == "inlineStr": value, kind = "".join(x.text or "" for x in c.iter("{%s}t" % M)), "text"
                else: value, kind = (v.text if v is not None else None), "number"
                cells[c.get("r")] = {"kind": kind, "value": value, "formula": f.text if f is not None else None,
                                     "format": xfs[int(c.get("s", "0"))] or ""}
        print(json.dumps({"bad": bad, "cells": cells, "rows": rows, "dimension": root.find("m:dimension", NS).get("ref")}))
        """

    struct ReadBack: Decodable, Equatable {
        struct Cell: Decodable, Equatable {
            var kind: String
            var value: String?
            var formula: String?
            var format: String
        }
        var bad: String?
        var cells: [String: Cell]
        var rows: [Int]
        var dimension: String
    }

    static func read(_ path: String) throws -> ReadBack {
        let python = try #require(ProcessRunner.executable(named: "python3"), "python3 reads the workbooks back")
        let run = try ProcessRunner.run(python, ["-c", reader, path])
        try #require(run.code == 0, "python3 could not read \(path): \(run.err)")
        return try JSONDecoder().decode(ReadBack.self, from: Data(run.out.utf8))
    }

    @Test func blockRowsReadBackAsTheCellsLibxlsxwriterWrites() throws {
        try withTemporaryFolder { folder in
            try Self.write(folder + "/cells.xlsx", block: false)
            try Self.write(folder + "/block.xlsx", block: true)
            let cells = try Self.read(folder + "/cells.xlsx"), block = try Self.read(folder + "/block.xlsx")
            #expect(block.bad == nil)
            #expect(block.rows == Array(1...(Self.texts.count + 2)))
            #expect(block.dimension == "A1:E\(Self.texts.count + 2)")
            // Texts, formats and formulas alike; numbers alike as numbers (libxlsxwriter prints
            // 16 significant digits, which can lose the last bit; the block writes them exactly).
            #expect(block.cells.count == cells.cells.count)
            for (name, cell) in cells.cells {
                let other = try #require(block.cells[name], "\(name) is missing from the block's sheet")
                #expect(other.kind == cell.kind && other.formula == cell.formula && other.format == cell.format, "\(name)")
                if cell.kind == "text" {
                    #expect(other.value == cell.value, "\(name)")
                } else {
                    let exact = try #require(Double(other.value ?? ""), "\(name)"), printed = try #require(Double(cell.value ?? ""), "\(name)")
                    #expect(Double(String(format: "%.16G", exact)) == printed, "\(name): \(exact) against \(printed)")
                }
            }
            // Hand-checked: the share's cached value is 0.1 + 0.2 to the last bit, the amounts to the cent.
            #expect(block.cells["E2"]?.value.flatMap(Double.init) == 0.1 + 0.2)
            #expect(block.cells["C4"]?.value == "2469.25")
            #expect(block.cells["A6"]?.value == "a & b <c> \"d\"")
            #expect(block.cells["A7"]?.value == " leading")
            #expect(block.cells["A9"]?.value == "tab\there")
            #expect(block.cells["A5"]?.formula == nil)
        }
    }

    @Test func aBlockOfManyMegabytesReadsBackWhole() throws {
        try withTemporaryFolder { folder in
            let path = folder + "/big.xlsx"
            let count = 40_000  // some 3 MB of XML: the block is held and deflated in pieces
            try Workbook.write(to: path, properties: Self.properties) { book in
                let sheet = try book.addWorksheet(named: "Detail")
                let plain = try book.format(.plain), money = try book.format(.currency(code: "INR", minorDigits: 2))
                try sheet.write(text: "id", row: 0, column: 0, style: .header)
                try sheet.writeRows { rows in
                    for i in 1...count {
                        try rows.write(text: "C\(i)-client", row: i, column: 0, format: plain)
                        try rows.write(number: Double(i) + 0.5, row: i, column: 1, format: money)
                        try rows.write(formula: "=B\(i + 1)*2", cachedValue: Double(2 * i + 1), row: i, column: 2, format: money)
                    }
                }
                try sheet.write(text: "end", row: count + 1, column: 0)
            }
            let back = try Self.read(path)
            #expect(back.bad == nil)
            #expect(back.rows == Array(1...(count + 2)))
            #expect(back.dimension == "A1:C\(count + 2)")
            #expect(back.cells.count == 1 + 3 * count + 1)
            for i in [1, 12_345, 23_456, count] {
                #expect(back.cells["A\(i + 1)"]?.value == "C\(i)-client")
                #expect(back.cells["B\(i + 1)"]?.value == "\(i).5")
                #expect(back.cells["C\(i + 1)"]?.value == "\(2 * i + 1)" && back.cells["C\(i + 1)"]?.formula == "B\(i + 1)*2")
            }
            #expect(back.cells["A\(count + 2)"]?.value == "end")
        }
    }

    /// Rows 1–`count` of a sheet `Detail` (an id, an amount, a formula), a header above and an
    /// end row below; `packing` rows written are packed midway (``SheetRows/pack()``), `packed`
    /// rows are appended instead of written.
    static func writeDetail(_ path: String, count: Int, packing: Int? = nil, packed: PackedRows? = nil) throws -> PackedRows? {
        var kept: PackedRows?
        try Workbook.write(to: path, properties: Self.properties) { book in
            let sheet = try book.addWorksheet(named: "Detail")
            let plain = try book.format(.plain), money = try book.format(.currency(code: "INR", minorDigits: 2))
            try sheet.write(text: "id", row: 0, column: 0, style: .header)
            try sheet.writeRows { rows in
                var first = 1
                if let packed {
                    try rows.append(packed)
                    first = packed.rows.upperBound + 1
                }
                for i in first...count {
                    try rows.write(text: "C\(i)-client", row: i, column: 0, format: plain)
                    try rows.write(number: Double(i) + 0.5, row: i, column: 1, format: money)
                    try rows.write(formula: "=B\(i + 1)*2", cachedValue: Double(2 * i + 1), row: i, column: 2, format: money)
                    if i == packing { kept = rows.pack() }
                }
            }
            try sheet.write(text: "end", row: count + 1, column: 0)
        }
        return kept
    }

    @Test func rowsPackedByOneWorkbookMakeTheSameSheetInAnother() throws {
        try withTemporaryFolder { folder in
            // 30,000 rows, some 2.5 MB of XML (several pieces), 20,000 of them packed.
            let count = 30_000
            _ = try Self.writeDetail(folder + "/whole.xlsx", count: count)
            let packed = try #require(try Self.writeDetail(folder + "/packing.xlsx", count: count, packing: 20_000))
            #expect(packed.rows == 1...20_000 && packed.columns == 0...2)
            _ = try Self.writeDetail(folder + "/appending.xlsx", count: count, packed: packed)
            // The sheet's XML is the same, byte for byte, however its rows came.
            let whole = try zipEntry(folder + "/whole.xlsx", "xl/worksheets/sheet1.xml")
            #expect(try zipEntry(folder + "/packing.xlsx", "xl/worksheets/sheet1.xml") == whole)
            #expect(try zipEntry(folder + "/appending.xlsx", "xl/worksheets/sheet1.xml") == whole)
            let back = try Self.read(folder + "/appending.xlsx")
            #expect(back.bad == nil)
            #expect(back.rows == Array(1...(count + 2)))
            #expect(back.dimension == "A1:C\(count + 2)")
            #expect(back.cells["A20001"]?.value == "C20000-client" && back.cells["A20002"]?.value == "C20001-client")
            // What the packed bytes hold: rows 2 to 20,001 of the sheet, whole.
            let xml = String(decoding: try #require(packed.inflated()), as: UTF8.self)
            #expect(xml.hasPrefix("<row r=\"2\"><c r=\"A2\"") && xml.hasSuffix("</row>"))
            #expect(xml.contains("<row r=\"20001\">") && !xml.contains("<row r=\"20002\">"))
            // Bytes changed in transit do not inflate to what they say they hold.
            var damaged = packed.deflated
            damaged[damaged.count / 2] ^= 0x40
            let changed = PackedRows(deflated: damaged, crc: packed.crc, size: packed.size, rows: packed.rows, columns: packed.columns)
            #expect(changed.inflated() == nil && !changed.holdsWhatItSays())
            #expect(packed.holdsWhatItSays())
            // Whole bytes said to hold another length or checksum (a note signed over wrong figures) do not either.
            for (crc, size) in [(packed.crc ^ 1, packed.size), (packed.crc, packed.size + 1), (packed.crc, packed.size - 1)] {
                let said = PackedRows(deflated: packed.deflated, crc: crc, size: size, rows: packed.rows, columns: packed.columns)
                #expect(said.inflated() == nil && !said.holdsWhatItSays())
            }
        }
    }

    @Test func packedRowsGoOnlyBelowTheRowsWritten() throws {
        try withTemporaryFolder { folder in
            let packed = try #require(try Self.writeDetail(folder + "/packing.xlsx", count: 10, packing: 3))
            let path = folder + "/late.xlsx"
            let error = try #require(throws: XLSXError.self) {
                try Workbook.write(to: path, properties: Self.properties) { book in
                    let sheet = try book.addWorksheet(named: "Detail")
                    let plain = try book.format(.plain)
                    try sheet.writeRows { rows in
                        try rows.write(text: "below", row: 5, column: 0, format: plain)
                        try rows.append(packed)
                    }
                }
            }
            #expect(error.description.contains("packed rows 2–4 come before a row already written"))
            #expect(!FileManager.default.fileExists(atPath: path))
        }
    }

    /// The same through libxlsxwriter's own cells (documents, statements, reviews), which
    /// escape `&`, `<`, `>` and control characters but leave `_xHHHH_` for Excel to decode:
    /// a client id `C_x0031_` showed in Excel as "C1", another client's id.
    @Test func libxlsxwriterCellsShowCharacterCodesAsTyped() throws {
        try withTemporaryFolder { folder in
            for literal in [true, false] {
                let path = folder + "/cells-\(literal).xlsx"
                try Workbook.write(to: path, properties: Self.properties) { book in
                    book.keepsCharacterCodesLiteral = literal
                    book.footerTitle = "Account statement C_x0031_"
                    let sheet = try book.addWorksheet(named: "S")
                    try sheet.write(text: "Client ID: C_x0031_", row: 0, column: 0)
                    try sheet.write(text: "_x00a9_x_x12_ _X0041_ __x0041__", row: 1, column: 0)
                    try sheet.merge(CellRange(row: 2, columns: 0...1), text: "PO_x0020_7")
                }
                let strings = try zipEntry(path, "xl/sharedStrings.xml")
                if literal {
                    #expect(strings.contains("<t>Client ID: C_x005F_x0031_</t>"), "\(strings)")
                    // Only the exact shape `_x` + four hex digits + `_` is a code (`_X` is not).
                    #expect(strings.contains("<t>_x005F_x00a9_x_x12_ _X0041_ __x005F_x0041__</t>"), "\(strings)")
                    #expect(strings.contains("<t>PO_x005F_x0020_7</t>"), "\(strings)")
                    let sheet = try zipEntry(path, "xl/worksheets/sheet1.xml")
                    #expect(sheet.contains("<oddFooter>&amp;LAccount statement C_x005F_x0031_&amp;CPage"), "\(sheet.suffix(300))")
                } else {
                    // As documents of earlier layouts were printed, so they regenerate byte for byte.
                    #expect(strings.contains("<t>Client ID: C_x0031_</t>") && strings.contains("<t>PO_x0020_7</t>"), "\(strings)")
                }
            }
        }
    }

    @Test func textThatReadsAsAnExcelEscapeIsWrittenAsItself() throws {
        try withTemporaryFolder { folder in
            let path = folder + "/escape.xlsx"
            try Workbook.write(to: path, properties: Self.properties) { book in
                let sheet = try book.addWorksheet(named: "S")
                let plain = try book.format(.plain)
                try sheet.writeRows { rows in
                    try rows.write(text: "id_x0041_", row: 0, column: 0, format: plain)
                    try rows.write(text: "bell\u{7}", row: 0, column: 1, format: plain)
                }
            }
            let xml = try zipEntry(path, "xl/worksheets/sheet1.xml")
            // Excel reads _xHHHH_ as the character it names: the underscore is escaped itself.
            #expect(xml.contains("<t>id_x005F_x0041_</t>"))
            #expect(xml.contains("<t>bell_x0007_</t>"))
            #expect(xml.contains("<sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\">"))
            #expect(xml.contains("<dimension ref=\"A1:B1\"/>"))
        }
    }

    @Test func aRowWrittenByBothIsRefusedAndNothingIsLeft() throws {
        try withTemporaryFolder { folder in
            let path = folder + "/both.xlsx"
            let error = try #require(throws: XLSXError.self) {
                try Workbook.write(to: path, properties: Self.properties) { book in
                    let sheet = try book.addWorksheet(named: "S")
                    let plain = try book.format(.plain)
                    try sheet.writeRows { rows in
                        for row in 1...3 { try rows.write(text: "r\(row)", row: row, column: 0, format: plain) }
                    }
                    try sheet.write(text: "inside", row: 2, column: 4)
                }
            }
            #expect(error.description.contains("row 3 is written by both"))
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder).isEmpty)
        }
    }

    @Test func cellsOutOfOrderInABlockAreRefused() throws {
        try withTemporaryFolder { folder in
            let error = try #require(throws: XLSXError.self) {
                try Workbook.write(to: folder + "/order.xlsx", properties: Self.properties) { book in
                    let sheet = try book.addWorksheet(named: "S")
                    let plain = try book.format(.plain)
                    try sheet.writeRows { rows in
                        try rows.write(text: "b", row: 1, column: 1, format: plain)
                        try rows.write(text: "a", row: 1, column: 0, format: plain)
                    }
                }
            }
            #expect(error.description.contains("row by row, left to right"))
        }
    }

    @Test func libreOfficeShowsBlockRowsAsTheyAreWritten() throws {
        guard let soffice = ProcessRunner.executable(named: "soffice") else {
            print("⚠︎ skipped libreOfficeShowsBlockRowsAsTheyAreWritten: soffice is not on PATH")
            return
        }
        try withTemporaryFolder { folder in
            try Self.write(folder + "/cells.xlsx", block: false)
            try Self.write(folder + "/block.xlsx", block: true)
            let csvAsShown = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true"
            for name in ["cells", "block"] {
                let run = try ProcessRunner.run(soffice, ["-env:UserInstallation=file://\(folder)/profile", "--headless",
                                                          "--convert-to", csvAsShown, "--outdir", folder, folder + "/\(name).xlsx"])
                try #require(run.code == 0, "soffice: \(run.err)")
            }
            let cells = try String(contentsOfFile: folder + "/cells.csv", encoding: .utf8)
            let block = try String(contentsOfFile: folder + "/block.csv", encoding: .utf8)
            #expect(block == cells)
            #expect(block.contains("\"a & b <c> \"\"d\"\"\",\"4,007\",\"4,938.25 EUR\""))
            #expect(block.contains("=1+1,\"1,007\",\"1,234.75 EUR\""))
        }
    }
}
