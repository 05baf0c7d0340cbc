/// A hospital: it is invoiced. The latest accepted row for an id is in force.
public struct Client: Sendable, Equatable {
    public var id: String
    public var name: String
    public var currency: Currency
    public var contractType: String
    public var onboardedOn: LocalDate
    public var maxImagesPerCase: Int
    /// Percent, e.g. 18 for 18 %.
    public var taxRate: ExactDecimal
    public var line: Int = 0
}
