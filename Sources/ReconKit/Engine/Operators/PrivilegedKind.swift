/// Ledger entry kinds that carry, or change who may sign, a privileged request (SPEC §6).
/// The kind strings themselves are spelled once, in ``LedgerEvent/Kind``.
public enum PrivilegedKind {
    public static let operatorAdded = LedgerEvent.Kind.operatorAdded.rawValue
    public static let operatorRemoved = LedgerEvent.Kind.operatorRemoved.rawValue
    public static let rerun = LedgerEvent.Kind.rerun.rawValue
    public static let creditNote = LedgerEvent.Kind.creditNoteIssued.rawValue

    /// The entry kind each signed command appends.
    public static func entryKind(ofCommand command: String) -> String? {
        switch command {
        case "rerun": return rerun
        case "credit": return creditNote
        case "operator add": return operatorAdded
        case "operator remove": return operatorRemoved
        default: return nil
        }
    }
}
