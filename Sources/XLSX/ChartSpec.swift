/// A chart to place on a worksheet: its kind, titles and the sheet ranges it plots.
///
/// A description only; `Worksheet.insert(chart:row:column:)` builds it in the workbook.
/// Each series takes its categories (the labels along the category axis) and its
/// values from ranges of one row or one column of the same length:
///
/// ```swift
/// let margin = ChartSpec(
///     kind: .line, title: "Margin by period", categoryAxisTitle: "Period", valueAxisTitle: "EUR",
///     series: [.init(name: "Margin", sheet: "Periods",
///                    categories: CellRange(column: 0, rows: 1...12),
///                    values: CellRange(column: 3, rows: 1...12))])
/// ```
///
/// Titles and series names are always shown as written, even when they start with `=`.
public struct ChartSpec: Sendable, Equatable {
    /// The shape of the chart.
    public enum Kind: Sendable, Equatable {
        /// Points joined by lines, for values over time.
        case line
        /// Vertical bars.
        case column
        /// Horizontal bars.
        case bar
    }

    /// One line or set of bars.
    public struct Series: Sendable, Equatable {
        /// The name shown in the legend.
        public var name: String
        /// The sheet that holds the data; it must already be in the workbook.
        public var sheet: String
        /// The labels along the category axis: one row or one column.
        public var categories: CellRange
        /// The plotted numbers: one row or one column, as long as `categories`.
        public var values: CellRange

        /// Creates a series plotting `values` against `categories` on `sheet`.
        public init(name: String, sheet: String, categories: CellRange, values: CellRange) {
            self.name = name
            self.sheet = sheet
            self.categories = categories
            self.values = values
        }
    }

    /// The shape of the chart.
    public var kind: Kind
    /// The title over the chart; empty for none.
    public var title: String
    /// The title of the category axis (across a line or column chart, up a bar
    /// chart); empty for none.
    public var categoryAxisTitle: String
    /// The title of the value axis; empty for none.
    public var valueAxisTitle: String
    /// The number format of the value axis labels, e.g. `#,##0 "EUR"`; `nil` for General.
    public var valueFormat: String?
    /// The series, drawn in order; at least one.
    public var series: [Series]
    /// Width as a multiple of Excel's default 480 pixels.
    public var widthScale: Double
    /// Height as a multiple of Excel's default 288 pixels.
    public var heightScale: Double
    /// Whether a line chart marks each point: a value between two blank cells is then seen,
    /// where a line alone draws nothing for it.
    public var markers = false
    /// Where the value axis starts; `nil` leaves it to the chart program, which starts it near
    /// the smallest value when the values are close (bars of 40 and 38 drew from 37, one three
    /// times the other).
    public var valueAxisMinimum: Double?

    /// Creates a chart description.
    public init(
        kind: Kind, title: String = "", categoryAxisTitle: String = "", valueAxisTitle: String = "",
        valueFormat: String? = nil, series: [Series], widthScale: Double = 1.5, heightScale: Double = 1.25
    ) {
        self.kind = kind
        self.title = title
        self.categoryAxisTitle = categoryAxisTitle
        self.valueAxisTitle = valueAxisTitle
        self.valueFormat = valueFormat
        self.series = series
        self.widthScale = widthScale
        self.heightScale = heightScale
    }
}
