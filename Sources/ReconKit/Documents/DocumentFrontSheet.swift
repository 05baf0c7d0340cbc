import XLSX
import Foundation

/// The first sheet of a document workbook: what a client's accounts payable (or a payee)
/// needs to read, check and pay it (SPEC §7), laid out to print on one page width.
///
/// Columns: A description (and the seller and buyer blocks), B quantity, C unit price
/// (and the document's labels), D amount (and the document's values).
struct DocumentFrontSheet {
    let record: DocumentRecord
    /// The entry's `at`, shown only when the record predates `issued_on`.
    let at: String

    private var money: CellStyle { CellStyle.currency(code: record.currency.code, minorDigits: record.currency.minorDigits) }
    private static let small = CellStyle().with {
        $0.isItalic = true
        $0.fontSize = 8
        $0.fontColor = 0x595959
    }
    static let label = CellStyle().with {
        $0.isBold = true
        $0.alignment = .right
    }
    static let value = CellStyle().with { $0.alignment = .right }
    static let dateValue = CellStyle.date.with { $0.alignment = .right }
    private static let heading = CellStyle().with {
        $0.isBold = true
        $0.fontColor = 0x1F4E79
        $0.hasBottomBorder = true
    }

    func write(in book: Workbook) throws {
        let sheet = try book.addWorksheet(named: record.kind.title)
        try sheet.setColumnWidth(46, columns: 0...0)
        try sheet.setColumnWidth(quantityWidth, columns: 1...1)
        let widths = amountWidths()
        try sheet.setColumnWidth(widths.width(ofColumn: 2), columns: 2...2)
        try sheet.setColumnWidth(widths.width(ofColumn: 3), columns: 3...3)
        try sheet.write(text: record.kind.title.uppercased(), row: 0, column: 0, style: .title.with { $0.fontSize = 18 })

        var row = record.layout >= 4 ? try writeHead(in: sheet) : try writeHeadBesideFields(in: sheet)

        // The buyer (or payee).
        try sheet.write(text: record.kind.isClientSide ? "Bill to" : "Payee", row: row, column: 0, style: Self.heading)
        row += 1
        for (i, line) in partyLines().enumerated() {
            try writeLine(line, row: row, in: sheet, style: i == 0 ? .bold : .plain)
            row += 1
        }
        row += 1

        // The lines.
        let headers = ["Description", "Quantity", "Unit price", "Amount (\(record.currency))"]
        for (c, h) in headers.enumerated() {
            try sheet.write(text: h, row: row, column: c, style: c == 0 ? .header : .header.with { $0.alignment = .right })
        }
        try sheet.setUpPrinting(paper: record.paper, repeatRows: row...row)
        let headerRow = row
        // The blocks a page's foot must not cut (layout 11 on): each starts a page instead.
        var blocks: [ClosedRange<Int>] = []
        row += 1
        let firstLine = row
        for l in record.lines {
            let description = l.description.isEmpty ? "\(l.modality), \(l.urgencyText) — per \(l.per)" : l.description
            if record.layout >= 7 {
                // A line priced in several tiers names them all, and the amount beside it cut the
                // list short (SPEC §7: the tier or tiers).
                try sheet.write(text: description, row: row, column: 0, wrappingBeyond: Self.descriptionCharacters,
                                printedWidths: printedWidths)
            } else {
                try sheet.write(text: description, row: row, column: 0)
            }
            // Level with the description's first line when it wraps (layout 9 on).
            let level = { (style: CellStyle) in
                record.layout >= 9 && description.count > Self.descriptionCharacters ? style.with { $0.isTopAligned = true } : style
            }
            try sheet.write(number: Double(l.quantity), row: row, column: 1, style: level(.integer))
            try sheet.write(number: l.unitAmount.doubleApproximation, row: row, column: 2,
                            style: level(.currency(code: l.unitCurrency.code, minorDigits: l.unitDigits)))
            try sheet.write(number: l.amount.doubleApproximation, row: row, column: 3, style: level(money))
            row += 1
        }
        let totalsStart = row + 1
        row = try totals(sheet, firstLine: firstLine, row: totalsStart)
        blocks.append(totalsStart...(row - 1))

        if !record.fx.isEmpty {
            row += 1
            let fxStart = row
            try sheet.write(text: "Exchange rates used", row: row, column: 0, style: Self.heading)
            row += 1
            for q in record.fx {
                try writeLine(q.text + (q.sourceText.isEmpty ? "" : "   (\(q.sourceText))"), row: row, in: sheet)
                row += 1
            }
            // A reversal repeats the conversion of what it reverses (layout 10 on): a rerun's credit
            // note said the rows in force on the month's last day, which since the rerun are others.
            let reversed = record.layout >= 10 && (record.kind == .creditNote || record.kind == .payoutAdjustment)
                ? record.refersTo : nil
            let how = record.fx.allSatisfy(\.showsRows)
                ? (reversed.map { "Each line is converted exactly as on \($0), which this document reverses: at the rows in force on "
                    + "\(record.period.lastDay) when it was issued (amount × its currency's rate ÷ this document's), then rounded once." }
                    ?? "Each line is converted exactly at the rows in force on \(record.period.lastDay) (amount × its currency's "
                    + "rate ÷ this document's), then rounded once.")
                : (reversed.map { "Each line is converted as on \($0), which this document reverses, rounded once." }
                    ?? "Each line is converted at the rates in force on \(record.period.lastDay), rounded once.")
            try writeLine(how, row: row, in: sheet, style: Self.small)
            row += 1
            blocks.append(fxStart...(row - 1))
        }

        row += 1
        let paymentStart = row
        for (i, line) in paymentLines().enumerated() {
            if i == 0 {
                try sheet.write(text: line, row: row, column: 0, style: Self.heading)
            } else {
                try writeLine(line, row: row, in: sheet)
            }
            row += 1
        }

        blocks.append(paymentStart...(row - 1))

        row += 1
        try writeLine("Issued under ledger seq \(record.issuedUnderSeq); checkpoint \(record.checkpoint ?? "none before this document")",
                      row: row, in: sheet, style: Self.small)
        try writeLine("Ledger head \(record.issuedUnderHash)", row: row + 1, in: sheet, style: Self.small)
        blocks.append(row...(row + 1))
        // Layout 11 on: an invoice's total printed alone overleaf, under the lines' repeated
        // header, read as a page without one; a payment heading at a page's foot, as nothing to pay.
        if record.layout >= 11 {
            try Self.keepTogether(blocks, lastRow: row + 1, columns: 4, repeated: headerRow...headerRow, in: sheet)
        }
    }

