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

    /// `fitted` (documents of layout 3 on, and drafts): party ids as wide as the longest, and
    /// the currency codes centred, so an amount never prints against its code ("14.85 USDUSD").
    /// Earlier layouts keep their widths: an issued document regenerates byte for byte.
    /// `widensAmounts` (documents of layout 6 on, and drafts): unit_amount and amount as wide as
    /// the widest of each, so a large amount never prints `###` (documents of earlier layouts
    /// keep the widths they were printed with).
    /// `draft`: the month's thousands of lines written as the sheet's XML in one pass
    /// (``SheetRows``), where an issued document's few go through libxlsxwriter cell by cell,
    /// as they always have, so that it regenerates byte for byte.
    static func write(_ rows: [Row], in book: Workbook, fitted: Bool = true, draft: Bool = false, widensAmounts: Bool = false) throws {
        let sheet = try book.addWorksheet(named: "Lines")
        let code = try book.format(fitted ? CellStyle().with { $0.alignment = .center } : .plain)
        let plain = try book.format(.plain), integer = try book.format(.integer)
        // Each currency and number of decimals made into the workbook's format once.
        var money: [String: CellFormat] = [:]
        func amount(_ code: String, _ digits: Int) throws -> CellFormat {
            let key = "\(code) \(digits)"
            if let known = money[key] { return known }
            let made = try book.format(.currency(code: code, minorDigits: digits))
            money[key] = made
            return made
        }
        func write(_ cells: inout some CellSink) throws {
            for (i, r) in rows.enumerated() {
                let row = i + 1
                try cells.write(text: r.document, row: row, column: 0, format: plain)
                try cells.write(text: r.period, row: row, column: 1, format: plain)
                try cells.write(text: r.partyId, row: row, column: 2, format: plain)
                try cells.write(text: r.line.modality, row: row, column: 3, format: plain)
                try cells.write(text: r.line.urgencyText, row: row, column: 4, format: plain)
                try cells.write(text: r.line.per, row: row, column: 5, format: plain)
                try cells.write(number: Double(r.line.quantity), row: row, column: 6, format: integer)
                try cells.write(number: r.line.unitAmount.doubleApproximation, row: row, column: 7,
                                format: try amount(r.line.unitCurrency.code, r.line.unitDigits))
                try cells.write(text: r.line.unitCurrency.code, row: row, column: 8, format: code)
                try cells.write(number: r.line.amount.doubleApproximation, row: row, column: 9,
                                format: try amount(r.currency.code, r.currency.minorDigits))
                try cells.write(text: r.currency.code, row: row, column: 10, format: code)
                try cells.write(text: r.line.description, row: row, column: 11, format: plain)
            }
        }
        if draft {
            try sheet.writeRows { try write(&$0) }
        } else {
            var cells = sheet
            try write(&cells)
        }
        try sheet.addTable(CellRange(firstRow: 0, firstColumn: 0, lastRow: max(rows.count, 1), lastColumn: headers.count - 1),
                           name: "Lines", headers: headers, style: .light(9))
        // A draft's document is DRAFT- and its party's id, up to 70 characters: as wide as the
        // longest (an issued document's number fits 20, and its bytes stay as they were).
        try sheet.setColumnWidth(draft ? IdColumnWidth.width(rows.map(\.document), atLeast: 20, atMost: 72) : 20, columns: 0...0)
        if fitted {
            try sheet.setColumnWidth(12, columns: 1...1)
            try sheet.setColumnWidth(IdColumnWidth.width(rows.map(\.partyId), atLeast: 12), columns: 2...2)
            try sheet.setColumnWidth(12, columns: 3...6)
            var amounts = AmountColumnWidths(minimum: [7: 16, 9: 16])
            if draft || widensAmounts {
                for r in rows {
                    amounts.fit(r.line.unitAmount, code: r.line.unitCurrency.code, minorDigits: r.line.unitDigits, column: 7)
                    amounts.fit(r.line.amount, in: r.currency, column: 9)
                }
            }
            try sheet.setColumnWidth(amounts.width(ofColumn: 7), columns: 7...7)
            try sheet.setColumnWidth(12, columns: 8...8)
            try sheet.setColumnWidth(amounts.width(ofColumn: 9), columns: 9...9)
            try sheet.setColumnWidth(12, columns: 10...10)
        } else {
            try sheet.setColumnWidth(12, columns: 1...10)
        }
        try sheet.setColumnWidth(40, columns: 11...11)
        try sheet.freezePanes(row: 1, column: 0)
        try sheet.setUpPrinting(paper: book.paper, landscape: true, repeatRows: 0...0)
    }
}
