import CSV
import Foundation

/// A numeric CSV table: a header row naming the columns, then rows of finite numbers,
/// every column a feature. The input of `recon outliers`.
///
/// Read as RFC 4180 CSV by the reader drops go through: comma separated, LF or CRLF, quoted
/// fields, a leading UTF-8 BOM dropped, blank lines skipped, spaces around an unquoted field
/// ignored (a quoted field starts at its comma: `1, "2"` is refused, as in a drop).
/// A value is a decimal (`3`, `-0.25`, `1e-3`) within single precision's range, as
/// scikit-learn's forest reads its input (it refuses larger values as too large for float32);
/// `nan`, `inf`, hexadecimal, empty cells and text are rejected with their line and column.
public struct NumericTable: Sendable, Equatable {
    /// A problem in the input, with where it is and what a valid input looks like.
    public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        /// The 1-based line of the file, or nil for a problem with the whole file.
        public let line: Int?
        /// The 1-based column, when the problem is one cell.
        public let column: Int?
        /// The column's header name, when known.
        public let columnName: String?
        /// What is wrong and how to fix it.
        public let message: String

        /// `line L, column C (NAME): message`, or the message alone for the whole file.
        public var description: String {
            var place: [String] = []
            if let line { place.append("line \(line)") }
            if let column { place.append("column \(column)" + (columnName.map { " (\($0))" } ?? "")) }
            return place.isEmpty ? message : place.joined(separator: ", ") + ": " + message
        }
    }

    /// The header names, in file order.
    public let columnNames: [String]
    /// The values, row after row (row-major), `rowCount × columnCount` of them.
    public let values: [Double]

    /// The number of columns (features).
    public var columnCount: Int { columnNames.count }
    /// The number of data rows.
    public var rowCount: Int { columnNames.isEmpty ? 0 : values.count / columnNames.count }

    /// Reads a table from CSV text.
    ///
    /// - Throws: ``ParseError`` for an empty input, an empty header name, a row with the
    ///   wrong number of cells, a cell that is not a finite number, or no data rows.
    public init(csv text: String) throws {
        var text = text
        let (names, values) = try text.withUTF8 { try NumericTable.parse($0) }
        self.columnNames = names
        self.values = values
    }

    /// Reads a table from a CSV file.
    ///
    /// - Throws: ``ParseError`` when the file cannot be read, and everything
    ///   ``init(csv:)`` throws.
    public init(contentsOfFile path: String) throws {
        let data: [UInt8]
        do {
            data = try FileIO.read(path)
        } catch let failure as FileIO.Failure {
            // Said as what it is: one larger than memory was "cannot read the file; check that it exists".
            let message = failure.code == EFBIG
                ? "the file is \(FileStatus.of(path)?.size ?? 0) bytes, more than this machine's memory; give a table that fits in it"
                : failure.isNotARegularFile ? "it is not a regular file; give a CSV file"
                : "cannot read the file (\(failure.reason)); check that it exists and is readable"
            throw ParseError(line: nil, column: nil, columnName: nil, message: message)
        }
        let (names, values) = try data.withUnsafeBytes { try NumericTable.parse($0.bindMemory(to: UInt8.self)) }
        self.columnNames = names
        self.values = values
    }

    /// Creates a table from names and row-major values.
    ///
    /// - Precondition: at least one column, and `values.count` a multiple of it.
    public init(columnNames: [String], values: [Double]) {
        precondition(!columnNames.isEmpty && values.count % columnNames.count == 0, "values must fill whole rows")
        self.columnNames = columnNames
        self.values = values
    }

    /// Parses UTF-8 bytes as RFC 4180 CSV (the reader drops, ``CSVReader``): quoted fields,
    /// a leading BOM and blank lines as in every drop. The first problem found, by line, is thrown.
    private static func parse(_ bytes: UnsafeBufferPointer<UInt8>) throws -> ([String], [Double]) {
        // A header row left blank in a spreadsheet saves as `,,`, which the reader skips as a
        // blank line: the first row of numbers became the header and was never scored.
        // The first line that is not blank, after a BOM (Excel's "CSV UTF-8") and blank lines, as the reader finds it.
        let spaces: Set<UInt8> = [UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r")]
        var text = bytes[...]
        if text.starts(with: [0xEF, 0xBB, 0xBF]) { text = text.dropFirst(3) }
        for (i, line) in text.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
            if line.allSatisfy(spaces.contains) { continue }
            if line.contains(UInt8(ascii: ",")), line.allSatisfy({ $0 == UInt8(ascii: ",") || spaces.contains($0) }) {
                throw ParseError(line: i + 1, column: nil, columnName: nil,
                                 message: "the header's names are all empty (a line of commas); name every column in the first row")
            }
            break
        }
        var header: [String]?
        var values: [Double] = []
        var failure: ParseError?
        let problems = CSVReader.read(UnsafeRawBufferPointer(bytes)) { line, fields in
            guard failure == nil else { return }
            let cells = fields.map { String($0.trimmingSpaces) }
            guard let names = header else {
                do { header = try headerNames(cells, line: line) } catch { failure = error as? ParseError }
                return
            }
            guard cells.count == names.count else {
                failure = ParseError(
                    line: line, column: nil, columnName: nil,
                    message: "expected \(names.count) values as in the header, found \(cells.count); every row needs one number per column")
                return
            }
            for (index, text) in cells.enumerated() {
                let shown = text.isEmpty ? "an empty cell" : "\"\(SafeText.visible(text))\""
                guard isDecimal(text), let value = Double(text), value.isFinite else {
                    failure = ParseError(
                        line: line, column: index + 1, columnName: names[index],
                        message: "\(shown) is not a finite number; write a decimal such as 12, -0.5 or 1e-3")
                    return
                }
                // As numpy reads it into float32: finite when it rounds to a finite single (3.4028235e38 does).
                guard Float(value).isFinite else {
                    failure = ParseError(
                        line: line, column: index + 1, columnName: names[index],
                        message: "\(shown) is too large: the forest works in single precision, as scikit-learn's does; "
                            + "values must be within ±3.4e38 (rescale the column)")
                    return
                }
                // Stored as numpy reads it into float32 (scikit-learn's forest fits and scores
                // float32): epoch seconds 60 s apart, one float32, scored 0.91 and 0.45 here and
                // 0.5 each there.
                values.append(Double(Float(value)))
            }
        }
        // The reader's own problems (an unclosed quote, not UTF-8) and ours: the earlier line first.
        let structural = problems.first { $0.line != nil }.map {
            ParseError(line: $0.line, column: $0.column, columnName: nil, message: $0.message)
        }
        if let first = [structural, failure].compactMap({ $0 }).min(by: { ($0.line ?? 0) < ($1.line ?? 0) }) { throw first }
        guard let names = header else {
            throw ParseError(line: nil, column: nil, columnName: nil, message: "the file is empty; it needs a header row and at least one row of numbers")
        }
        guard !values.isEmpty else {
            throw ParseError(line: nil, column: nil, columnName: nil, message: "the file has a header but no rows of numbers")
        }
        return (names, values)
    }

    /// Whether `text` is spelled as a decimal: a sign, digits with at most one point, and an
    /// exponent (`-12.5e-3`); not the hexadecimal, `inf` or `nan` that `Double` also reads.
    static func isDecimal(_ text: String) -> Bool {
        var bytes = Array(text.utf8)[...]
        if let b = bytes.first, b == UInt8(ascii: "+") || b == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
        var digits = 0, points = 0
        while let b = bytes.first, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b) || b == UInt8(ascii: ".") {
            if b == UInt8(ascii: ".") { points += 1 } else { digits += 1 }
            bytes = bytes.dropFirst()
        }
        guard digits > 0, points <= 1 else { return false }
        guard let e = bytes.first else { return true }
        guard e == UInt8(ascii: "e") || e == UInt8(ascii: "E") else { return false }
        bytes = bytes.dropFirst()
        if let b = bytes.first, b == UInt8(ascii: "+") || b == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
        return !bytes.isEmpty && bytes.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
    }

    private static func headerNames(_ cells: [String], line: Int) throws -> [String] {
        var names: [String] = []
        for (index, cell) in cells.enumerated() {
            let name = cell
            guard !name.isEmpty else {
                throw ParseError(
                    line: line, column: index + 1, columnName: nil,
                    message: "the header has an empty column name; name every column")
            }
            names.append(name)
        }
        return names
    }
}