    /// Breaks the printed pages of a titled sheet (``PrintedPages``) — this one, or an account
    /// statement — before each block of `blocks` a page's foot would cut. `columns`: how many
    /// the sheet prints; row 0 holds its title, whose 18-point font makes the row some 24
    /// points tall wherever it is opened.
    static func keepTogether(_ blocks: [ClosedRange<Int>], lastRow: Int, columns: Int, repeated: ClosedRange<Int>?,
                             in sheet: Worksheet) throws {
        let heights = sheet.rowHeights
        let pages = PrintedPages(paper: sheet.paper, columnWidths: (0..<columns).map { sheet.columnWidths[$0] ?? 8.43 },
                                 repeated: repeated) { row in heights[row] ?? (row == 0 ? 24 : 15) }
        try sheet.setRowBreaks(before: pages.breaks(keeping: blocks, lastRow: lastRow))
    }

    /// Characters of a line's description that column A (46 widths of a digit) holds on one
    /// printed line, breaking between words: its letters and spaces are narrower than digits,
    /// and "CT, routine — tier 101–300, graduated pricing" fits whole (printed, a row made
    /// taller for it stood half empty).
    static let descriptionCharacters = 52

    /// A line of text from column A on. From layout 4 it spans the page (A:D), wrapped, on a
    /// row as tall as it needs: a seller's name or a buyer's address line may run to 200
    /// characters (SPEC §2) and no cell of its own width holds that. Earlier layouts keep the
    /// single cell they were printed with.
    func writeLine(_ text: String, row: Int, in sheet: Worksheet, style: CellStyle = .plain) throws {
        guard record.layout >= 4 else { return try sheet.write(text: text, row: row, column: 0, style: style) }
        try sheet.merge(CellRange(row: row, columns: 0...3), text: text, style: style.with { $0.wrapsText = true })
        try sheet.fitRowHeight(row, toWrap: text, charactersPerLine: Self.lineCharacters, printedWidths: printedWidths)
    }

