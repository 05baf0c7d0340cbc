import Foundation
import XLSX

/// `Outbox/margin-summary.xlsx`: revenue, cost, margin and margin % in the base currency for
/// every period, by client and modality, with a line chart of margin by month and a bar
/// chart of the top clients.
///
/// Three sheets: `By month` (for people: one row a period, a total, the line chart),
/// `By client` (one row a client over all periods, largest margin first, a total, the chart
/// of the top ten) and `Detail` (a table of period × client × modality, the rows the other
/// two add up). Margins are formulas (revenue − cost) and margin % is margin / revenue, their
/// values cached; totals are `SUM` formulas whose cached values are the exact sums.
public enum MarginSummaryWorkbook {
    public typealias Row = (period: Period, status: String, row: MarginRow)

    /// How many clients the chart on `By client` shows.
    static let topClients = 10

    /// Writes the workbook to `path` (through a temporary file, fsynced and renamed).
    ///
    /// - Parameters:
    ///   - rows: one row a period, client and modality, in the order the `Detail` sheet lists them;
    ///     `status` is `closed` for a closed period's recorded margins, `draft` for an open one.
    ///   - clientNames: client id → name, shown beside the id on `By client` and in its chart.
    public static func write(rows: [Row], base: Currency, site: String, clientNames: [String: String] = [:],
                             to path: String, paper: PaperSize = .a4, created: Date) throws {
        let properties = DocumentProperties(title: "Margin summary", subject: "revenue, cost and margin in \(base.code)",
                                            author: site, company: site, created: created)
        let styles = Styles(base: base)
        let temp = FileIO.temporaryName(for: path)
        try FileIO.makeDirectory(FileIO.parent(of: path))
        try Workbook.write(to: temp, properties: properties) { book in
            book.paper = paper
            try writeByMonth(try book.addWorksheet(named: "By month"), rows: rows, base: base, site: site, styles: styles)
            try writeByClient(try book.addWorksheet(named: "By client"), rows: rows, base: base, names: clientNames,
                              styles: styles)
            try writeDetail(try book.addWorksheet(named: "Detail"), rows: rows, styles: styles)
        }
        try FileIO.syncFile(temp)
        try FileIO.renameDurably(temp, to: path)
    }

    /// Reports, revenue and cost added up over some rows.
    struct Totals {
        var reports = 0
        var revenue = ExactDecimal.zero
        var cost = ExactDecimal.zero

        init(_ rows: [Row]) {
            for r in rows {
                reports += r.row.reports
                revenue = (try? revenue + r.row.revenue) ?? revenue
                cost = (try? cost + r.row.cost) ?? cost
            }
        }
    }

    /// The looks the sheets share.
    struct Styles {
        let money: CellStyle
        let totalMoney: CellStyle
        let totalLabel = CellStyle.bold.with { $0.hasTopBorder = true }
        let totalInteger = CellStyle.integer.with {
            $0.isBold = true
            $0.hasTopBorder = true
        }
        let totalPercent = CellStyle.percent.with {
            $0.isBold = true
            $0.hasTopBorder = true
        }
        let note = CellStyle().with {
            $0.isItalic = true
            $0.fontColor = 0x595959
        }
        /// A header over numbers, right-aligned like them.
        let numberHeader = CellStyle.header.with { $0.alignment = .right }

        init(base: Currency) {
            money = .currency(code: base.code, minorDigits: base.minorDigits)
            totalMoney = .total(code: base.code, minorDigits: base.minorDigits)
        }
    }

    /// Where the headers sit on the two sheets for people; data starts on the next row.
    static let headerRow = 3

    // MARK: - By month

