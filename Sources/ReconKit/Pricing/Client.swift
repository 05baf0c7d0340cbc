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
    /// Printed on its invoices and statements (SPEC §2 optional columns).
    public var billingAddress: [String] = []
    public var taxId = ""
    public var poNumber = ""
    public var paymentTermsDays = 30
    public var email = ""
    /// Empty means one component `Tax` at `taxRate`.
    public var taxComponents: [TaxComponent] = []

    /// The components its invoices split tax into.
    public var effectiveTaxComponents: [TaxComponent] {
        taxComponents.isEmpty ? TaxComponent.single(taxRate: taxRate) : taxComponents
    }
}
