internal import CCSV

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The one owner of a libcsv parser: feeds it a drop one physical line at a time and
/// collects the records it finishes, each with the line on which it started.
///
/// libcsv runs in strict mode (`CSV_STRICT | CSV_STRICT_FINI`), so a stray quote, a
/// character after a closing quote and a quoted field left open at the end of the file
/// are errors; they become a ``CSVProblem`` as soon as libcsv reports them. Spaces are
/// part of a field (RFC 4180): libcsv is told that no character is a space (wherever a
/// space or tab occurs), so it neither trims fields nor skips spaces around quotes.
///
/// libcsv calls back with each finished field and record; the parser passes itself
/// through libcsv's `void *` context with `Unmanaged`. A field that is not valid UTF-8
/// or is longer than `maxFieldBytes` becomes a problem at its record's line and field
/// index, and its record is not kept. libcsv gathers a whole field before handing it
/// over, so while a field grows past the limit the parser discards what libcsv has
/// gathered of it: memory stays near `maxFieldBytes` whatever the field's length.
///
/// Records wait in the parser until ``deliverRecords(to:)`` hands them on, so that the
/// caller's code runs outside libcsv's callbacks and may throw. Their fields wait as bytes in
/// one buffer reused from line to line: a million rows make no allocation per field.
final class CSVParser {
    /// A finished record: the physical line on which it starts and where its fields are.
    struct Record {
        /// The 1-based physical line on which the record's first field starts.
        let line: Int
        /// Its first field's index in `fields`.
        let firstField: Int
        /// How many fields it has.
        let fieldCount: Int
    }

    /// libcsv's state before the first field of a record (`ROW_NOT_BEGUN` in libcsv.c).
    private static let rowNotBegun: Int32 = 0

    /// The most bytes handed to libcsv in one call; a longer line is fed in pieces so
    /// that an oversized field is noticed, and discarded, while it grows.
    private static let chunkBytes = 65_536

    // The state below is touched for every field libcsv hands over. Its accesses never
    // overlap: libcsv's callbacks touch it only from inside `csv_parse` and `csv_fini`,
    // which are given `parser` alone. So Swift's run-time exclusivity checks, a fifth of
    // the time of a large read, are turned off for it.

    /// The libcsv parser state, owned here and freed in `deinit`.
    @exclusivity(unchecked) private var parser: csv_parser
    /// The longest field accepted, in bytes.
    private let maxFieldBytes: Int

    /// Records finished and not yet delivered, oldest first.
    @exclusivity(unchecked) private var records: [Record] = []

    /// Problems with single fields (not UTF-8, too long), in file order.
    private(set) var problems: [CSVProblem] = []

    /// The fields kept, of records waiting and of the record being read, end to end (quotes
    /// removed, doubled quotes undone); a field ends where the next one starts.
    private let fields = FieldStore()
    /// The first field of the record being read, in `fields`.
    @exclusivity(unchecked) private var recordFirstField = 0
    /// Where the record being read starts in `fields`' bytes.
    @exclusivity(unchecked) private var recordFirstByte = 0
    /// Fields of the record being read that have ended, kept or not.
    @exclusivity(unchecked) private var fieldCount = 0
    /// Whether a field of the record being read was bad, so the record is not kept.
    @exclusivity(unchecked) private var recordIsBroken = false
    /// The physical line being fed.
    @exclusivity(unchecked) private var currentLine = 0
    /// The physical line on which the record being read starts.
    @exclusivity(unchecked) private var recordLine = 0
    /// The physical line on which the field being read starts.
    @exclusivity(unchecked) private var fieldLine = 0
    /// Bytes of the field being read that were discarded because it is too long.
    @exclusivity(unchecked) private var discardedBytes = 0
    /// Records libcsv has ended so far, kept or not (counted on the hot path, as the fields above).
    @exclusivity(unchecked) private(set) var recordsEnded = 0
    /// Records of the line being fed that libcsv ended at a carriage return: one, at its end,
    /// on a CRLF line; any other is a bare CR, which libcsv also takes for a line ending.
    @exclusivity(unchecked) private var endedAtCarriageReturn = 0
    /// Records waiting when the line being fed began: those after it were ended in this line.
    @exclusivity(unchecked) private var recordsBeforeLine = 0
    /// Whether every line fed since the record being read began is ASCII: then so is every
    /// field it ends, which is UTF-8 without a look of its own.
    @exclusivity(unchecked) private var recordIsASCII = true

    /// Creates a parser that reports fields longer than `maxFieldBytes` bytes.
    ///
    /// Wraps `csv_init` with `CSV_STRICT | CSV_STRICT_FINI`.
    init(maxFieldBytes: Int) throws(CSVProblem) {
        precondition(maxFieldBytes >= 0, "maxFieldBytes must not be negative")
        self.maxFieldBytes = maxFieldBytes
        self.parser = csv_parser()
        let status = withUnsafeMutablePointer(to: &parser) { Self.start($0) }
        guard status == 0 else {
            throw CSVProblem(
                line: nil, column: nil,
                message: "the CSV reader could not start (\(Self.describe(CSV_EINVALID))); "
                    + "try again, and report it if it persists")
        }
    }

