/// One column a drop kind reads.
public struct ColumnSpec: Sendable {
    public let name: String
    public let required: Bool
    public init(_ name: String, required: Bool = true) {
        self.name = name
        self.required = required
    }
}

/// A drop's header resolved against its kind's columns: maps names to positions.
///
/// Header names match without regard to case or surrounding spaces; column order is free;
/// unknown columns are ignored and named so the log can show them.
public struct DropTable {
    public let index: [String: Int]
    public let width: Int
    public let unknownColumns: [String]
    /// The kind's columns in their declared order, and where each sits in this file:
    /// the hot path reads cells by this position instead of looking names up per row.
    public let specs: [ColumnSpec]
    public let positions: [Int?]
    /// The header's names as the file gives them (trimmed, shown safely), by position.
    public let header: [String]
    /// A drop being taken now: its text must also fit a workbook cell (``DropRow``).
    var newDrop = false
    /// Required columns the header lacks (said once, for the file): a row reads them as
    /// absent, no problem of its own, and gives no row — the drop is rejected for them.
    var missing: Set<String> = []

    /// Resolves `header` or records file-level problems (missing or repeated columns).
    /// `newDrop`: the header of a drop being taken now, held to the rules added since the first
    /// drops were archived (a name behind an invisible character or in look-alike letters); an
    /// archived drop's is read as it was taken, such a column ignored as unknown.
    public static func resolve(header: [String], columns: [ColumnSpec], kind: DropKind, problems: ProblemList,
                               newDrop: Bool = false) -> DropTable? {
        var index: [String: Int] = [:]
        var unknown: [String] = []
        let known = Set(columns.map(\.name))
        var ok = true
        for (i, raw) in header.enumerated() {
            let name = raw.trimmingSpaces.lowercased()
            if !known.contains(name) {
                // Ignored, however often it appears: a spreadsheet's trailing empty header cells, say.
                unknown.append(name.isEmpty ? "column \(i + 1) (no name)" : SafeText.visible(raw.trimmingSpaces))
            } else if index[name] != nil {
                problems.add(DropProblem(line: 1, column: i + 1, field: name, "the column \(name) appears twice; keep one"))
                ok = false
            } else {
                index[name] = i
            }
        }
        // An optional column's name behind characters nobody sees (a no-break space after
        // `tax_rate`): ignored as unknown, it would leave every row at the column's default —
        // no tax on the invoice — with only a log line to say so.
        for (i, raw) in header.enumerated() where newDrop {
            guard let first = raw.unicodeScalars.first(where: isUnseen) else { continue }
            let plain = Self.withoutUnseen(raw).trimmingSpaces.lowercased()
            guard let column = columns.first(where: { !$0.required && $0.name == plain }), index[plain] == nil else { continue }
            problems.add(DropProblem(line: 1, column: i + 1, field: column.name,
                "the header's \"\(SafeText.visible(raw.trimmingSpaces))\" holds an invisible \(SafeText.named(first)): retype that name "
                    + "(as it is, the column would be ignored and every row take \(column.name)'s default)"))
            ok = false
        }
        // A character nobody sees (a NUL an export left, a tab, a no-break or zero-width space) in
        // another column's name: it may stand in a known name's place (`po\0number` for
        // `po_number`, `tax\u{00A0}rate` for `tax_rate`), whose column was then ignored — the PO
        // left off every invoice, the tax at 0 %. A name that is no column's but for it
        // (`Montant TTC` typed with a no-break space) is an unknown column like any other,
        // ignored (SPEC §2). The tabs of a tab-separated file's header are said by the hint
        // about separators.
        let squashedKnown = Set(known.map(Self.squashed))
        for (i, raw) in header.enumerated() where newDrop && squashedKnown.contains(Self.squashed(Self.withoutUnseen(raw))) {
            // A known name with one added is said by the rules around this one. A combining mark
            // that starts a name belongs to no letter: `\u{301}tax_rate` was ignored as unknown,
            // and the client's invoices went out without tax.
            // (Past the spaces before it, scalar by scalar: a space and the mark make one character.)
            let leading = raw.unicodeScalars.first { $0 != " " && $0 != "\t" }.flatMap { [.nonspacingMark, .enclosingMark, .spacingMark]
                .contains($0.properties.generalCategory) ? $0 : nil }
            guard let first = leading ?? raw.unicodeScalars.first(where: isUnseen),
                  leading != nil || !known.contains(Self.withoutUnseen(raw).trimmingSpaces.lowercased()) else { continue }
            if raw.split(separator: "\t").count(where: { known.contains($0.trimmingSpaces.lowercased()) }) > 1 { continue }
            problems.add(DropProblem(line: 1, column: i + 1,
                "the header's \"\(SafeText.visible(raw.trimmingSpaces))\" holds \(SafeText.isInvisible(first) ? "an invisible " : "")"
                    + "\(SafeText.named(first)), which no column's name has — retype that name (as it is, the column would be ignored)"))
            ok = false
        }
        // The same for a name typed with letters of another script that print as Latin ones
        // (a Cyrillic `а` in `tax_rаte`, fullwidth letters): it reads as the column's own name.
        var lookAlikes = Set<String>()
        let free = columns.map(\.name).filter { index[$0] == nil }  // the names no header column holds
        for (i, raw) in header.enumerated() where newDrop {
            // One with a character nobody sees in it is named for that, above.
            guard !raw.unicodeScalars.contains(where: isUnseen) else { continue }
            guard let (plain, first) = LookAlikeLetters.name(in: free, typedAs: raw.trimmingSpaces),
                  let column = columns.first(where: { $0.name == plain }) else { continue }
            lookAlikes.insert(column.name)
            problems.add(DropProblem(line: 1, column: i + 1, field: column.name,
                "the header's \"\(SafeText.visible(raw.trimmingSpaces))\" is not \(column.name): it holds \(SafeText.named(first)), "
                    + "which only looks like a Latin letter — retype that name in plain letters" + Self.ignoredColumn(column)))
            ok = false
        }
        // A column this file lacks, spelt otherwise (`Tax Rate`, `rate per image`, `PO Number`):
        // ignored as unknown, every row took the column's default — stat reports
        // billed as routine, an invoice without tax — and the log's notice was all that said so.
        let named = Set(problems.problems.compactMap { $0.line == 1 ? $0.column : nil })  // said above, as what they hold
        for (i, raw) in header.enumerated() where newDrop && index[raw.trimmingSpaces.lowercased()] == nil && !named.contains(i + 1) {
            guard !raw.unicodeScalars.contains(where: isUnseen),
                  let column = Self.misspelt(raw, among: columns.filter { index[$0.name] == nil && !lookAlikes.contains($0.name) })
            else { continue }
            lookAlikes.insert(column.name)
            problems.add(DropProblem(line: 1, column: i + 1, field: column.name,
                "the header's \"\(SafeText.visible(raw.trimmingSpaces))\" is not a column's name, but reads as \(column.name), which "
                    + "this file lacks — name it \(column.name) exactly" + Self.ignoredColumn(column)))
            ok = false
        }
        let missing = columns.filter { $0.required && index[$0.name] == nil && !lookAlikes.contains($0.name) }.map(\.name)
        // Lacking a column is the header's only problem: its rows are still read (never taken)
        // so each row's own problems are listed with it — a clerk who mended the header was
        // told of the rows' only on the next try. Not when it names no column of the kind (a
        // title line above the real header, `sep=,`): those rows are no rows of it.
        let rowsStillRead = ok && !index.isEmpty
        if !missing.isEmpty {
            let all = columns.map { $0.required ? $0.name : "[\($0.name)]" }.joined(separator: ", ")
            // A name that is a missing one behind characters nobody sees (a second byte order mark, say).
            let hidden = header.compactMap { raw -> String? in
                guard let first = raw.unicodeScalars.first(where: isUnseen) else { return nil }
                guard missing.contains(Self.withoutUnseen(raw).trimmingSpaces.lowercased()) else { return nil }
                return "; the header's \"\(SafeText.visible(raw.trimmingSpaces))\" holds an invisible \(SafeText.named(first)): retype that name"
            }
            // A file-level problem (SPEC §2: without line): the header may follow blank lines.
            problems.add(DropProblem(
                "the header lacks \(missing.joined(separator: ", ")); a \(kind.rawValue) drop's header names: \(all) (optional in brackets)"
                    + hidden.joined() + separatorHint(header, missing: missing) + otherKindHint(header, kind: kind)))
            ok = false
        }
        guard ok || (rowsStillRead && !missing.isEmpty) else { return nil }
        var table = DropTable(index: index, width: header.count, unknownColumns: unknown, specs: columns,
                              positions: columns.map { index[$0.name] }, header: header.map { SafeText.visible($0.trimmingSpaces) },
                              newDrop: newDrop)
        table.missing = Set(missing)
        return table
    }

