import Foundation
internal import CXLSXWriter

/// Tables, conditional formats and charts: objects laid over a sheet's cells.
extension Worksheet {
    /// The built-in Excel table look, e.g. `.medium(2)` for "Table Style Medium 2".
    public enum TableStyle: Sendable, Equatable {
        /// Table Style Light 1–21.
        case light(Int)
        /// Table Style Medium 1–28.
        case medium(Int)
        /// Table Style Dark 1–11.
        case dark(Int)
    }

    /// Turns `range` into an Excel table: headers in its first row, banded rows below,
    /// and a filter button on each header.
    ///
    /// The headers are written by the table itself, as text; write the data rows
    /// before or after. `name` (e.g. `Lines`) starts with a letter or `_`, holds letters,
    /// digits, `_` and `.`, is not a cell name such as `A1`, and is unique in the
    /// workbook. The range needs at least one row under the headers. Do not add an
    /// `autofilter` over a table. Wraps `worksheet_add_table`.
    public func addTable(
        _ range: CellRange, name: String, headers: [String], style: TableStyle = .medium(2)
    ) throws {
        let (r1, c1, r2, c2) = try cells(range)
        try validateTable(range, name: name, headers: headers, style: style)
        let columns = UnsafeMutablePointer<lxw_table_column>.allocate(capacity: headers.count)
        let columnList = UnsafeMutablePointer<UnsafeMutablePointer<lxw_table_column>?>
            .allocate(capacity: headers.count + 1)
        let headerTexts = headers.map { strdup($0) }
        let nameText = strdup(name)
        defer {
            headerTexts.forEach { free($0) }
            free(nameText)
            columns.deallocate()
            columnList.deallocate()
        }
        for (index, text) in headerTexts.enumerated() {
            var column = lxw_table_column()
            column.header = text
            (columns + index).initialize(to: column)
            columnList[index] = columns + index
        }
        columnList[headers.count] = nil
        var options = lxw_table_options()
        options.name = nameText
        options.columns = columnList
        switch style {
        case .light(let n):
            options.style_type = UInt8(LXW_TABLE_STYLE_TYPE_LIGHT.rawValue)
            options.style_type_number = UInt8(n)
        case .medium(let n):
            options.style_type = UInt8(LXW_TABLE_STYLE_TYPE_MEDIUM.rawValue)
            options.style_type_number = UInt8(n)
        case .dark(let n):
            options.style_type = UInt8(LXW_TABLE_STYLE_TYPE_DARK.rawValue)
            options.style_type_number = UInt8(n)
        }
        try check(worksheet_add_table(handle, r1, c1, r2, c2, &options), "worksheet_add_table", at: place(range))
    }

    /// Shades the numbers in `range` from `low` through `middle` to `high`; by default green,
    /// yellow, red, so the largest anomaly scores stand out. The colours sit at the range's
    /// lowest value, 50th percentile and highest, or at the fixed values `at` gives: a scale
    /// relative to what the range holds paints its lowest green however high that is.
    ///
    /// Colours are `0xRRGGBB`. Wraps `worksheet_conditional_format_range` with
    /// `LXW_CONDITIONAL_3_COLOR_SCALE`.
    public func addColorScale(
        _ range: CellRange, low: UInt32 = 0x63BE7B, middle: UInt32 = 0xFFEB84, high: UInt32 = 0xF8696B,
        at values: (low: Double, middle: Double, high: Double)? = nil
    ) throws {
        let (r1, c1, r2, c2) = try cells(range)
        var scale = lxw_conditional_format()
        scale.type = UInt8(LXW_CONDITIONAL_3_COLOR_SCALE.rawValue)
        scale.min_color = lxw_color_t(low & 0xFF_FFFF)
        scale.mid_color = lxw_color_t(middle & 0xFF_FFFF)
        scale.max_color = lxw_color_t(high & 0xFF_FFFF)
        if let values {
            let number = UInt8(LXW_CONDITIONAL_RULE_TYPE_NUMBER.rawValue)
            (scale.min_rule_type, scale.mid_rule_type, scale.max_rule_type) = (number, number, number)
            (scale.min_value, scale.mid_value, scale.max_value) = values
        }
        let result = worksheet_conditional_format_range(handle, r1, c1, r2, c2, &scale)
        try check(result, "worksheet_conditional_format_range", at: place(range))
    }

