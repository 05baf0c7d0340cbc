import Foundation
import XLSX

/// `Outbox/statements/CLIENT_ID.xlsx` (SPEC §5): every invoice, credit note and payment of a
/// client in date order with a running balance, the total due, what is outstanding by age
/// past due as of the statement's date, and any unapplied credit — per currency.
public enum StatementWorkbook {
    public struct Header {
        public var clientId: String
        public var clientName: String
        public var site: String
        public var seller: SellerDetails?
        public var party: PartyDetails
        public var paper: PaperSize
        /// The client's terms and tax components as they stand (SPEC §2 prints them on statements).
        public var paymentTermsDays: Int?
        public var taxComponents: [TaxComponent]

        public init(clientId: String, clientName: String, site: String, seller: SellerDetails?, party: PartyDetails,
                    paper: PaperSize, paymentTermsDays: Int? = nil, taxComponents: [TaxComponent] = []) {
            self.clientId = clientId
            self.clientName = clientName
            self.site = site
            self.seller = seller
            self.party = party
            self.paper = paper
            self.paymentTermsDays = paymentTermsDays
            self.taxComponents = taxComponents
        }

        /// Who sends the statement.
        var sellerLines: [String] {
            guard let seller else { return [site] }
            return seller.headLines
        }

        /// How to pay it: a line of its own, across the sheet (an account number must never print cut).
        var payTo: String? {
            guard let seller, !seller.paymentInstructions.isEmpty else { return nil }
            return "Pay to: \(seller.paymentInstructions)"
        }

        /// The client as its invoices name it: address, tax id, PO number, email, terms, tax.
        var buyerLines: [String] {
            var out = party.lines(name: clientName, idLabel: "Client", id: clientId)
            if let days = paymentTermsDays { out.append("Payment terms: \(days) days") }
            if !taxComponents.isEmpty {
                out.append("Tax: " + taxComponents.map { "\($0.name) \($0.rate.normalized) %" }.joined(separator: ", "))
            }
            return out
        }
    }

    /// Characters a line holds at worst across A:C (42 character widths) and D:G (81): bold
    /// capitals are wider than the digits a width counts, and a line breaks between words.
    private static let sellerCharacters = 28
    private static let buyerCharacters = 60

    private static let heading = CellStyle().with {
        $0.isBold = true
        $0.fontColor = 0x1F4E79
        $0.hasBottomBorder = true
    }

    /// Characters of an entry's details that column D (38 widths of a digit) holds on one
    /// printed line, breaking between words (letters and spaces are narrower than digits).
    static let detailCharacters = 42

    /// Characters of a reference column C (20 widths) holds on one printed line: a payment id
    /// runs to 64 (SPEC §2), and one cut by the details beside it read as the next payment's.
    static let referenceCharacters = 16

