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

    /// Whether `id` has the shape of a flag id (`HARD-` or `SOFT-` and ten lowercase hex
    /// digits): a report so named would name a flag and a report at once in a decision.
    public static func isFlagShaped(_ id: String) -> Bool {
        let bytes = id.utf8
        guard bytes.count == 15 else { return false }
        guard id.hasPrefix(HardGate.idPrefix + "-") || id.hasPrefix(SoftFlag.idPrefix) else { return false }
        return bytes.dropFirst(5).allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }

    /// `PREFIX-` and ten hex digits of SHA-256 over the finding's identity.
    public static func stableId(prefix: String, _ parts: [String]) -> String {
        let digest = SHA256.hash(data: Array(parts.joined(separator: "|").utf8))
        return prefix + "-" + Hex.string(digest.prefix(5))
    }
}
