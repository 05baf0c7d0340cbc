/// One row of a provider rate card: what a radiologist is paid per report.
/// A nil grade, modality or urgency is the wildcard `*`.
public struct ProviderRate: Sendable, Equatable {
    public var effectiveFrom: LocalDate
    public var grade: String?
    public var modality: String?
    public var urgency: Urgency?
    public var minSeniorityYears: Int
    public var ratePerReport: ExactDecimal
    public var ratePerImage: ExactDecimal
    public var currency: Currency
    public var line: Int = 0

    /// The matching key: two rows of one card may not share it.
    var key: String {
        "\(grade ?? "*")|\(modality ?? "*")|\(urgency?.rawValue ?? "*")|\(minSeniorityYears)"
    }

    /// How a person names this row on a statement: `grade/modality/urgency ≥ N y`.
    public var label: String {
        "\(grade ?? "*")/\(modality ?? "*")/\(urgency?.rawValue ?? "*")"
            + (minSeniorityYears > 0 ? " ≥\(minSeniorityYears)y" : "") + " from \(effectiveFrom)"
    }
}
