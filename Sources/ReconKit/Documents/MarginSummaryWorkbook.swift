import Foundation

/// `Outbox/margin-summary.xlsx`: revenue, cost, margin and margin % in the base currency for
/// every period, by client and modality, with a line chart of margin by month and a bar
/// chart of the top clients.
public enum MarginSummaryWorkbook {
    public typealias Row = (period: Period, status: String, row: MarginRow)

    public static func write(rows: [Row], base: Currency, site: String, to path: String) throws {
        let properties = DocumentProperties(title: "Margin summary", subject: "revenue, cost and margin in \(base.code)",
                                            author: site, company: site, created: SiteClock.now())
        let money = CellStyle.currency(code: base.code, minorDigits: base.minorDigits)
        let temp = FileIO.temporaryName(for: path)
        try FileIO.makeDirectory(FileIO.parent(of: path))
        try Workbook.write(to: temp, properties: properties) { book in
            // By month (first sheet, for people).
            let months = try book.addWorksheet(named: "By month")
            try months.write(text: "Margin by month — \(site), in \(base.code)", row: 0, column: 0, style: .title)
            let mh = ["period", "status", "reports", "revenue", "cost", "margin", "margin_pct"]
            for (c, h) in mh.enumerated() { try months.write(text: h, row: 2, column: c, style: .header) }
            let periods = Array(Set(rows.map(\.period))).sorted()
            for (i, p) in periods.enumerated() {
                let r = i + 3
                let list = rows.filter { $0.period == p }
                let revenue = sum(list.map(\.row.revenue)), cost = sum(list.map(\.row.cost))
                try months.write(text: p.description, row: r, column: 0)
                try months.write(text: list.first?.status ?? "", row: r, column: 1)
                try months.write(number: Double(list.reduce(0) { $0 + $1.row.reports }), row: r, column: 2, style: .integer)
                try months.write(number: revenue.doubleApproximation, row: r, column: 3, style: money)
                try months.write(number: cost.doubleApproximation, row: r, column: 4, style: money)
                try marginCells(months, row: r, revenue: revenue, cost: cost, money: money)
            }
            try months.setColumnWidth(12, columns: 0...2)
            try months.setColumnWidth(18, columns: 3...6)
            try months.freezePanes(row: 3, column: 0)
            if !periods.isEmpty {
                try months.insert(chart: ChartSpec(kind: .line, title: "Margin by month (\(base.code))", categoryAxisTitle: "period",
                                                   valueAxisTitle: base.code, series: [
                                                       .init(name: "revenue", sheet: months.name, categories: CellRange(column: 0, rows: 3...(periods.count + 2)),
                                                             values: CellRange(column: 3, rows: 3...(periods.count + 2))),
                                                       .init(name: "margin", sheet: months.name, categories: CellRange(column: 0, rows: 3...(periods.count + 2)),
                                                             values: CellRange(column: 5, rows: 3...(periods.count + 2))),
                                                   ]), row: 2, column: 8)
            }
            // By client (all periods), top first.
            let clients = try book.addWorksheet(named: "By client")
            let ch = ["client", "reports", "revenue", "cost", "margin", "margin_pct"]
            for (c, h) in ch.enumerated() { try clients.write(text: h, row: 0, column: c, style: .header) }
            let byClient = Dictionary(grouping: rows, by: \.row.clientId).map { id, list in
                (id, list.reduce(0) { $0 + $1.row.reports }, sum(list.map(\.row.revenue)), sum(list.map(\.row.cost)))
            }.sorted { a, b in
                let ma = (try? a.2 - a.3) ?? .zero, mb = (try? b.2 - b.3) ?? .zero
                return ma != mb ? ma > mb : a.0 < b.0
            }
            for (i, c) in byClient.enumerated() {
                try clients.write(text: c.0, row: i + 1, column: 0)
                try clients.write(number: Double(c.1), row: i + 1, column: 1, style: .integer)
                try clients.write(number: c.2.doubleApproximation, row: i + 1, column: 2, style: money)
                try clients.write(number: c.3.doubleApproximation, row: i + 1, column: 3, style: money)
                try marginCells(clients, row: i + 1, revenue: c.2, cost: c.3, money: money, first: 4)
            }
            try clients.setColumnWidth(16, columns: 0...5)
            try clients.freezePanes(row: 1, column: 0)
            if !byClient.isEmpty {
                let top = min(byClient.count, 10)
                try clients.insert(chart: ChartSpec(kind: .bar, title: "Top clients by margin (\(base.code))",
                                                    categoryAxisTitle: "client", valueAxisTitle: base.code,
                                                    series: [.init(name: "margin", sheet: clients.name,
                                                                   categories: CellRange(column: 0, rows: 1...top),
                                                                   values: CellRange(column: 4, rows: 1...top))]),
                                   row: 1, column: 7)
            }
            // Detail: period × client × modality.
            let detail = try book.addWorksheet(named: "Detail")
            let dh = ["period", "status", "client", "modality", "reports", "revenue", "cost", "margin", "margin_pct"]
            for (i, r) in rows.enumerated() {
                try detail.write(text: r.period.description, row: i + 1, column: 0)
                try detail.write(text: r.status, row: i + 1, column: 1)
                try detail.write(text: r.row.clientId, row: i + 1, column: 2)
                try detail.write(text: r.row.modality, row: i + 1, column: 3)
                try detail.write(number: Double(r.row.reports), row: i + 1, column: 4, style: .integer)
                try detail.write(number: r.row.revenue.doubleApproximation, row: i + 1, column: 5, style: money)
                try detail.write(number: r.row.cost.doubleApproximation, row: i + 1, column: 6, style: money)
                try marginCells(detail, row: i + 1, revenue: r.row.revenue, cost: r.row.cost, money: money, first: 7)
            }
            try detail.addTable(CellRange(firstRow: 0, firstColumn: 0, lastRow: max(rows.count, 1), lastColumn: dh.count - 1),
                                name: "Margins", headers: dh, style: .light(9))
            try detail.setColumnWidth(14, columns: 0...8)
            try detail.freezePanes(row: 1, column: 0)
        }
        try FileIO.syncFile(temp)
        try FileIO.renameDurably(temp, to: path)
    }

    /// Margin as a formula (revenue − cost) and margin % (margin / revenue), values cached.
    private static func marginCells(_ sheet: Worksheet, row: Int, revenue: ExactDecimal, cost: ExactDecimal,
                                    money: CellStyle, first: Int = 5) throws {
        let margin = (try? revenue - cost) ?? .zero
        let rev = CellRange.a1(row: row, column: first - 2), cst = CellRange.a1(row: row, column: first - 1)
        try sheet.write(formula: "=\(rev)-\(cst)", cachedValue: margin.doubleApproximation, row: row, column: first, style: money)
        let pct = revenue.isZero ? 0 : margin.doubleApproximation / revenue.doubleApproximation
        try sheet.write(formula: "=IF(\(rev)=0,0,\(CellRange.a1(row: row, column: first))/\(rev))", cachedValue: pct, row: row,
                        column: first + 1, style: .percent)
    }

    private static func sum(_ xs: [ExactDecimal]) -> ExactDecimal {
        xs.reduce(ExactDecimal.zero) { (try? $0 + $1) ?? $0 }
    }
}
