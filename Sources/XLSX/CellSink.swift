/// Where cells in made formats are written: a ``Worksheet`` through libxlsxwriter, or a
/// block of its rows built as XML (``SheetRows``). Code that writes a row writes it to either.
public protocol CellSink {
    mutating func write(text: String, row: Int, column: Int, format: CellFormat) throws
    mutating func write(number: Double, row: Int, column: Int, format: CellFormat) throws
    mutating func write(formula: String, cachedValue: Double, row: Int, column: Int, format: CellFormat) throws
}

extension Worksheet: CellSink {}
