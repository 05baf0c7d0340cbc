import XLSX

/// The head of a document's first sheet: who issues it, then its number, dates and terms.
extension DocumentFrontSheet {
    /// Characters of text a line across A:D (99 character widths) holds at worst, and a value
    /// in D (25): bold capitals are wider than the digits a width counts, and a line breaks
    /// between words.
    static let lineCharacters = 75
    static let valueCharacters = 16

    /// Layout 4 on: the seller on lines across the page, then the document's fields as label
    /// (C) and value (D), each value wrapped in its column on a row as tall as it needs.
    /// Returns the row the buyer's block starts on.
    func writeHead(in sheet: Worksheet) throws -> Int {
        var row = 2
        for (i, line) in sellerLines().enumerated() {
            try writeLine(line, row: row, in: sheet, style: i == 0 ? .bold : .plain)
            row += 1
        }
        row += 1
        for field in try documentFields() {
            switch field.value {
            case .text(let t):
                let tall = (printedWidths ? TextWidth.of(t) : t.count) > Self.valueCharacters
                // Top-aligned (as wrapped cells are) beside a value of several lines.
                try sheet.write(text: field.label, row: row, column: 2, style: tall ? Self.label.with { $0.wrapsText = true } : Self.label)
                try sheet.write(text: t, row: row, column: 3, style: Self.value.with { $0.wrapsText = true })
                if tall { try sheet.fitRowHeight(row, toWrap: t, charactersPerLine: Self.valueCharacters, printedWidths: printedWidths) }
            case .date(let d):
                try sheet.write(text: field.label, row: row, column: 2, style: Self.label)
                try sheet.write(date: Self.date(d), row: row, column: 3, style: Self.dateValue)
            }
            row += 1
        }
        row += 1
        if let reason = record.reason {
            try writeLine("Reason: \(reason)", row: row, in: sheet, style: .plain.with { $0.isItalic = true })
            row += 2
        }
        if let replacing = replacementLine ?? accountHeadLine {
            try writeLine(replacing, row: row, in: sheet, style: .bold)
            row += 2
        }
        return row
    }

    /// From layout 15, what a close's invoice to a client in credit leaves to pay, and what a
    /// credit note changes of the client's other invoices, said in the head as a replacement
    /// says its own: the total closing the first page read as the amount due (or a credit
    /// note as the whole story), and the payment lines on page 2 went unread.
    var accountHeadLine: String? {
        guard record.layout >= 15, record.replaces?.isEmpty ?? true else { return nil }
        switch record.kind {
        case .invoice:
            guard let applied = record.creditApplied, let left = try? record.total - applied else { return nil }
            let set = record.creditMoved == nil ? "With your account's credit set against it" : "With your payments set against it"
            let others = record.accountChanges.isEmpty ? "" : "; what your other invoices leave to pay changes with it"
            guard left > .zero else { return "\(set), nothing is left to pay on this invoice\(others) (see Payment)." }
            let due = record.dueOn.map { " by \($0)" } ?? ""
            return "\(set), \(Digits.grouped(left)) \(record.currency) is left to pay on this invoice\(due)\(others) (see Payment)."
        case .payout:
            // Layout 16: a close's statement that sets off what earlier adjustments took back.
            guard record.layout >= 16, let setOff = record.setOff, let left = try? record.total - setOff else { return nil }
            let set = "With \(Digits.grouped(setOff)) \(record.currency) set off for what earlier payout adjustments took back"
            guard left > .zero else { return "\(set), nothing is left to transfer for this statement (see Payment)." }
            return "\(set), \(Digits.grouped(left)) \(record.currency) is left to transfer for this statement (see Payment)."
        case .creditNote:
            guard !record.accountChanges.isEmpty else { return nil }
            return "With this credit note your payments are set against your invoices anew, and leave "
                + record.accountChanges.map(\.text).joined(separator: "; ") + " (see Payment)."
        default:
            return nil
        }
    }