    /// Layout 13 on: wrapped text measured as it prints (``TextWidth``), a Japanese address
    /// two digit-widths a character; earlier layouts by their count of characters, as printed.
    var printedWidths: Bool { record.layout >= 13 }

    /// The quantity column (B): 9 digits wide, and from layout 11 on as wide as its largest
    /// quantity grouped in thousands needs (10,000,000 images printed `###`).
    private var quantityWidth: Double {
        guard record.layout >= 11, let most = record.lines.map(\.quantity).max() else { return 9 }
        return max(9, Double(Digits.grouped(most).count + 1))
    }

    /// Unit prices (C) and amounts (D) as wide as the widest each holds, from layout 6 on, so
    /// a large amount never prints `###`; earlier layouts keep the widths they were printed with.
    private func amountWidths() -> AmountColumnWidths {
        var widths = AmountColumnWidths(minimum: [2: 19, 3: 25])
        guard record.layout >= 6 else { return widths }
        for l in record.lines {
            widths.fit(l.unitAmount, code: l.unitCurrency.code, minorDigits: l.unitDigits, column: 2)
            widths.fit(l.amount, in: record.currency, column: 3)
        }
        for amount in [record.subtotal, record.tax, record.total] + record.taxes.map(\.amount) {
            widths.fit(amount, in: record.currency, column: 3)
        }
        return widths
    }

    /// Subtotal, one row per tax component, total; returns the next free row.
    private func totals(_ sheet: Worksheet, firstLine: Int, row start: Int) throws -> Int {
        var row = start
        let c = record.currency
        let amounts = record.lines.isEmpty ? "0" : "SUM(D\(firstLine + 1):D\(firstLine + record.lines.count))"
        try sheet.write(text: "Subtotal", row: row, column: 2, style: Self.label)
        try sheet.write(formula: "=\(amounts)", cachedValue: record.subtotal.doubleApproximation, row: row, column: 3, style: money)
        let subtotalCell = "D\(row + 1)"
        row += 1
        let firstTax = row
        for t in record.taxes {
            try sheet.write(text: "\(t.name) \(t.rate.normalized) %", row: row, column: 2, style: Self.label)
            // Up to layout 7 an invoice's components were ROUND formulas; a spreadsheet computes
            // them in doubles to 15 digits, which can land a half cent on the other side of the
            // exact amount (32,783,504.77 × 23.063522 % = 7,561,030.8349999994… recalculated to
            // …030.84): from layout 8 they are the exact amounts, as a credit note's are.
            if record.kind == .invoice && record.layout < 8 {
                try sheet.write(formula: "=ROUND(\(subtotalCell)*\(t.rate.normalized)/100,\(c.minorDigits))",
                                cachedValue: t.amount.doubleApproximation, row: row, column: 3, style: money)
            } else {
                // A credit's components are split from its gross amount (SPEC §3), not from its subtotal.
                try sheet.write(number: t.amount.doubleApproximation, row: row, column: 3, style: money)
            }
            row += 1
        }
        let taxSum = record.taxes.isEmpty ? "" : "+SUM(D\(firstTax + 1):D\(row))"
        let totalLabel: String
        switch record.kind {
        case .invoice: totalLabel = "Total due"
        case .creditNote: totalLabel = "Total credited"
        case .payout: totalLabel = "Total"
        case .payoutAdjustment: totalLabel = record.layout >= 3 ? "Total adjusted" : "Total"
        }
        try sheet.write(text: "\(totalLabel) (\(c))", row: row, column: 2, style: Self.label.with { $0.hasTopBorder = true })
        try sheet.write(formula: "=\(subtotalCell)\(taxSum)", cachedValue: record.total.doubleApproximation, row: row, column: 3,
                        style: .total(code: c.code, minorDigits: c.minorDigits))
        row += 1
        if record.kind == .creditNote || record.kind == .payoutAdjustment {
            try writeLine("Amounts are positive and are subtracted from \(record.refersTo ?? "the documents referred to").",
                          row: row, in: sheet, style: Self.small)
            row += 1
        }
        return row
    }

