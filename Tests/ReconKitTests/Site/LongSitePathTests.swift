import Foundation
import Testing

@testable import ReconKit

/// A site at a path so long that its own files' paths pass Linux's 4,095 bytes: `init` made
/// it, then every command named by that path read its archived drops as missing
/// (ENAMETOOLONG) and refused a healthy site with exit 4 and advice to restore a backup — while
/// the same site verified from inside. The path is refused as what it is, with what works.
struct LongSitePathTests {
    @Test func aSitePathThatLeavesNoRoomForItsFilesIsSaidAsSuch() throws {
        try withTemporaryFolder { folder in
            var deep = folder
            while deep.utf8.count < 3_990 { deep += "/" + String(repeating: "d", count: 200) }
            try FileManager.default.createDirectory(atPath: deep, withIntermediateDirectories: true)
            let site = deep + "/hq"
            for args in [["init", "--name", "hq", "--base-currency", "INR", "--timezone", "UTC"], ["status"], ["verify"], ["ingest"]] {
                let run = try ProcessRunner.run(TestSite.binary, args + ["--site", site], environment: TestSite.closeDay)
                #expect(run.code == 1 && run.err.contains("the site's path has \(site.utf8.count) bytes, which leaves no room for the "
                    + "files recon keeps in it") && run.err.contains("run recon from inside the site"), "\(args): \(run.err)")
            }
            #expect(!FileManager.default.fileExists(atPath: site))
        }
    }
}
