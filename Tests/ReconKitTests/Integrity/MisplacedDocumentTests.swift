import Foundation
import Testing

@testable import ReconKit

/// A workbook named as the next invoice put in a month's folder beside `invoices/`, or at the
/// top of `Outbox/` (changed bank details, say): neither verifier reads it as a document, and
/// the close issued the real one of that number beside it without a word. It is noted by
/// `recon verify` and said by every writer and `status`, which refuse nothing over it.
struct MisplacedDocumentTests {
    @Test func aFileNamedLikeADocumentOutsideItsFolderIsSaid() throws {
        let site = try TestSite.closedMarchSite()
        let issued = site.path("Outbox/2026-03/invoices/INV-2026-000001.xlsx")
        for place in ["Outbox/2026-03/INV-2026-000009.xlsx", "Outbox/INV-2026-000010.xlsx"] {
            try FileManager.default.copyItem(atPath: issued, toPath: site.path(place))
        }
        let said = { (place: String) in
            "\(place) is named like a final document but is not in a folder of final documents, where the ledger's documents are: "
                + "no entry issued it there, and whoever looks for that number may take it for one — move it out of Outbox/"
        }
        // As a person searching for the number finds them too: a copy's name, another case, a link.
        try FileManager.default.copyItem(atPath: issued, toPath: site.path("Outbox/2026-03/INV-2026-000011 (1).xlsx"))
        try FileManager.default.copyItem(atPath: issued, toPath: site.path("Outbox/inv-2026-000012.XLSX"))
        try FileManager.default.createSymbolicLink(atPath: site.path("Outbox/2026-03/CN-2026-000013.xlsx"), withDestinationPath: issued)
        let verify = try site.recon(["verify"])
        #expect(verify.code == 0, "\(verify.out)\(verify.err)")
        for place in ["Outbox/2026-03/INV-2026-000009.xlsx", "Outbox/INV-2026-000010.xlsx", "Outbox/2026-03/INV-2026-000011 (1).xlsx",
                      "Outbox/inv-2026-000012.XLSX", "Outbox/2026-03/CN-2026-000013.xlsx"] {
            #expect(verify.err.contains("note: " + said(place)), "\(place): \(verify.err)")
        }
        try site.drop("usage-2026-04.csv", TestSite.april)
        let ingest = try site.recon(["ingest"], env: TestSite.aprilLater)
        #expect(ingest.code == 0 && ingest.err.contains("warning: " + said("Outbox/2026-03/INV-2026-000009.xlsx")), "\(ingest.err)")
        site.expectAuditorAccepts()
    }
}
