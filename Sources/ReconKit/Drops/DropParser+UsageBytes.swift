import CSV
import Glibc

/// A usage row read straight from its bytes: a million rows make no `String` per cell.
///
/// Only a row every cell of which is valid is read here; any other row is left to
/// ``DropParser/usageRow(_:)``, which names each problem. Both apply the same rules
/// (`FieldValue.isId`, `isCode`, `wholeNumber`, `timestamp(utf8:zone:text:)`), so a row
/// gives the same report whichever reads it.
extension DropParser {
    func usageRow(_ fields: CSVFields, line: Int, table: DropTable) -> Report? {
        guard fields.count == table.width else { return nil }
        // Columns by their place in `DropParser.columns(.usage)`.
        func cell(_ c: Int) -> UnsafeRawBufferPointer {
            guard let i = table.positions[c] else { return UnsafeRawBufferPointer(start: nil, count: 0) }
            return DropParser.trimmed(fields[i])
        }
        let id = cell(0), at = cell(1), client = cell(2), radiologist = cell(3), modality = cell(4)
        guard FieldValue.isId(id), FieldValue.isId(client), FieldValue.isId(radiologist), FieldValue.isCode(modality),
            let images = FieldValue.wholeNumber(cell(5)), images >= 1,
            let urgency = DropParser.urgency(cell(6)),
            let timestamp = try? FieldValue.timestamp(utf8: at, zone: zone, text: Substring(String(decoding: at, as: UTF8.self)))
        else { return nil }
        return Report(id: String(decoding: id, as: UTF8.self), reportedAt: timestamp, localDate: zone.localDate(of: timestamp),
                      clientId: String(decoding: client, as: UTF8.self), radiologistId: String(decoding: radiologist, as: UTF8.self),
                      modality: String(decoding: modality, as: UTF8.self), imageCount: Int32(images), urgency: urgency,
                      line: Int32(line))
    }

    /// A usage record: read from its bytes when every cell is valid, else as text, recording
    /// each problem.
    func usageRecord(_ raw: CSVFields, line: Int, table: DropTable, problems: ProblemList) -> Report? {
        if let report = usageRow(raw, line: line, table: table) { return report }
        return DropParser.typedRow(raw, line: line, table: table, problems: problems, usageRow)
    }

    /// A data record as a row of its kind (`make`), recording each problem.
    ///
    /// A record whose field count is not the header's gives no row and only that problem: a
    /// stray comma or a missing field shifts every field after it, so checking them by place
    /// would blame cells that are right ("Inc." is not a currency) and mislead the clerk.
    static func typedRow<Row>(_ raw: CSVFields, line: Int, table: DropTable, problems: ProblemList,
                              _ make: (DropRow) -> Row?) -> Row? {
        if raw.count == table.width {
            return make(DropRow(line: line, fields: raw.strings, table: table, problems: problems))
        }
        // Said at the first column the row lacks, or at its first field past the header's.
        if raw.count == 1, table.width > 1, let seen = looksBlank(raw.string(0)) {
            // A line a person sees as empty (an editor's end-of-file mark, a no-break space): not
            // "a row of 1 field" to them.
            problems.add(DropProblem(line: line, column: 1, field: table.label(ofColumn: 1),
                "the line looks blank but holds \(seen), so it is read as a row (a blank line is skipped; this one is not "
                    + "empty); delete the line"))
            return nil
        }
        if raw.count < table.width {
            let column = raw.count + 1
            problems.add(DropProblem(line: line, column: column, field: table.label(ofColumn: column),
                "the row ends before this column: it has \(raw.count) fields but the header has \(table.width); "
                    + "give every row all the header's fields (an empty one for an empty value); its other fields are "
                    + "checked once it has them all"))
        } else if let i = (0..<raw.count).first(where: { startsTypographicQuote(raw.string($0)) }) {
            // A word processor's or a mail's quotes (“Harbor Clinic, Inc.”) look like quoting and are not:
            // the clerk told to quote fields had done so, as they see it.
            let column = min(i + 1, table.width)
            problems.add(DropProblem(line: line, column: column, field: table.label(ofColumn: column),
                "the row has \(raw.count) fields but the header has \(table.width): this field starts with a typographic "
                    + "quote (\(raw.string(i).trimmedSpaces.prefix(1))), which CSV does not read as quoting, so a comma inside "
                    + "it split the field; write straight double quotes (\"Harbor Clinic, Inc.\"); its other fields are "
                    + "checked once it has the header's number"))
        } else {
            let column = table.width + 1
            problems.add(DropProblem(line: line, column: column, field: table.label(ofColumn: column),
                "the row has \(raw.count) fields but the header has \(table.width); quote fields that contain commas; "
                    + "its other fields are checked once it has the header's number"))
        }
        return nil
    }

    /// Whether a field opens with a quotation mark other than the straight `"` CSV quotes with.
    static func startsTypographicQuote(_ field: String) -> Bool {
        guard let first = field.trimmedSpaces.unicodeScalars.first else { return false }
        return [0x201C, 0x201D, 0x201E, 0x201F, 0x00AB, 0x00BB, 0x2018, 0x2019, 0x201A, 0xFF02].contains(first.value)
    }

    /// What a field that shows nothing holds — spaces of other scripts, characters nobody sees,
    /// control characters such as DOS's end-of-file mark (U+001A) — named; nil when it shows something.
    static func looksBlank(_ text: String) -> String? {
        guard let first = text.unicodeScalars.first, text.unicodeScalars.allSatisfy({
            $0.properties.isWhitespace || SafeText.isInvisible($0) || $0.value < 0x20 || $0.value == 0x7F
        }) else { return nil }
        let count = text.unicodeScalars.count
        let name = first.value == 0x1A ? "U+001A (the end-of-file mark DOS-era programs write)"
            : first.value < 0x20 || first.value == 0x7F ? SafeText.forbidden(first) ?? SafeText.named(first) : SafeText.named(first)
        return name + " at character 1" + (count > 1 ? " and \(count - 1) more such character\(count > 2 ? "s" : "")" : "")
    }

    /// Each urgency's name as bytes, made once: a cell is compared with them a million times.
    private static let urgencyNames: [(urgency: Urgency, bytes: [UInt8])] = Urgency.allCases.map { ($0, Array($0.rawValue.utf8)) }

    /// An optional urgency cell: empty is routine.
    private static func urgency(_ u: UnsafeRawBufferPointer) -> Urgency? {
        if u.isEmpty { return .routine }
        for (urgency, bytes) in urgencyNames where bytes.count == u.count {
            if bytes.withUnsafeBytes({ memcmp($0.baseAddress!, u.baseAddress!, u.count) }) == 0 { return urgency }
        }
        return nil
    }

    /// The bytes without surrounding spaces and tabs (as `trimmedSpaces` trims text).
    static func trimmed(_ u: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        var start = 0, end = u.count
        while start < end, u[start] == 32 || u[start] == 9 { start += 1 }
        while end > start, u[end - 1] == 32 || u[end - 1] == 9 { end -= 1 }
        return UnsafeRawBufferPointer(rebasing: u[start..<end])
    }
}
