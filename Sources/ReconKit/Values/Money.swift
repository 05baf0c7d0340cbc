/// An amount in a currency: what a document says a party holds in credit, say.
public struct Money: Sendable, Equatable {
    public var amount: ExactDecimal
    public var currency: Currency

    public init(_ amount: ExactDecimal, _ currency: Currency) {
        self.amount = amount
        self.currency = currency
    }

    /// `1,234.50 INR`, as documents print an amount.
    public var text: String { "\(Digits.grouped(amount)) \(currency.code)" }
}
