/// What a person decided about a flag or a report.
public enum DecisionKind: String, Sendable, Equatable {
    /// Bill the report as it is.
    case approve
    /// Remove the report from both the invoice and the payout statement (it stays in the ledger).
    case exclude
}

/// One decision, from a `decisions` drop or `recon decide`.
public struct Decision: Sendable, Equatable {
    /// A flag id or a report id.
    public var subject: String
    public var decision: DecisionKind
    public var by: String
    public var note: String
    public var line: Int = 0

    public init(subject: String, decision: DecisionKind, by: String, note: String, line: Int = 0) {
        self.subject = subject
        self.decision = decision
        self.by = by
        self.note = note
        self.line = line
    }
}

extension Decision {
    /// Whether `other` decides as this one does: the same decision, by and note (its subject
    /// and line aside).
    public func decidesAlike(_ other: Decision) -> Bool { decision == other.decision && by == other.by && note == other.note }
}
