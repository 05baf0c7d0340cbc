/// What a payee owes back, in one currency, when a close issues its next payout statement: an
/// adjustment that took back more than a rerun's new statement paid ("set off against what is
/// next paid to the payee, or repaid") was followed by a close's statement that said nothing
/// of it, and payroll, paying its total as printed, left the payee holding money it was told
/// to repay.
///
/// Reckoned from the documents as issued, each followed as it says: a statement's total is
/// owed to the payee, of which it asked to transfer its total less what the payee held for
/// the month (``IssuedDocument/paidBefore``), what it held in other currencies at the period's
/// rate (``IssuedDocument/heldElsewhere``: those amounts are counted in their own currency
/// too) and what it set off (``IssuedDocument/setOff``); an adjustment takes its total back.
/// What was owed but never asked to be transferred, less what adjustments took back, is what
/// the payee holds beyond its work: owed back when below zero.
public enum PayeeSetOff {
    /// What the payee owes back, and the adjustments since it last owed nothing that added to it.
    public struct Owed: Sendable {
        public var amount: ExactDecimal
        public var adjustments: [String]

        /// What a statement of `total` sets off, and what the payee still owes after it; nil
        /// when nothing is set off.
        func against(_ total: ExactDecimal) -> (setOff: ExactDecimal, left: ExactDecimal)? {
            let setOff = min(amount, total)
            guard setOff > .zero, let left = try? amount - setOff else { return nil }
            return (setOff, left)
        }
    }

    /// What `payee` owes back in `currency` before its next statement, from `issued`; nil when
    /// nothing (or when a statement set off an amount held elsewhere it could not convert).
    static func owed(by payee: String, in currency: Currency, issued: [IssuedDocument]) -> Owed? {
        let mine = issued.filter { $0.partyId == payee && ($0.kind == .payout || $0.kind == .payoutAdjustment) }
            .sorted { $0.seq < $1.seq }
        var balance = currency.zero
        var adjustments: [String] = []
        // An adjustment a statement issued with it nets: named only if, that statement counted,
        // it left the payee owing more than before it (a month lowered, not one raised).
        var netting: [String: (adjustment: String, before: ExactDecimal)] = [:]
        do {
            for d in mine {
                if d.kind == .payout {
                    if d.currency == currency {
                        // Owed to the payee, less what it asked to transfer (what it counted as held
                        // or set off), less what it counted from other currencies: those are the
                        // payee's there, counted in their own currency below.
                        var elsewhere = currency.zero
                        for held in d.heldElsewhere {
                            guard let converted = held.converted else { return nil }
                            elsewhere = try elsewhere + converted
                        }
                        let counted = try (d.paidBefore ?? currency.zero) + (d.setOff ?? currency.zero) + elsewhere
                        balance = try balance + min(d.total, max(counted, currency.zero)) - elsewhere
                    } else {
                        // Held here, set off by a statement in another currency: counted here.
                        for held in d.heldElsewhere where held.held.currency == currency {
                            guard held.converted != nil else { return nil }
                            balance = try balance + held.held.amount
                        }
                    }
                    if let netted = netting.removeValue(forKey: d.number), balance < netted.before {
                        adjustments.append(netted.adjustment)
                    }
                } else if d.currency == currency {
                    let before = balance
                    balance = try balance - d.total
                    if let statement = d.nettedIn { netting[statement] = (d.number, before) } else { adjustments.append(d.number) }
                }
                if balance >= .zero { adjustments = [] }
            }
        } catch {
            return nil
        }
        guard balance < .zero, let amount = try? currency.zero - balance else { return nil }
        return Owed(amount: amount, adjustments: adjustments)
    }
}
