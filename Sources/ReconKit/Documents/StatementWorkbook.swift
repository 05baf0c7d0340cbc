import Foundation
import XLSX

/// `Outbox/statements/CLIENT_ID.xlsx`: every invoice and credit note of a client, and the
/// total due = sum of invoices − sum of credit notes, per currency.
public enum StatementWorkbook {
    public static func write(clientId: String, clientName: String, documents: [IssuedDocument], site: String,
                             to path: String) throws -> [(Currency, ExactDecimal)] {
        let docs = documents.filter { $0.partyId == clientId && ($0.kind == .invoice || $0.kind == .creditNote) }
            .sorted { $0.seq < $1.seq }
        var due: [Currency: ExactDecimal] = [:]
        for d in docs { due[d.currency] = try (due[d.currency] ?? d.currency.zero) + d.signedTotal }
        let totals = due.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        try FileIO.makeDirectory(FileIO.parent(of: path))
        let temp = FileIO.temporaryName(for: path)
        let properties = DocumentProperties(title: "Account statement \(clientId)", subject: clientName, author: site,
                                            company: site, created: SiteClock.now())
        try Workbook.write(to: temp, properties: properties) { book in
            let sheet = try book.addWorksheet(named: "Statement")
            try sheet.write(text: "Account statement — \(clientName) (\(clientId))", row: 0, column: 0, style: .title)
            try sheet.write(text: "Issued by \(site) on \(SiteClock.text(SiteClock.now()))", row: 1, column: 0)
            let headers = ["Number", "Kind", "Period", "Issued at", "Refers to", "Currency", "Amount"]
            for (c, h) in headers.enumerated() { try sheet.write(text: h, row: 3, column: c, style: .header) }
            var row = 4
            for d in docs {
                let money = CellStyle.currency(code: d.currency.code, minorDigits: d.currency.minorDigits)
                try sheet.write(text: d.number, row: row, column: 0)
                try sheet.write(text: d.kind == .invoice ? "invoice" : "credit note", row: row, column: 1)
                try sheet.write(text: d.period.description, row: row, column: 2)
                try sheet.write(text: d.at, row: row, column: 3)
                try sheet.write(text: d.refersTo ?? "", row: row, column: 4)
                try sheet.write(text: d.currency.code, row: row, column: 5)
                try sheet.write(number: d.signedTotal.doubleApproximation, row: row, column: 6, style: money)
                row += 1
            }
            let last = row
            row += 1
            for (currency, amount) in totals {
                try sheet.write(text: "Total due (\(currency))", row: row, column: 5, style: .bold)
                let formula = docs.isEmpty ? "=0" : "=SUMIF(F5:F\(last),\"\(currency.code)\",G5:G\(last))"
                try sheet.write(formula: formula, cachedValue: amount.doubleApproximation, row: row, column: 6,
                                style: .total(code: currency.code, minorDigits: currency.minorDigits))
                row += 1
            }
            if docs.isEmpty { try sheet.write(text: "No invoices or credit notes yet.", row: 4, column: 0) }
            try sheet.setColumnWidth(18, columns: 0...0)
            try sheet.setColumnWidth(12, columns: 1...2)
            try sheet.setColumnWidth(22, columns: 3...4)
            try sheet.setColumnWidth(16, columns: 5...6)
            try sheet.freezePanes(row: 4, column: 0)
        }
        try FileIO.syncFile(temp)
        try FileIO.renameDurably(temp, to: path)
        return totals
    }
}
