import CSV

/// Reads a drop's bytes into typed rows (SPEC §2), or into the list of its problems.
///
/// Only the file's own content is checked here (header, field types, per-row rules);
/// rules that need the site (known clients, closed periods, card shapes) are the
/// ``DropValidator``'s.
public struct DropParser {
    public let zone: SiteTimeZone
    public let baseCurrency: Currency
    /// The size from which a usage drop is read in two halves (tests lower it to halve small files).
    var halvesFromBytes = DropParser.halvesThreshold
    /// A drop being taken now (`ingest`, `watch`, a rerun's held drops), held to the rules
    /// added since the first drops were archived: header names behind invisible characters or
    /// in look-alike letters, text that does not fit a workbook cell. An archived drop is read
    /// as it was taken (false): a rule added later locked every command out of a site whose
    /// drop an earlier version had taken, while the auditor's verifier passed it.
    public var newDrop = false

    public init(zone: SiteTimeZone, baseCurrency: Currency) {
        self.zone = zone
        self.baseCurrency = baseCurrency
    }

    /// The result of reading one drop: the rows that parsed (all of them when `problems` is
    /// empty), so the site's rules can still be checked on them and every problem listed at once.
    public struct Outcome {
        public var rows: ParsedDrop?
        public var problems: ProblemList
        public var unknownColumns: [String]
        /// Column name → 1-based position in this file, so later checks can name the column.
        public var columns: [String: Int] = [:]
    }

    public func parse(_ bytes: UnsafeRawBufferPointer, kind: DropKind) -> Outcome {
        if let encoding = DropParser.utf16(bytes) {
            // Every line would be wrong in a way that hides the cause: say it once.
            let problems = ProblemList()
            problems.add(DropProblem("the file is \(encoding) text, not UTF-8; save it as "
                + "\"CSV UTF-8 (Comma delimited)\" (in Excel: Save As, then that file type)"))
            return Outcome(rows: nil, problems: problems, unknownColumns: [])
        }
        if let format = DropParser.workbook(bytes) {
            // A workbook saved under a .csv name: its bytes read as a hundred CSV problems; say what it is.
            let problems = ProblemList()
            problems.add(DropProblem("the file is \(format), not CSV text; open it and save it as \"CSV UTF-8 (Comma delimited)\" "
                + "(in Excel: Save As, then that file type), then drop that file"))
            return Outcome(rows: nil, problems: problems, unknownColumns: [])
        }
        if let format = DropParser.compressed(bytes) {
            // A compressed export read as a page of CSV problems, none about what the file is.
            let problems = ProblemList()
            problems.add(DropProblem("the file is \(format.name), not CSV text; decompress it (\(format.tool)) and drop the CSV file "
                + "inside, under a name starting with its kind (e.g. usage-2026-10.csv)"))
            return Outcome(rows: nil, problems: problems, unknownColumns: [])
        }
        if kind == .usage, let halves = parseUsageInHalves(bytes) { return halves }
        return parseWhole(bytes, kind: kind)
    }

    /// A ZIP archive's signature (`PK\u{3}\u{4}`).
    static func isZip(_ bytes: UnsafeRawBufferPointer) -> Bool {
        bytes.count >= 4 && bytes[0] == 0x50 && bytes[1] == 0x4B && bytes[2] == 0x03 && bytes[3] == 0x04
    }

    /// Whether `text`'s bytes occur in `bytes`.
    static func contains(_ bytes: UnsafeRawBufferPointer, _ text: String) -> Bool {
        let needle = Array(text.utf8)
        guard let first = needle.first, bytes.count >= needle.count else { return false }
        var i = 0
        while i <= bytes.count - needle.count {
            guard let at = bytes[i...(bytes.count - needle.count)].firstIndex(of: first) else { return false }
            if (1..<needle.count).allSatisfy({ bytes[at + $0] == needle[$0] }) { return true }
            i = at + 1
        }
        return false
    }