    public static func write(_ header: Header, receivables: Receivables, to path: String, created: Date) throws {
        try FileIO.makeDirectory(FileIO.parent(of: path))
        let temp = FileIO.temporaryName(for: path)
        let properties = DocumentProperties(title: "Account statement \(header.clientId)", subject: header.clientName,
                                            author: header.seller?.legalName ?? header.site,
                                            company: header.seller?.legalName ?? header.site, created: created)
        try Workbook.write(to: temp, naming: path, properties: properties) { book in
            book.paper = header.paper
            // Every page names the client and the date: a statement's pages are often filed apart.
            book.footerTitle = "Account statement \(header.clientId), \(receivables.asOf)"
            let sheet = try book.addWorksheet(named: "Statement")
            try columnWidths(receivables).apply(to: sheet)
            try sheet.write(text: "ACCOUNT STATEMENT", row: 0, column: 0, style: .title.with { $0.fontSize = 18 })
            var row = 2
            let seller = header.sellerLines, buyer = header.buyerLines
            try sheet.write(text: "From", row: row, column: 0, style: heading)
            try sheet.write(text: "To", row: row, column: 3, style: heading)
            try sheet.write(text: "Statement date", row: row, column: 5, style: .bold)
            try sheet.write(date: DocumentFrontSheet.date(receivables.asOf), row: row, column: 6, style: .date)
            row += 1
            // Each block wrapped in merged cells of its own (seller A:C, client D:G), the row as
            // tall as the longer line needs: a line of either may run to 200 characters (SPEC §2).
            for i in 0..<max(seller.count, buyer.count) {
                let style = CellStyle().with { $0.isBold = i == 0; $0.wrapsText = true }
                var texts: [(text: String, charactersPerLine: Int)] = []
                if i < seller.count {
                    try sheet.merge(CellRange(row: row + i, columns: 0...2), text: seller[i], style: style)
                    texts.append((seller[i], sellerCharacters))
                }
                if i < buyer.count {
                    try sheet.merge(CellRange(row: row + i, columns: 3...6), text: buyer[i], style: style)
                    texts.append((buyer[i], buyerCharacters))
                }
                try sheet.fitRowHeight(row + i, toWrap: texts, printedWidths: true)
            }
            row += max(seller.count, buyer.count) + 1
            if let payTo = header.payTo {
                // Across all seven columns (some 120 characters), wrapped on as many lines as it needs.
                try sheet.merge(CellRange(firstRow: row, firstColumn: 0, lastRow: row, lastColumn: 6), text: payTo,
                                style: CellStyle().with { $0.isBold = true; $0.wrapsText = true })
                try sheet.fitRowHeight(row, toWrap: payTo, charactersPerLine: 110, printedWidths: true)
                row += 2
            }
            if receivables.accounts.isEmpty {
                try sheet.write(text: "No invoices, credit notes or payments yet.", row: row, column: 0)
            }
            var headerRows: [Int] = [], blocks: [ClosedRange<Int>] = []
            for account in receivables.accounts {
                row = try write(account, asOf: receivables.asOf, in: sheet, row: row, headerRows: &headerRows, blocks: &blocks)
                row += 1
            }
            let repeated = headerRows.first.map { $0...$0 }
            try sheet.setUpPrinting(paper: header.paper, repeatRows: repeated)
            // The ageing figures printed overleaf under the account's repeated column headings
            // read as a due date, an amount and a balance.
            try DocumentFrontSheet.keepTogether(blocks, lastRow: row, columns: 7, repeated: repeated, in: sheet)
        }
        try FileIO.placeWritten(temp, at: path)
    }

    /// The sheet's widths, its amount columns (C:G) as wide as the widest amount each holds in
    /// any currency: a billion rupiah is 20 characters, and a column too narrow prints `###`.
    private static func columnWidths(_ receivables: Receivables) -> AmountColumnWidths {
        var fitted = AmountColumnWidths(minimum: [0: 11, 1: 11, 2: 20, 3: 38, 4: 11, 5: 16, 6: 16])
        for a in receivables.accounts {
            let c = a.currency
            for e in a.entries {
                fitted.fit(e.amount, in: c, column: 5)
                fitted.fit(e.balance, in: c, column: 6)
            }
            for amount in [a.totalDue, a.unapplied] + a.open.map(\.amount) { fitted.fit(amount, in: c, column: 6) }
            for (i, amount) in a.buckets.enumerated() { fitted.fit(amount, in: c, column: 2 + i) }
        }
        return fitted
    }

