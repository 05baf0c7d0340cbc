import Foundation
import Testing

@testable import ReconKit

/// libxlsxwriter copies a workbook part cut short by a full temporary folder into the zip and
/// reports success. A close whose invoices cannot be assembled whole must refuse before it
/// appends: no document issued cut, no SHA-256 of a cut file in the ledger (SPEC §6: every
/// document regenerates to its recorded bytes).
struct FullTemporaryFolderTests {
    @Test(.enabled(if: WorkbookTests.canMountTmpfs, "as root, needs to mount a small tmpfs"))
    func aCloseWhoseWorkbooksCannotBeAssembledWholeAppendsNothing() throws {
        let site = try TestSite.marchSite()
        let full = site.root + "-parts"
        try FileManager.default.createDirectory(atPath: full, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(atPath: full) }
        // One page: a workbook's theme part alone is larger.
        try WorkbookTests.withTmpfs(at: full, size: "4k") {
            let before = try site.ledgerBytes()

            // A TMPDIR someone set is where libxlsxwriter assembles the parts.
            let close = try site.recon(["close", "2026-03"], env: TestSite.closeDay.merging(["TMPDIR": full]) { $1 })
            #expect(close.code == 1, "\(close.out)\(close.err)")
            #expect(close.err.contains("libxlsxwriter assembled a damaged workbook: the part "), "\(close.err)")
            // The document is named, not the hidden temporary file it was being written as.
            let named = close.err.split(separator: "\n").first { $0.contains("cannot write workbook") } ?? ""
            #expect(named.contains("/Outbox/2026-03/") && named.contains(".xlsx: libxlsxwriter") && !named.contains(".tmp"), "\(named)")
            #expect(close.err.contains("make room in \(full)"), "\(close.err)")
            // Said as nothing recorded: the number named was never issued, and a retry issues nothing twice.
            #expect(close.err.contains("nothing was recorded and no document was issued"), "\(close.err)")
            #expect(try site.ledgerBytes() == before)
            // No document, and no hidden half-made one, in the folders of issued documents.
            let outbox = (try? FileManager.default.subpathsOfDirectory(atPath: site.path("Outbox/2026-03"))) ?? []
            #expect(outbox.filter { $0.hasPrefix("invoices/") || $0.hasPrefix("payouts/") }.isEmpty, "\(outbox)")
        }

        // Room again: the same close issues its documents, and they verify.
        let again = try site.recon(["close", "2026-03"], env: TestSite.closeDay)
        #expect(again.code == 0, "\(again.err)")
        #expect(try !site.bodies("invoice.issued").isEmpty)
        #expect(try site.recon(["verify"]).code == 0)
        site.expectAuditorAccepts()
    }
}