    private static func writeByMonth(_ sheet: Worksheet, rows: [Row], base: Currency, site: String, styles: Styles) throws {
        try sheet.write(text: "Margin by month — \(site), in \(base.code)", row: 0, column: 0, style: .title)
        try sheet.merge(CellRange(row: 1, columns: 0...6),
                        text: "Revenue is what clients are invoiced before tax and cost what radiologists are paid, both in "
                            + "\(base.code) at each month's rates. Closed months are as recorded at their close; draft months "
                            + "are month to date and change with every drop.",
                        style: styles.note.with { $0.wrapsText = true })
        try sheet.setRowHeight(32, row: 1)
        try headers(sheet, ["Period", "Status", "Reports", "Revenue", "Cost", "Margin", "Margin %"], styles: styles)
        let periods = Array(Set(rows.map(\.period))).sorted()
        let first = headerRow + 1
        for (i, p) in periods.enumerated() {
            let list = rows.filter { $0.period == p }
            try sheet.write(text: p.description, row: first + i, column: 0)
            try sheet.write(text: list.contains { $0.status != "closed" } ? "draft" : "closed", row: first + i, column: 1)
            try amounts(sheet, row: first + i, column: 2, Totals(list), styles: styles)
        }
        if periods.isEmpty {
            try sheet.write(text: "No priced reports yet.", row: first, column: 0, style: styles.note)
        } else {
            try totalRow(sheet, row: first + periods.count, column: 2, dataRows: first...(first + periods.count - 1),
                         Totals(rows), styles: styles)
            let dataRows = first...(first + periods.count - 1)
            func series(_ name: String, _ column: Int) -> ChartSpec.Series {
                .init(name: name, sheet: sheet.name, categories: CellRange(column: 0, rows: dataRows),
                      values: CellRange(column: column, rows: dataRows))
            }
            let drafts = periods.filter { p in rows.contains { $0.period == p && $0.status != "closed" } }
            let axis = drafts.isEmpty ? "Period" : "Period (\(drafts.map(\.description).joined(separator: ", ")): month to date)"
            try sheet.insert(chart: ChartSpec(kind: .line, title: "Margin by month (\(base.code))", categoryAxisTitle: axis,
                                              valueAxisTitle: base.code, valueFormat: "#,##0",
                                              series: [series("Revenue", 3), series("Cost", 4), series("Margin", 5)]),
                             row: headerRow, column: 8)
        }
        try sheet.setColumnWidth(10, columns: 0...2)
        try sheet.setColumnWidth(20, columns: 3...5)
        try sheet.setColumnWidth(10, columns: 6...6)
        try sheet.freezePanes(row: first, column: 0)
        try sheet.setUpPrinting(paper: sheet.paper, landscape: true, repeatRows: (first - 1)...(first - 1))
    }

    // MARK: - By client

    private static func writeByClient(_ sheet: Worksheet, rows: [Row], base: Currency, names: [String: String],
                                      styles: Styles) throws {
        try sheet.write(text: "Margin by client — all months, in \(base.code)", row: 0, column: 0, style: .title)
        try sheet.write(text: "Largest margin first; the chart shows the top \(topClients).", row: 1, column: 0, style: styles.note)
        try headers(sheet, ["Client", "Name", "Reports", "Revenue", "Cost", "Margin", "Margin %"], styles: styles)
        let byClient = Dictionary(grouping: rows, by: \.row.clientId).map { ($0.key, Totals($0.value)) }.sorted { a, b in
            let ma = (try? a.1.revenue - a.1.cost) ?? .zero, mb = (try? b.1.revenue - b.1.cost) ?? .zero
            return ma != mb ? ma > mb : a.0 < b.0
        }
        let first = headerRow + 1
        for (i, (id, totals)) in byClient.enumerated() {
            try sheet.write(text: id, row: first + i, column: 0)
            try sheet.write(text: names[id] ?? "", row: first + i, column: 1)
            try amounts(sheet, row: first + i, column: 2, totals, styles: styles)
        }
        if byClient.isEmpty {
            try sheet.write(text: "No priced reports yet.", row: first, column: 0, style: styles.note)
        } else {
            try totalRow(sheet, row: first + byClient.count, column: 2, dataRows: first...(first + byClient.count - 1),
                         Totals(rows), styles: styles)
            let top = first...(first + min(byClient.count, topClients) - 1)
            // Names read better than ids under the columns, when every client shown has one.
            let labels = byClient.prefix(topClients).allSatisfy { !(names[$0.0] ?? "").isEmpty } ? 1 : 0
            // Horizontal bars keep long hospital names readable (a bar chart draws the first row at the bottom).
            try sheet.insert(chart: ChartSpec(kind: .bar, title: "Top clients by margin (\(base.code))",
                                              valueAxisTitle: base.code, valueFormat: "#,##0",
                                              series: [.init(name: "Margin", sheet: sheet.name,
                                                             categories: CellRange(column: labels, rows: top),
                                                             values: CellRange(column: 5, rows: top))]),
                             row: headerRow, column: 8)
        }
        try sheet.setColumnWidth(14, columns: 0...0)
        try sheet.setColumnWidth(28, columns: 1...1)
        try sheet.setColumnWidth(10, columns: 2...2)
        try sheet.setColumnWidth(20, columns: 3...5)
        try sheet.setColumnWidth(10, columns: 6...6)
        try sheet.freezePanes(row: first, column: 0)
        try sheet.setUpPrinting(paper: sheet.paper, landscape: true, repeatRows: (first - 1)...(first - 1))
    }

    // MARK: - Detail

