import XLSX

/// Widths for columns of amounts, each as wide as the widest amount it holds as it prints
/// (`1,665,000,000.00 IDR`) and never narrower than the sheet's own width for it: Excel and
/// LibreOffice print `###` for a number its column cannot hold, never the number cut.
struct AmountColumnWidths {
    /// Width by column (0-based), starting at each column's own width.
    private(set) var widths: [Int: Double]

    init(minimum: [Int: Double]) { widths = minimum }

    func width(ofColumn column: Int) -> Double { widths[column] ?? 0 }

    /// Widens `column`, if need be, to print `amount` in the currency format of `code` with
    /// `minorDigits` decimals (``CellStyle/currency(code:minorDigits:)``).
    mutating func fit(_ amount: ExactDecimal, code: String, minorDigits: Int, column: Int) {
        let needed = Self.width(toPrint: amount, code: code, minorDigits: minorDigits)
        widths[column] = max(widths[column] ?? 0, needed)
    }

    mutating func fit(_ amount: ExactDecimal, in currency: Currency, column: Int) {
        fit(amount, code: currency.code, minorDigits: currency.minorDigits, column: column)
    }

    /// Sets each column's width on `sheet`, one call a column.
    func apply(to sheet: Worksheet) throws {
        for (column, width) in widths.sorted(by: { $0.key < $1.key }) {
            try sheet.setColumnWidth(width, columns: column...column)
        }
    }

    /// The width (in digit widths) a column needs to print `amount` as `#,##0.00 "EUR"` shows it.
    ///
    /// One digit width a character and two more: separators are narrower than a digit, but the
    /// code's capitals and a bold total's figures are wider (LibreOffice prints a bold
    /// `1,665,000,000.00 IDR`, 20 characters, in a width of 19 and not 18).
    static func width(toPrint amount: ExactDecimal, code: String, minorDigits: Int) -> Double {
        Double(printed(amount, code: code, minorDigits: minorDigits).count + 2)
    }

    /// `amount` as its currency format prints it: `-1,234.50 EUR`.
    static func printed(_ amount: ExactDecimal, code: String, minorDigits: Int) -> String {
        let shown = (try? Rounding.round(amount, toScale: minorDigits)) ?? amount
        return Digits.grouped(shown) + " " + code
    }
}