    /// The column of `absent` that `raw` spells otherwise: the same letters once case, spaces,
    /// `_` and `-` are set aside (`Tax Rate`, `rate per image`). Not a letter more or less:
    /// `Tax Date`, `Max Rate`, `Mail`, `Address 2` are other columns of a finance system's export.
    static func misspelt(_ raw: String, among absent: [ColumnSpec]) -> ColumnSpec? {
        let typed = squashed(raw)
        guard !typed.isEmpty else { return nil }
        return absent.first { squashed($0.name) == typed }
    }

    /// A character nobody sees in a header name: an invisible one, a control character (a NUL
    /// or U+0001 left by an export, which no spreadsheet shows either), a non-character (U+FFFF,
    /// which no text holds, SPEC §2) or one of private use (no font's letter).
    static func isUnseen(_ scalar: Unicode.Scalar) -> Bool {
        // U+FFFC stands in for an object a spreadsheet left out: no letter either.
        SafeText.isInvisible(scalar) || scalar.properties.isNoncharacterCodePoint || scalar.value == 0xFFFC
            || [.control, .privateUse].contains(scalar.properties.generalCategory)
    }

    /// A name lower-cased without its spaces, underscores, hyphens and marks: what is left of
    /// a column's name when a character nobody sees stood in for its underscore.
    static func squashed(_ name: String) -> String {
        var kept = String.UnicodeScalarView()
        for scalar in name.lowercased().unicodeScalars where !" _-\t".unicodeScalars.contains(scalar)
            && ![.nonspacingMark, .enclosingMark, .spacingMark].contains(scalar.properties.generalCategory) {
            kept.append(scalar)
        }
        return String(kept)
    }

