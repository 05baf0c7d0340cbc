/// One named part of a client's tax (SPEC §2 `tax_components`), e.g. CGST at 9 %.
public struct TaxComponent: Sendable, Equatable {
    public var name: String
    /// Percent, e.g. 9 for 9 %.
    public var rate: ExactDecimal

    public init(name: String, rate: ExactDecimal) {
        self.name = name
        self.rate = rate
    }

    /// Without a `tax_components` cell: one component `Tax` at the client's tax rate.
    public static func single(taxRate: ExactDecimal) -> [TaxComponent] { [TaxComponent(name: "Tax", rate: taxRate)] }

    /// Reads `CGST:9;SGST:9`: names of 1–16 letters, digits or spaces, decimal percents that
    /// add up to `taxRate` exactly (nil: a tax rate that was itself wrong, no sum compared).
    public static func parse(_ text: Substring, taxRate: ExactDecimal?) throws -> [TaxComponent] {
        let example = "write name:percent pairs separated by ; (e.g. CGST:9;SGST:9 or IGST:18)"
        var out: [TaxComponent] = []
        var sum = ExactDecimal.zero
        for part in text.split(separator: ";", omittingEmptySubsequences: false) {
            let pieces = part.split(separator: ":", omittingEmptySubsequences: false)
            guard pieces.count == 2 else { throw FieldValue.Invalid("\"\(part)\" is not name:percent; \(example)") }
            let name = pieces[0].trimmingSpaces
            guard (1...16).contains(name.count),
                // Letters of any script (Impôt, ÜST, ضريبة) and their combining marks, decimal digits, spaces;
                // nothing invisible (a variation selector or joiner would make two names print alike).
                name.unicodeScalars.allSatisfy({
                    !$0.properties.isDefaultIgnorableCodePoint
                        && ($0.properties.isAlphabetic || $0.properties.numericType == .decimal || $0 == " "
                            || $0.properties.generalCategory == .nonspacingMark || $0.properties.generalCategory == .spacingMark)
                })
            else {
                throw FieldValue.Invalid("the component name \"\(name)\" must be 1–16 letters, digits or spaces (e.g. CGST)")
            }
            guard !out.contains(where: { $0.name.lowercased() == name.lowercased() }) else {
                throw FieldValue.Invalid("the component \(name) appears twice; name each component once")
            }
            let rate: ExactDecimal
            do { rate = try FieldValue.decimal(pieces[1].trimmedSpaces, positive: false) } catch let e as FieldValue.Invalid {
                throw FieldValue.Invalid("the percent of \(name): \(e.message)")
            }
            sum = try sum + rate
            out.append(TaxComponent(name: name, rate: rate))
        }
        // Without a valid tax_rate (its own problem is reported) there is no sum to match.
        guard let taxRate, sum != taxRate else { return out }
        throw FieldValue.Invalid("the components add up to \(sum.normalized) % but tax_rate is \(taxRate.normalized) %; they must be equal")
    }

    /// The cell text that reads back to these components.
    public static func text(_ list: [TaxComponent]) -> String {
        list.map { "\($0.name):\($0.rate.normalized)" }.joined(separator: ";")
    }
}

/// A tax component as a document shows it: its name, percent and rounded amount.
public struct TaxAmount: Sendable, Equatable {
    public var name: String
    public var rate: ExactDecimal
    public var amount: ExactDecimal

    public init(name: String, rate: ExactDecimal, amount: ExactDecimal) {
        self.name = name
        self.rate = rate
        self.amount = amount
    }
}
