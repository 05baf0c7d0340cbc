/// What a payee owes back, in one currency, when a close issues its next payout statement: an
/// adjustment that took back more than a rerun's new statement paid ("set off against what is
/// next paid to the payee, or repaid") was followed by a close's statement that said nothing
/// of it, and payroll, paying its total as printed, left the payee holding money it was told
/// to repay.
///
/// Reckoned from the documents as issued, each followed as it says: a statement's total is
/// owed to the payee, of which it asked to transfer its total less what the payee held for
/// the month (``IssuedDocument/paidBefore``) and what it set off (``IssuedDocument/setOff``);
/// an adjustment takes its total back. What was owed but never asked to be transferred, less
/// what adjustments took back, is what the payee holds beyond its work: owed back when below
/// zero. A payee paid in another currency for some month (``IssuedDocument/holdsElsewhere``)
/// is not reckoned here: its statements set off across currencies themselves.
public enum PayeeSetOff {
    /// What the payee owes back, and the adjustments since it last owed nothing.
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

    /// What `payee` owes back in `currency` before its next statement, from `issued`; nil when nothing.
    static func owed(by payee: String, in currency: Currency, issued: [IssuedDocument]) -> Owed? {
        let mine = issued.filter { $0.partyId == payee && ($0.kind == .payout || $0.kind == .payoutAdjustment) }
        guard !mine.contains(where: \.holdsElsewhere) else { return nil }
        var balance = currency.zero
        var adjustments: [String] = []
        for d in mine.filter({ $0.currency == currency }).sorted(by: { $0.seq < $1.seq }) {
            do {
                if d.kind == .payout {
                    // Owed to the payee, less what it asked to transfer: what it counted as held or set off.
                    let counted = try (d.paidBefore ?? currency.zero) + (d.setOff ?? currency.zero)
                    balance = try balance + min(d.total, max(counted, currency.zero))
                } else {
                    balance = try balance - d.total
                    adjustments.append(d.number)
                }
            } catch {
                return nil
            }
            if balance >= .zero { adjustments = [] }
        }
        guard balance < .zero, let amount = try? currency.zero - balance else { return nil }
        return Owed(amount: amount, adjustments: adjustments)
    }
}
