/// Something that keeps a period from being billed exactly: it blocks the close and shows on
/// the review workbook. Pricing never guesses.
public struct PricingProblem: Sendable, Equatable, Hashable {
    public enum Code: String, Sendable {
        case unpriced = "UNPRICED"
        case fxMissing = "FX_MISSING"
        case overflow = "AMOUNT_OVERFLOW"
    }

    public var code: Code
    /// Whose document it keeps from being exact: `.invoice` (a client's) or `.payout` (a radiologist's).
    public var side: DocumentKind
    /// The report id, or the party the problem belongs to.
    public var subject: String
    public var message: String
}
