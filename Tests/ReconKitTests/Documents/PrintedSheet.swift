import Foundation
import Testing

/// One sheet of a workbook as it prints: each cell's text or number, whether it wraps and its
/// number format, the merged ranges, the rows given a height and the columns' widths — read from the file's parts
/// (`zipEntry`), so a test sees what a spreadsheet program is told to draw.
struct PrintedSheet {
    struct Cell {
        var text: String?
        var number: String?
        var wraps: Bool
        var numberFormat: String
        /// Drawn at the top of its row (`vertical="top"`), not at its foot.
        var topAligned = false
        /// The formula it holds, without its `=` (nil: a value).
        var formula: String? = nil
    }

    /// By A1 reference.
    var cells: [String: Cell] = [:]
    /// Merged ranges in A1 notation, `A3:D3`.
    var merges: [String] = []
    /// Heights in points of the rows given one, by 1-based row number.
    var rowHeights: [Int: Double] = [:]
    /// Widths in characters of the columns given one, by column letter (`F`).
    var columnWidths: [String: Double] = [:]
    /// The rows, 1-based, after which a printed page is broken by hand (`<brk id>`).
    var rowBreaks: [Int] = []

    init(_ path: String, sheet: Int = 1) throws {
        let xml = try zipEntry(path, "xl/worksheets/sheet\(sheet).xml")
        let strings = try Self.sharedStrings(zipEntry(path, "xl/sharedStrings.xml"))
        let styles = try Self.styles(zipEntry(path, "xl/styles.xml"))
        for m in xml.matches(of: try Regex(#"<c r="([A-Z]+[0-9]+)"( s="([0-9]+)")?( t="([a-zA-Z]+)")?(/>|>(.*?)</c>)"#)) {
            let ref = String(m.output[1].substring!)
            let style = m.output[3].substring.flatMap { Int($0) }.map { styles[$0] } ?? (wraps: false, format: "", top: false)
            let value = m.output[7].substring.flatMap { body in
                body.firstMatch(of: try! Regex(#"<v>(.*?)</v>"#)).flatMap { $0.output[1].substring.map(String.init) }
            }
            // Rows written in one pass (SheetRows) hold their text inline: `<is><t>…</t></is>`.
            let inline = m.output[5].substring == "inlineStr" ? m.output[7].substring.flatMap { body in
                body.firstMatch(of: try! Regex(#"<t[^>]*>(.*?)</t>"#))?.output[1].substring.map { Self.unescaped(String($0)) }
            } : nil
            let isText = m.output[5].substring == "s" || inline != nil
            let formula = m.output[7].substring.flatMap { body in
                body.firstMatch(of: try! Regex(#"<f>(.*?)</f>"#)).flatMap { $0.output[1].substring.map(String.init) }
            }
            cells[ref] = Cell(text: inline ?? (isText ? value.flatMap { Int($0) }.map { strings[$0] } : nil),
                              number: isText ? nil : value, wraps: style.wraps, numberFormat: style.format, topAligned: style.top,
                              formula: formula)
        }
        merges = xml.matches(of: try Regex(#"<mergeCell ref="([A-Z0-9:]+)"/>"#)).map { String($0.output[1].substring!) }
        rowBreaks = xml.matches(of: try Regex(#"<brk id="([0-9]+)""#)).map { Int($0.output[1].substring!)! }
        for m in xml.matches(of: try Regex(#"<row r="([0-9]+)"[^>]* ht="([0-9.]+)""#)) {
            rowHeights[Int(m.output[1].substring!)!] = Double(m.output[2].substring!)!
        }
        for m in xml.matches(of: try Regex(#"<col min="([0-9]+)" max="([0-9]+)" width="([0-9.]+)""#)) {
            for c in Int(m.output[1].substring!)!...Int(m.output[2].substring!)! {
                columnWidths[Self.letter(ofColumn: c)] = Double(m.output[3].substring!)!
            }
        }
    }

    /// Where the text cell `text` is, if any.
    func reference(of text: String) -> String? { cells.first { $0.value.text == text }?.key }

    /// The merged range whose top-left cell is `ref`, if any.
    func merge(at ref: String) -> String? { merges.first { $0.hasPrefix(ref + ":") } }

    /// The cell in the next column on the same row.
    func cell(rightOf ref: String) -> Cell? {
        let column = ref.prefix { $0.isLetter }.unicodeScalars.first!.value
        return cells[String(UnicodeScalar(column + 1)!) + Self.row(ref).description]
    }

    /// A row's height in points (15 unless set).
    func height(ofRow row: Int) -> Double { rowHeights[row] ?? 15 }

    /// A column's width in characters (Excel's default, 8.43, unless set).
    func width(ofColumn letter: String) -> Double { columnWidths[letter] ?? 8.43 }

    /// `A` for column 1, `AA` for 27.
    static func letter(ofColumn column: Int) -> String {
        var n = column, out = ""
        while n > 0 {
            out = String(UnicodeScalar(UInt8(65 + (n - 1) % 26))) + out
            n = (n - 1) / 26
        }
        return out
    }

    static func row(_ ref: String) -> Int { Int(ref.drop { $0.isLetter })! }
    static func column(_ ref: String) -> String { String(ref.prefix { $0.isLetter }) }

    private static func sharedStrings(_ xml: String) throws -> [String] {
        try xml.matches(of: Regex(#"<si>(.*?)</si>"#)).map { si in
            try si.output[1].substring!.matches(of: Regex(#"<t[^>]*>(.*?)</t>"#)).map { unescaped(String($0.output[1].substring!)) }
                .joined()
        }
    }

    /// Each cell format's wrapping and number format code (or built-in id), in `cellXfs` order.
    private static func styles(_ xml: String) throws -> [(wraps: Bool, format: String, top: Bool)] {
        var codes: [String: String] = [:]
        for m in xml.matches(of: try Regex(#"<numFmt numFmtId="([0-9]+)" formatCode="([^"]*)"/>"#)) {
            codes[String(m.output[1].substring!)] = unescaped(String(m.output[2].substring!))
        }
        guard let xfs = xml.firstMatch(of: try Regex(#"<cellXfs[^>]*>(.*?)</cellXfs>"#))?.output[1].substring else { return [] }
        return try xfs.matches(of: Regex(#"<xf ([^>]*?)(/>|>(.*?)</xf>)"#)).map { xf in
            let id = xf.output[1].substring!.firstMatch(of: try Regex(#"numFmtId="([0-9]+)""#))?.output[1].substring.map(String.init) ?? "0"
            let alignment = xf.output[3].substring ?? ""
            return (alignment.contains(#"wrapText="1""#), codes[id] ?? id, alignment.contains(#"vertical="top""#))
        }
    }

    private static func unescaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&amp;", with: "&")
    }
}