    /// What compression the bytes are, by their signature (gzip, bzip2, xz, zstd, 7-Zip), and
    /// the tool that undoes it; nil for anything else.
    static func compressed(_ bytes: UnsafeRawBufferPointer) -> (name: String, tool: String)? {
        func starts(_ magic: [UInt8]) -> Bool { bytes.count >= magic.count && magic.indices.allSatisfy { bytes[$0] == magic[$0] } }
        if starts([0x1F, 0x8B]) { return ("gzip-compressed", "gunzip FILE") }
        if starts([0x42, 0x5A, 0x68]) { return ("bzip2-compressed", "bunzip2 FILE") }
        if starts([0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00]) { return ("xz-compressed", "unxz FILE") }
        if starts([0x28, 0xB5, 0x2F, 0xFD]) { return ("zstd-compressed", "unzstd FILE") }
        if starts([0x37, 0x7A, 0xBC, 0xAF, 0x27, 0x1C]) { return ("a 7-Zip archive", "7z x FILE") }
        // A workbook is a ZIP archive too, and said as one before this (``workbook(_:)``).
        if isZip(bytes) { return ("a ZIP archive", "unzip FILE") }
        return nil
    }

    /// Whether the lines before `line` (1-based) hold nothing but spaces, tabs, commas and line
    /// ends (and a byte order mark), as ``CSVReader`` skips them: the record starting at `line`
    /// is then the file's first.
    static func onlyBlankLines(before line: Int, in bytes: UnsafeRawBufferPointer) -> Bool {
        var lineFeeds = 0, i = 0
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { i = 3 }
        while lineFeeds < line - 1, i < bytes.count {
            switch bytes[i] {
            case 10: lineFeeds += 1
            case 32, 9, 44, 13: break
            default: return false
            }
            i += 1
        }
        return true
    }

    /// The file read in one pass.
    /// The header's name for `column` (1-based): the kind's column it names, else as written
    /// (visible, trimmed); nil for none. For problems below a header that did not resolve.
    static func headerName(_ header: [String], column: Int?, _ columns: [ColumnSpec]) -> String? {
        guard let column, column >= 1, column <= header.count else { return nil }
        let written = header[column - 1].trimmingSpaces
        guard !written.isEmpty else { return nil }
        return columns.first { $0.name == written.lowercased() }?.name ?? SafeText.visible(written)
    }

