/// One thing wrong with a CSV drop, at the place where a person can find and fix it.
///
/// A problem names the physical line (1-based, counting every line of the file, blank
/// ones and the lines inside quoted fields too) and the field within the record
/// (1-based) when they are known. Its message says what is wrong and what a valid file
/// looks like there, so that finance staff can correct the file without help.
public struct CSVProblem: Error, Equatable, CustomStringConvertible {
    /// The 1-based physical line, or `nil` for a problem with the file as a whole.
    public let line: Int?

    /// The 1-based index of the field within its record, or `nil` when not known.
    public let column: Int?

    /// What is wrong, and what a valid file looks like.
    public let message: String

    /// Creates a problem at a place in the file.
    ///
    /// - Parameters:
    ///   - line: The 1-based physical line, `nil` for file-level problems.
    ///   - column: The 1-based field index within the record, `nil` if unknown.
    ///   - message: What is wrong and what a valid file looks like.
    public init(line: Int?, column: Int?, message: String) {
        self.line = line
        self.column = column
        self.message = message
    }

    /// `line L, column C: message`, leaving out the parts that are not known.
    public var description: String {
        switch (line, column) {
        case (let line?, let column?):
            return "line \(line), column \(column): \(message)"
        case (let line?, nil):
            return "line \(line): \(message)"
        case (nil, let column?):
            return "column \(column): \(message)"
        case (nil, nil):
            return message
        }
    }
}
