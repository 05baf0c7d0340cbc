import ArgumentParser
import ReconKit

/// A period argument is parsed once, here, with an error that shows the expected form.
extension Period: ExpressibleByArgument {
    /// `YYYY-MM` in the years dates may take (SPEC §2: 1970–2199): no report falls outside them.
    public init?(argument: String) {
        guard let period = Period(argument), (1970...2199).contains(period.year) else { return nil }
        self = period
    }
}

extension Period {
    /// A period argument read with the reason it is not one: "is invalid" alone was all a
    /// `1969-12` or a `2026-13`, which look like the form the help gives, was told.
    static func argument(_ text: String) throws -> Period {
        if let period = Period(argument: text) { return period }
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        let why: String
        if parts.count == 2, parts[0].count == 4, parts[1].count == 2, let year = Int(parts[0]), let month = Int(parts[1]) {
            why = !(1...12).contains(month) ? "there is no month \(parts[1])" : "\(year) is outside the years 1970–2199 dates may take"
        } else {
            why = "it is not YYYY-MM"
        }
        throw ValidationError("\"\(text)\" is not a period: \(why); write YYYY-MM (e.g. 2026-10)")
    }
}

extension DecisionKind: ExpressibleByArgument {}
