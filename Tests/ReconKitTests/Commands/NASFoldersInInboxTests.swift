import Foundation
import Testing

@testable import ReconKit

/// A NAS's metadata folders (Synology's `@eaDir`, `#recycle`) in the Inbox's folders: in
/// `Inbox/held/` `status` listed one as a drop waiting for a rerun, and a signed rerun that did
/// its work exited 2, rejecting it, its request then spent; in `Inbox/` each watch pass moved it
/// to `rejected/` (`@eaDir-2`, `-3`, …, the NAS making it again) and exited 2. Passed over.
struct NASFoldersInInboxTests {
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

    @Test func aNASFolderInTheInboxIsNoDrop() throws {
        let site = try TestSite.marchSite()
        for name in ["@eaDir/usage-2026-03.csv@SynoEAStream", "#recycle/old.csv"] {
            try FileManager.default.createDirectory(atPath: site.path("Inbox/" + name), withIntermediateDirectories: true)
        }
        for command in [["ingest"], ["watch", "--once"]] {
            let run = try site.recon(command, env: TestSite.closeDay)
            #expect(run.code == 0, "\(command): \(run.out)\(run.err)")
        }
        #expect(site.exists("Inbox/@eaDir") && site.exists("Inbox/#recycle") && !site.exists("Inbox/rejected/@eaDir"))
        let status = try site.recon(["status"], env: TestSite.closeDay)
        #expect(status.out.contains("inbox: 0 waiting"), "\(status.out)")
        // Any other folder dropped in the Inbox is still moved to rejected/ (SPEC §2).
        try FileManager.default.createDirectory(atPath: site.path("Inbox/exports"), withIntermediateDirectories: false)
        #expect(try site.recon(["ingest"], env: TestSite.closeDay).code == 2)
        #expect(site.exists("Inbox/rejected/exports"))
    }
}
