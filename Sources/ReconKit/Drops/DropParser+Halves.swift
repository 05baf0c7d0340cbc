import CSV
import Dispatch

/// A large usage drop is read in two halves on two cores: the file is cut at a line end
/// that lies outside any quoted field (an even number of quote characters before it —
/// RFC 4180 quotes come in pairs), the second half is read with the header of the first
/// and its line numbers shifted, and the rows and problems are put back in file order.
extension DropParser {
    /// Below this size one core is fast enough.
    static let halvesThreshold = 8 << 20

    func parseUsageInHalves(_ bytes: UnsafeRawBufferPointer) -> Outcome? {
        guard bytes.count >= DropParser.halvesThreshold, let split = DropParser.splitPoint(bytes),
            let table = headerTable(bytes)
        else { return nil }
        let head = UnsafeRawBufferPointer(rebasing: bytes[..<split])
        let tail = UnsafeRawBufferPointer(rebasing: bytes[split...])
        let lineOffset = DropParser.lineCount(head), tailLines = DropParser.lineCount(tail) + 1
        // One array for the whole file: the first half's rows fill its front (a row takes a
        // line, so at most `lineOffset` of them), the second half's start at `lineOffset` and
        // are moved down behind them. Never a second copy of the rows (96 MB at 1M reports).
        var first: Outcome?
        var tailProblems = ProblemList()
        let rows = [Report](unsafeUninitializedCapacity: lineOffset + tailLines) { buffer, initialized in
            let base = buffer.baseAddress!
            var headCount = 0, tailCount = 0
            DispatchQueue.concurrentPerform(iterations: 2) { part in
                if part == 0 {
                    first = parseWhole(head, kind: .usage) { r in
                        precondition(headCount < lineOffset, "a usage row without a line of its own")
                        (base + headCount).initialize(to: r)
                        headCount += 1
                    }
                } else {
                    tailProblems = parseRows(tail, table: table, lineOffset: lineOffset) { r in
                        precondition(tailCount < tailLines, "a usage row without a line of its own")
                        (base + lineOffset + tailCount).initialize(to: r)
                        tailCount += 1
                    }
                }
            }
            (base + headCount).moveInitialize(from: base + lineOffset, count: tailCount)
            initialized = headCount + tailCount
        }
        guard var outcome = first, outcome.rows != nil else { return first }
        outcome.rows = .usage(rows)
        outcome.problems = ProblemList(merging: [outcome.problems, tailProblems])
        return outcome
    }

    /// Usage rows of a part of a file that has no header of its own, handed to `row` in order.
    func parseRows(_ bytes: UnsafeRawBufferPointer, table: DropTable, lineOffset: Int, row: (Report) -> Void) -> ProblemList {
        let problems = ProblemList()
        let csvProblems = CSVReader.readFields(bytes) { line, raw in
            if let r = usageRecord(raw, line: line + lineOffset, table: table, problems: problems) { row(r) }
        }
        // A part holding only blank lines is no "empty file": only placed problems count here.
        for p in csvProblems where p.line != nil {
            problems.add(DropProblem(line: p.line! + lineOffset, column: p.column, field: table.name(ofColumn: p.column), p.message))
        }
        return problems
    }

    /// The resolved header of the file, or nil when it has problems (the whole-file path reports them).
    func headerTable(_ bytes: UnsafeRawBufferPointer) -> DropTable? {
        guard let end = bytes.firstIndex(of: 10) else { return nil }
        var header: [String]?
        let csvProblems = CSVReader.read(UnsafeRawBufferPointer(rebasing: bytes[...end])) { _, fields in
            if header == nil { header = fields }
        }
        guard csvProblems.isEmpty, let header else { return nil }
        let problems = ProblemList()
        let table = DropTable.resolve(header: header, columns: DropParser.columns(.usage), kind: .usage, problems: problems)
        return problems.isEmpty ? table : nil
    }

    /// How many line feeds `bytes` holds: one more is the most lines (and rows) it can have.
    static func lineCount(_ bytes: UnsafeRawBufferPointer) -> Int {
        ByteSearch.count(of: 10, in: bytes)
    }

    /// The start of a line near the middle that no quoted field spans, if there is one.
    static func splitPoint(_ bytes: UnsafeRawBufferPointer) -> Int? {
        let middle = bytes.count / 2
        var quotes = 0
        for i in 0..<middle where bytes[i] == 34 { quotes += 1 }
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