    /// What a rerun's new invoice (statement) says of the documents it replaces (entries with
    /// `replaces` only: a document issued without one prints as it did).
    var replacementLine: String? {
        guard let replaces = record.replaces, !replaces.isEmpty else { return nil }
        let invoice = record.kind == .invoice
        let old = replaces.joined(separator: ", ")
        let settled = record.reversedBy.map { ", reversed by \($0)" } ?? " (credited in full before)"
        let line = "Replaces \(old) of \(record.period)\(settled): this \(invoice ? "invoice bills" : "statement pays") "
            + "\(record.period) in full"
        // A new payout statement's head says what is left to transfer (layout 12), where its
        // reader looks first: the total below it alone, read so, paid the month twice.
        // A new invoice's head says what is left to pay (layout 13): its total closing the first
        // page read as the amount due, and the payment lines on page 2 went unread.
        if invoice {
            // From layout 14 the amount and the other invoices it changes are said where a reader
            // looks first: a long reason could push every amount to page 2.
            if record.layout >= 14 {
                let others = record.accountChanges.isEmpty ? "" : "; what your other invoices leave to pay changes with it"
                guard let paid = record.paidBefore else {
                    let due = record.dueOn.map { " by \($0)" } ?? ""
                    return line + "; \(Digits.grouped(record.total)) \(record.currency) to pay\(due)\(others) (see Payment)."
                }
                guard let left = try? record.total - paid else { return line + "." }
                let owed = left > .zero ? "\(Digits.grouped(left)) \(record.currency) is" : "nothing is"
                return line + "; with what was received for it, \(owed) left to pay\(others) (see Payment)."
            }
            guard record.layout >= 13, let paid = record.paidBefore, let left = try? record.total - paid else { return line + "." }
            guard left > .zero else { return line + "; with what was received for it, nothing is left to pay (see Payment)." }
            return line + "; with what was received for it, \(Digits.grouped(left)) \(record.currency) is left to pay (see Payment)."
        }
        guard record.layout >= 12, record.paidBefore != nil || record.reversedBy != nil else { return line + "." }
        if record.layout >= 14, !record.heldElsewhere.isEmpty {
            // What it holds in another currency, at the period's rate (see Payment).
            guard let sum = heldInAll, let left = try? record.total - sum else {
                return line + "; what was sent for it before, in another currency, is to be set off first (see Payment)."
            }
            guard left > .zero else {
                return line + "; with what was sent for it before, in another currency at the period's rate, nothing is left to transfer (see Payment)."
            }
            return line + "; with what was sent for it before, in another currency at the period's rate, \(Digits.grouped(left)) "
                + "\(record.currency) is left to transfer (see Payment)."
        }
        guard let paid = record.paidBefore, let left = try? record.total - paid else {
            return line + "; what was sent for it before, in another currency, is to be set off first (see Payment)."
        }
        guard left > .zero else { return line + "; with what was sent for it before, nothing is left to transfer (see Payment)." }
        return line + "; with what was sent for it before, \(Digits.grouped(left)) \(record.currency) is left to transfer (see Payment)."
    }

    /// Layouts 1–3, kept so their documents regenerate byte for byte: the seller in column A
    /// beside the document's labels (C) and values (D) — a long seller line or value is cut there.
    func writeHeadBesideFields(in sheet: Worksheet) throws -> Int {
        let left = sellerLines()
        let right = try documentFields()
        var row = 2
        for i in 0..<max(left.count, right.count) {
            if i < left.count { try sheet.write(text: left[i], row: row + i, column: 0, style: i == 0 ? .bold : .plain) }
            if i < right.count {
                try sheet.write(text: right[i].label, row: row + i, column: 2, style: Self.label)
                switch right[i].value {
                case .text(let t): try sheet.write(text: t, row: row + i, column: 3, style: Self.value)
                case .date(let d): try sheet.write(date: Self.date(d), row: row + i, column: 3, style: Self.dateValue)
                }
            }
        }
        row += max(left.count, right.count) + 1
        if let reason = record.reason {
            // Free text: on its own row across the page, never squeezed beside a label.
            try sheet.write(text: "Reason: \(reason)", row: row - 1, column: 0, style: .plain.with { $0.isItalic = true })
            row += 1
        }
        return row
    }

    private func sellerLines() -> [String] { record.seller?.headLines ?? [record.site] }

    private enum FieldValueCell {
        case text(String)
        case date(LocalDate)
    }

    private func documentFields() throws -> [(label: String, value: FieldValueCell)] {
        var out: [(String, FieldValueCell)] = [("Number", .text(record.number))]
        if let d = record.issuedOn { out.append(("Issue date", .date(d))) } else { out.append(("Issued at", .text(at))) }
        if let d = record.dueOn { out.append(("Due date", .date(d))) }
        let p = record.period
        if record.layout >= 4 {
            // Dates are date cells (SPEC §7): the first day, and the last on a row of its own.
            out.append(("Period of service", .date(p.firstDay)))
            out.append(("to", .date(p.lastDay)))
        } else {
            out.append(("Period of service", .text("\(p.firstDay) to \(p.lastDay)")))
        }
        if let days = record.paymentTermsDays { out.append(("Payment terms", .text("\(days) days"))) }
        if !record.party.poNumber.isEmpty { out.append(("PO number", .text(record.party.poNumber))) }
        out.append(("Currency", .text(record.currency.code)))
        if let r = record.refersTo {
            let numbers = LedgerEvent.splitList(r)
            if record.layout >= 7, let dates = record.refersToIssuedOn, dates.count == numbers.count {
                // Each document it amends, and that document's issue date (a date cell).
                let dateLabel = record.kind == .payoutAdjustment ? "Statement date" : "Invoice date"
                for (number, date) in zip(numbers, dates) {
                    out.append(("Refers to", .text(number)))
                    out.append((dateLabel, .date(date)))
                }
            } else {
                out.append(("Refers to", .text(r)))
            }
        }
        return out
    }
}
