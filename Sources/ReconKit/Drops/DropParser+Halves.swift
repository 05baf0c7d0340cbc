import CSV
import Dispatch

/// A large usage drop is read in two halves on two cores: the header line is read first, the
/// rest is cut at a line end that lies outside any quoted field (an even number of quote
/// characters before it — RFC 4180 quotes come in pairs), both halves are read as the lines
/// after that header with their line numbers shifted, and the rows and problems are put back
/// in file order: exactly what one reading of the file gives.
extension DropParser {
    /// Below this size one core is fast enough.
    static let halvesThreshold = 8 << 20

    /// The file read in halves, or nil when it is to be read in one pass: it is small, its
    /// header has problems, or the cut cannot be trusted (see below).
    func parseUsageInHalves(_ bytes: UnsafeRawBufferPointer) -> Outcome? {
        guard bytes.count >= halvesFromBytes, let headerEnd = bytes.firstIndex(of: 10),
            let table = headerTable(UnsafeRawBufferPointer(rebasing: bytes[...headerEnd])),
            let split = DropParser.splitPoint(bytes), split > headerEnd + 1
        else { return nil }
        let head = UnsafeRawBufferPointer(rebasing: bytes[(headerEnd + 1)..<split])
        let tail = UnsafeRawBufferPointer(rebasing: bytes[split...])
        // The first half ends with a line feed: it has as many lines as line feeds.
        let headLines = DropParser.lineCount(head), tailLines = DropParser.lineCount(tail) + 1
        // One array for the whole file: the first half's rows fill its front (a row takes a
        // line, so at most `headLines` of them), the second half's start at `headLines` and
        // are moved down behind them. Never a second copy of the rows (96 MB at 1M reports).
        var first = PartProblems(), second = PartProblems()
        let rows = [Report](unsafeUninitializedCapacity: headLines + tailLines) { buffer, initialized in
            let base = buffer.baseAddress!
            var headCount = 0, tailCount = 0
            DispatchQueue.concurrentPerform(iterations: 2) { part in
                if part == 0 {
                    first = parseRows(head, table: table, lineOffset: 1) { r in
                        precondition(headCount < headLines, "a usage row without a line of its own")
                        (base + headCount).initialize(to: r)
                        headCount += 1
                    }
                } else {
                    second = parseRows(tail, table: table, lineOffset: 1 + headLines) { r in
                        precondition(tailCount < tailLines, "a usage row without a line of its own")
                        (base + headLines + tailCount).initialize(to: r)
                        tailCount += 1
                    }
                }
            }
            (base + headCount).moveInitialize(from: base + headLines, count: tailCount)
            initialized = headCount + tailCount
        }
        // The quotes were counted, not read: a stray one in the first half (which the reader
        // names) may have put the cut inside a quoted field. Such a file is rejected; one pass
        // lists its problems exactly.
        guard first.reader.isEmpty else { return nil }
        return Outcome(rows: .usage(rows),
                       problems: ProblemList(merging: [first.rows, first.reader, second.rows, second.reader]),
                       unknownColumns: table.unknownColumns, columns: table.index.mapValues { $0 + 1 })
    }

    /// The problems of one part: its rows', and those the CSV reader found.
    struct PartProblems {
        var rows = ProblemList()
        var reader = ProblemList()
    }

    /// Usage rows of the lines after the header (all of them, or a part cut at a line end
    /// outside quoted fields), handed to `row` in order; `lineOffset` is the file line before
    /// the part's first. Each row is handed over, not lent: put in place, it is moved, where a
    /// lent one was copied (its four names retained) and the original then released.
    func parseRows(_ bytes: UnsafeRawBufferPointer, table: DropTable, lineOffset: Int, row: (consuming Report) -> Void) -> PartProblems {
        let found = PartProblems()
        let csvProblems = CSVReader.readFields(bytes, part: .afterHeader) { line, raw in
            if let r = usageRecord(raw, line: line + lineOffset, table: table, problems: found.rows) { row(r) }
        }
        for p in csvProblems {
            found.reader.add(DropProblem(line: p.line.map { $0 + lineOffset }, column: p.column,
                                         field: table.field(ofColumn: p.column), p.message))
        }
        return found
    }

    /// The resolved header from the file's first line, or nil when it has problems (the
    /// whole-file path reports them).
    func headerTable(_ line: UnsafeRawBufferPointer) -> DropTable? {
        var header: [String]?
        let csvProblems = CSVReader.read(line) { _, fields in
            if header == nil { header = fields }
        }
        guard csvProblems.isEmpty, let header else { return nil }
        let problems = ProblemList()
        let table = DropTable.resolve(header: header, columns: DropParser.columns(.usage), kind: .usage, problems: problems, newDrop: newDrop)
        return problems.isEmpty ? table : nil
    }

    /// How many line feeds `bytes` holds: one more is the most lines (and rows) it can have.
    static func lineCount(_ bytes: UnsafeRawBufferPointer) -> Int {
        ByteSearch.count(of: 10, in: bytes)
    }

    /// The start of a line near the middle that no quoted field spans, if there is one.
    static func splitPoint(_ bytes: UnsafeRawBufferPointer) -> Int? {
        let middle = bytes.count / 2
        // Counted with memchr: a byte at a time, the first half of a 1M drop took 17 ms on one
        // core while the other waited for its half.
        var quotes = ByteSearch.count(of: 34, in: UnsafeRawBufferPointer(rebasing: bytes[..<middle]))
        var i = middle
        while i < bytes.count - 1 {
            let b = bytes[i]
            if b == 34 { quotes += 1 }
            if b == 10 && quotes % 2 == 0 { return i + 1 }
            i += 1
        }
        return nil
    }
}
