internal import CXLSXWriter

/// A workbook that could not be built or saved: what went wrong, where, and what to do.
///
/// Every failure reported by libxlsxwriter becomes an `XLSXError` at the call that
/// caused it, described with the library's own `lxw_strerror` text. Mistakes the
/// library would only warn about on standard error (a bad sheet name, a number Excel
/// cannot store, a cell outside the sheet) are caught before the C call and reported
/// the same way.
///
/// ```
/// cannot write workbook Outbox/2026-10/review.xlsx, sheet "Flags" cell B7: …
/// ```
public struct XLSXError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What kind of mistake this is.
    public enum Code: String, Sendable, Equatable {
        /// A sheet name Excel does not accept, or one already used in the workbook.
        case invalidSheetName
        /// A row or column outside the sheet, or a range whose corners are swapped.
        case invalidCell
        /// A value Excel cannot store: not finite, or text too long.
        case invalidValue
        /// A cell style whose number format cannot be built.
        case invalidStyle
        /// A document property or custom property Excel does not accept.
        case invalidProperty
        /// A table whose name or headers Excel does not accept.
        case invalidTable
        /// A chart whose series are missing or do not fit their ranges.
        case invalidChart
        /// The workbook was used after it was saved or discarded.
        case closedWorkbook
        /// The file could not be written.
        case saveFailed
        /// libxlsxwriter reported any other failure.
        case library
    }

    /// What kind of mistake this is.
    public let code: Code
    /// The workbook file being written.
    public let path: String
    /// Where in the workbook, e.g. `sheet "Lines" cell B7`; `nil` for the whole file.
    public let location: String?
    /// What went wrong.
    public let message: String
    /// What to change so that the write succeeds, when there is something to say.
    public let remedy: String?
    /// The libxlsxwriter `lxw_error` number, when the C library reported the failure.
    public let libraryCode: Int?

    /// Creates an error; `location` and `remedy` are optional.
    public init(
        code: Code, path: String, location: String? = nil, message: String,
        remedy: String? = nil, libraryCode: Int? = nil
    ) {
        self.code = code
        self.path = path
        self.location = location
        self.message = message
        self.remedy = remedy
        self.libraryCode = libraryCode
    }

    /// The same error naming `path` instead: the document a hidden temporary file was for.
    public func naming(_ path: String) -> XLSXError {
        XLSXError(code: code, path: path, location: location, message: message, remedy: remedy, libraryCode: libraryCode)
    }

    /// One line: the file, the place in it, what went wrong and what to do.
    public var description: String {
        var text = "cannot write workbook \(path)"
        if let location { text += ", \(location)" }
        text += ": \(message)"
        if let remedy { text += "; \(remedy)" }
        return text
    }
}

extension XLSXError {
    /// Turns a libxlsxwriter result into an error, or `nil` when it is `LXW_NO_ERROR`.
    ///
    /// The message is the library's `lxw_strerror` text, prefixed with the C function
    /// that failed; the remedy depends on the error number.
    static func check(
        _ result: lxw_error, _ function: String, path: String, location: String? = nil
    ) -> XLSXError? {
        guard result != LXW_NO_ERROR else { return nil }
        var text = lxw_strerror(result).map { String(cString: $0) } ?? "unknown error"
        if text.hasSuffix(".") { text.removeLast() }
        let (code, remedy) = classify(result)
        return XLSXError(
            code: code, path: path, location: location,
            message: "\(function) failed: \(text)",
            remedy: remedy, libraryCode: Int(result.rawValue))
    }

    /// The error code and the advice that go with a libxlsxwriter error number.
    private static func classify(_ result: lxw_error) -> (Code, String?) {
        switch result {
        case LXW_ERROR_CREATING_XLSX_FILE:
            return (.saveFailed, "check that the folder exists and is writable")
        case LXW_ERROR_CREATING_TMPFILE, LXW_ERROR_READING_TMPFILE:
            return (.saveFailed, "check that the temporary folder (TMPDIR) exists, is writable and has free space")
        case LXW_ERROR_ZIP_FILE_OPERATION, LXW_ERROR_ZIP_FILE_ADD, LXW_ERROR_ZIP_CLOSE,
            LXW_ERROR_ZIP_BAD_ZIP_FILE, LXW_ERROR_ZIP_INTERNAL_ERROR, LXW_ERROR_ZIP_PARAMETER_ERROR:
            return (.saveFailed, "check the free space on the disk holding the file")
        case LXW_ERROR_SHEETNAME_LENGTH_EXCEEDED, LXW_ERROR_INVALID_SHEETNAME_CHARACTER,
            LXW_ERROR_SHEETNAME_START_END_APOSTROPHE, LXW_ERROR_SHEETNAME_ALREADY_USED:
            return (.invalidSheetName, Worksheet.nameRule)
        case LXW_ERROR_WORKSHEET_INDEX_OUT_OF_RANGE:
            return (.invalidCell, "a sheet has rows 0–1,048,575 and columns 0–16,383")
        case LXW_ERROR_MAX_STRING_LENGTH_EXCEEDED:
            return (.invalidValue, "a cell holds at most 32,767 characters")
        case LXW_ERROR_255_STRING_LENGTH_EXCEEDED, LXW_ERROR_128_STRING_LENGTH_EXCEEDED,
            LXW_ERROR_32_STRING_LENGTH_EXCEEDED:
            return (.invalidValue, "shorten the text")
        case LXW_ERROR_MEMORY_MALLOC_FAILED:
            return (.library, "the machine ran out of memory")
        default:
            return (.library, nil)
        }
    }
}
