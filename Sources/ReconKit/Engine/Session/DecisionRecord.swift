/// A decision as recorded in the ledger (`flag.decided`), the latest one per subject in force.
public struct DecisionRecord: Sendable {
    public var seq: Int
    public var flagId: String?
    public var reportId: String?
    public var decision: DecisionKind
    public var by: String
    public var note: String
    public var period: Period?
}

extension DecisionRecord {
    /// Whether this recorded decision is `d` given again: the same decision, by and note.
    func records(_ d: Decision) -> Bool { decision == d.decision && by == d.by && note == d.note }
}