    func parseWhole(_ bytes: UnsafeRawBufferPointer, kind: DropKind) -> Outcome {
        let problems = ProblemList()
        let columns = DropParser.columns(kind)
        var table: DropTable?
        var headerSeen = false
        var usage: [Report] = []
        var clients: [Client] = []
        var radiologists: [Radiologist] = []
        var providerRates: [ProviderRate] = []
        var clientRates: [ClientRate] = []
        var fxRates: [FXRate] = []
        var decisions: [Decision] = []
        var payments: [Payment] = []
        if kind == .usage { usage.reserveCapacity(DropParser.lineCount(bytes)) }

        var headerLine = Int.max
        var firstLine: String?
        var headerNames: [String] = []
        var lookedBelowHeader = false
        let csvProblems = CSVReader.readFields(bytes) { line, raw in
            if !headerSeen {
                headerSeen = true
                headerLine = line
                // A header line with a field that could not be read (not UTF-8, say) is no record:
                // the first record is then a data row, whose "header" would lack every column.
                // The reader names the header's own problem; no row is read without a header.
                guard DropParser.onlyBlankLines(before: line, in: bytes) else { return }
                table = DropTable.resolve(header: raw.strings, columns: columns, kind: kind, problems: problems, newDrop: newDrop)
                headerNames = raw.strings
                firstLine = raw.strings.joined(separator: ",")
                return
            }
            guard let table else {
                // A line above the header (Excel's `sep=,`, a report's title): the header read was
                // that line, and "the header lacks client_id, …" named columns plainly there below.
                if !lookedBelowHeader, let firstLine {
                    lookedBelowHeader = true
                    let names = Set(raw.strings.map { $0.trimmingSpaces.lowercased() })
                    if columns.filter(\.required).allSatisfy({ names.contains($0.name) }) {
                        problems.add(DropProblem(line: line, "this line is the header, but line \(headerLine) (\"\(SafeText.escaped(firstLine.prefix(60)))\") "
                            + "comes before it: the header must be the file's first line — delete the line\(line - headerLine > 1 ? "s" : "") above it"))
                    }
                }
                return
            }
            // The record read as text into a row of its kind.
            func typed<Row>(_ make: (DropRow) -> Row?) -> Row? {
                DropParser.typedRow(raw, line: line, table: table, problems: problems, make)
            }
            switch kind {
            case .usage:
                if let r = usageRecord(raw, line: line, table: table, problems: problems) { usage.append(r) }
            case .clients: if let r = typed(clientRow) { clients.append(r) }
            case .radiologists: if let r = typed(radiologistRow) { radiologists.append(r) }
            case .providerRates: if let r = typed(providerRateRow) { providerRates.append(r) }
            case .clientRates: if let r = typed(clientRateRow) { clientRates.append(r) }
            case .fxRates: if let r = typed(fxRow) { fxRates.append(r) }
            case .decisions: if let r = typed(decisionRow) { decisions.append(r) }
            case .payments: if let r = typed(paymentRow) { payments.append(r) }
            }
        }
        // A problem the CSV reader found below the header names its column as the header does.
        let csvFound = ProblemList()
        for p in csvProblems {
            // With a header refused for a problem of its own (another column's name), still named
            // as the header names it: the message lost its `(NAME)` there.
            let field = (p.line ?? 0) > headerLine ? table?.field(ofColumn: p.column) ?? Self.headerName(headerNames, column: p.column, columns) : nil
            csvFound.add(DropProblem(line: p.line, column: p.column, field: field, p.message))
        }
        // The rows' problems and the reader's, in line order.
        var found = csvFound.isEmpty ? problems : ProblemList(merging: [problems, csvFound])
        // NUL bytes (a file padded by the program that wrote it) read as a line whose fields end
        // early, which a clerk looking at the file cannot see: said as what they are. Looked for
        // only in a drop that has problems already: a sound one pays nothing.
        if !found.isEmpty, let nul = Self.firstNul(bytes) {
            // What the padding's line seemed to hold (fields ending early) is said by this alone.
            let said = ProblemList()
            said.add(DropProblem(line: nul.line, "holds NUL bytes (U+0000) from byte \(nul.byte) of the line: no text has them — the "
                + "file was padded, or is not text; remove them, or save the file again as \"CSV UTF-8 (Comma delimited)\""))
            found = ProblemList(merging: [found.removing(line: nul.line), said])
        }
        if found.isEmpty && !headerSeen {
            found.add(DropProblem("the file is empty; a drop starts with a header row"))
        }
        guard table != nil else {
            return Outcome(rows: nil, problems: found, unknownColumns: [])
        }
        let rows: ParsedDrop
        switch kind {
        case .usage: rows = .usage(usage)
        case .clients: rows = .clients(clients)
        case .radiologists: rows = .radiologists(radiologists)
        case .providerRates: rows = .providerRates(providerRates)
        case .clientRates: rows = .clientRates(clientRates)
        case .fxRates: rows = .fxRates(fxRates)
        case .decisions: rows = .decisions(decisions)
        case .payments: rows = .payments(payments)
        }
        return Outcome(rows: rows, problems: found, unknownColumns: table?.unknownColumns ?? [],
                       columns: (table?.index ?? [:]).mapValues { $0 + 1 })
    }

    /// What UTF-16 the bytes are, when they start with its byte order mark and then a character
    /// of the ASCII range (a header's name), as Excel's "Unicode Text" does, or with two such
    /// characters and no mark (what `iconv -t UTF-16LE` writes: read as UTF-8, a NUL after
    /// every letter, the header seemed to lack every column); else nil.
    static func utf16(_ bytes: UnsafeRawBufferPointer) -> String? {
        guard bytes.count >= 4 else { return nil }
        func ascii(_ b: UInt8) -> Bool { b != 0 && b < 0x80 }
        switch (bytes[0], bytes[1]) {
        case (0xFF, 0xFE) where bytes[3] == 0 && bytes[2] != 0: return "UTF-16LE (it starts with that byte order mark)"
        case (0xFE, 0xFF) where bytes[2] == 0 && bytes[3] != 0: return "UTF-16BE (it starts with that byte order mark)"
        default:
            if ascii(bytes[0]) && bytes[1] == 0 && ascii(bytes[2]) && bytes[3] == 0 { return "UTF-16LE (a NUL byte after each letter)" }
            if bytes[0] == 0 && ascii(bytes[1]) && bytes[2] == 0 && ascii(bytes[3]) { return "UTF-16BE (a NUL byte before each letter)" }
            return nil
        }
    }