    private func partyLines() -> [String] {
        record.party.lines(name: record.partyName, idLabel: record.kind.isClientSide ? "Client" : "Radiologist", id: record.partyId)
    }

    private func paymentLines() -> [String] {
        switch record.kind {
        case .invoice:
            if record.layout >= 11, let paid = record.paidBefore, let replaced = record.replaces,
               let lines = replacementPaymentLines(paid: paid, replaced: replaced) {
                return lines
            }
            if record.layout >= 14, let applied = record.creditApplied, let lines = creditPaymentLines(applied: applied) { return lines }
            var out = ["Payment"]
            if let d = record.dueOn { out.append("Please pay \(Digits.grouped(record.total)) \(record.currency) by \(d), quoting \(record.number).") }
            // A client billed anew in another currency: what it paid for the month before is credit in that one.
            if let credit = accountCreditLine { out.append(credit) }
            if let changes = accountChangesLine { out.append(changes) }
            if let paid = record.paidBefore, let replaced = record.replaces {
                // Paid on the invoice this one replaces: not to be paid again.
                out.append("Already received against \(replaced.joined(separator: ", ")): \(Digits.grouped(paid)) \(record.currency). It stays "
                    + "on your account and is set against what is due, oldest first, this invoice included: your account statement "
                    + "gives the balance to pay.")
            }
            if let s = record.seller, !s.paymentInstructions.isEmpty { out.append(s.paymentInstructions) }
            return out
        case .creditNote:
            var out = ["Settlement", "This credit note reduces what is due on \(record.refersTo ?? "the invoice referred to")."]
            // A month taken back whole, or a credit on an invoice paid already (layout 14): what was
            // paid for it is the client's credit now, or pays another invoice.
            if record.layout >= 14, let credit = accountCreditLine { out.append(credit) }
            if let changes = accountChangesLine { out.append(changes) }
            // The seller's pay-to details, for any balance still due (SPEC §1: the seller on every credit note).
            if record.layout >= 2, let s = record.seller, !s.paymentInstructions.isEmpty {
                out.append("Any balance still due is payable to: \(s.paymentInstructions)")
            }
            return out
        // Every payout statement; an adjustment only in the layouts before 3, which printed it as one.
        case .payout,
             .payoutAdjustment where record.layout < 3:
            var out = ["Payment to the payee"]
            if record.kind == .payout, record.layout >= 12, let replaced = record.replaces,
               record.reversedBy != nil || record.paidBefore != nil || !record.heldElsewhere.isEmpty,
               let transfer = replacementTransferLine(paid: record.paidBefore, replaced: replaced) {
                out.append(transfer)
            }
            if record.kind == .payout, record.layout >= 16, let setOff = record.setOff, let transfer = setOffTransferLine(setOff) {
                out.append(transfer)
            }
            out.append(record.party.bankDetails.isEmpty ? "Bank details: not on file" : record.party.bankDetails)
            return out
        case .payoutAdjustment:
            // Not a payment: it takes back what the statement it refers to paid.
            let referred = record.refersTo ?? "the statement referred to"
            if record.layout >= 13, let statement = record.nettedIn {
                // Issued beside a new statement that nets it: a set-off of its own took it back twice.
                return ["Adjustment, not a payment",
                        "This adjustment takes back what was paid on \(referred). \(statement), issued with it, already counts it in "
                            + "what it leaves to transfer: nothing is to be set off or repaid for this adjustment itself."]
            }
            return ["Adjustment, not a payment",
                    "This adjustment reduces what was paid on \(referred): it is set off against what is next paid to the payee, "
                        + "or repaid."]
        }
    }

    /// A replacement invoice's payment lines from layout 11 on: what is left to pay on it once
    /// what was received against the invoice it replaces is set against it. Before, it asked for
    /// its whole total and the line after it said the rest, and a payer reading the first line
    /// paid the month twice. Nil when the amounts cannot be subtracted (the earlier wording).
    private func replacementPaymentLines(paid: ExactDecimal, replaced: [String]) -> [String]? {
        let c = record.currency, against = replaced.joined(separator: ", ")
        // From layout 13 the month's, not the replaced invoice's: after two reruns, a payment
        // made against the first was said received against the second, which asked for nothing.
        let received = record.layout >= 13 ? "\(Digits.grouped(paid)) \(c) already received for \(record.period)"
            : "\(Digits.grouped(paid)) \(c) already received against \(against)"
        // From layout 13 the account's credit says what is over, below: counted here, a
        // payment that named no invoice was left out of it.
        return paymentLines(less: paid, said: received, sayingOver: record.layout < 13)
    }

