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
/// values cached; totals are `SUM` formulas whose cached values are the exact sums. Every sum
/// and margin is computed exactly before anything is written: one too large to compute is
/// ``TooLarge`` and no file, never a zero or a total that leaves a row out.
public enum MarginSummaryWorkbook {
    /// How many clients the chart on `By client` shows.
    static let topClients = 10

    /// Writes the workbook to `path` (through a temporary file, fsynced and renamed).
    ///
    /// - Parameters:
    ///   - rows: one row a period, client and modality, in the order the `Detail` sheet lists them;
    ///     `status` is `closed` for a closed period's recorded margins, `draft` for an open one.
    ///   - clientNames: client id → name, shown beside the id on `By client` and in its chart.
    /// - Throws: ``TooLarge`` when a sum or margin does not fit in an exact amount; nothing is written then.
    public static func write(rows: [Row], base: Currency, site: String, clientNames: [String: String] = [:],
                             to path: String, paper: PaperSize = .a4, created: Date) throws {
        try write(Content(rows: rows), base: base, site: site, clientNames: clientNames, to: path, paper: paper, created: created)
    }

    /// What the summary shows: the closed periods' rows an earlier command kept (`kept`), if
    /// any, then `rows`. `keepUnder`: when `rows` begin with every closed period's rows (and
    /// none is kept), the key to keep those under in `keeper` (the closing entries', ``KeptDetailRows``).
    struct Content {
        var kept: KeptClosedRows?
        /// Whether the kept rows were checked to inflate to what their note says (else it is
        /// checked on another core while the workbook is made).
        var keptChecked = false
        var rows: [Row]
        var keepUnder: String?
        var keeper: KeptDetailRows?
        /// Every closed period: one with no rows (closed with no reports) still has its line.
        var closedPeriods: [Period] = []
    }

    /// Kept rows that cannot be put in as they are: their styles are not this workbook's, or
    /// their bytes do not inflate to the length and CRC-32 their note gives (a part zip
    /// readers refuse; only a holder of the site key could sign such a note, and `recon
    /// verify` names it). Nothing is written; the caller builds the rows instead.
    struct KeptRowsUnusable: Error {}

    static func write(_ content: Content, base: Currency, site: String, clientNames: [String: String], to path: String,
                      paper: PaperSize, created: Date) throws {
        let figures: Figures
        do {
            figures = try Figures(content)
        } catch let overflow as TooLarge.Overflow {
            throw TooLarge(path: path, figure: overflow.figure)
        }
        let properties = DocumentProperties(title: "Margin summary", subject: "revenue, cost and margin in \(base.code)",
                                            author: site, company: site, created: created)
        let styles = Styles(base: base)
        let temp = FileIO.temporaryName(for: path)
        try FileIO.makeDirectory(FileIO.parent(of: path))
        var keptRowsCheck: BackgroundWork<Bool>?
        do {
            try Workbook.write(to: temp, naming: path, properties: properties) { book in
                book.paper = paper
                book.footerTitle = "Margin summary, \(site)"
                let formats = try Formats(book, styles, all: figures.all, base: base)
                let topFormats = try Formats(book, styles, all: figures.all, base: base, topAligned: true)
                try writeByMonth(try book.addWorksheet(named: "By month"), figures, base: base, site: site, styles: styles,
                                 formats: formats)
                try writeByClient(try book.addWorksheet(named: "By client"), figures, base: base, names: clientNames,
                                  styles: styles, formats: topFormats)
                keptRowsCheck = try writeDetail(try book.addWorksheet(named: "Detail"), figures, content: content,
                                                formats: formats, book: book)
            }
        } catch let unusable as KeptRowsUnusable {
            FileIO.remove(temp)
            throw unusable
        }
        if let keptRowsCheck, !keptRowsCheck.wait() {
            FileIO.remove(temp)
            throw KeptRowsUnusable()
        }
        try FileIO.placeWritten(temp, at: path)
    }

    /// A figure of the summary too large to compute exactly (past 128 bits): the summary is not written.
    public struct TooLarge: Error, CustomStringConvertible {
        /// The workbook that was not written.
        public let path: String
        /// Which figure, e.g. `revenue of client C1 over every period`.
        public let figure: String

