import Foundation
import XLSX

/// Month-to-date drafts of an open period: one workbook per side, every party on it.
///
/// `Outbox/YYYY-MM/drafts/invoices.xlsx` and `payouts.xlsx`, replaced on each ingest.
/// One workbook per side (not one per party) keeps a drop into a large month fast and
/// gives finance one place to read the month so far.
public enum DraftWorkbook {
    /// The drafts of one side from the period priced so far (its flags are the review workbook's).
    public static func write(_ priced: PeriodBook, side: DocumentKind, site: String, to path: String,
                             paper: PaperSize = .a4, created: Date) throws {
        let docs = side == .invoice ? priced.invoices : priced.payouts
        let title = side == .invoice ? "Draft invoices" : "Draft payout statements"
        let properties = DocumentProperties(title: "\(title) \(priced.period)", subject: "month to date, not issued",
                                            author: site, company: site, created: created)
        let temp = FileIO.temporaryName(for: path)
        try Workbook.write(to: temp, naming: path, properties: properties) { book in
            book.paper = paper
            book.footerTitle = "\(title) \(priced.period) (DRAFT), \(site)"
            let sheet = try book.addWorksheet(named: "Summary")
            try sheet.write(text: "\(title) — \(priced.period) (DRAFT, month to date)", row: 0, column: 0, style: .title)
            // The day its exchange rates are read on: a draft written before the month ended keeps
            // that day's rates until the next drop, while `recon status` and the close read the last day's.
            let rates = priced.fxDate == priced.period.lastDay ? "the period's last day, \(priced.fxDate)" : "\(priced.fxDate), the day it was written"
            try sheet.write(text: "Not issued: these change with every drop until the period closes. Exchange rates as of \(rates).",
                            row: 1, column: 0, style: CellStyle().with { $0.isItalic = true })
            // Pricing never guesses: what a party's total leaves out (no rate, no FX rate) is said beside it.
            var leftOut: [String: [String]] = [:]
            // Every cell of a party's row at its top: a long name, or what its total leaves out,
            // wraps down the row, and figures at its foot stood level with the next party's name.
            let wrapped = CellStyle().with { $0.wrapsText = true; $0.isTopAligned = true }
            let top = CellStyle().with { $0.isTopAligned = true }
            // A long name wraps in a column as wide as the longest (within reason); the row is as
            // tall as that name, or what its total leaves out, needs (a cut name ran into the
            // currency beside it, a right-to-left one lost its start).
            let nameWidth = Double(min(40, max(28, (docs.map(\.partyName.count).max() ?? 0) + 2)))
            // Wrapped in its 60-character column, on as many 15-point lines as it needs.
            func writeLeftOut(_ problems: [String], row: Int, name: String = "") throws {
                let text = problems.joined(separator: "; ")
                try sheet.write(text: text, row: row, column: 7, style: wrapped)
                try WrappedRowHeight.fit(row, in: sheet, [(text, 60), (name, nameWidth)])
            }
            for p in priced.problems where p.side == side { leftOut[p.subject, default: []].append("\(p.code.rawValue): \(p.message)") }
            if !leftOut.isEmpty {
                try sheet.write(text: "\(leftOut.count == 1 ? "1 party's total leaves" : "\(leftOut.count) parties' totals leave") out reports "
                                + "that could not be priced or converted (column H); the period cannot close until they are fixed.",
                                row: 2, column: 0, style: CellStyle().with { $0.isBold = true })
            }
            let headers = [side == .invoice ? "Client" : "Radiologist", "Name", "Currency", "Reports", "Subtotal", "Tax", "Total",
                           "Left out of the total"]
            for (c, h) in headers.enumerated() { try sheet.write(text: h, row: 3, column: c, style: .header) }
            var row = 4
            for d in docs {
                if let problems = leftOut.removeValue(forKey: d.partyId) {
                    try writeLeftOut(problems, row: row, name: d.partyName)
                } else {
                    try WrappedRowHeight.fit(row, in: sheet, [(d.partyName, nameWidth)])
                }
                let money = CellStyle.currency(code: d.currency.code, minorDigits: d.currency.minorDigits).with { $0.isTopAligned = true }
                try sheet.write(text: d.partyId, row: row, column: 0, style: top)
                try sheet.write(text: d.partyName, row: row, column: 1, style: wrapped)
                try sheet.write(text: d.currency.code, row: row, column: 2, style: top)
                try sheet.write(number: Double(d.reportCount), row: row, column: 3, style: CellStyle.integer.with { $0.isTopAligned = true })
                try sheet.write(number: d.subtotal.doubleApproximation, row: row, column: 4, style: money)
                try sheet.write(number: d.tax.doubleApproximation, row: row, column: 5, style: money)
                try sheet.write(formula: "=E\(row + 1)+F\(row + 1)", cachedValue: d.total.doubleApproximation, row: row,
                                column: 6, style: money)
                row += 1
            }
            // A party none of whose reports could be priced has no draft: listed still, with why.
            for (party, problems) in leftOut.sorted(by: { $0.key < $1.key }) {
                try sheet.write(text: party, row: row, column: 0, style: top)
                try writeLeftOut(problems, row: row)
                row += 1
            }
            let parties = docs.map(\.partyId) + priced.problems.filter { $0.side == side }.map(\.subject)
            try sheet.setColumnWidth(IdColumnWidth.width(parties, atLeast: 14), columns: 0...0)
            try sheet.setColumnWidth(nameWidth, columns: 1...1)
            try sheet.setColumnWidth(14, columns: 2...3)
            // Subtotal, tax and total as wide as the widest of each (12,500,000.00 INR is 17 characters).
            var amounts = AmountColumnWidths(minimum: [4: 14, 5: 14, 6: 14])
            for d in docs {
                for (column, amount) in [(4, d.subtotal), (5, d.tax), (6, d.total)] { amounts.fit(amount, in: d.currency, column: column) }
            }
            try amounts.apply(to: sheet)
            // Wide only when something is left out: an empty 60-character column shrank the fitted
            // page's print to about 5 points.
            let anyLeftOut = priced.problems.contains { $0.side == side }
            try sheet.setColumnWidth(anyLeftOut ? 60 : Double(headers[7].count + 2), columns: 7...7)
            try sheet.freezePanes(row: 4, column: 0)
            try sheet.setUpPrinting(paper: book.paper, repeatRows: 3...3)
            try LinesSheet.write(docs.flatMap { d in
                d.lines.map { LinesSheet.Row(document: "DRAFT-\(d.partyId)", period: priced.period.description,
                                             partyId: d.partyId, line: $0, currency: d.currency) }
            }, in: book, draft: true)
        }
        try FileIO.placeWritten(temp, at: path)
    }
}
