import Foundation
import Testing

@testable import ReconKit

/// A rerun leaves alone a client whose total is unchanged (SPEC §5), even when what it bills
/// moved: an excluded CT report and a late MR report at the same price keep C1's March at
/// 300.00, and INV-2026-000001 still lists two CT reports and one MR. The rerun said nothing;
/// the review and the margin summary then disagreed with the invoice in force, line by line.
/// It now says which client, what the month bills and what was counted before.
struct RerunMovedLinesTests {
    static let lateMR = """
        report_id,reported_at,client_id,radiologist_id,modality,image_count
        R5,2026-03-20T10:00:00Z,C1,D1,MR,1
        """

    /// March closed (C1: R1, R2 CT and R3 MR at 100.00 each, INV-2026-000001 300.00 INR plus
    /// tax), then `drops` held for a rerun, which runs.
    private func rerun(after drops: [(String, String)]) throws -> (site: TestSite, run: TestSite.Run) {
        let site = try TestSite.marchSite()
        #expect(try site.recon(["close", "2026-03"], env: TestSite.closeDay).code == 0)
        let key = try site.operatorKey("asha", listed: true)
        for (name, body) in drops { try site.drop(name, body) }
        #expect(try site.recon(["ingest"], env: TestSite.rerunDay).code == 3)
        let run = try site.recon(["rerun", "2026-03", "--reason", "R2 sent twice; R5 late", "--key", key], env: TestSite.rerunDay)
        #expect(run.code == 0, "\(run.out)\(run.err)")
        return (site, run)
    }

    @Test func aClientWhoseReportsMovedWithTheSameTotalIsNamed() throws {
        let (site, run) = try rerun(after: [("decisions-2026-03.csv", "subject,decision,by,note\nR2,exclude,Asha Rao,sent twice\n"),
                                            ("usage-late.csv", Self.lateMR)])
        // C1: CT 1, MR 2 now; CT 2, MR 1 at the close; 300.00 + 18 % = 354.00 INR either way.
        #expect(run.err.contains("C1: 2026-03 now bills CT 1, MR 2 of its reports (CT 2, MR 1 when the month was last closed or "
                                 + "rerun), but its total is unchanged, 354.00 INR"), "\(run.err)")
        #expect(run.err.contains("INV-2026-000001 stays in force with its lines as issued"), "\(run.err)")
        // Nothing issued for C1: its invoice is the only one.
        let creditNotes = (try? FileManager.default.contentsOfDirectory(atPath: site.path("Outbox/2026-03/credit-notes"))) ?? []
        #expect(creditNotes.isEmpty, "\(creditNotes)")
        site.expectAuditorAccepts()
    }

    @Test func aClientWhoseTotalChangedOrWhoseReportsDidNotMoveIsNotNamed() throws {
        // R5 alone: C1's total changes, so it is billed anew; C2 is untouched.
        let (_, run) = try rerun(after: [("usage-late.csv", Self.lateMR)])
        #expect(!run.err.contains("stays in force"), "\(run.err)")
    }
}
