import Foundation
import Testing

@testable import ReconKit
@testable import XLSX

import CWorkbookParts

/// A part met before is written as the deflated bytes minizip made of it then: the workbook
/// must be byte for byte what deflating every part gives, including a document printed by a
/// build that deflated every part (the layout 3 fixture), and parts must actually be reused.
@Suite("Workbooks — parts met before are not deflated again")
struct PartReuseTests {
    @Test func aPrintedDocumentRegeneratesByteForByteWhileItsPartsAreReused() throws {
        #expect(PartReuse.isActive)
        let fixture = try DocumentFixture("invoice-layout3", seq: 7, kind: "invoice.issued")
        let record = try DocumentRecord(entry: fixture.entry)
        let printed = try fixture.printed("INV-2026-000001.xlsx")
        try withTemporaryFolder { folder in
            var reused: [UInt] = []
            for n in 0..<4 {
                let before = PartReuse.reusedOnThisThread
                let bytes = try fixture.regenerated(record, in: folder, as: "again\(n).xlsx")
                #expect(bytes == printed, "regeneration \(n)")
                reused.append(PartReuse.reusedOnThisThread - before)
            }
            // Learned from the second at the latest (met twice; other tests may have taught
            // them before), reused from the third on: at least the theme, the content types and
            // the relationships, which every invoice shares.
            #expect(reused[2] >= 5 && reused[3] >= 5, "\(reused)")
        }
    }

    /// A part grown past what is held (its sheets, with a limit of 1 KB on this thread) is
    /// handed to minizip at the write that takes it past the limit: still the printed bytes.
    @Test func aPartHandedOverInTheMiddleIsStillTheSameBytes() throws {
        let fixture = try DocumentFixture("invoice-layout3", seq: 7, kind: "invoice.issued")
        let record = try DocumentRecord(entry: fixture.entry)
        let printed = try fixture.printed("INV-2026-000001.xlsx")
        recon_set_part_reuse_limit(1024)
        defer { recon_set_part_reuse_limit(0) }
        try withTemporaryFolder { folder in
            for n in 0..<3 {
                let bytes = try fixture.regenerated(record, in: folder, as: "limited\(n).xlsx")
                #expect(bytes == printed, "regeneration \(n)")
            }
        }
    }

    /// Two kinds of document written in turns, at the fast level: each comes out the same
    /// every time, whether its parts were deflated or reused, and neither takes the other's.
    @Test func documentsWrittenInTurnsKeepTheirOwnBytes() throws {
        let fixture = try DocumentFixture("invoice-layout3", seq: 7, kind: "invoice.issued")
        var invoice = try DocumentRecord(entry: fixture.entry)
        invoice.layout = 5
        var other = invoice
        other.number = "INV-2026-000002"
        other.partyName = other.partyName + " Annex"
        try withTemporaryFolder { folder in
            var first: [Data] = []
            var reused: UInt = 0
            for n in 0..<6 {
                let record = n % 2 == 0 ? invoice : other
                let before = PartReuse.reusedOnThisThread
                let bytes = try fixture.regenerated(record, in: folder, as: "turn\(n).xlsx")
                reused += PartReuse.reusedOnThisThread - before
                if n < 2 { first.append(bytes) } else { #expect(bytes == first[n % 2], "turn \(n)") }
            }
            #expect(first[0] != first[1])
            #expect(reused >= 10, "\(reused)")
        }
    }
}