    /// Readies libcsv's state: strict, and growing its field buffer a chunk at a time.
    /// Returns `csv_init`'s status (non-zero only for options it does not know).
    private static func start(_ parser: UnsafeMutablePointer<csv_parser>) -> Int32 {
        let status = csv_init(parser, UInt8(CSV_STRICT | CSV_STRICT_FINI))
        if status == 0 { csv_set_blk_size(parser, chunkBytes) }
        return status
    }

    deinit {
        withUnsafeMutablePointer(to: &parser) { parser in
            csv_free(parser)
        }
    }

    /// The bytes libcsv holds to gather the field being read (`csv_get_buffer_size`).
    var gatheringBufferBytes: Int {
        withUnsafeMutablePointer(to: &parser) { parser in csv_get_buffer_size(parser) }
    }

    /// Finished records not yet handed over by ``deliverRecords(to:)``.
    var waitingRecords: Int { records.count }

    /// Whether libcsv is between records, so the next line starts a new one.
    var isBetweenRecords: Bool {
        parser.pstate == Self.rowNotBegun
    }

    /// Feeds one physical line, with its line ending, to libcsv.
    ///
    /// Records the line finishes wait for ``deliverRecords(to:)``. Wraps `csv_parse`.
    ///
    /// - Parameters:
    ///   - line: The line's bytes, ending with `\n` unless it is the file's last line.
    ///   - number: The line's 1-based number in the file.
    /// - Throws: A ``CSVProblem`` at this line when libcsv stops: a stray quote, a
    ///   character after a closing quote, or (rarely) memory exhausted. The record is then
    ///   broken: ``abandonRecord()`` before feeding the next line.
    func feed(_ line: UnsafeRawBufferPointer, number: Int) throws(CSVProblem) {
        currentLine = number
        endedAtCarriageReturn = 0
        recordsBeforeLine = records.count
        defer { noteBareCarriageReturn(in: line) }
        if isBetweenRecords {
            recordLine = number
            fieldLine = number
            recordIsASCII = true
        }
        // One look at the line instead of one a field: a drop's lines are mostly all ASCII.
        recordIsASCII = recordIsASCII && Self.isASCII(line.assumingMemoryBound(to: UInt8.self))
        guard let base = line.baseAddress else { return }
        let context = Unmanaged.passUnretained(self).toOpaque()
        var offset = 0
        while offset < line.count {
            let length = min(line.count - offset, Self.chunkBytes)
            let spaced =
                memchr(base + offset, Int32(UInt8(ascii: " ")), length) != nil
                || memchr(base + offset, Int32(UInt8(ascii: "\t")), length) != nil
            let used = withUnsafeMutablePointer(to: &parser) { parser in
                // libcsv asks its space test about most bytes, and a call a byte through a
                // function pointer costs a sixth of the whole read. Its built-in test (no
                // function set) takes only space and tab for spaces, so where neither
                // occurs it answers as `noCharacterIsASpace` does, without the calls.
                csv_set_space_func(parser, spaced ? noCharacterIsASpace : nil)
                return csv_parse(
                    parser, base + offset, length, csvParserDidEndField, csvParserDidEndRecord, context)
            }
            if used < length {
                throw stopProblem(at: offset + used, in: line)
            }
            offset += length
            discardOversizedField()
        }
    }

    /// Forgets the record libcsv stopped in (a structural problem), so that reading goes on
    /// at the next line: libcsv starts afresh and the fields gathered for that record go.
    func abandonRecord() {
        withUnsafeMutablePointer(to: &parser) { parser in
            csv_free(parser)
            _ = Self.start(parser)  // the options `init` started it with: it cannot fail now
        }
        fields.removeFields(from: recordFirstField, bytesFrom: recordFirstByte)
        fieldCount = 0
        recordIsBroken = false
        discardedBytes = 0
    }

    /// Tells libcsv the file has ended, finishing a last record that has no line ending.
    ///
    /// Wraps `csv_fini`.
    ///
    /// - Throws: A ``CSVProblem`` at the line where a quoted field opens when the file
    ///   ends before its closing quote.
    func finish() throws(CSVProblem) {
        let context = Unmanaged.passUnretained(self).toOpaque()
        let status = withUnsafeMutablePointer(to: &parser) { parser in
            csv_fini(parser, csvParserDidEndField, csvParserDidEndRecord, context)
        }
        guard status == 0 else {
            throw CSVProblem(
                line: fieldLine, column: fieldCount + 1,
                message: "a quoted field is never closed: the file ends inside the field that "
                    + "opens with a double quote (\") here. End the field with a closing double "
                    + "quote, and write a double quote inside a quoted field as two (\"\")")
        }
    }

