/// What a payee holds for a month in a currency other than its new statement's (its currency
/// changed, and a rerun reversed the statements it was paid in): the amount, and that amount in
/// the statement's currency at the period's rate, when the site has one. The statement sets it
/// off in figures a payroll clerk can follow; it said "set all of it off" with no amount or rate.
public struct HeldElsewhere: Sendable, Equatable {
    public var held: Money
    /// `held` converted at `quote`'s rates, rounded once to the statement currency's minor unit;
    /// nil when the period's rates do not convert it.
    public var converted: ExactDecimal?
    public var quote: FXQuote?

    public init(held: Money, converted: ExactDecimal?, quote: FXQuote?) {
        self.held = held
        self.converted = converted
        self.quote = quote
    }

    /// As the payout statement's entry records it (`held_elsewhere`).
    var json: JSONValue {
        var o = held.json
        if let converted { o["converted"] = .string(converted.description) }
        if let quote { o["fx"] = quote.json }
        return .object(o)
    }

    init?(json: JSONValue) {
        guard let o = json.objectValue, let held = Money(json: o) else { return nil }
        var converted: ExactDecimal?
        if let c = o["converted"] {
            guard let t = c.stringValue, let v = ExactDecimal(recorded: Substring(t)) else { return nil }
            converted = v
        }
        var quote: FXQuote?
        if let q = o["fx"] {
            guard let parsed = FXQuote(json: q) else { return nil }
            quote = parsed
        }
        self.init(held: held, converted: converted, quote: quote)
    }
}
