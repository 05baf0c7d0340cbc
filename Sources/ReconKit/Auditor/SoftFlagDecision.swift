/// What a decision may say about a soft flag: it is reviewed (`approve`), never `exclude`,
/// because a soft flag names a party's month, not a report; reports are excluded by report id.
public enum SoftFlagDecision {
    /// The message for an `exclude` that names a soft flag.
    public static func approveOnly(_ subject: String) -> String {
        "\(subject) is a soft flag, which takes `approve` only (reviewed); to leave a report out of billing, exclude it by its report id"
    }
}