    /// `raw` with the characters nobody sees (``isUnseen(_:)``) taken out.
    static func withoutUnseen(_ raw: String) -> String {
        var plain = String.UnicodeScalarView()
        plain.append(contentsOf: raw.unicodeScalars.filter { !isUnseen($0) })
        return String(plain)
    }

    /// A file whose header is another kind's (payments saved as `clients_payments.csv`): its
    /// kind comes from its name's start (SPEC §2), so the name is what to change, not the columns.
    static func otherKindHint(_ header: [String], kind: DropKind) -> String {
        guard let other = DropKind.allCases.first(where: { $0 != kind && names(header, everyRequiredColumnOf: $0) }) else { return "" }
        return "; this header is a \(other.rawValue) drop's, but the file is read as a \(kind.rawValue) drop because its name starts "
            + "with \"\(kind.rawValue)\" — rename it to start with \"\(other.rawValue)\" (e.g. \(other.rawValue)-2026-03.csv)"
    }

    /// Whether `header`'s names (case and surrounding spaces aside) hold every column `kind` requires.
    static func names(_ header: [String], everyRequiredColumnOf kind: DropKind) -> Bool {
        let names = Set(header.map { $0.trimmingSpaces.lowercased() })
        return DropParser.columns(kind).allSatisfy { !$0.required || names.contains($0.name) }
    }

    /// What a row takes when an optional column is ignored, said after a header name's problem.
    private static func ignoredColumn(_ column: ColumnSpec) -> String {
        column.required ? "" : " (as it is, the column would be ignored and every row take \(column.name)'s default)"
    }

    /// When the missing names are there but split by semicolons or tabs (a spreadsheet's export
    /// in a locale whose lists use `;`, or "Text (Tab delimited)"), says so: the names the clerk
    /// sees in the file would otherwise seem to be there.
    static func separatorHint(_ header: [String], missing: [String]) -> String {
        for (separator, name) in [(";", "semicolons"), ("\t", "tabs")] {
            let names = header.flatMap { $0.split(separator: Character(separator)) }.map { $0.trimmingSpaces.lowercased() }
            if names.count > header.count, missing.allSatisfy(names.contains) {
                return "; the header's names are separated by \(name), not commas: a drop is comma-separated — save it as "
                    + "\"CSV UTF-8 (Comma delimited)\""
            }
        }
        return ""
    }

    /// What a problem calls the column at `column` (1-based): the kind's name for it, else the
    /// header's own, else that the header has none there.
    public func label(ofColumn column: Int) -> String {
        if let known = name(ofColumn: column) { return known }
        guard column <= header.count, !header[column - 1].isEmpty else { return "no header" }
        return header[column - 1]
    }

    /// What a reader's problem in `column` (1-based) names: the kind's column there, else the
    /// header's own name for a column the kind does not read (SPEC §2: `line L, column C
    /// (NAME)`; an over-long `remarks` field was named by number only), else nothing.
    public func field(ofColumn column: Int?) -> String? {
        guard let column else { return nil }
        if let known = name(ofColumn: column) { return known }
        guard column >= 1, column <= header.count, !header[column - 1].isEmpty else { return nil }
        return header[column - 1]
    }