    /// Places a chart with its top-left corner at a cell.
    ///
    /// Every series' sheet must already be in the workbook, and its categories and
    /// values must be one row or one column of the same length. Wraps
    /// `workbook_add_chart`, `chart_add_series`, `chart_series_set_categories`,
    /// `chart_series_set_values`, `chart_axis_set_min` and `worksheet_insert_chart_opt`.
    public func insert(chart spec: ChartSpec, row: Int, column: Int) throws {
        let (r, c) = try cell(row, column)
        try validate(spec, at: CellRange.a1(row: row, column: column))
        let book = try workbook.requireOpen()
        let kind: lxw_chart_type
        switch spec.kind {
        case .line: kind = LXW_CHART_LINE
        case .column: kind = LXW_CHART_COLUMN
        case .bar: kind = LXW_CHART_BAR
        }
        let location = "sheet \"\(name)\" chart at \(CellRange.a1(row: row, column: column))"
        guard let chart = workbook_add_chart(book, UInt8(kind.rawValue)) else {
            throw XLSXError(
                code: .library, path: workbook.path, location: location,
                message: "workbook_add_chart failed", remedy: "the machine ran out of memory")
        }
        for series in spec.series {
            guard let added = chart_add_series(chart, nil, nil) else {
                throw XLSXError(
                    code: .library, path: workbook.path, location: location,
                    message: "chart_add_series failed", remedy: "the machine ran out of memory")
            }
            let cats = series.categories
            let values = series.values
            series.sheet.withCString { sheet in
                chart_series_set_categories(
                    added, sheet, lxw_row_t(cats.firstRow), lxw_col_t(cats.firstColumn),
                    lxw_row_t(cats.lastRow), lxw_col_t(cats.lastColumn))
                chart_series_set_values(
                    added, sheet, lxw_row_t(values.firstRow), lxw_col_t(values.firstColumn),
                    lxw_row_t(values.lastRow), lxw_col_t(values.lastColumn))
            }
            if !series.name.isEmpty { chart_series_set_name(added, Self.literal(series.name)) }
            if spec.markers { chart_series_set_marker_type(added, UInt8(LXW_CHART_MARKER_CIRCLE.rawValue)) }
        }
        // libxlsxwriter's x axis is the horizontal one, which is the value axis of a bar chart.
        let (categoryAxis, valueAxis) =
            spec.kind == .bar ? (chart.pointee.y_axis, chart.pointee.x_axis) : (chart.pointee.x_axis, chart.pointee.y_axis)
        if !spec.title.isEmpty { chart_title_set_name(chart, Self.literal(spec.title)) }
        if !spec.categoryAxisTitle.isEmpty { chart_axis_set_name(categoryAxis, Self.literal(spec.categoryAxisTitle)) }
        // Every category named: left to the reader, LibreOffice named every other bar of the top
        // clients, and the one client losing money went unnamed.
        chart_axis_set_interval_unit(categoryAxis, 1)
        if !spec.valueAxisTitle.isEmpty { chart_axis_set_name(valueAxis, Self.literal(spec.valueAxisTitle)) }
        if let format = spec.valueFormat { chart_axis_set_num_format(valueAxis, format) }
        if let minimum = spec.valueAxisMinimum { chart_axis_set_min(valueAxis, minimum) }
        chart_legend_set_position(chart, UInt8(LXW_CHART_LEGEND_BOTTOM.rawValue))
        var options = lxw_chart_options()
        options.x_scale = spec.widthScale
        options.y_scale = spec.heightScale
        try check(worksheet_insert_chart_opt(handle, r, c, chart, &options), "worksheet_insert_chart_opt", at: location)
    }

    // MARK: - Checks

    /// Chart text as written: libxlsxwriter reads a leading `=` as a cell reference, so
    /// such text gets an invisible zero-width space in front.
    private static func literal(_ text: String) -> String {
        text.hasPrefix("=") ? "\u{200B}" + text : text
    }

