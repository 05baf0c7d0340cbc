/// Ledger entry kinds that carry, or change who may sign, a privileged request (SPEC §6).
/// Spelled here until the typed ledger events take them over.
public enum PrivilegedKind {
    public static let operatorAdded = "operator.added"
    public static let operatorRemoved = "operator.removed"
    public static let rerun = "rerun"
    public static let creditNote = "credit_note.issued"

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