    /// Hands each finished record to `body`, oldest first, and forgets it.
    ///
    /// - Parameter body: Called with the record's start line and its fields, which are
    ///   valid only during the call; an error it throws stops the delivery and propagates.
    func deliverRecords(to body: (_ line: Int, _ fields: CSVFields) throws -> Void) rethrows {
        guard !records.isEmpty else { return }
        defer { forgetDelivered() }
        try fields.withBuffers { bytes, starts in
            for record in records {
                let after = record.firstField + record.fieldCount
                let fields = CSVFields(
                    bytes: bytes, starts: UnsafeBufferPointer(rebasing: starts[record.firstField..<after]),
                    end: after < starts.count ? starts[after] : bytes.count)
                try body(record.line, fields)
            }
        }
    }

    /// Drops the delivered records' bytes, keeping the fields of a record still being read
    /// (a quoted field that spans lines) at the front of the buffer.
    private func forgetDelivered() {
        records.removeAll(keepingCapacity: true)
        if recordFirstField < fields.fieldCount {
            fields.removeFirst(fields: recordFirstField, bytes: recordFirstByte)
        } else {
            fields.removeAll()
        }
        recordFirstField = 0
        recordFirstByte = 0
    }

    // MARK: - libcsv callbacks

    /// Takes a field libcsv has finished: keeps its bytes or reports why not.
    fileprivate func endField(_ start: UnsafeRawPointer?, count: Int) {
        fieldCount += 1
        let length = discardedBytes + count
        discardedBytes = 0
        fieldLine = currentLine
        if length > maxFieldBytes {
            report(
                "the field is \(length) bytes long; a field may be at most "
                    + "\(maxFieldBytes) bytes. If the field was meant to be short, look for a "
                    + "quoted field whose closing double quote is missing")
            return
        }
        let bytes = UnsafeBufferPointer(start: start?.assumingMemoryBound(to: UInt8.self), count: count)
        guard recordIsASCII || Self.isUTF8(bytes) else {
            report(
                "the field is not UTF-8 text (\(Self.firstInvalidByte(in: bytes))). "
                    + "Save the file as UTF-8, e.g. as \"CSV UTF-8 (Comma delimited)\" in Excel")
            return
        }
        if !recordIsBroken {
            fields.append(start, count: count)
        }
    }

    /// SPEC §2: lines end in LF or CRLF. A row ended by a CR that is not the one before the
    /// line's LF (an old Mac file, or a stray CR outside quotes) is a problem at that line.
    private func noteBareCarriageReturn(in line: UnsafeRawBufferPointer) {
        guard endedAtCarriageReturn > 0 else { return }
        let endsInCRLF = line.count >= 2 && line[line.count - 2] == 13 && line[line.count - 1] == 10
        guard endedAtCarriageReturn > 1 || !endsInCRLF else { return }
        // The pieces libcsv cut the line into are not rows: judged as rows, their field counts
        // would be reported before the cause.
        records.removeSubrange(min(recordsBeforeLine, records.count)...)
        problems.append(CSVProblem(line: currentLine, column: nil, message:
            "a row ends in a carriage return (CR) with no line feed (LF) after it; lines end in LF or CRLF. "
                + "Save the file again as CSV, e.g. as \"CSV UTF-8 (Comma delimited)\" in Excel"))
    }

    /// Takes the end of a record: keeps it unless one of its fields was bad.
    fileprivate func endRecord(terminator: Int32) {
        recordsEnded += 1
        if terminator == 13 { endedAtCarriageReturn += 1 }
        if recordIsBroken {
            fields.removeFields(from: recordFirstField, bytesFrom: recordFirstByte)
        } else {
            records.append(Record(line: recordLine, firstField: recordFirstField,
                                  fieldCount: fields.fieldCount - recordFirstField))
        }
        recordFirstField = fields.fieldCount
        recordFirstByte = fields.byteCount
        fieldCount = 0
        recordIsBroken = false
        recordLine = currentLine
        fieldLine = currentLine
    }

