import Crypto

/// A finding of the auditor about a report (hard) or a party's period (soft).
public struct AuditFlag: Sendable, Equatable {
    public enum Severity: String, Sendable { case hard, soft }

    /// Stable: the same finding on a re-run has the same id.
    public var id: String
    public var severity: Severity
    public var code: String
    /// The report id (hard) or the party id (soft).
    public var subject: String
    public var period: Period
    public var reason: String
    /// Decimal text; hard flags score "1".
    public var score: String
    /// Feature values behind a soft flag, for the review workbook.
    public var features: [(name: String, value: Double)] = []

    public static func == (a: AuditFlag, b: AuditFlag) -> Bool {
        a.id == b.id && a.severity == b.severity && a.code == b.code && a.subject == b.subject && a.period == b.period
            && a.reason == b.reason && a.score == b.score
    }

    /// `PREFIX-` and ten hex digits of SHA-256 over the finding's identity.
    public static func stableId(prefix: String, _ parts: [String]) -> String {
        let digest = SHA256.hash(data: Array(parts.joined(separator: "|").utf8))
        return prefix + "-" + Hex.string(digest.prefix(5))
    }
}
