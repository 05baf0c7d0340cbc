/// Money received from a client (SPEC §2 `payments`). Payments belong to no period.
public struct Payment: Sendable, Equatable {
    public var id: String
    public var clientId: String
    public var receivedOn: LocalDate
    public var amount: ExactDecimal
    public var currency: Currency
    public var reference: String
    /// The invoice it pays, when the client named one.
    public var invoice: String?
    public var line: Int = 0

    public init(id: String, clientId: String, receivedOn: LocalDate, amount: ExactDecimal, currency: Currency,
                reference: String = "", invoice: String? = nil, line: Int = 0) {
        self.id = id
        self.clientId = clientId
        self.receivedOn = receivedOn
        self.amount = amount
        self.currency = currency
        self.reference = reference
        self.invoice = invoice
        self.line = line
    }
}
