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

extension DecisionKind: ExpressibleByArgument {}
