import Foundation
import Testing

@testable import ReconKit

/// `recon init` killed while it wrote the site's public key left `Ledger/keys/.site.pub.PID.tmp`
/// for good: no later command swept that folder, as every writer sweeps the site's other folders
/// of what an interrupted write leaves.
struct KeyFolderLeftoverTests {
    @Test func anInterruptedKeyWriteIsSweptByTheNextWriter() throws {
        let site = try TestSite.marchSite()
        let stray = site.path("Ledger/keys/.site.pub.424242.tmp")
        try "half a key".write(toFile: stray, atomically: true, encoding: .utf8)
        let ingest = try site.recon(["ingest"], env: TestSite.closeDay)
        #expect(ingest.code == 0, "\(ingest.err)")
        #expect(!FileManager.default.fileExists(atPath: stray), "\(FileIO.list(site.path("Ledger/keys")))")
        #expect(site.exists("Ledger/keys/site.pub"))
        #expect(try site.recon(["verify", "--strict"]).code == 0)
    }
}
