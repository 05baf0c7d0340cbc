import Foundation
import Testing

@testable import ReconKit

/// A drop a stopped command set aside as it took it out of the Inbox (`.NAME.PID.taking`, its
/// process gone): `recon status` said "inbox: 0 waiting" and the month ready to close, and the
/// close then put the drop back and refused for it. Status names it as waiting, holding the close.
struct StatusSetAsideDropTests {
    @Test func aDropSetAsideByAStoppedCommandIsWaitingAndHoldsTheClose() throws {
        let site = try TestSite.marchSite()
        let gone = Process()
        gone.executableURL = URL(fileURLWithPath: "/bin/true")
        try gone.run()
        gone.waitUntilExit()
        try site.drop(".usage-late.csv.\(gone.processIdentifier).taking",
                      "report_id,reported_at,client_id,radiologist_id,modality,image_count\nL1,2026-03-25T10:00:00Z,C1,D1,CT,1\n")
        let status = try site.recon(["status"], env: TestSite.closeDay)
        #expect(status.code == 0, "\(status.err)")
        #expect(status.out.contains("inbox: 1 waiting (usage-late.csv (set aside by a stopped command))"), "\(status.out)")
        #expect(status.out.contains("Inbox/ holds a drop not yet ingested (usage-late.csv)") && status.out.contains("not ready to close") && !status.out.contains("\n  ready to close"),
                "\(status.out)")
        let close = try site.recon(["close", "2026-03"], env: TestSite.closeDay)
        #expect(close.code == 3 && close.err.contains("usage-late.csv"), "\(close.err)")
    }
}