    /// Checks a table's name, headers and style before any C call.
    private func validateTable(_ range: CellRange, name: String, headers: [String], style: TableStyle) throws {
        func invalid(_ message: String, _ remedy: String) -> XLSXError {
            XLSXError(
                code: .invalidTable, path: workbook.path,
                location: "sheet \"\(self.name)\" table \"\(name)\" at \(range)", message: message, remedy: remedy)
        }
        if let problem = Self.problem(withTableName: name) {
            throw invalid(
                problem,
                "start with a letter or _, use letters, digits, _ and ., at most 255, not a cell name like A1")
        }
        guard workbook.claimTableName(name) else {
            throw invalid("the workbook already has a table of that name", "give each table its own name")
        }
        guard range.rowCount >= 2 else {
            throw invalid("a table needs a row of data under its headers", "end the range at least one row lower")
        }
        guard headers.count == range.columnCount else {
            throw invalid(
                "\(headers.count) headers for \(range.columnCount) columns", "give one header per column")
        }
        var seen = Set<String>()
        for header in headers {
            guard !header.isEmpty, header.count <= 255, seen.insert(header.lowercased()).inserted else {
                throw invalid(
                    "header \"\(header)\" is empty, too long or repeated",
                    "use distinct headers of 1–255 characters")
            }
        }
        let (number, limit): (Int, Int)
        switch style {
        case .light(let n): (number, limit) = (n, 21)
        case .medium(let n): (number, limit) = (n, 28)
        case .dark(let n): (number, limit) = (n, 11)
        }
        guard (1...limit).contains(number) else {
            throw invalid("table style number \(number)", "use 1–\(limit) for this style")
        }
    }

    /// What is wrong with a table name, or `nil` if Excel accepts it.
    static func problem(withTableName name: String) -> String? {
        let scalars = Array(name.unicodeScalars)
        guard let first = scalars.first else { return "the table name is empty" }
        if scalars.count > 255 { return "the table name is longer than 255 characters" }
        let letters = CharacterSet.letters
        guard letters.contains(first) || first == "_" else { return "the table name must start with a letter or _" }
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "_."))
        if let bad = scalars.first(where: { !allowed.contains($0) }) { return "the table name contains \"\(bad)\"" }
        let upper = Array(name.uppercased().utf8)
        if readsAsCellName(upper) || readsAsR1C1(upper) { return "the table name reads as a cell reference" }
        return nil
    }

    // Every document's Lines table is checked: by hand, not by a regular expression compiled
    // for each workbook (a close's 500 workbooks spent 0.025 s of processor time on it).

    /// `^[A-Z]{1,3}[0-9]+$`: one to three letters, then digits (`A1`, `XFD1048576`).
    private static func readsAsCellName(_ bytes: [UInt8]) -> Bool {
        let letters = bytes.prefix { (65...90).contains($0) }.count
        return (1...3).contains(letters) && bytes.count > letters && bytes[letters...].allSatisfy { (48...57).contains($0) }
    }

    /// `^(R|C|R[0-9]*C[0-9]*)$`: a row or a column in R1C1 notation (`R`, `C`, `RC`, `R2C3`).
    private static func readsAsR1C1(_ bytes: [UInt8]) -> Bool {
        if bytes == [82] || bytes == [67] { return true }
        guard bytes.first == 82 else { return false }
        let rowDigits = bytes.dropFirst().prefix { (48...57).contains($0) }.count
        let rest = bytes.dropFirst(1 + rowDigits)
        return rest.first == 67 && rest.dropFirst().allSatisfy { (48...57).contains($0) }
    }

    /// Checks a chart's series before any C call.
    private func validate(_ spec: ChartSpec, at anchor: String) throws {
        func invalid(_ message: String, _ remedy: String) -> XLSXError {
            XLSXError(
                code: .invalidChart, path: workbook.path, location: "sheet \"\(name)\" chart at \(anchor)",
                message: message, remedy: remedy)
        }
        guard !spec.series.isEmpty else { throw invalid("the chart has no series", "add at least one series") }
        guard spec.widthScale > 0, spec.heightScale > 0, spec.widthScale.isFinite, spec.heightScale.isFinite else {
            throw invalid("the chart's scale is not positive", "use scales above 0")
        }
        if let minimum = spec.valueAxisMinimum, !minimum.isFinite {
            throw invalid("the value axis starts at \(minimum)", "give a finite minimum, or nil")
        }
        for series in spec.series {
            guard workbook.hasSheet(named: series.sheet) else {
                throw invalid(
                    "series \"\(series.name)\" reads sheet \"\(series.sheet)\", which the workbook does not have",
                    "add the data sheet before the chart")
            }
            for range in [series.categories, series.values] {
                _ = try cells(range)
                guard range.rowCount == 1 || range.columnCount == 1 else {
                    throw invalid(
                        "series \"\(series.name)\" range \(range) is not one row or one column",
                        "give each series a single row or column")
                }
            }
            let count = { (r: CellRange) in r.rowCount * r.columnCount }
            guard count(series.categories) == count(series.values) else {
                throw invalid(
                    "series \"\(series.name)\" has \(count(series.categories)) categories and \(count(series.values)) values",
                    "make categories and values the same length")
            }
        }
    }
}