    /// Whether a field's bytes are UTF-8.
    ///
    /// Most fields of a drop are ASCII: those are checked eight bytes at a time; others go
    /// through the standard library's validation.
    private static func isUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        isASCII(bytes) || String(validating: bytes, as: UTF8.self) != nil
    }

    /// Whether every byte is below 0x80.
    private static func isASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        let raw = UnsafeRawPointer(base)
        let highBits: UInt64 = 0x8080_8080_8080_8080
        var offset = 0
        var seen: UInt64 = 0
        while offset + 8 <= bytes.count {
            seen |= raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            offset += 8
        }
        while offset < bytes.count {
            seen |= UInt64(bytes[offset])
            offset += 1
        }
        return seen & highBits == 0
    }

    // MARK: - Problems

    /// Records a problem with the field just ended and drops its record.
    private func report(_ message: String) {
        recordIsBroken = true
        problems.append(CSVProblem(line: recordLine, column: fieldCount, message: message))
    }

    /// The problem for a `csv_parse` call that stopped at `index` of `line`.
    private func stopProblem(at index: Int, in line: UnsafeRawBufferPointer) -> CSVProblem {
        let status = withUnsafeMutablePointer(to: &parser) { parser in csv_error(parser) }
        let column = fieldCount + 1
        guard status == CSV_EPARSE, index < line.count else {
            return CSVProblem(
                line: currentLine, column: column,
                message: "the file could not be read here (\(Self.describe(status))); "
                    + "try again with more memory free, or split the file")
        }
        let byte = line[index]
        let place = "byte \(index + 1) of the line"
        if byte == UInt8(ascii: "\"") {
            return CSVProblem(
                line: currentLine, column: column,
                message: "a double quote appears inside a field that does not start with one "
                    + "(\(place)). A field that contains a double quote must be enclosed in "
                    + "double quotes, with each quote inside it written twice, e.g. "
                    + "\"12\"\" film\"")
        }
        return CSVProblem(
            line: currentLine, column: column,
            message: "\(Self.name(of: byte)) follows the closing double quote of a quoted field "
                + "(\(place)); a closing quote must be followed by a comma or the end of the line. "
                + "A double quote inside a quoted field is written twice (\"\")")
    }

    // MARK: - Memory bound

    /// Discards what libcsv has gathered of a field that is already too long.
    ///
    /// Works on the gathering buffer `csv.h` declares in `struct csv_parser`
    /// (`entry_buf`, `entry_pos`), which `csv_parse` leaves settled between calls. The
    /// last gathered byte is kept: when libcsv has just seen a quote inside a quoted
    /// field it has stored that quote and removes it again if the field ends there.
    /// libcsv also strips trailing spaces it has counted, but here it never counts any.
    /// Only a field already more than one byte over the limit is cut, so a field that
    /// was cut is always reported as too long.
    private func discardOversizedField() {
        let gathered = parser.entry_pos
        guard gathered > maxFieldBytes + 1, let buffer = parser.entry_buf else { return }
        buffer[0] = buffer[gathered - 1]
        parser.entry_pos = 1
        discardedBytes += gathered - 1
    }

    // MARK: - Wording

    /// libcsv's own description of a status code (`csv_strerror`).
    private static func describe(_ status: Int32) -> String {
        guard let text = csv_strerror(status) else { return "libcsv status \(status)" }
        return String(cString: text)
    }

    /// Where the first byte that breaks UTF-8 is, e.g. `byte 0xE9 at byte 4 of the field`.
    private static func firstInvalidByte(in bytes: UnsafeBufferPointer<UInt8>) -> String {
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        var offset = 0
        while case .scalarValue(let scalar) = decoder.decode(&iterator) {
            offset += UTF8.width(scalar)
        }
        guard offset < bytes.count else { return "an invalid byte sequence" }
        let hex = String(bytes[offset], radix: 16, uppercase: true)
        return "byte 0x\(hex.count == 1 ? "0" + hex : hex) at byte \(offset + 1) of the field"
    }

    /// How a message names one byte of the file: `'x'`, `a space`, or `the byte 0x0B`.
    private static func name(of byte: UInt8) -> String {
        switch byte {
        case UInt8(ascii: " "):
            return "a space"
        case UInt8(ascii: "\t"):
            return "a tab"
        case 0x21...0x7E:
            return "'\(Character(Unicode.Scalar(byte)))'"
        default:
            let hex = String(byte, radix: 16, uppercase: true)
            return "the byte 0x\(hex.count == 1 ? "0" + hex : hex)"
        }
    }
}

/// libcsv's space test: no character is a space, so fields keep their spaces.
private func noCharacterIsASpace(_ character: UInt8) -> Int32 {
    0
}

/// libcsv's field callback: hands the field to the parser passed as `context`.
private func csvParserDidEndField(
    _ start: UnsafeMutableRawPointer?, _ count: Int, _ context: UnsafeMutableRawPointer?
) {
    guard let context else { return }
    Unmanaged<CSVParser>.fromOpaque(context)._withUnsafeGuaranteedRef { $0.endField(start, count: count) }
}

/// libcsv's record callback: tells the parser passed as `context` that a record ended.
private func csvParserDidEndRecord(_ terminator: Int32, _ context: UnsafeMutableRawPointer?) {
    guard let context else { return }
    Unmanaged<CSVParser>.fromOpaque(context)._withUnsafeGuaranteedRef { $0.endRecord(terminator: terminator) }
}