        public var description: String {
            "\(path) was not written: the \(figure) is too large to compute exactly (more than 38 digits). "
                + "An amount, rate, FX rate or image count in a drop is likely wrong by orders of magnitude: "
                + "find it on the review workbooks, then correct an open month with a new drop, a closed one with `recon rerun`"
        }

        /// Raised while the figures are added up, before the workbook's path is in hand.
        struct Overflow: Error {
            let figure: String
        }
    }

    /// Reports, revenue, cost and margin added up over some rows, exactly.
    struct Totals {
        var reports = 0
        var revenue = ExactDecimal.zero
        var cost = ExactDecimal.zero
        var margin = ExactDecimal.zero

        /// - Parameter figure: what the rows add up to (`client C1 over every period`), for the error;
        ///   worked out only then, since `Detail` has a `Totals` for every row.
        /// - Throws: ``TooLarge/Overflow`` naming the sum that does not fit.
        init<Rows: Sequence<Row>>(_ rows: Rows, of figure: @autoclosure () -> String) throws {
            for r in rows {
                reports += r.row.reports
                revenue = try Self.exact("revenue", of: figure()) { try revenue + r.row.revenue }
                cost = try Self.exact("cost", of: figure()) { try cost + r.row.cost }
            }
            margin = try Self.exact("margin", of: figure()) { try revenue - cost }
        }

        /// Nothing added up yet.
        init() {}

        /// These figures, their margin worked out.
        private init(reports: Int, revenue: ExactDecimal, cost: ExactDecimal, of figure: @autoclosure () -> String) throws {
            self.reports = reports
            self.revenue = revenue
            self.cost = cost
            margin = try Self.exact("margin", of: figure()) { try revenue - cost }
        }

        /// The totals of kept figures (``KeptClosedRows/Sum``).
        init(_ sum: KeptClosedRows.Sum, of figure: @autoclosure () -> String) throws {
            try self.init(reports: sum.reports, revenue: sum.revenue, cost: sum.cost, of: figure())
        }

        /// These totals and `other`'s together.
        func adding(_ other: Totals, of figure: @autoclosure () -> String) throws -> Totals {
            try Totals(reports: reports + other.reports,
                       revenue: Self.exact("revenue", of: figure()) { try revenue + other.revenue },
                       cost: Self.exact("cost", of: figure()) { try cost + other.cost }, of: figure())
        }

        /// `compute`'s exact result, or ``TooLarge/Overflow`` naming `name` of `figure`.
        private static func exact(_ name: String, of figure: @autoclosure () -> String,
                                  _ compute: () throws -> ExactDecimal) throws -> ExactDecimal {
            do {
                return try compute()
            } catch is ArithmeticOverflow {
                throw TooLarge.Overflow(figure: "\(name) of \(figure())")
            }
        }

        /// As kept (``KeptClosedRows/Sum``), under `name`.
        func sum(_ name: String) -> KeptClosedRows.Sum {
            .init(name: name, reports: reports, revenue: revenue, cost: cost)
        }
    }

    /// The numbers a row of totals shows in its cells: each exact figure converted to the
    /// nearest `Double` once, for display only (sums stay exact in ``Totals``).
    struct Shown {
        let reports: Double
        let revenue: Double
        let cost: Double
        let margin: Double
        /// Margin / revenue; 0 without revenue.
        let marginShare: Double

        init(_ t: Totals) {
            reports = Double(t.reports)
            revenue = t.revenue.doubleApproximation
            cost = t.cost.doubleApproximation
            margin = t.margin.doubleApproximation
            marginShare = t.revenue.isZero ? 0 : margin / revenue
        }
    }

