/// One table of `recon.toml` read against its schema: every error names the line, the key
/// and what a valid value looks like.
struct SiteConfigKeys {
    let table: TOML.Table
    /// The table's name as written in messages (`seller`), nil for the top level.
    let name: String?

    private func label(_ key: String) -> String { name.map { "[\($0)] \(key)" } ?? key }

    func line(_ key: String) -> Int { table.entries[key]?.line ?? table.line }

    /// Refuses any key not in `known`.
    func allow(_ known: [String]) throws {
        for key in table.keys where !known.contains(key) {
            let place = name.map { "in [\($0)]" } ?? "at the top of recon.toml"
            throw TOML.Problem(line: line(key), message: "unknown key \(SafeText.escaped(key)) \(place); the keys there are \(known.joined(separator: ", "))")
        }
    }

    private func wrongType(_ key: String, _ value: TOML.Value, _ wanted: String, _ example: String) -> TOML.Problem {
        TOML.Problem(line: line(key), message: "\(label(key)) is \(value.typeName); it takes \(wanted) (e.g. \(key) = \(example))")
    }

    /// Text that documents print: no control characters, within `limit` characters.
    private func checkedText(_ key: String, _ s: String, _ limit: Int) throws -> String {
        if let bad = s.unicodeScalars.first(where: { SafeText.forbidden($0) != nil }) {
            throw TOML.Problem(line: line(key), message: "\(label(key)) holds \(SafeText.forbidden(bad)!); a workbook cannot show it — remove it")
        }
        // Characters as a person counts them, as a drop's text is (a Vietnamese name saved
        // decomposed was refused, its code points counted as characters).
        guard s.unicodeScalars.count <= limit || s.count <= limit else {
            throw TOML.Problem(line: line(key), message: "\(label(key)) is \(s.count) characters long; at most \(limit)")
        }
        do { try FieldValue.fitsACellWhole(s) } catch let invalid as FieldValue.Invalid {
            throw TOML.Problem(line: line(key), message: "\(label(key)) \(invalid.message)")
        }
        // Nothing to read (a lone no-break space, a zero-width space) is no value: empty, as
        // spaces are (a legal_name so written issued invoices with a blank seller).
        if SafeText.blankness(of: s.trimmingSpaces) != nil { return "" }
        return s
    }

    func string(_ key: String, example: String, limit: Int = 200) throws -> String? {
        guard let entry = table.entries[key] else { return nil }
        guard case .string(let s) = entry.value else { throw wrongType(key, entry.value, "a string in quotes", example) }
        return try checkedText(key, s, limit)
    }

    func requiredString(_ key: String, example: String) throws -> String {
        guard let s = try string(key, example: example) else {
            throw TOML.Problem(line: name == nil ? nil : table.line, message: "\(label(key)) is missing; add \(key) = \(example)")
        }
        return s
    }

    func strings(_ key: String, example: String) throws -> [String]? {
        guard let entry = table.entries[key] else { return nil }
        guard case .array(let items) = entry.value else { throw wrongType(key, entry.value, "an array of strings", example) }
        return try items.map { item in
            guard case .string(let s) = item else {
                throw TOML.Problem(line: line(key), message: "\(label(key)) holds \(item.typeName); every item is a string (e.g. \(key) = \(example))")
            }
            return try checkedText(key, s, 200)
        }
    }

    func bool(_ key: String) throws -> Bool? {
        guard let entry = table.entries[key] else { return nil }
        guard case .bool(let b) = entry.value else { throw wrongType(key, entry.value, "true or false without quotes", "true") }
        return b
    }

    func integer(_ key: String, in range: ClosedRange<Int64>) throws -> Int64? {
        guard let entry = table.entries[key] else { return nil }
        guard case .integer(let n) = entry.value else {
            throw wrongType(key, entry.value, "a whole number from \(range.lowerBound) to \(range.upperBound)", "\(range.lowerBound + 1)")
        }
        guard range.contains(n) else {
            throw TOML.Problem(line: line(key), message: "\(label(key)) is \(n); it takes a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return n
    }

    /// An anomaly score in (0, 1]: a float, or the integer 1.
    func score(_ key: String) throws -> Double? {
        guard let entry = table.entries[key] else { return nil }
        let v: Double
        switch entry.value {
        case .float(let d): v = d
        case .integer(let n): v = Double(n)
        default: throw wrongType(key, entry.value, "a number above 0 and at most 1", "0.6")
        }
        guard v > 0 && v <= 1 else {
            throw TOML.Problem(line: line(key), message: "\(label(key)) is \(v); an anomaly score lies above 0 and at most 1 (e.g. 0.6)")
        }
        return v
    }
}