    /// Writes one currency's account; `blocks` gains the runs of rows a printed page must not
    /// cut: the section's heading with its column headings and first entry, the totals, the
    /// ageing and the open invoices.
    private static func write(_ a: Receivables.Account, asOf: LocalDate, in sheet: Worksheet, row start: Int,
                              headerRows: inout [Int], blocks: inout [ClosedRange<Int>]) throws -> Int {
        let c = a.currency
        let money = CellStyle.currency(code: c.code, minorDigits: c.minorDigits)
        var row = start
        // The first section's heading row prints atop every page, over later sections' rows too:
        // it names no currency; the section's title and each amount's format name it.
        try sheet.write(text: "Account in \(c)", row: row, column: 0, style: heading)
        row += 1
        let headers = ["Date", "Type", "Reference", "Details", "Due date", "Amount", "Balance"]
        for (i, h) in headers.enumerated() { try sheet.write(text: h, row: row, column: i, style: .header) }
        headerRows.append(row)
        row += 1
        let first = row
        blocks.append(start...(a.entries.isEmpty ? row - 1 : row))
        // Every cell of an entry at the top of its row: an entry whose details wrap onto a second
        // line keeps its date, reference and amounts on its first, not at the foot of its row,
        // where they read as the next entry's.
        let top = CellStyle().with { $0.isTopAligned = true }, topDate = CellStyle.date.with { $0.isTopAligned = true }
        let topMoney = money.with { $0.isTopAligned = true }, topWrapped = top.with { $0.wrapsText = true }
        for e in a.entries {
            try sheet.write(date: DocumentFrontSheet.date(e.date), row: row, column: 0, style: topDate)
            try sheet.write(text: e.kind.rawValue, row: row, column: 1, style: top)
            // A payment's reference says why it is short: wrapped, never cut by the due date beside it.
            // Without a due date (a payment) it runs on into that empty cell first (12 widths more).
            let detailWraps = TextWidth.of(e.detail) > (e.dueOn == nil ? detailCharacters + 12 : detailCharacters)
            try sheet.write(text: e.detail, row: row, column: 3, style: detailWraps ? topWrapped : top)
            // A long id wraps too, the row as tall as the longer of the two.
            let referenceLines = WrappedRowHeight.lines(ofId: e.reference, charactersPerLine: referenceCharacters)
            try sheet.write(text: e.reference, row: row, column: 2, style: referenceLines > 1 ? topWrapped : top)
            if detailWraps || referenceLines > 1 {
                // Broken between words as it prints, a line of capitals and digits at worst (35 of
                // them fill column D): counted by characters at 42, a bank reference lost its last
                // words, and an unbroken end-to-end id its last 9 characters.
                let detailLines = detailWraps ? TextWidth.lines(e.detail, perLine: 35) : 1
                try sheet.setRowHeight(15 * Double(max(referenceLines, detailLines)), row: row)
            }
            if let d = e.dueOn { try sheet.write(date: DocumentFrontSheet.date(d), row: row, column: 4, style: topDate) }
            try sheet.write(number: e.amount.doubleApproximation, row: row, column: 5, style: topMoney)
            let previous = row == first ? "" : "G\(row)+"
            try sheet.write(formula: "=\(previous)F\(row + 1)", cachedValue: e.balance.doubleApproximation, row: row, column: 6,
                            style: topMoney)
            row += 1
        }
        row += 1
        let totalsStart = row
        let sum = a.entries.isEmpty ? "0" : "SUM(F\(first + 1):F\(row - 1))"
        // In credit, what the client holds is shown as the positive sum it is: "In credit −650"
        // read as 650 owed.
        let inCredit = a.totalDue.isNegative
        try sheet.write(text: inCredit ? "In credit: held for the client (\(c))" : "Total due (\(c))", row: row, column: 4, style: .bold)
        try sheet.write(formula: inCredit ? "=-\(sum)" : "=\(sum)", cachedValue: (inCredit ? -1 : 1) * a.totalDue.doubleApproximation,
                        row: row, column: 6, style: .total(code: c.code, minorDigits: c.minorDigits))
        row += 1
        if !a.unapplied.isZero {
            try sheet.write(text: "Unapplied credit (\(c))", row: row, column: 4, style: .bold)
            try sheet.write(number: a.unapplied.doubleApproximation, row: row, column: 6, style: money)
            row += 1
        }
        blocks.append(totalsStart...(row - 1))
        row += 1
        let ageingStart = row
        try sheet.write(text: "Outstanding by age past due, as of \(asOf) (\(c))", row: row, column: 0, style: heading)
        row += 1
        for (i, name) in Receivables.bucketNames.enumerated() {
            try sheet.write(text: name, row: row, column: 2 + i, style: .header.with { $0.alignment = .right })
        }
        row += 1
        for (i, amount) in a.buckets.enumerated() {
            try sheet.write(number: amount.doubleApproximation, row: row, column: 2 + i, style: money)
        }
        row += 1
        blocks.append(ageingStart...(row - 1))
        if !a.open.isEmpty {
            row += 1
            let openStart = row
            defer { blocks.append(openStart...(row - 1)) }
            try sheet.write(text: "Open invoices", row: row, column: 0, style: .bold)
            row += 1
            for o in a.open {
                try sheet.write(text: o.number, row: row, column: 2)
                try sheet.write(text: "due", row: row, column: 3)
                try sheet.write(date: DocumentFrontSheet.date(o.dueOn), row: row, column: 4, style: .date)
                try sheet.write(number: o.amount.doubleApproximation, row: row, column: 6, style: money)
                row += 1
            }
        }
        return row
    }
}