    /// Everything the sheets show, computed before any of it is written.
    ///
    /// Groups are kept as positions in `rows`, never as copies of them: after a year the rows
    /// are twelve thousand, and each copy was megabytes of fresh memory on every drop. Rows
    /// kept from an earlier command (``Content/kept``) are not there: their sums are.
    struct Figures {
        /// The rows written one by one, the lines of `Detail` after the kept ones; each one's
        /// own totals are ``detail(_:)``.
        let rows: [Row]
        /// How many lines of `Detail` the kept rows are (0 without them).
        let keptRows: Int
        /// One a period, in order, `draft` while any of its rows is.
        var months: [(period: Period, status: String, totals: Totals)] = []
        /// One a client over every period, largest margin first (then by id).
        var clients: [(id: String, totals: Totals)] = []
        var all = Totals()
        /// The closed rows' sums to keep with them, when they are to be kept (``Content/keepUnder``).
        var closedSums: (months: [KeptClosedRows.Sum], clients: [KeptClosedRows.Sum])?

        init(_ rows: [Row]) throws { try self.init(Content(rows: rows)) }

        init(_ content: Content) throws {
            let rows = content.rows
            self.rows = rows
            keptRows = content.kept.map { $0.packed.rows.upperBound } ?? 0
            // Every row's own margin is worked out here, so that none too large is met mid-write.
            for i in rows.indices { _ = try Self.detail(rows[i]) }
            var byPeriod: [Period: [Int32]] = [:]
            var byClient: [String: [Int32]] = [:]
            for i in rows.indices {
                byPeriod[rows[i].period, default: []].append(Int32(i))
                byClient[rows[i].row.clientId, default: []].append(Int32(i))
            }
            for sum in content.kept?.months ?? [] {
                guard let p = Period(sum.name) else { continue }
                months.append((p, "closed", try Totals(sum, of: "period \(p)")))
            }
            for p in byPeriod.keys.sorted() {
                let list = (byPeriod[p] ?? []).lazy.map { rows[Int($0)] }
                months.append((p, list.contains { $0.status != "closed" } ? "draft" : "closed",
                               try Totals(list, of: "period \(p)")))
            }
            // A month closed with no reports is a month all the same: left out, the chart ran from
            // July straight to September and nobody could tell August was closed empty.
            let listed = Set(months.map(\.period))
            let empty = content.closedPeriods.filter { !listed.contains($0) }
            if !empty.isEmpty {
                months += empty.map { ($0, "closed", Totals()) }
                months.sort { $0.period < $1.period }
            }
            var perClient = try byClient.reduce(into: [String: Totals]()) { out, group in
                out[group.key] = try Totals(group.value.lazy.map { rows[Int($0)] }, of: "client \(group.key) over every period")
            }
            if content.keepUnder != nil {
                // The closed rows are the first ones: what they add up to is kept with them.
                let closed = rows.prefix { $0.status == "closed" }
                closedSums = (months.filter { $0.status == "closed" }.map { $0.totals.sum($0.period.description) },
                              try Dictionary(grouping: closed, by: \.row.clientId).sorted { $0.key < $1.key }.map { id, list in
                                  try Totals(list, of: "client \(id) over every period").sum(id)
                              })
            }
            for sum in content.kept?.clients ?? [] {
                let kept = try Totals(sum, of: "client \(sum.name) over every period")
                perClient[sum.name] = try perClient[sum.name].map { try kept.adding($0, of: "client \(sum.name) over every period") } ?? kept
            }
            clients = perClient.map { ($0.key, $0.value) }
                .sorted { a, b in a.totals.margin != b.totals.margin ? a.totals.margin > b.totals.margin : a.id < b.id }
            for month in months { all = try all.adding(month.totals, of: "every period together") }
        }

        /// Row `i`'s own reports, revenue, cost and margin (known to fit since `init`).
        func detail(_ i: Int) throws -> Totals { try Self.detail(rows[i]) }

