import Foundation

/// A numeric CSV table: a header row naming the columns, then rows of finite numbers,
/// every column a feature. The input of `recon outliers`.
///
/// The reader is deliberately plain and fast (it walks the bytes once): comma separated,
/// LF or CRLF, a leading UTF-8 BOM dropped, blank lines skipped, spaces around a field
/// ignored, header names optionally in double quotes. A value is anything Swift reads as a finite `Double` (`3`, `-0.25`,
/// `1e-3`); `nan`, `inf`, empty cells and text are rejected with their line and column.
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
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ParseError(line: nil, column: nil, columnName: nil, message: "cannot read the file; check that it exists and is readable")
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

    /// Parses UTF-8 bytes, line by line, without building a string per line.
    private static func parse(_ bytes: UnsafeBufferPointer<UInt8>) throws -> ([String], [Double]) {
        var header: [String]?
        var values: [Double] = []
        var lineNumber = 0
        var lineStart = 0
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { lineStart = 3 }
        while lineStart < bytes.count {
            lineNumber += 1
            var lineEnd = lineStart
            while lineEnd < bytes.count, bytes[lineEnd] != UInt8(ascii: "\n") { lineEnd += 1 }
            let next = lineEnd + 1
            if lineEnd > lineStart, bytes[lineEnd - 1] == UInt8(ascii: "\r") { lineEnd -= 1 }
            defer { lineStart = next }
            let line = UnsafeBufferPointer(rebasing: bytes[lineStart..<lineEnd])
            if line.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }) { continue }
            let cells = line.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false).map(trimmed)
            guard let names = header else {
                header = try headerNames(cells.map { String(decoding: $0, as: UTF8.self) }, line: lineNumber)
                continue
            }
            guard cells.count == names.count else {
                throw ParseError(
                    line: lineNumber, column: nil, columnName: nil,
                    message: "expected \(names.count) values as in the header, found \(cells.count); every row needs one number per column")
            }
            for (index, cell) in cells.enumerated() {
                let text = String(decoding: cell, as: UTF8.self)
                guard let value = Double(text), value.isFinite else {
                    let shown = text.isEmpty ? "an empty cell" : "\"\(text)\""
                    throw ParseError(
                        line: lineNumber, column: index + 1, columnName: names[index],
                        message: "\(shown) is not a finite number; write a decimal such as 12, -0.5 or 1e-3")
                }
                values.append(value)
            }
        }
        guard let names = header else {
            throw ParseError(line: nil, column: nil, columnName: nil, message: "the file is empty; it needs a header row and at least one row of numbers")
        }
        guard !values.isEmpty else {
            throw ParseError(line: nil, column: nil, columnName: nil, message: "the file has a header but no rows of numbers")
        }
        return (names, values)
    }

    /// A cell without the spaces and tabs around it.
    private static func trimmed(_ cell: Slice<UnsafeBufferPointer<UInt8>>) -> Slice<UnsafeBufferPointer<UInt8>> {
        let blank = { (byte: UInt8) in byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        guard let first = cell.firstIndex(where: { !blank($0) }), let last = cell.lastIndex(where: { !blank($0) }) else {
            return cell[cell.startIndex..<cell.startIndex]
        }
        return cell[first...last]
    }

    private static func headerNames(_ cells: [String], line: Int) throws -> [String] {
        var names: [String] = []
        for (index, cell) in cells.enumerated() {
            var name = cell
            if name.count >= 2, name.hasPrefix("\""), name.hasSuffix("\"") {
                name = String(name.dropFirst().dropLast())
            }
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