    /// A close's invoice to a client in credit (layout 14): what is left to pay once the
    /// account's credit is set against it, as the statement sets it. It asked for its total,
    /// which the statement showed paid. Nil when the amounts cannot be subtracted.
    private func creditPaymentLines(applied: ExactDecimal) -> [String]? {
        let c = record.currency, credit = "of your account's credit (payments beyond your earlier invoices)"
        // From layout 15 what paid invoices now falling due after this one is not called credit:
        // beside a statement showing money owed, it read as credit the client never had.
        let later = "that had been set against your invoices falling due after this one (see below)"
        guard record.layout >= 15, let moved = record.creditMoved, let fromCredit = try? applied - moved else {
            return paymentLines(less: applied, said: "\(Digits.grouped(applied)) \(c) \(credit)", sayingOver: false)
        }
        let said = fromCredit > .zero
            ? "\(Digits.grouped(applied)) \(c) of your payments: \(Digits.grouped(fromCredit)) \(c) \(credit) and \(Digits.grouped(moved)) \(c) \(later)"
            : "\(Digits.grouped(applied)) \(c) of your payments \(later)"
        return paymentLines(less: applied, said: said, sayingOver: false)
    }

    /// An invoice's payment lines when it asks for its total less `amount` (`said` so): what is
    /// left to pay, or that nothing is (with what is over it when `sayingOver`), the account's
    /// credit and the other invoices it changes, and the seller's instructions. Nil when the
    /// amounts cannot be subtracted.
    private func paymentLines(less amount: ExactDecimal, said: String, sayingOver: Bool) -> [String]? {
        guard let balance = try? record.total - amount else { return nil }
        let c = record.currency
        var out = ["Payment"]
        if balance > .zero {
            let by = record.dueOn.map { " by \($0)" } ?? ""
            out.append("Please pay \(Digits.grouped(balance)) \(c)\(by), quoting \(record.number): its total, "
                + "\(Digits.grouped(record.total)) \(c), less \(said).")
        } else {
            let over = balance < .zero && sayingOver ? (try? ExactDecimal.zero - balance).map {
                "; the \(Digits.grouped($0)) \(c) over it stays on your account as credit"
            } ?? "" : ""
            out.append("Nothing to pay on this invoice: \(said) covers its total, \(Digits.grouped(record.total)) \(c)\(over).")
        }
        if let credit = accountCreditLine { out.append(credit) }
        if let changes = accountChangesLine { out.append(changes) }
        // Layout 15: by due date (SPEC §5), which "oldest first" was not once terms were shortened —
        // beside an invoice paid before an older one falling due later.
        out.append(record.layout >= 15
            ? "Your account statement sets every payment against the invoice it names, then against your invoices in the order "
                + "they fall due, and gives the balance of them all."
            : "Your account statement sets every payment against your invoices, oldest first, and gives the balance of them all.")
        if let s = record.seller, !s.paymentInstructions.isEmpty { out.append(s.paymentInstructions) }
        return out
    }

    /// A rerun's new invoice (layout 13): the client's credit once it was issued, in each
    /// currency, so money paid for the month beyond it, or in the currency billed before, is
    /// not lost from sight (a hospital moved from USD to EUR was asked to pay the month again
    /// with no word of the USD it had paid).
    private var accountCreditLine: String? {
        guard record.layout >= 13, !record.accountCredit.isEmpty else { return nil }
        return "Your account holds \(record.accountCredit.map(\.text).joined(separator: " and ")) in credit\(creditMadeOf), for payments "
            + "beyond your invoices: your account statement gives each payment; it is set against what you are invoiced next in "
            + "its currency, or repaid on request."
    }

