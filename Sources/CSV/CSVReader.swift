#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads the records of a CSV drop: RFC 4180, UTF-8, LF or CRLF line endings, comma
/// separated.
///
/// - A leading UTF-8 byte order mark is dropped.
/// - Blank lines (nothing, or only spaces, tabs and commas, outside a quoted field) are
///   skipped wherever they are: a spreadsheet saves the formatted but empty rows below its
///   data as `,,,,`, which hold no value.
/// - Fields are delivered as written: spaces are kept, quotes around a field are
///   removed and doubled quotes inside it undone. A quoted field may span lines.
/// - Every record is delivered with the physical line on which it starts, counting
///   blank lines and the lines inside quoted fields.
/// - Records are delivered with however many fields they have: checking the header and
///   field counts is the reader's caller's work.
///
/// The first record is the header row; the reader does not treat it specially.
public enum CSVReader {
    /// Reads a whole file's bytes, handing each record to `record` in file order.
    ///
    /// A stray quote or a character after a closing quote is reported at its line and
    /// field; that record is not delivered, and reading goes on at the next line, so every
    /// problem of a file is listed (in the first record, the header, it ends the read). A
    /// quoted field left open runs to the end of the file: it is the last problem. A field
    /// that is not valid UTF-8 or is longer than `maxFieldBytes` bytes is reported at its
    /// record's line and its field index, and that record is not delivered, but reading
    /// goes on. A file with no record (no bytes, or only a byte order mark and blank lines)
    /// is a file-level problem.
    ///
    /// - Parameters:
    ///   - bytes: The file's bytes.
    ///   - maxFieldBytes: The longest field accepted, in bytes (not counting quotes).
    ///   - record: Called with the 1-based physical line on which the record starts and
    ///     its fields. It may throw to stop reading; the error propagates.
    /// - Returns: The problems found, in file order; empty when the file is clean.
    public static func read(
        _ bytes: UnsafeRawBufferPointer, maxFieldBytes: Int = 65_536,
        record: (_ line: Int, _ fields: [String]) throws -> Void
    ) rethrows -> [CSVProblem] {
        try readFields(bytes, maxFieldBytes: maxFieldBytes) { line, fields in try record(line, fields.strings) }
    }

    /// How many finished records wait before they are handed over.
    static let recordsPerDelivery = 256

    /// ``read(_:maxFieldBytes:record:)``, handing each record's fields over as bytes that
    /// are valid only during the call to `record` (no `String` made per field).
    ///
    /// `part` says where the bytes lie in their file; lines are numbered from the part's first.
    public static func readFields(
        _ bytes: UnsafeRawBufferPointer, maxFieldBytes: Int = 65_536, part: CSVPart = .fileStart,
        record: (_ line: Int, _ fields: CSVFields) throws -> Void
    ) rethrows -> [CSVProblem] {
        let parser: CSVParser
        do throws(CSVProblem) {
            parser = try CSVParser(maxFieldBytes: maxFieldBytes)
        } catch {
            return [error]
        }
        let startsFile = part == .fileStart
        guard let base = bytes.baseAddress else { return startsFile ? [emptyFile] : [] }

        var start = startsFile && hasByteOrderMark(bytes) ? 3 : 0
        var lineNumber = 0
        var sawRecord = false
        // Where libcsv stopped, in file order; the field problems are the parser's.
        var stops: [CSVProblem] = []
        while start < bytes.count {
            lineNumber += 1
            let end: Int
            if let newline = memchr(base + start, Int32(UInt8(ascii: "\n")), bytes.count - start) {
                end = base.distance(to: UnsafeRawPointer(newline)) + 1
            } else {
                end = bytes.count
            }
            let line = UnsafeRawBufferPointer(rebasing: bytes[start..<end])
            start = end
            if parser.isBetweenRecords && isBlank(line) { continue }
            sawRecord = true
            do throws(CSVProblem) {
                try parser.feed(line, number: lineNumber)
            } catch {
                stops.append(error)
                // Without its first record (the header) the file cannot be read past it.
                guard parser.recordsEnded > 0 || !startsFile else {
                    try parser.deliverRecords(to: record)
                    return inFileOrder(parser.problems, stops)
                }
                parser.abandonRecord()
                continue
            }
            // Records are handed over a batch at a time, not a line at a time: the buffers'
            // bookkeeping is then done a few thousand times for a million rows, not a million.
            if parser.waitingRecords >= recordsPerDelivery { try parser.deliverRecords(to: record) }
        }
        guard sawRecord || !startsFile else { return [emptyFile] }
        try parser.deliverRecords(to: record)
        do throws(CSVProblem) {
            try parser.finish()
        } catch {
            stops.append(error)
        }
        try parser.deliverRecords(to: record)
        return inFileOrder(parser.problems, stops)
    }