    /// The line of the first NUL byte and its byte in that line (from 1), when its line holds nothing else (the
    /// padding a program leaves); nil otherwise (a NUL inside a field is named by the text rules).
    static func firstNul(_ bytes: UnsafeRawBufferPointer) -> (line: Int, byte: Int)? {
        guard let at = bytes.firstIndex(of: 0) else { return nil }
        let start = bytes[..<at].lastIndex(of: 10).map { $0 + 1 } ?? 0
        let end = bytes[at...].firstIndex(of: 10) ?? bytes.count
        // Its line holds nothing else, or the NULs run to the file's end (padding after a last
        // row that has no newline).
        let padding = bytes[at...].allSatisfy { $0 == 0 || $0 == 10 || $0 == 13 }
        guard padding || bytes[start..<end].allSatisfy({ $0 == 0 || $0 == 13 }) else { return nil }
        return (bytes[..<at].reduce(1) { $1 == 10 ? $0 + 1 : $0 }, at - start + 1)
    }

    /// What kind of workbook the bytes are, by their signature: a ZIP archive (`PK\u{3}\u{4}`:
    /// an XLSX or ODS workbook), or the compound file of Excel 97–2003 (`.xls`); nil for text.
    static func workbook(_ bytes: UnsafeRawBufferPointer) -> String? {
        guard bytes.count >= 8 else { return nil }
        if isZip(bytes) {
            // A workbook's archive names its parts' list (XLSX) or its type (ODS); a zipped CSV neither.
            guard contains(bytes, "[Content_Types].xml") || contains(bytes, "mimetypeapplication/vnd.oasis.opendocument") else { return nil }
            return "a workbook (XLSX or ODS: a ZIP archive)"
        }
        let compound: [UInt8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]
        if (0..<8).allSatisfy({ bytes[$0] == compound[$0] }) { return "an Excel 97–2003 workbook (XLS)" }
        return nil
    }

    /// The columns each kind reads (SPEC §2).
    public static func columns(_ kind: DropKind) -> [ColumnSpec] {
        switch kind {
        case .usage:
            return [.init("report_id"), .init("reported_at"), .init("client_id"), .init("radiologist_id"),
                    .init("modality"), .init("image_count"), .init("urgency", required: false)]
        case .clients:
            return [.init("client_id"), .init("name"), .init("currency"), .init("contract_type"),
                    .init("onboarded_on"), .init("max_images_per_case"), .init("tax_rate", required: false),
                    .init("billing_address", required: false), .init("tax_id", required: false),
                    .init("po_number", required: false), .init("payment_terms_days", required: false),
                    .init("email", required: false), .init("tax_components", required: false)]
        case .radiologists:
            return [.init("radiologist_id"), .init("name"), .init("grade"), .init("seniority_years"),
                    .init("currency", required: false), .init("address", required: false),
                    .init("tax_id", required: false), .init("bank_details", required: false)]
        case .providerRates:
            return [.init("effective_from"), .init("grade"), .init("modality"), .init("urgency"),
                    .init("min_seniority_years", required: false), .init("rate_per_report"),
                    .init("rate_per_image", required: false), .init("currency")]
        case .clientRates:
            return [.init("effective_from"), .init("client_id"), .init("contract_type"), .init("modality"),
                    .init("urgency"), .init("tier_from"), .init("tier_to", required: false), .init("unit_price"),
                    .init("currency"), .init("tier_mode")]
        case .fxRates:
            return [.init("date"), .init("currency"), .init("rate")]
        case .decisions:
            return [.init("subject"), .init("decision"), .init("by"), .init("note", required: false)]
        case .payments:
            return [.init("payment_id"), .init("client_id"), .init("received_on"), .init("amount"), .init("currency"),
                    .init("reference", required: false), .init("invoice", required: false)]
        }
    }
}
