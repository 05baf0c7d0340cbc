import Foundation
import XLSX

/// An invoice, credit note, payout statement or payout adjustment as an accountant opens it.
///
/// Built only from the ``DocumentRecord`` its ledger entry holds and the entry's time, so
/// it regenerates byte for byte. The first sheet is for people (``DocumentFrontSheet``);
/// `Lines` is the table.
public enum DocumentWorkbook {
    /// Returns the file's bytes as written and read back.
    @discardableResult
    public static func write(_ record: DocumentRecord, at: String, to path: String, naming document: String? = nil) throws -> Data {
        guard let created = try? FieldValue.timestamp(Substring(at), zone: .utc) else {
            throw ReconFailure.usage("the issue time \(at) is not RFC 3339")
        }
        let properties = DocumentProperties(
            title: "\(record.kind.title) \(record.number)", subject: "\(record.period) \(record.partyId)",
            author: record.seller?.legalName ?? record.site, company: record.seller?.legalName ?? record.site,
            comments: "Issued under ledger seq \(record.issuedUnderSeq), head \(record.issuedUnderHash)",
            created: Date(timeIntervalSince1970: TimeInterval(created.nanoseconds / 1_000_000_000)),
            custom: [("recon.number", record.number), ("recon.period", record.period.description),
                     ("recon.issued_under", "\(record.issuedUnderSeq) \(record.issuedUnderHash)"),
                     ("recon.checkpoint", record.checkpoint ?? "none before this document")])
        // A layout a later recon issues prints what this build does not know how to: regenerated
        // as this build's own, it gave other bytes, said as damage ("does not give its recorded
        // SHA-256") to an operator who had only gone back to an earlier build.
        guard record.layout <= DocumentRecord.newestLayout else {
            throw ReconFailure.refused("\(record.number) is of layout \(record.layout), which a later recon issued; this build writes "
                + "layouts up to \(DocumentRecord.newestLayout) — put it back with that recon or a later one (the ledger is sound)")
        }
        guard record.layout < 5 || PartDeflate.canChoose else {
            throw ReconFailure.usage("\(record.number) is of layout \(record.layout), whose parts are deflated at zlib's level 1, "
                + "and this build of recon cannot ask libxlsxwriter for that level; regenerate it with a build that can")
        }
        return try Workbook.write(to: path, naming: document, properties: properties,
                                  deflate: record.layout >= 5 ? .fast : .libraryDefault) { book in
            book.paper = record.paper
            book.keepsCharacterCodesLiteral = record.layout >= 7
            book.footerTitle = record.footerTitle
            try DocumentFrontSheet(record: record, at: at).write(in: book)
            try LinesSheet.write(record.lines.map {
                LinesSheet.Row(document: record.number, period: record.period.description, partyId: record.partyId,
                               line: $0, currency: record.currency)
            }, in: book, fitted: record.layout >= 3, widensAmounts: record.layout >= 6)
        }
    }
}