    /// The name of the kind's column at `column` (1-based) in this file, if it is one.
    public func name(ofColumn column: Int?) -> String? {
        guard let column else { return nil }
        return index.first { $0.value == column - 1 }?.key
    }
}

/// One data row of a drop, with helpers that parse a named field and record any problem.
public struct DropRow {
    public let line: Int
    public let fields: [String]
    let table: DropTable
    let problems: ProblemList

    /// The trimmed cell of a column, empty when the column is absent.
    public func raw(_ name: String) -> Substring {
        guard let i = table.index[name], i < fields.count else { return "" }
        return fields[i].trimmedSpaces
    }

    /// Parses a required field; records a problem and returns nil when it is empty or invalid.
    public func required<T>(_ name: String, _ parse: (Substring) throws -> T) -> T? {
        if table.missing.contains(name) { return nil }
        let text = raw(name)
        if text.isEmpty {
            problems.add(DropProblem(line: line, column: column(name), field: name, Self.emptyMessage(parse)))
            return nil
        }
        return parsed(name, text, parse)
    }

    /// "is empty; a value is required", with the example of a valid value the field's own
    /// reader gives when it is handed nothing (`(e.g. 2026-02-28)`).
    static func emptyMessage<T>(_ parse: (Substring) throws -> T) -> String {
        let message = "is empty; a value is required"
        do {
            _ = try parse("")
        } catch let invalid as FieldValue.Invalid {
            let text = invalid.message
            if let start = text.range(of: "(e.g. ", options: .backwards),
               let end = text[start.upperBound...].firstIndex(of: ")") {
                return message + " " + text[start.lowerBound...end]
            }
        } catch {}
        return message
    }

    /// Parses an optional field: an empty cell gives `defaultValue`.
    public func optional<T>(_ name: String, default defaultValue: T, _ parse: (Substring) throws -> T) -> T? {
        let text = raw(name)
        return text.isEmpty ? defaultValue : parsed(name, text, parse)
    }

    /// The trimmed cell of the kind's column number `c` (its place in `DropParser.columns`).
    public func raw(at c: Int) -> Substring {
        guard let i = table.positions[c], i < fields.count else { return "" }
        return fields[i].trimmedSpaces
    }

    /// `required(_:_:)` for the kind's column number `c`.
    public func required<T>(at c: Int, _ parse: (Substring) throws -> T) -> T? {
        if !table.missing.isEmpty && table.missing.contains(table.specs[c].name) { return nil }
        let text = raw(at: c)
        if text.isEmpty {
            let name = table.specs[c].name
            problems.add(DropProblem(line: line, column: column(name), field: name, Self.emptyMessage(parse)))
            return nil
        }
        return parsed(table.specs[c].name, text, parse)
    }

    /// `optional(_:default:_:)` for the kind's column number `c`.
    public func optional<T>(at c: Int, default defaultValue: T, _ parse: (Substring) throws -> T) -> T? {
        let text = raw(at: c)
        return text.isEmpty ? defaultValue : parsed(table.specs[c].name, text, parse)
    }

    /// Records a problem about this row.
    public func problem(_ name: String?, _ message: String) {
        problems.add(DropProblem(line: line, column: name.flatMap(column), field: name, message))
    }

    func column(_ name: String) -> Int? { table.index[name].map { $0 + 1 } }

    private func parsed<T>(_ name: String, _ text: Substring, _ parse: (Substring) throws -> T) -> T? {
        do {
            let value = try parse(text)
            // Text of a drop taken now must fit a workbook cell (``FieldValue/fitsACell(_:)``).
            if table.newDrop {
                if let text = value as? String { try FieldValue.fitsACell(text) }
                if let lines = value as? [String] { for line in lines { try FieldValue.fitsACell(line) } }
                if let components = value as? [TaxComponent] { for c in components { try FieldValue.fitsACell(c.name) } }
            }
            return value
        } catch let e as FieldValue.Invalid {
            problems.add(DropProblem(line: line, column: column(name), field: name, e.message))
        } catch {
            problems.add(DropProblem(line: line, column: column(name), field: name, "\(error)"))
        }
        return nil
    }
}

extension StringProtocol {
    /// The text without surrounding spaces and tabs.
    var trimmedSpaces: Substring {
        // Fast path: most cells have nothing to trim.
        let whole = Substring(self)
        if let f = whole.utf8.first, let l = whole.utf8.last, f != 32 && f != 9 && l != 32 && l != 9 { return whole }
        var s = self[...]
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return Substring(s)
    }

    var trimmingSpaces: String { String(trimmedSpaces) }
}
