/// An invoice of the client, neither replaced nor issued by a rerun, whose open amount the
/// rerun's documents change: the client's payments are set against its invoices anew (SPEC §5:
/// the invoice they name, then the oldest due), so a payment that had settled a reversed invoice
/// may now settle another, or one that had paid another may now go to the month's new invoice.
/// The new invoice says so; the other invoice, issued before, still asks for what it did.
public struct AccountChange: Sendable, Equatable {
    public var number: String
    public var period: Period
    public var before: Money
    public var after: Money

    public init(number: String, period: Period, before: Money, after: Money) {
        self.number = number
        self.period = period
        self.before = before
        self.after = after
    }

    /// "INV-2026-000002 (2026-09) nothing to pay (1,000.00 INR before)".
    var text: String {
        func owed(_ m: Money) -> String { m.amount.isZero ? "nothing" : m.text }
        return "\(number) (\(period)) \(owed(after)) to pay (\(owed(before)) before)"
    }

    /// As the invoice's entry records it (`account_changes`).
    var json: JSONValue {
        .object(["number": .string(number), "period": .string(period.description), "currency": .string(after.currency.code),
                 "before": .string(before.amount.description), "after": .string(after.amount.description)])
    }

    init?(json: JSONValue) {
        guard let o = json.objectValue, let number = o["number"]?.stringValue,
              let period = o["period"]?.stringValue.flatMap({ Period($0) }),
              let currency = o["currency"]?.stringValue.flatMap({ Currency(code: $0) }),
              let before = o["before"]?.stringValue.flatMap({ ExactDecimal(recorded: Substring($0)) }),
              let after = o["after"]?.stringValue.flatMap({ ExactDecimal(recorded: Substring($0)) }) else { return nil }
        self.init(number: number, period: period, before: Money(before, currency), after: Money(after, currency))
    }
}
