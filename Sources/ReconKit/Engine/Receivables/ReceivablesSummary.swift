/// What all clients owe in one currency, by age past due (`recon status`).
public struct ReceivablesSummary: Sendable {
    public var currency: Currency
    /// What clients owe: the sum of the balances that are owed. One client's advance is not
    /// netted against another's debt (SPEC §5 defines total due for a client); it is credit
    /// owed to that client, in ``unapplied``.
    public var totalDue: ExactDecimal
    public var buckets: [ExactDecimal]
    public var unapplied: ExactDecimal

    /// Every client's account added up per currency; currencies with nothing ever invoiced are left out.
    static func all(writer: StatementWriter, asOf: LocalDate) -> [ReceivablesSummary] {
        var out: [Currency: ReceivablesSummary] = [:]
        for case let (_, r?) in writer.allReceivables(asOf: asOf) {
            for a in r.accounts {
                var s = out[a.currency] ?? ReceivablesSummary(currency: a.currency, totalDue: a.currency.zero,
                                                              buckets: a.buckets.map { _ in a.currency.zero }, unapplied: a.currency.zero)
                guard let total = try? s.totalDue + max(a.totalDue, a.currency.zero), let unapplied = try? s.unapplied + a.unapplied,
                    let buckets = try? zip(s.buckets, a.buckets).map({ try $0 + $1 })
                else { continue }
                s.totalDue = total
                s.unapplied = unapplied
                s.buckets = buckets
                out[a.currency] = s
            }
        }
        return out.values.sorted { $0.currency < $1.currency }
    }

    /// `INR total due 1,234.00: current 1,000.00, 1–30 234.00, …`.
    public var text: String {
        let aged = zip(Receivables.bucketNames, buckets).map { "\($0.lowercased()) \(Digits.grouped($1))" }
        return "\(currency) total due \(Digits.grouped(totalDue)): " + aged.joined(separator: ", ")
            + (unapplied.isZero ? "" : "; unapplied credit \(Digits.grouped(unapplied))")
    }

    var json: JSONValue {
        var o: [String: JSONValue] = ["total_due": .string(totalDue.description), "unapplied": .string(unapplied.description)]
        for (key, amount) in zip(["current", "1_30", "31_60", "61_90", "over_90"], buckets) { o[key] = .string(amount.description) }
        return .object(o)
    }
}
