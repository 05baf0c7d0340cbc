import ArgumentParser
import ReconKit

/// A period argument is parsed once, here, with an error that shows the expected form.
extension Period: ExpressibleByArgument {
    public init?(argument: String) { self.init(argument) }
}

extension DecisionKind: ExpressibleByArgument {}