    /// From layout 14, on a replacement invoice, the credit in its currency split into what was
    /// received for the month beyond it and other payments (one that named no invoice, say):
    /// "2,500.00 received for 2026-09 covers its total, 708.00" beside "2,792.00 in credit" did
    /// not add up. Empty when there is no such split to make.
    private var creditMadeOf: String {
        guard record.layout >= 14, let paid = record.paidBefore, let credit = record.accountCredit.first(where: { $0.currency == record.currency }),
              let over = try? paid - record.total, over > .zero, over < credit.amount, let other = try? credit.amount - over else { return "" }
        let c = record.currency
        return " (\(Digits.grouped(over)) \(c) received for \(record.period) beyond this invoice, and \(Digits.grouped(other)) \(c) "
            + "of other payments beyond your invoices)"
    }

    /// A rerun's new invoice (layout 14): the client's other invoices whose open amount it
    /// changes. Each still asks for what it did when issued; followed alone, the invoices in
    /// force asked for more than was due (a cheque that had settled the reversed invoice now
    /// settled another), or less.
    private var accountChangesLine: String? {
        guard record.layout >= 14, !record.accountChanges.isEmpty else { return nil }
        return "With this \(record.kind == .creditNote ? "credit note" : "invoice") your payments are set against your invoices anew, and leave "
            + record.accountChanges.map(\.text).joined(separator: "; ") + ": pay from this list, not from what "
            + (record.accountChanges.count == 1 ? "that invoice" : "those invoices") + " asked when issued."
    }

    /// A close's statement that sets off what earlier adjustments took back (layout 16): what to
    /// transfer, and what the payee still owes after it. Nil when the amounts cannot be subtracted.
    private func setOffTransferLine(_ setOff: ExactDecimal) -> String? {
        let c = record.currency, adjustments = record.setOffFor.joined(separator: ", ")
        let what = "what \(adjustments.isEmpty ? "earlier payout adjustments" : adjustments) took back, which the payee owes"
        let repaid = " If the payee has repaid any of it, set off only what is still owed."
        guard let transfer = try? record.total - setOff else { return nil }
        if transfer > .zero {
            return "Transfer \(Digits.grouped(transfer)) \(c): this statement's total, \(Digits.grouped(record.total)) \(c), less "
                + "\(Digits.grouped(setOff)) \(c) set off for \(what).\(repaid)"
        }
        let left = record.setOffLeft.map {
            "; \(Digits.grouped($0)) \(c) of it is still to be set off against what is next paid to the payee, or repaid"
        } ?? ""
        return "Nothing to transfer: \(Digits.grouped(setOff)) \(c) of \(what), is set off against this statement's total, "
            + "\(Digits.grouped(record.total)) \(c)\(left).\(repaid)"
    }

    /// What a rerun's new payout statement leaves to transfer (layout 12): its total less what
    /// the statements it replaces paid, which its adjustment takes back. It printed its total
    /// alone, "pays the month in full": paid from it, the month was paid twice.
    private func replacementTransferLine(paid: ExactDecimal?, replaced: [String]) -> String? {
        let c = record.currency, old = replaced.joined(separator: ", ")
        let holds = record.layout >= 13
        if record.layout >= 14, !record.heldElsewhere.isEmpty {
            return transferSettingOffElsewhere(paid: paid, replaced: old)
        }
        guard let paid else {
            // What was sent before was in another currency (the payee's changed): said, not subtracted.
            if holds {
                return "What the payee holds for \(record.period) from its earlier statements (the last, \(old)"
                    + "\(record.reversedBy.map { ", which \($0) takes back" } ?? "")) is in another currency: set all of it off "
                    + "against this statement's total before transferring."
            }
            return "What was sent for \(record.period) before, on \(old)\(record.reversedBy.map { " (which \($0) takes back)" } ?? ""), "
                + "was in another currency: set it off against this statement's total before transferring."
        }
        guard let balance = try? record.total - paid else { return nil }
        if record.layout >= 15, paid.isZero {
            // Layout 15: what earlier statements sent, adjustments took back whole.
            return "Transfer \(Digits.grouped(record.total)) \(c), this statement's total: the payee holds nothing for \(record.period) "
                + "once its earlier statements and adjustments are followed (what they sent, the adjustments took back). If they "
                + "were not all followed, transfer this statement's total less what the payee holds for \(record.period)."
        }
        // From layout 13 what the payee holds once every earlier document was followed, and a
        // fallback naming no statement: "if PAY-… was never paid" named the last one, which after
        // a second rerun could have asked for nothing, and the month was paid twice.
        let sent = holds ? "\(Digits.grouped(paid)) \(c) the payee holds for \(record.period) once its earlier statements and "
            + "adjustments are followed" : "\(Digits.grouped(paid)) \(c) already sent for \(record.period) as its earlier statements asked"
        if balance > .zero {
            return "Transfer \(Digits.grouped(balance)) \(c): this statement's total, \(Digits.grouped(record.total)) \(c), less \(sent). "
                + (holds ? "If they were not all followed, transfer this statement's total less what the payee holds for \(record.period)."
                    : "If \(old) was never paid, transfer the whole total.")
        }
        let over = balance < .zero ? (try? ExactDecimal.zero - balance).map {
            "; the \(Digits.grouped($0)) \(c) over it is set off against what is next paid to the payee, or repaid"
        } ?? "" : ""
        return "Nothing to transfer: \(sent) covers this statement's total, \(Digits.grouped(record.total)) \(c)\(over)."
    }