    private static func writeDetail(_ sheet: Worksheet, rows: [Row], styles: Styles) throws {
        let headers = ["period", "status", "client", "modality", "reports", "revenue", "cost", "margin", "margin_pct"]
        for (i, r) in rows.enumerated() {
            try sheet.write(text: r.period.description, row: i + 1, column: 0)
            try sheet.write(text: r.status, row: i + 1, column: 1)
            try sheet.write(text: r.row.clientId, row: i + 1, column: 2)
            try sheet.write(text: r.row.modality, row: i + 1, column: 3)
            try sheet.write(number: Double(r.row.reports), row: i + 1, column: 4, style: .integer)
            try sheet.write(number: r.row.revenue.doubleApproximation, row: i + 1, column: 5, style: styles.money)
            try sheet.write(number: r.row.cost.doubleApproximation, row: i + 1, column: 6, style: styles.money)
            try marginCells(sheet, row: i + 1, revenue: r.row.revenue, cost: r.row.cost, revenueColumn: 5,
                            money: styles.money, percent: .percent)
        }
        try sheet.addTable(CellRange(firstRow: 0, firstColumn: 0, lastRow: max(rows.count, 1), lastColumn: headers.count - 1),
                           name: "Margins", headers: headers, style: .light(9))
        try sheet.setColumnWidth(10, columns: 0...1)
        try sheet.setColumnWidth(14, columns: 2...2)
        try sheet.setColumnWidth(10, columns: 3...4)
        try sheet.setColumnWidth(20, columns: 5...7)
        try sheet.setColumnWidth(12, columns: 8...8)
        try sheet.freezePanes(row: 1, column: 0)
        try sheet.setUpPrinting(paper: sheet.paper, landscape: true, repeatRows: 0...0)
    }

    // MARK: - Cells

    /// The header row of a sheet for people: two text columns, then five over numbers.
    private static func headers(_ sheet: Worksheet, _ names: [String], styles: Styles) throws {
        for (c, h) in names.enumerated() {
            try sheet.write(text: h, row: headerRow, column: c, style: c < 2 ? .header : styles.numberHeader)
        }
    }

    /// Reports, revenue, cost, margin and margin % from `column` on.
    private static func amounts(_ sheet: Worksheet, row: Int, column: Int, _ t: Totals, styles: Styles) throws {
        try sheet.write(number: Double(t.reports), row: row, column: column, style: .integer)
        try sheet.write(number: t.revenue.doubleApproximation, row: row, column: column + 1, style: styles.money)
        try sheet.write(number: t.cost.doubleApproximation, row: row, column: column + 2, style: styles.money)
        try marginCells(sheet, row: row, revenue: t.revenue, cost: t.cost, revenueColumn: column + 1,
                        money: styles.money, percent: .percent)
    }

    /// A bold `Total` row: `SUM`s of reports, revenue and cost over `dataRows`, then margin and margin %.
    private static func totalRow(_ sheet: Worksheet, row: Int, column: Int, dataRows: ClosedRange<Int>, _ t: Totals,
                                 styles: Styles) throws {
        try sheet.write(text: "Total", row: row, column: 0, style: styles.totalLabel)
        for c in 1..<column { try sheet.writeBlank(row: row, column: c, style: styles.totalLabel) }
        let sums: [(Double, CellStyle)] = [(Double(t.reports), styles.totalInteger),
                                           (t.revenue.doubleApproximation, styles.totalMoney),
                                           (t.cost.doubleApproximation, styles.totalMoney)]
        for (i, (value, style)) in sums.enumerated() {
            try sheet.write(formula: "=SUM(\(CellRange(column: column + i, rows: dataRows)))", cachedValue: value,
                            row: row, column: column + i, style: style)
        }
        try marginCells(sheet, row: row, revenue: t.revenue, cost: t.cost, revenueColumn: column + 1,
                        money: styles.totalMoney, percent: styles.totalPercent)
    }

    /// Margin as a formula (revenue − cost) and margin % (margin / revenue, 0 without revenue),
    /// in the two columns after cost, values cached.
    private static func marginCells(_ sheet: Worksheet, row: Int, revenue: ExactDecimal, cost: ExactDecimal,
                                    revenueColumn: Int, money: CellStyle, percent: CellStyle) throws {
        let margin = (try? revenue - cost) ?? .zero
        let rev = CellRange.a1(row: row, column: revenueColumn), cst = CellRange.a1(row: row, column: revenueColumn + 1)
        let marginCell = CellRange.a1(row: row, column: revenueColumn + 2)
        try sheet.write(formula: "=\(rev)-\(cst)", cachedValue: margin.doubleApproximation, row: row,
                        column: revenueColumn + 2, style: money)
        let pct = revenue.isZero ? 0 : margin.doubleApproximation / revenue.doubleApproximation
        try sheet.write(formula: "=IF(\(rev)=0,0,\(marginCell)/\(rev))", cachedValue: pct, row: row,
                        column: revenueColumn + 3, style: percent)
    }
}
