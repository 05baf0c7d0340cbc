import Crypto
import Foundation

/// A soft finding of the auditor: a party whose behaviour in a period stands out from
/// its peers, with the score, the ratio that drove it and what is typical.
///
/// Soft flags inform; they block a close only when the site asks for it. The same
/// history, period and settings always give the same flags with the same ids.
public struct SoftFlag: Sendable, Hashable {
    /// One measure of the flagged party-period, for the review workbook.
    public struct Measure: Sendable, Hashable {
        /// The measure: `images_per_case`, `cost_per_case`, `revenue_per_case`,
        /// `margin` (a fraction), `volume_growth` (a ratio), `age_months`.
        public let name: String
        /// The party's value in the period, in the units of ``name``.
        public let value: Double
        /// The party's own baseline: its median over the previous periods (for
        /// `volume_growth`, the baseline report count); nil when it has none.
        public let previous: Double?
        /// The peers' 25th percentile of the value.
        public let typicalLow: Double
        /// The peers' 75th percentile of the value.
        public let typicalHigh: Double
        /// For a scored signal: how far its change against the party's own baseline is
        /// from the peers' median change, in robust standard deviations (positive for a
        /// rise); nil for a measure that is reported only.
        public let deviation: Double?

        /// Creates a measure.
        public init(name: String, value: Double, previous: Double?, typicalLow: Double, typicalHigh: Double, deviation: Double?) {
            self.name = name
            self.value = value
            self.previous = previous
            self.typicalLow = typicalLow
            self.typicalHigh = typicalHigh
            self.deviation = deviation
        }
    }

    /// `SOFT-` and 10 hex digits of the SHA-256 of code, party, subject and period:
    /// the same finding on a re-run has the same id.
    public let id: String
    /// What drove the flag: `SOFT_IMAGES_PER_CASE`, `SOFT_COST_PER_CASE`,
    /// `SOFT_REVENUE_PER_CASE`, `SOFT_MARGIN`, `SOFT_VOLUME_GROWTH`.
    public let code: String
    /// Client or radiologist.
    public let party: PartyPeriodStats.Party
    /// The party's id.
    public let subject: String
    /// The period, `YYYY-MM`.
    public let period: String
    /// The Isolation Forest anomaly score, as a decimal string of at most 4 digits without
    /// trailing zeros, as the ledger writes decimals (SPEC §6): `0.7312`, `0.825`.
    public let score: String
    /// A sentence for people: `High images per case: 8.1, up from 2.7 (typical 2.1–3.9
    /// among clients aged 12 months or more)`.
    public let reason: String
    /// Every measure of the party-period with its own baseline and its peers' typical
    /// range, in a fixed order.
    public let measures: [Measure]

    /// Creates a flag; the id is derived from code, party, subject and period.
    public init(code: String, party: PartyPeriodStats.Party, subject: String, period: String, score: Double, reason: String, measures: [Measure]) {
        self.id = SoftFlag.id(code: code, party: party, subject: subject, period: period)
        self.code = code
        self.party = party
        self.subject = subject
        self.period = period
        self.score = SoftFlag.scoreText(score)
        self.reason = reason
        self.measures = measures
    }

    /// `score` to 4 decimals, trailing zeros dropped: `0.825`, `0.8`, `1`.
    static func scoreText(_ score: Double) -> String {
        var text = String(format: "%.4f", score)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }

    /// The stable id of a finding: `SOFT-` + the first 10 hex digits of
    /// SHA-256(`code|party|subject|period`).
    public static func id(code: String, party: PartyPeriodStats.Party, subject: String, period: String) -> String {
        let digest = SHA256.hash(data: Data("\(code)|\(party.rawValue)|\(subject)|\(period)".utf8))
        let hex = digest.map { String(format: "%02x", $0) }.joined()
        return idPrefix + hex.prefix(10)
    }

    /// What every soft flag's id starts with.
    public static let idPrefix = "SOFT-"
}