    /// A new statement's transfer when the payee holds money for the month in another currency
    /// (layout 14): that amount, its rate and its value in the statement's currency, set off
    /// with what it holds in this one. Where the site has no rate, the amount to set off at the
    /// rate of the transfer.
    private func transferSettingOffElsewhere(paid: ExactDecimal?, replaced old: String) -> String {
        let c = record.currency, p = record.period
        let from = "from its earlier statements (the last, \(old)\(record.reversedBy.map { ", which \($0) takes back" } ?? ""))"
        let here = paid.map { [Money($0, record.currency)] } ?? []
        let held = (here + record.heldElsewhere.map(\.held)).map(\.text).joined(separator: " and ")
        guard let sum = heldInAll, let balance = try? record.total - sum else {
            return "The payee holds \(held) for \(p) \(from); the site has no exchange rate for \(p) to convert it: convert "
                + "what is in another currency at the rate of the transfer, and transfer this statement's total, "
                + "\(Digits.grouped(record.total)) \(c), less all it holds — or, if that is more, set what is over off against "
                + "what is next paid to the payee, or have it repaid."
        }
        // Each amount with its value here: "12.29 USD: at 1 USD = 83.000000 INR (…), 1,020.07 INR".
        let parts = here.map(\.text) + record.heldElsewhere.map { h in
            guard let q = h.quote, let v = h.converted else { return h.held.text }
            return "\(h.held.text): at \(q.text)\(q.sourceText.isEmpty ? "" : " (\(q.sourceText))"), \(Digits.grouped(v)) \(c)"
        }
        var out = "The payee holds for \(p), \(from) once they are followed, \(parts.joined(separator: "; and "))"
            + (parts.count > 1 ? "; \(Digits.grouped(sum)) \(c) in all. " : ". ")
        if balance > .zero {
            out += "Transfer \(Digits.grouped(balance)) \(c): this statement's total, \(Digits.grouped(record.total)) \(c), less "
                + "\(Digits.grouped(sum)) \(c). If they were not all followed, transfer this statement's total less what the payee "
                + "holds for \(p)."
        } else {
            let over = balance < .zero ? (try? ExactDecimal.zero - balance).map {
                "; the \(Digits.grouped($0)) \(c) over it is set off against what is next paid to the payee, or repaid"
            } ?? "" : ""
            out += "Nothing to transfer: it covers this statement's total, \(Digits.grouped(record.total)) \(c)\(over)."
        }
        return out
    }

    /// What the payee holds for the month in the statement's currency (layout 14): what it holds
    /// in it and, at the period's rate, what it holds in others; nil when one of those has no rate.
    var heldInAll: ExactDecimal? {
        let converted = record.heldElsewhere.compactMap(\.converted)
        guard converted.count == record.heldElsewhere.count else { return nil }
        return try? converted.reduce(record.paidBefore ?? record.currency.zero) { try $0 + $1 }
    }

    /// A calendar date as the UTC midnight Excel shows as that date.
    static func date(_ d: LocalDate) -> Date { Date(timeIntervalSince1970: TimeInterval(Int64(d.dayNumber) * 86_400)) }
}
