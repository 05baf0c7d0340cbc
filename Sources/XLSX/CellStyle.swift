/// How a cell looks: font, border, fill, alignment and number format.
///
/// A value type: compare, hash and copy it freely. A workbook turns each distinct
/// style into one libxlsxwriter format the first time a cell uses it, so a style used
/// on 10,000 cells costs one entry in `styles.xml` (``CellFormat`` saves looking it up
/// for each of them). Start from a preset and adjust it:
///
/// ```swift
/// let total = CellStyle.currency(code: "EUR", minorDigits: 2).with { $0.isBold = true }
/// ```
public struct CellStyle: Hashable, Sendable {
    /// How a number is shown.
    public enum NumberFormat: Hashable, Sendable {
        /// Excel's General format.
        case general
        /// Whole numbers with thousands separators: `#,##0`.
        case integer
        /// A decimal with a fixed number of fraction digits: `0.000`.
        case decimal(fractionDigits: Int)
        /// A percentage of a fraction (0.125 shows as 12.5%): `0.0%`.
        case percent(fractionDigits: Int)
        /// A calendar date: `yyyy-mm-dd`.
        case date
        /// A date and time: `yyyy-mm-dd hh:mm:ss`.
        case dateTime
        /// An amount in a currency with its ISO 4217 code and minor-unit digits:
        /// `#,##0.00 "EUR"`, `#,##0 "JPY"`, `#,##0.000 "KWD"`.
        case currency(code: String, minorDigits: Int)
        /// Any Excel number format string of at most 127 bytes.
        case custom(String)
    }

    /// Where text sits across the cell.
    public enum Alignment: Hashable, Sendable {
        case general, left, center, right
    }

    /// How a number is shown.
    public var numberFormat: NumberFormat = .general
    /// Bold font.
    public var isBold = false
    /// Italic font.
    public var isItalic = false
    /// Font size in points; `nil` keeps the default 11.
    public var fontSize: Double?
    /// Font colour as `0xRRGGBB`; `nil` keeps black.
    public var fontColor: UInt32?
    /// Solid background colour as `0xRRGGBB`; `nil` for none.
    public var fillColor: UInt32?
    /// A thin line under the cell.
    public var hasBottomBorder = false
    /// A thin line over the cell (totals).
    public var hasTopBorder = false
    /// Wrap long text onto several lines, top-aligned (its first line level with the text of
    /// the cells beside it).
    public var wrapsText = false
    /// Top-aligned without wrapping: level with wrapped text beside it in a taller row.
    public var isTopAligned = false
    /// Horizontal alignment.
    public var alignment: Alignment = .general

    /// The default look: no format at all.
    public init() {}

    /// Returns a copy changed by `change`.
    public func with(_ change: (inout CellStyle) -> Void) -> CellStyle {
        var copy = self
        change(&copy)
        return copy
    }

    /// Whether this is the default look, written without any format.
    var isPlain: Bool { self == CellStyle() }
}

extension CellStyle {
    /// The default look.
    public static let plain = CellStyle()
    /// Bold text.
    public static let bold = CellStyle().with { $0.isBold = true }
    /// A document title: bold, 14 points.
    public static let title = CellStyle().with {
        $0.isBold = true
        $0.fontSize = 14
    }
    /// A column header: bold, a line underneath, light blue fill.
    public static let header = CellStyle().with {
        $0.isBold = true
        $0.hasBottomBorder = true
        $0.fillColor = 0xDDEBF7
    }
    /// A percentage with one decimal: 0.125 shows as 12.5%.
    public static let percent = CellStyle().with { $0.numberFormat = .percent(fractionDigits: 1) }
    /// A whole number with thousands separators.
    public static let integer = CellStyle().with { $0.numberFormat = .integer }
    /// A calendar date, `yyyy-mm-dd`.
    public static let date = CellStyle().with { $0.numberFormat = .date }
    /// A date and time, `yyyy-mm-dd hh:mm:ss`.
    public static let dateTime = CellStyle().with { $0.numberFormat = .dateTime }
    /// Text wrapped onto several lines.
    public static let wrap = CellStyle().with { $0.wrapsText = true }

    /// An amount in a currency: `#,##0.00 "EUR"` for 2 minor digits, `#,##0 "JPY"` for 0.
    ///
    /// The code must be three capital letters and the digits 0–10 (a unit price may carry
    /// more places than its currency's minor unit); a workbook checks this when a cell first
    /// uses the style.
    public static func currency(code: String, minorDigits: Int) -> CellStyle {
        CellStyle().with { $0.numberFormat = .currency(code: code, minorDigits: minorDigits) }
    }

    /// A total: a currency amount in bold with a line over it.
    public static func total(code: String, minorDigits: Int) -> CellStyle {
        currency(code: code, minorDigits: minorDigits).with {
            $0.isBold = true
            $0.hasTopBorder = true
        }
    }
}

extension CellStyle.NumberFormat {
    /// The Excel format string, or `nil` for General.
    ///
    /// Throws when a currency code is not three capital letters, digits are out of
    /// range, or a custom format is longer than libxlsxwriter stores (127 bytes).
    func formatString(path: String) throws -> String? {
        func invalid(_ what: String, _ remedy: String) -> XLSXError {
            XLSXError(
                code: .invalidStyle, path: path, location: "cell style",
                message: what, remedy: remedy)
        }
        switch self {
        case .general:
            return nil
        case .integer:
            return "#,##0"
        case .decimal(let digits):
            guard (1...10).contains(digits) else {
                throw invalid("\(digits) fraction digits", "use 1–10 fraction digits")
            }
            return "0." + String(repeating: "0", count: digits)
        case .percent(let digits):
            guard (0...10).contains(digits) else {
                throw invalid("\(digits) percent fraction digits", "use 0–10 fraction digits")
            }
            return digits == 0 ? "0%" : "0." + String(repeating: "0", count: digits) + "%"
        case .date:
            return "yyyy-mm-dd"
        case .dateTime:
            return "yyyy-mm-dd hh:mm:ss"
        case .currency(let code, let digits):
            guard code.utf8.count == 3, code.utf8.allSatisfy({ (65...90).contains($0) }) else {
                throw invalid(
                    "currency code \"\(code)\" is not an ISO 4217 code",
                    "use three capital letters such as EUR")
            }
            // Amounts carry the ISO 4217 minor units (0–4); unit prices and rates up to 6 decimals.
            guard (0...10).contains(digits) else {
                throw invalid("\(code) with \(digits) decimals", "use 0–10 decimals (an ISO 4217 minor unit, or a rate's places)")
            }
            let fraction = digits == 0 ? "" : "." + String(repeating: "0", count: digits)
            return "#,##0\(fraction) \"\(code)\""
        case .custom(let format):
            guard !format.isEmpty, format.utf8.count <= 127 else {
                throw invalid(
                    "number format \"\(format)\" is empty or longer than 127 bytes",
                    "use a shorter Excel number format")
            }
            return format
        }
    }
}