        private static func detail(_ r: Row) throws -> Totals {
            try Totals(CollectionOfOne(r), of: "client \(r.row.clientId), \(r.row.modality) in \(r.period)")
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

    /// The styles written on every row, each made into the workbook's format once: `Detail`
    /// writes nine cells a row, for every period, client and modality.
    struct Formats {
        let plain: CellFormat
        let integer: CellFormat
        let money: CellFormat
        let percent: CellFormat
        let totalInteger: CellFormat
        let totalMoney: CellFormat
        let totalPercent: CellFormat
        /// Revenue, cost and margin columns as wide as the widest amount they print, so a large
        /// month (billions of IDR) never prints `###`: the grand total's revenue and cost bound
        /// every row's, and a margin's magnitude is at most the larger of them (its sign one more).
        let moneyWidth: Double

        /// `topAligned`: drawn at the top of their rows (``writeByClient``'s, where a long name wraps).
        init(_ book: Workbook, _ styles: Styles, all: Totals, base: Currency, topAligned: Bool = false) throws {
            let widths = [all.revenue, all.cost, all.margin].map {
                AmountColumnWidths.width(toPrint: $0, code: base.code, minorDigits: base.minorDigits)
            }
            moneyWidth = max(20, (widths.max() ?? 0) + 1)
            // Top-aligned, as the client's name beside them: a long name wraps down its row, and
            // figures at the bottom stood level with the next client's name.
            func top(_ style: CellStyle) -> CellStyle { style.with { $0.isTopAligned = topAligned } }
            plain = try book.format(top(.plain))
            integer = try book.format(top(.integer))
            money = try book.format(top(styles.money))
            percent = try book.format(top(.percent))
            totalInteger = try book.format(styles.totalInteger)
            totalMoney = try book.format(styles.totalMoney)
            totalPercent = try book.format(styles.totalPercent)
        }
    }

    /// Where the headers sit on the two sheets for people; data starts on the next row.
    static let headerRow = 3

    // MARK: - By month

    private static func writeByMonth(_ sheet: Worksheet, _ figures: Figures, base: Currency, site: String,
                                     styles: Styles, formats: Formats) throws {
        try sheet.write(text: "Margin by month — \(site), in \(base.code)", row: 0, column: 0, style: .title)
        try sheet.merge(CellRange(row: 1, columns: 0...6),
                        text: "Revenue is what clients are invoiced before tax and cost what radiologists are paid, both in "
                            + "\(base.code) at each month's rates. Closed months are as recorded at their close, or at their "
                            + "latest rerun; draft months are month to date and change with every drop. Left out: reports "
                            + "with no rate to \(base.code) and a draft's clients with reports not yet priced (the month's "
                            + "review names them, MARGIN_FX_MISSING, MARGIN_UNPRICED), and credit notes issued with `recon credit` "
                            + "(a rerun's replacement invoice is counted). A client's revenue and cost in a month are each "
                            + "rounded once; Detail splits them by modality so that its rows add up to them, a modality's share "
                            + "at most one minor unit from its own reports' figure rounded alone.",
                        style: styles.note.with { $0.wrapsText = true })
        try sheet.setRowHeight(106, row: 1)
        try headers(sheet, ["Period", "Status", "Reports", "Revenue", "Cost", "Margin", "Margin %"], styles: styles)
        let months = figures.months
        let first = headerRow + 1
        for (i, month) in months.enumerated() {
            try sheet.write(text: month.period.description, row: first + i, column: 0)
            try sheet.write(text: month.status, row: first + i, column: 1)
            var cells = sheet
            try amounts(&cells, row: first + i, column: 2, month.totals, formats: formats)
        }
        if months.isEmpty {
            try sheet.write(text: "No priced reports yet.", row: first, column: 0, style: styles.note)
        } else {
            try totalRow(sheet, row: first + months.count, column: 2, dataRows: first...(first + months.count - 1),
                         figures.all, styles: styles, formats: formats)
            let dataRows = first...(first + months.count - 1)
            func series(_ name: String, _ column: Int) -> ChartSpec.Series {
                .init(name: name, sheet: sheet.name, categories: CellRange(column: 0, rows: dataRows),
                      values: CellRange(column: column, rows: dataRows))
            }
            let drafts = months.filter { $0.status == "draft" }.map(\.period.description)
            let axis = drafts.isEmpty ? "Period" : "Period (\(drafts.joined(separator: ", ")): month to date)"
            var chart = ChartSpec(kind: .line, title: "Margin by month (\(base.code))", categoryAxisTitle: axis,
                                  valueAxisTitle: base.code, valueFormat: "#,##0",
                                  series: [series("Revenue", 3), series("Cost", 4), series("Margin", 5)])
            // One month is one point a series, which a line without markers does not draw: a
            // site's first close showed an empty chart beside its figures.
            chart.markers = months.count == 1
            chart.valueAxisMinimum = fromZero(months.flatMap { [$0.totals.revenue, $0.totals.cost, $0.totals.margin] })
            try sheet.insert(chart: chart, row: headerRow, column: 8)
        }
        try sheet.setColumnWidth(10, columns: 0...2)
        try sheet.setColumnWidth(formats.moneyWidth, columns: 3...5)
        try sheet.setColumnWidth(percentWidth(months.map(\.totals) + [figures.all]), columns: 6...6)
        try sheet.freezePanes(row: first, column: 0)
        try sheet.setUpPrinting(paper: sheet.paper, landscape: true, repeatRows: (first - 1)...(first - 1))
    }

    // MARK: - By client

    private static func writeByClient(_ sheet: Worksheet, _ figures: Figures, base: Currency, names: [String: String],
                                      styles: Styles, formats: Formats) throws {
        try sheet.write(text: "Margin by client — all months, in \(base.code)", row: 0, column: 0, style: .title)
        try sheet.write(text: "Largest margin first; the chart shows the top \(topClients).", row: 1, column: 0, style: styles.note)
        try headers(sheet, ["Client", "Name", "Reports", "Revenue", "Cost", "Margin", "Margin %"], styles: styles)
        let byClient = figures.clients
        let first = headerRow + 1
        // A long name wraps in a column as wide as the longest (within reason), its row as tall
        // as it needs: cut, it ran into the figures beside it (a right-to-left one lost its start).
        let nameWidth = Double(min(40, max(28, (byClient.map { (names[$0.0] ?? "").count }.max() ?? 0) + 2)))
        let wrapped = CellStyle().with { $0.wrapsText = true; $0.isTopAligned = true }
        for (i, (id, totals)) in byClient.enumerated() {
            let name = names[id] ?? ""
            try sheet.write(text: id, row: first + i, column: 0, format: formats.plain)
            try sheet.write(text: name, row: first + i, column: 1, style: wrapped)
            try WrappedRowHeight.fit(first + i, in: sheet, [(name, nameWidth)])
            var cells = sheet
            try amounts(&cells, row: first + i, column: 2, totals, formats: formats)
        }
        if byClient.isEmpty {
            try sheet.write(text: "No priced reports yet.", row: first, column: 0, style: styles.note)
        } else {
            try totalRow(sheet, row: first + byClient.count, column: 2, dataRows: first...(first + byClient.count - 1),
                         figures.all, styles: styles, formats: formats)
            let top = first...(first + min(byClient.count, topClients) - 1)
            // Names read better than ids under the columns, when every client shown has one.
            let labels = byClient.prefix(topClients).allSatisfy { !(names[$0.0] ?? "").isEmpty } ? 1 : 0
            // Horizontal bars keep long hospital names readable (a bar chart draws the first row at the bottom).
            var chart = ChartSpec(kind: .bar, title: "Top clients by margin (\(base.code))",
                                  valueAxisTitle: base.code, valueFormat: "#,##0",
                                  series: [.init(name: "Margin", sheet: sheet.name,
                                                 categories: CellRange(column: labels, rows: top),
                                                 values: CellRange(column: 5, rows: top))])
            chart.valueAxisMinimum = fromZero(byClient.prefix(topClients).map(\.totals.margin))
            // Room for every bar's name: at the default height a spreadsheet named every other
            // one, and the one client losing money went unnamed.
            chart.heightScale = max(1, 0.5 + Double(top.count) * 0.12)
            try sheet.insert(chart: chart, row: headerRow, column: 8)
        }
        try sheet.setColumnWidth(IdColumnWidth.width(byClient.map(\.id), atLeast: 14), columns: 0...0)
        try sheet.setColumnWidth(nameWidth, columns: 1...1)
        try sheet.setColumnWidth(10, columns: 2...2)
        try sheet.setColumnWidth(formats.moneyWidth, columns: 3...5)
        try sheet.setColumnWidth(percentWidth(byClient.map(\.1) + [figures.all]), columns: 6...6)
        try sheet.freezePanes(row: first, column: 0)
        try sheet.setUpPrinting(paper: sheet.paper, landscape: true, repeatRows: (first - 1)...(first - 1))
    }

    // MARK: - Detail

    /// - Returns: when kept rows were put in, whether they inflate to what their note says,
    ///   worked out on another core while the workbook is finished.
    /// - Throws: ``KeptRowsUnusable`` when the kept rows carry other style indices than this workbook's formats.
    private static func writeDetail(_ sheet: Worksheet, _ figures: Figures, content: Content, formats: Formats,
                                    book: Workbook) throws -> BackgroundWork<Bool>? {
        let headers = ["period", "status", "client", "modality", "reports", "revenue", "cost", "margin", "margin_pct"]
        let rows = figures.rows, first = figures.keptRows
        let styles = try [formats.plain, formats.integer, formats.money, formats.percent].map { try book.styleIndex(of: $0) ?? -1 }
        if let kept = content.kept, kept.styles != styles || kept.packed.rows != 1...first
            || kept.packed.columns != 0...(headers.count - 1) {
            throw KeptRowsUnusable()
        }
        // The closed periods come first; they change only when a period closes or is rerun.
        let closed = content.keepUnder == nil ? 0 : rows.prefix { $0.status == "closed" }.count
        // Twelve thousand rows after a year, rewritten on every drop: written as the sheet's XML
        // in one pass rather than cell by cell through libxlsxwriter (``SheetRows``), the closed
        // periods' taken as they were kept.
        var check: BackgroundWork<Bool>?
        try sheet.writeRows { block in
            if let kept = content.kept {
                try block.append(kept.packed)
                if !content.keptChecked { check = BackgroundWork { kept.packed.holdsWhatItSays() } }
            }
            // Rows come period by period: each period's text is made once.
            var period: (period: Period, text: String)?
            for i in rows.indices {
                let r = rows[i], totals = try figures.detail(i)
                let row = first + i + 1
                if period?.period != r.period { period = (r.period, r.period.description) }
                try block.write(text: period?.text ?? "", row: row, column: 0, format: formats.plain)
                try block.write(text: r.status, row: row, column: 1, format: formats.plain)
                try block.write(text: r.row.clientId, row: row, column: 2, format: formats.plain)
                try block.write(text: r.row.modality, row: row, column: 3, format: formats.plain)
                try amounts(&block, row: row, column: 4, totals, formats: formats)
                if row == closed, let key = content.keepUnder, let sums = figures.closedSums, let packed = block.pack() {
                    content.keeper?.keep(KeptClosedRows(packed: packed, styles: styles, months: sums.months, clients: sums.clients),
                                         for: key)
                }
            }
        }
        let total = first + rows.count
        try sheet.addTable(CellRange(firstRow: 0, firstColumn: 0, lastRow: max(total, 1), lastColumn: headers.count - 1),
                           name: "Margins", headers: headers, style: .light(9))
        try sheet.setColumnWidth(10, columns: 0...1)
        // Every client's id, the kept rows' too (their sums name them), whole.
        try sheet.setColumnWidth(IdColumnWidth.width(figures.clients.map(\.id), atLeast: 14), columns: 2...2)
        try sheet.setColumnWidth(10, columns: 3...4)
        try sheet.setColumnWidth(formats.moneyWidth, columns: 5...7)
        try sheet.setColumnWidth(12, columns: 8...8)
        try sheet.freezePanes(row: 1, column: 0)
        try sheet.setUpPrinting(paper: sheet.paper, landscape: true, repeatRows: 0...0)
        return check
    }

    /// 0 when no value a chart plots is below it: a bar's length is its value, and a chart
    /// program left alone starts the axis near the smallest of close values (margins of 40 and
    /// 38 drew from 37, one bar three times the other). Nil with a loss among them: the
    /// program then shows 0.
    static func fromZero(_ values: [ExactDecimal]) -> Double? {
        values.contains(where: \.isNegative) ? nil : 0
    }

    // MARK: - Cells

    /// The header row of a sheet for people: two text columns, then five over numbers.
    private static func headers(_ sheet: Worksheet, _ names: [String], styles: Styles) throws {
        for (c, h) in names.enumerated() {
            try sheet.write(text: h, row: headerRow, column: c, style: c < 2 ? .header : styles.numberHeader)
        }
    }

    /// Reports, revenue, cost, margin and margin % from `column` on.
    private static func amounts(_ sheet: inout some CellSink, row: Int, column: Int, _ t: Totals, formats: Formats) throws {
        let shown = Shown(t)
        try sheet.write(number: shown.reports, row: row, column: column, format: formats.integer)
        try sheet.write(number: shown.revenue, row: row, column: column + 1, format: formats.money)
        try sheet.write(number: shown.cost, row: row, column: column + 2, format: formats.money)
        try marginCells(&sheet, row: row, shown, revenueColumn: column + 1, money: formats.money, percent: formats.percent)
    }

    /// A bold `Total` row: `SUM`s of reports, revenue and cost over `dataRows`, then margin and margin %.
    private static func totalRow(_ sheet: Worksheet, row: Int, column: Int, dataRows: ClosedRange<Int>, _ t: Totals,
                                 styles: Styles, formats: Formats) throws {
        try sheet.write(text: "Total", row: row, column: 0, style: styles.totalLabel)
        for c in 1..<column { try sheet.writeBlank(row: row, column: c, style: styles.totalLabel) }
        let shown = Shown(t)
        let sums: [(Double, CellFormat)] = [(shown.reports, formats.totalInteger), (shown.revenue, formats.totalMoney),
                                            (shown.cost, formats.totalMoney)]
        for (i, (value, format)) in sums.enumerated() {
            try sheet.write(formula: "=SUM(\(CellRange(column: column + i, rows: dataRows)))", cachedValue: value,
                            row: row, column: column + i, format: format)
        }
        var cells = sheet
        try marginCells(&cells, row: row, shown, revenueColumn: column + 1, money: formats.totalMoney,
                        percent: formats.totalPercent)
    }

    /// A margin % column as wide as its widest share prints (`-520733.3%` for a client billed
    /// 1 INR a report that cost 5,000), never narrower than 10.
    static func percentWidth(_ totals: [Totals]) -> Double {
        let widest = totals.map { t -> Int in
            let share = Shown(t).marginShare * 100
            let whole = abs(share) < 1 ? 1 : Int(log10(abs(share))) + 1
            return (share < 0 ? 1 : 0) + whole + 3  // the sign, the whole part, ".d" and "%"
        }.max() ?? 0
        return Double(max(10, widest + 2))
    }

    /// Margin as a formula (revenue − cost) and margin % (margin / revenue, `n/a` without
    /// revenue), in the two columns after cost, values cached.
    private static func marginCells(_ sheet: inout some CellSink, row: Int, _ shown: Shown, revenueColumn: Int, money: CellFormat,
                                    percent: CellFormat) throws {
        let rev = CellRange.a1(row: row, column: revenueColumn), cst = CellRange.a1(row: row, column: revenueColumn + 1)
        let marginCell = CellRange.a1(row: row, column: revenueColumn + 2)
        // Appended into one buffer rather than interpolated: `Detail` writes these on every row.
        var difference = "="
        difference += rev
        difference += "-"
        difference += cst
        try sheet.write(formula: difference, cachedValue: shown.margin, row: row, column: revenueColumn + 2, format: money)
        // Without revenue a margin has no share: 0.0 % would read as break-even beside a loss.
        guard shown.revenue != 0 else {
            try sheet.write(text: "n/a", row: row, column: revenueColumn + 3, format: percent)
            return
        }
        var share = ""
        share.reserveCapacity(32)
        share += "=IF("
        share += rev
        share += "=0,0,"
        share += marginCell
        share += "/"
        share += rev
        share += ")"
        try sheet.write(formula: share, cachedValue: shown.marginShare, row: row, column: revenueColumn + 3,
                        format: percent)
    }
}
