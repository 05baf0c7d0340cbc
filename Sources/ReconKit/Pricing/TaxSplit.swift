/// How tax is split into its components (SPEC §3); every amount rounded once, by ``Rounding``.
public enum TaxSplit {
    /// On an invoice: each component = subtotal × rate / 100, rounded to the currency.
    public static func onSubtotal(_ subtotal: ExactDecimal, _ components: [TaxComponent], currency: Currency) throws
        -> [TaxAmount]
    {
        try components.map { c in
            // subtotal × rate / 100 is exact in decimal (two more places), then rounded once.
            let product = try subtotal * c.rate
            let exact = ExactDecimal(mantissa: product.mantissa, scale: product.scale + 2)
            return TaxAmount(name: c.name, rate: c.rate, amount: try currency.round(exact))
        }
    }

    /// On a partial credit of gross `gross`: each component = gross × rate / (100 + tax rate), rounded.
    public static func ofCredit(_ gross: ExactDecimal, _ components: [TaxComponent], currency: Currency) throws
        -> [TaxAmount]
    {
        var taxRate = ExactDecimal.zero
        for c in components { taxRate = try taxRate + c.rate }
        let divisor = try ExactDecimal(100) + taxRate
        return try components.map { c in
            TaxAmount(name: c.name, rate: c.rate,
                      amount: try Rounding.divide(try gross * c.rate, by: divisor, toScale: currency.minorDigits))
        }
    }

    /// On the credit that brings a document to zero: each component's remainder, what was
    /// charged on `charged` less what `credited` already gave back, matched by name.
    public static func remainder(charged: [[TaxAmount]], credited: [[TaxAmount]], currency: Currency) throws -> [TaxAmount] {
        var order: [(name: String, rate: ExactDecimal)] = []
        var left: [String: ExactDecimal] = [:]
        for list in charged {
            for t in list {
                // Named at the rate of the latest document charging it: a month rerun under
                // corrected terms (5 % where it closed at 18 %) credits what remains at 5 %.
                if let i = order.firstIndex(where: { $0.name == t.name }) { order[i].rate = t.rate } else { order.append((t.name, t.rate)) }
                left[t.name] = try (left[t.name] ?? currency.zero) + t.amount
            }
        }
        for list in credited {
            for t in list { left[t.name] = try (left[t.name] ?? currency.zero) - t.amount }
        }
        return order.map { TaxAmount(name: $0.name, rate: $0.rate, amount: left[$0.name] ?? currency.zero) }
    }

    /// The sum of the components' amounts.
    public static func total(_ taxes: [TaxAmount], currency: Currency) throws -> ExactDecimal {
        var sum = currency.zero
        for t in taxes { sum = try sum + t.amount }
        return sum
    }
}
