import XLSX

/// The `Lines` sheet every document workbook carries (SPEC §7): one row a line, as a table
/// with the columns document, period, party_id, modality, urgency, per, quantity,
/// unit_amount, unit_currency, amount, currency, then each line's description.
enum LinesSheet {
    static let headers = ["document", "period", "party_id", "modality", "urgency", "per", "quantity", "unit_amount",
                          "unit_currency", "amount", "currency", "description"]

    struct Row {
        var document: String
        var period: String
        var partyId: String
        var line: DocumentLine
        var currency: Currency
    }

    static func write(_ rows: [Row], in book: Workbook) throws {
        let sheet = try book.addWorksheet(named: "Lines")
        for (i, r) in rows.enumerated() {
            let row = i + 1
            try sheet.write(text: r.document, row: row, column: 0)
            try sheet.write(text: r.period, row: row, column: 1)
            try sheet.write(text: r.partyId, row: row, column: 2)
            try sheet.write(text: r.line.modality, row: row, column: 3)
            try sheet.write(text: r.line.urgencyText, row: row, column: 4)
            try sheet.write(text: r.line.per, row: row, column: 5)
            try sheet.write(number: Double(r.line.quantity), row: row, column: 6, style: .integer)
            try sheet.write(number: r.line.unitAmount.doubleApproximation, row: row, column: 7,
                            style: .currency(code: r.line.unitCurrency.code, minorDigits: max(r.line.unitAmount.normalized.scale, r.line.unitCurrency.minorDigits)))
            try sheet.write(text: r.line.unitCurrency.code, row: row, column: 8)
            try sheet.write(number: r.line.amount.doubleApproximation, row: row, column: 9,
                            style: .currency(code: r.currency.code, minorDigits: r.currency.minorDigits))
            try sheet.write(text: r.currency.code, row: row, column: 10)
            try sheet.write(text: r.line.description, row: row, column: 11)
        }
        try sheet.addTable(CellRange(firstRow: 0, firstColumn: 0, lastRow: max(rows.count, 1), lastColumn: headers.count - 1),
                           name: "Lines", headers: headers, style: .light(9))
        try sheet.setColumnWidth(20, columns: 0...0)
        try sheet.setColumnWidth(12, columns: 1...10)
        try sheet.setColumnWidth(40, columns: 11...11)
        try sheet.freezePanes(row: 1, column: 0)
        try sheet.setUpPrinting(paper: book.paper, landscape: true, repeatRows: 0...0)
    }
}
