/// A client whose margin a period leaves out, and why: what the review files under its code
/// and `recon status` names under "left out of the margin".
public struct MarginGap: Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// No rate from a currency of its documents to the base currency (or a sum too large).
        case fxMissing = "MARGIN_FX_MISSING"
        /// Reports of a draft without a price or payout: one side of them only would count.
        case unpriced = "MARGIN_UNPRICED"
    }

    public var code: Code
    public var clientId: String
    public var reason: String

    /// `C1: no USD rate to INR on or before 2026-03-31`.
    public var description: String { "\(clientId): \(reason)" }
}
