import Foundation
import Testing

@testable import ReconKit

/// What a close says beside what it does.
@Suite("A close says what its documents lack, and leaves the review as it refuses", .serialized)
struct CloseSaysWhatItCannotDoTests {
    /// SPEC §1 lets documents go out without `[seller]`, naming the site; only `recon status`
    /// said so, and a close issued numbered tax invoices with no account to pay into without a
    /// word. Issued, they are never edited. A close says so; one with payment instructions does not.
    @Test func aCloseWithoutTheSellersPaymentInstructionsSaysItsInvoicesNameNoAccount() throws {
        let bare = try TestSite.marchSite()
        let close = try bare.recon(["close", "2026-03"], env: TestSite.closeDay)
        #expect(close.code == 0 && close.err.contains("recon.toml has no [seller]: the 2 invoices this close issues name only the site — "
            + "no legal name, address, tax id or payment instructions, so a hospital has nothing to pay into"), "\(close.err)")

        let named = try TestSite.marchSite()
        let config = try named.read("recon.toml")
        try (config + "\n[seller]\nlegal_name = \"Example Teleradiology Pvt Ltd\"\n").write(toFile: named.path("recon.toml"), atomically: true, encoding: .utf8)
        let noAccount = try named.recon(["close", "2026-03"], env: TestSite.closeDay)
        #expect(noAccount.code == 0 && noAccount.err.contains("[seller] in recon.toml has no payment_instructions: the 2 invoices this "
            + "close issues name no account to pay into"), "\(noAccount.err)")

        let paid = try TestSite.marchSite()
        try (config + ChangedPaymentInstructionsTests.seller("0012345678")).write(toFile: paid.path("recon.toml"), atomically: true, encoding: .utf8)
        let quiet = try paid.recon(["close", "2026-03"], env: TestSite.closeDay)
        #expect(quiet.code == 0 && !quiet.err.contains("[seller]"), "\(quiet.err)")
    }

    /// A clerk's own files in a month's `drafts/` (a "Save As" copy of the draft invoices, which
    /// LibreOffice puts beside the file it opened; notes; a folder of old copies): the close
    /// removed the whole folder with them, without a word, and so did every later writer to a
    /// `drafts/` folder of a closed month. Recon's two workbooks go; the clerk's files stay, said.
    @Test func aCloseRemovesItsOwnDraftsAndLeavesAClerksFiles() throws {
        let site = try TestSite.marchSite()
        let drafts = site.path("Outbox/2026-03/drafts")
        try "checked with Asha\n".write(toFile: drafts + "/Asha's notes.txt", atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: drafts + "/old", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: drafts + "/invoices.xlsx", toPath: drafts + "/old/invoices - checked.xlsx")
        let close = try site.recon(["close", "2026-03"], env: TestSite.closeDay)
        #expect(close.code == 0 && close.err.contains("Outbox/2026-03/drafts/ holds 2 files recon did not write (Asha's notes.txt, old): "
            + "2026-03 is closed and its draft workbooks are gone"), "\(close.err)")
        #expect(FileIO.list(drafts) == ["Asha's notes.txt", "old"])
        #expect(FileIO.list(drafts + "/old") == ["invoices - checked.xlsx"])
        site.expectAuditorAccepts()
        // The next writer leaves them too, and says nothing more of them.
        try site.drop("usage-2026-04.csv", TestSite.april)
        let ingest = try site.recon(["ingest"], env: TestSite.aprilLater)
        #expect(ingest.code == 0 && !ingest.err.contains("drafts/ holds"), "\(ingest.err)")
        #expect(FileIO.list(drafts) == ["Asha's notes.txt", "old"])
        // Without them, the folder goes with the workbooks.
        let plain = try TestSite.marchSite()
        #expect(try plain.recon(["close", "2026-03"], env: TestSite.closeDay).code == 0)
        #expect(!plain.exists("Outbox/2026-03/drafts"))
    }

    /// A close refused for its flags writes the period's review again: its soft findings are
    /// scored as of the day, and a refusal on a later day named a flag the review, written at
    /// the last ingest or decision, did not show. Here the review was removed: it is back, with
    /// the flag the refusal names.
    @Test func aCloseRefusedForItsFlagsWritesTheReviewItRefusesOn() throws {
        let site = try TestSite.marchSite()
        try site.drop("usage-2026-03-b.csv", "report_id,reported_at,client_id,radiologist_id,modality,image_count\n"
            + "R9,2026-03-09T10:00:00Z,C1,D1,CT,12\n")
        #expect(try site.recon(["ingest"], env: TestSite.closeDay).code == 0)
        try FileManager.default.removeItem(atPath: site.path("Outbox/2026-03/review.xlsx"))
        let before = try site.ledgerBytes()
        let close = try site.recon(["close", "2026-03"], env: TestSite.closeDay)
        #expect(close.code == 3 && close.err.contains("cannot close 2026-03"), "\(close.err)")
        #expect(try site.ledgerBytes() == before)
        let review = try PrintedSheet(site.path("Outbox/2026-03/review.xlsx")).cells.values.compactMap(\.text)
        #expect(review.contains { $0.contains(HardGate.flagId(reportId: "R9")) }, "\(review)")
        // With the report as a reviewer decides it: its id and images alone sent them to the archived CSV.
        #expect(review.contains("12 images in one case; the contract of C1 allows 10 (report: CT, routine, read by D1 on 2026-03-09)"),
                "\(review)")
        // Its row tall enough for all of it: measured on the reason alone, it stayed one line and
        // printed "… read by D1 on 2026-03-" cut at the column.
        let sheet = try PrintedSheet(site.path("Outbox/2026-03/review.xlsx"))
        let ref = try #require(sheet.reference(of: "12 images in one case; the contract of C1 allows 10 (report: CT, routine, read by D1 on 2026-03-09)"))
        let width = sheet.width(ofColumn: PrintedSheet.column(ref))
        #expect(width < 95 && sheet.height(ofRow: PrintedSheet.row(ref)) >= 29, "width \(width), height \(sheet.height(ofRow: PrintedSheet.row(ref)))")
    }
}
