import Foundation
import Testing

@testable import ReconKit

/// One open that fails for a moment — the system's file table full (ENFILE), the process at
/// its open-file limit (EMFILE), an I/O error — was read as the file's bytes being other: on
/// an intact site `recon verify` said `Ledger/keys/site.pub` "is not the public key site.init
/// records … find out who changed it", and a close said a genuine checkpoint "appeared while
/// this command ran … remove it" (exit 4 both; a watcher stopped for good). strace fails that
/// one open, once; the command tries again and judges the bytes. (Opens, folder listings and
/// hashing opens alike go through ``TransientErrors``; the open of `site.pub` stands for them.)
struct TransientOpenFailureTests {
    static let strace = ProcessRunner.executable(named: "strace")

    private func failingOnce(_ path: String, _ code: String, _ arguments: [String], env: [String: String]) throws -> ProcessOutput {
        try ProcessRunner.run(try #require(Self.strace),
            ["-f", "-o", "/dev/null", "-P", path, "-e", "trace=openat", "-e", "inject=openat:error=\(code):when=1",
             TestSite.binary] + arguments, environment: env)
    }

    @Test(.enabled(if: strace != nil, "needs strace (Debian strace) to fail one open"), arguments: ["ENFILE", "EMFILE", "EIO"])
    func verifyTriesAgainAFileThatFailedToOpenOnce(code: String) throws {
        let site = try TestSite.closedMarchSite()
        let verify = try failingOnce(site.path("Ledger/keys/site.pub"), code, ["verify", "--site", site.root], env: TestSite.rerunDay)
        #expect(verify.code == 0 && verify.out.hasPrefix("ok "), "\(verify.out)\(verify.err)")
    }
}
