import XLSX

/// A row as tall as the wrapped text in its cells needs, for sheets whose columns are sized to
/// what they hold (the review's): LibreOffice does not size a row to its wrapped text, so it
/// prints one line and the rest overlaps the row below or is lost.
enum WrappedRowHeight {
    /// Characters of ordinary text a line holds at worst in a column `width` digit widths wide:
    /// capitals are wider than digits, and a line breaks between words.
    static func charactersPerLine(inColumnOfWidth width: Double) -> Int { max(Int(width * 0.8), 1) }

    /// Lines `text` takes wrapped in a column `width` wide; each line break in it starts one.
    /// Text no longer than the column's width less its margin takes one: the column was sized to it.
    /// Measured as it prints (``TextWidth``): a Japanese note, two digit-widths a character,
    /// was given half the lines it needs, and cut.
    static func lines(_ text: String, inColumnOfWidth width: Double) -> Int {
        text.split(separator: "\n", omittingEmptySubsequences: false).reduce(0) { total, paragraph in
            if Double(TextWidth.of(paragraph) + 2) <= width { return total + 1 }
            return total + TextWidth.lines(String(paragraph), perLine: charactersPerLine(inColumnOfWidth: width))
        }
    }

    /// Lines an id takes wrapped at `perLine` characters as a spreadsheet breaks it: after a
    /// hyphen or space where it can, inside a part longer than a line where it must. Its length
    /// alone undercounts: `NEFT-HDFCN52026040512345678-PART-1` takes three lines of 16, not two.
    static func lines(ofId id: String, charactersPerLine perLine: Int) -> Int {
        var parts: [Int] = [], part = 0
        for c in id {
            part += 1
            if c == "-" || c == " " { parts.append(part); part = 0 }
        }
        if part > 0 { parts.append(part) }
        var lines = 1, used = 0
        for n in parts {
            if used + n <= perLine { used += n; continue }
            if used > 0 { lines += 1 }
            let full = (n - 1) / perLine
            lines += full
            used = n - full * perLine
        }
        return lines
    }

    /// Gives `row` the height of its tallest text, 15 points a line, when one takes more than a
    /// line (a row of short texts keeps the default); at most the 409 points a row can be.
    static func fit(_ row: Int, in sheet: Worksheet, _ texts: [(text: String, columnWidth: Double)]) throws {
        let tallest = texts.map { lines($0.text, inColumnOfWidth: $0.columnWidth) }.max() ?? 1
        guard tallest > 1 else { return }
        try sheet.setRowHeight(min(15 * Double(tallest), 409), row: row)
    }
}
