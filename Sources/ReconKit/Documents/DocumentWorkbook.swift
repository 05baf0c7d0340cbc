import Foundation
import XLSX

/// An invoice, credit note, payout statement or payout adjustment as an accountant opens it.
///
/// Built only from the ``DocumentRecord`` its ledger entry holds and the entry's time, so
/// it regenerates byte for byte. The first sheet is for people; `Lines` is the table.
public enum DocumentWorkbook {
    public static func write(_ record: DocumentRecord, at: String, to path: String) throws {
        guard let created = try? FieldValue.timestamp(Substring(at), zone: SiteTimeZone(identifier: "UTC")!) else {
            throw ReconFailure.usage("the issue time \(at) is not RFC 3339")
        }
        let partyLabel = record.kind.isClientSide ? "Client" : "Radiologist"
        let properties = DocumentProperties(
            title: "\(record.kind.title) \(record.number)", subject: "\(record.period) \(record.partyId)",
            author: record.site, company: record.site,
            comments: "Issued under ledger seq \(record.issuedUnderSeq), head \(record.issuedUnderHash)",
            created: Date(timeIntervalSince1970: TimeInterval(created.nanoseconds / 1_000_000_000)),
            custom: [("recon.number", record.number), ("recon.period", record.period.description),
                     ("recon.issued_under", "\(record.issuedUnderSeq) \(record.issuedUnderHash)"),
                     ("recon.checkpoint", record.checkpoint ?? "none before this document")])
        let money = CellStyle.currency(code: record.currency.code, minorDigits: record.currency.minorDigits)
        try Workbook.write(to: path, properties: properties) { book in
            let sheet = try book.addWorksheet(named: record.kind.title)
            try sheet.setColumnWidth(14, columns: 0...0)
            try sheet.setColumnWidth(11, columns: 1...3)
            try sheet.setColumnWidth(18, columns: 4...4)
            try sheet.setColumnWidth(14, columns: 5...5)
            try sheet.setColumnWidth(18, columns: 6...6)
            try sheet.write(text: "\(record.kind.title) \(record.number)", row: 0, column: 0, style: .title)
            var row = 2
            func field(_ label: String, _ value: String) throws {
                try sheet.write(text: label, row: row, column: 0, style: .bold)
                try sheet.write(text: value, row: row, column: 1)
                row += 1
            }
            try field("Issued by", record.site)
            try field(partyLabel, "\(record.partyName) (\(record.partyId))")
            try field("Period", record.period.description)
            try field("Currency", record.currency.code)
            try field("Issued at", at)
            if let refersTo = record.refersTo { try field("Refers to", refersTo) }
            if let reason = record.reason { try field("Reason", reason) }
            try field("Ledger", "issued under seq \(record.issuedUnderSeq), head \(record.issuedUnderHash)")
            try field("Checkpoint", record.checkpoint ?? "none before this document")
            row += 1
            let headers = ["Modality", "Urgency", "Per", "Quantity", "Unit amount", "Unit currency", "Amount"]
            for (c, h) in headers.enumerated() { try sheet.write(text: h, row: row, column: c, style: .header) }
            row += 1
            let firstLine = row
            for l in record.lines {
                try sheet.write(text: l.modality, row: row, column: 0)
                try sheet.write(text: l.urgencyText, row: row, column: 1)
                try sheet.write(text: l.per, row: row, column: 2)
                try sheet.write(number: Double(l.quantity), row: row, column: 3, style: .integer)
                try sheet.write(number: l.unitAmount.doubleApproximation, row: row, column: 4,
                                style: .currency(code: l.unitCurrency.code,
                                                 minorDigits: max(l.unitAmount.normalized.scale, l.unitCurrency.minorDigits)))
                try sheet.write(text: l.unitCurrency.code, row: row, column: 5)
                try sheet.write(number: l.amount.doubleApproximation, row: row, column: 6, style: money)
                row += 1
            }
            let amounts = record.lines.isEmpty ? "0" : "SUM(G\(firstLine + 1):G\(row))"
            row += 1
            let subtotalCell = "G\(row + 1)"
            try sheet.write(text: "Subtotal", row: row, column: 5, style: .bold)
            try sheet.write(formula: "=\(amounts)", cachedValue: record.subtotal.doubleApproximation, row: row, column: 6,
                            style: money)
            row += 1
            try sheet.write(text: "Tax \(record.taxRate.normalized) %", row: row, column: 5, style: .bold)
            try sheet.write(formula: "=ROUND(\(subtotalCell)*\(record.taxRate.normalized)/100,\(record.currency.minorDigits))",
                            cachedValue: record.tax.doubleApproximation, row: row, column: 6, style: money)
            row += 1
            try sheet.write(text: "Total", row: row, column: 5, style: .bold)
            try sheet.write(formula: "=\(subtotalCell)+G\(row)", cachedValue: record.total.doubleApproximation, row: row,
                            column: 6, style: .total(code: record.currency.code, minorDigits: record.currency.minorDigits))
            if record.kind == .creditNote || record.kind == .payoutAdjustment {
                row += 2
                try sheet.write(text: "Amounts are positive and are subtracted from \(record.refersTo ?? "the documents referred to").",
                                row: row, column: 0, style: CellStyle().with { $0.isItalic = true })
            }
            try sheet.fitToPageWidth()
            try LinesSheet.write(record.lines.map {
                LinesSheet.Row(document: record.number, period: record.period.description, partyId: record.partyId,
                               line: $0, currency: record.currency)
            }, in: book)
        }
    }
}
