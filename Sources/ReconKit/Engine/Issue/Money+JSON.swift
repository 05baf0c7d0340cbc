/// An amount as a document's entry records it: `{"amount": "500.00", "currency": "INR"}`
/// (`account_credit`, and what a payee holds elsewhere in `held_elsewhere`).
extension Money {
    var json: [String: JSONValue] { ["amount": .string(amount.description), "currency": .string(currency.code)] }

    /// Nil when `amount` or `currency` is missing or malformed.
    init?(json: [String: JSONValue]) {
        guard let text = json["amount"]?.stringValue, let amount = ExactDecimal(recorded: Substring(text)),
              let currency = json["currency"]?.stringValue.flatMap({ Currency(code: $0) }) else { return nil }
        self.init(amount, currency)
    }
}