    /// Two lists of problems, each in file order, as one (by line; at one line, `a`'s first).
    private static func inFileOrder(_ a: [CSVProblem], _ b: [CSVProblem]) -> [CSVProblem] {
        guard !b.isEmpty else { return a }
        var out: [CSVProblem] = []
        out.reserveCapacity(a.count + b.count)
        var i = 0, j = 0
        while i < a.count || j < b.count {
            if j == b.count || (i < a.count && (a[i].line ?? 0) <= (b[j].line ?? 0)) {
                out.append(a[i])
                i += 1
            } else {
                out.append(b[j])
                j += 1
            }
        }
        return out
    }

    /// Reads the file at `path`, handing each record to `record` in file order.
    ///
    /// Reads the whole file into memory, then reads it as ``read(_:maxFieldBytes:record:)``
    /// does.
    ///
    /// - Parameters:
    ///   - path: The file to read.
    ///   - maxFieldBytes: The longest field accepted, in bytes (not counting quotes).
    ///   - record: Called with the 1-based physical line on which the record starts and
    ///     its fields. It may throw to stop reading; the error propagates.
    /// - Returns: The problems found, in file order; empty when the file is clean.
    /// - Throws: A file-level ``CSVProblem`` when the file cannot be opened or read, or
    ///   the error `record` throws.
    public static func read(
        contentsOf path: String, maxFieldBytes: Int = 65_536,
        record: (_ line: Int, _ fields: [String]) throws -> Void
    ) throws -> [CSVProblem] {
        try withContents(of: path) { bytes in
            try read(bytes, maxFieldBytes: maxFieldBytes, record: record)
        }
    }

    /// The problem for a file without a single record.
    static let emptyFile = CSVProblem(
        line: nil, column: nil,
        message: "the file is empty: a drop is a UTF-8 CSV file whose first line is a header "
            + "row naming its columns, separated by commas, followed by one line per row")

    /// Whether `bytes` start with the UTF-8 byte order mark EF BB BF.
    private static func hasByteOrderMark(_ bytes: UnsafeRawBufferPointer) -> Bool {
        bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF
    }

    /// Whether a line holds nothing but spaces, tabs, commas and its line ending (LF or CRLF):
    /// a carriage return anywhere else is a line ending SPEC §2 does not allow, for the parser
    /// to reject as it does in any other line.
    private static func isBlank(_ line: UnsafeRawBufferPointer) -> Bool {
        var end = line.count
        if end > 0 && line[end - 1] == UInt8(ascii: "\n") {
            end -= 1
            if end > 0 && line[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        }
        for byte in line[..<end] {
            switch byte {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: ","):
                continue
            default:
                return false
            }
        }
        return true
    }

    /// Reads the whole file at `path` and passes its bytes to `body`.
    private static func withContents<Result>(
        of path: String, _ body: (UnsafeRawBufferPointer) throws -> Result
    ) throws -> Result {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw readProblem(path, errno) }
        defer { close(descriptor) }

        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw readProblem(path, errno) }
        var capacity = max(Int(status.st_size), 0) + 1
        var buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 1)
        defer { buffer.deallocate() }

        var count = 0
        while true {
            if count == capacity {
                capacity *= 2
                let larger = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 1)
                larger.copyMemory(from: UnsafeRawBufferPointer(rebasing: buffer[..<count]))
                buffer.deallocate()
                buffer = larger
            }
            guard let free = buffer.baseAddress.map({ $0 + count }) else { break }
            let got = readSome(descriptor, free, capacity - count)
            if got == 0 { break }
            if got < 0 {
                if errno == EINTR { continue }
                throw readProblem(path, errno)
            }
            count += got
        }
        return try body(UnsafeRawBufferPointer(rebasing: buffer[..<count]))
    }

    /// The file-level problem for a file that cannot be opened or read.
    private static func readProblem(_ path: String, _ code: Int32) -> CSVProblem {
        CSVProblem(
            line: nil, column: nil,
            message: "cannot read the file \(path): \(String(cString: strerror(code))). "
                + "Check that it exists, is a file and can be read")
    }
}

/// `read(2)`: reads up to `count` bytes of `descriptor` into `buffer`.
private func readSome(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    Glibc.read(descriptor, buffer, count)
    #elseif canImport(Musl)
    Musl.read(descriptor, buffer, count)
    #else
    Darwin.read(descriptor, buffer, count)
    #endif
}
