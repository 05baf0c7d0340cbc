import Foundation
import Testing

@testable import ReconKit

/// A NAS's metadata folder in `Inbox/held/` (Synology's `@eaDir`): `status` listed it as a drop
/// waiting for a rerun, and a signed rerun that did its work exited 2, rejecting the folder, its
/// request then spent. Recon holds files only: a folder there is passed over.
struct HeldFolderLitterTests {
    @Test func aFolderInHeldIsNoHeldDrop() throws {
        let site = try TestSite.closedMarchSite()
        try FileManager.default.createDirectory(atPath: site.path("Inbox/held/@eaDir/usage-late.csv@SynoEAStream"),
                                                withIntermediateDirectories: true)
        let status = try site.recon(["status", "--json"], env: TestSite.rerunDay)
        let held = try #require((try JSONSerialization.jsonObject(with: Data(status.out.utf8)) as? [String: Any])?["held"] as? [String])
        #expect(held == ["usage-late.csv"], "\(held)")
        let key = try site.operatorKey("op", listed: true, env: TestSite.rerunDay)
        let rerun = try site.recon(["rerun", "2026-03", "--reason", "late R5", "--key", key], env: TestSite.rerunDay)
        #expect(rerun.code == 0 && rerun.out.contains("applied 1 held drop(s)"), "\(rerun.code) \(rerun.out)\(rerun.err)")
        #expect(site.exists("Inbox/held/@eaDir") && !site.exists("Inbox/rejected/@eaDir"))
    }
}
