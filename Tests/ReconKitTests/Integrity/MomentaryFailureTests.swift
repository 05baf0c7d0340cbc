import Foundation
import Testing

@testable import ReconKit

/// Failures of the machine rather than of the site's bytes, each met once.
///
/// One open that fails for a moment — the system's file table full (ENFILE), the process at
/// its open-file limit (EMFILE), an I/O error — was read as the file's bytes being other: on
/// an intact site `recon verify` said `Ledger/keys/site.pub` "is not the public key site.init
/// records … find out who changed it", and a close said a genuine checkpoint "appeared while
/// this command ran … remove it" (exit 4 both; a watcher stopped for good). strace fails that
/// one open, once; the command tries again and judges the bytes. (Opens, folder listings and
/// hashing opens alike go through ``TransientErrors``; the open of `site.pub` stands for them.)
struct MomentaryFailureTests {
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

    /// A drop whose bytes cannot be had (EIO on every try: a bad sector, a share that lost it)
    /// failed every batch whole: the good drop beside it was never taken, and the month could not
    /// close. It is moved to `rejected/` unread, saying why, and the rest of the batch goes on.
    @Test(.enabled(if: strace != nil, "needs strace (Debian strace) to fail a drop's opens"), arguments: ["EIO", "ESTALE"])
    func aDropThatCannotBeReadIsRejectedAndTheOthersAreTaken(code: String) throws {
        let site = try TestSite.closedMarchSite()
        try FileManager.default.removeItem(atPath: site.path("Inbox/held/usage-late.csv"))
        try site.drop("usage-2026-04-a.csv", TestSite.april)
        try site.drop("usage-2026-04-b.csv", "report_id,reported_at,client_id,radiologist_id,modality,image_count\n"
            + "R8,2026-04-05T10:00:00Z,C1,D1,CT,1\n")
        let ingest = try ProcessRunner.run(try #require(Self.strace),
            ["-f", "-o", "/dev/null", "-P", site.path("Inbox/usage-2026-04-a.csv"), "-e", "trace=openat",
             "-e", "inject=openat:error=\(code)", TestSite.binary, "ingest", "--site", site.root], environment: TestSite.aprilLater)
        #expect(ingest.code == 2, "\(ingest.out)\(ingest.err)")
        #expect(site.exists("Inbox/rejected/usage-2026-04-a.csv"))
        let errors = try site.read("Inbox/rejected/usage-2026-04-a.csv.errors.txt")
        #expect(errors.contains("usage-2026-04-a.csv cannot be read (") && errors.contains("copy it again from its source"), "\(errors)")
        #expect(try site.bodies("drop.accepted").contains { $0["name"] as? String == "usage-2026-04-b.csv" })
    }

    /// The hard flags of usage taken earlier in a batch are recorded before a decisions drop
    /// naming them is judged: that append failing (a full disk for a moment) had the decisions
    /// judged without them and rejected as naming "neither a flag id nor a report id" — a false
    /// reason for a right id. The batch stops there instead; the decisions drop waits in the Inbox.
    @Test(.enabled(if: strace != nil, "needs strace (Debian strace) to fail one write"))
    func aDecisionsDropWaitsWhenItsFlagsCannotBeRecorded() throws {
        let site = try TestSite.marchSite()
        let flag = HardGate.flagId(reportId: "R20")
        try site.drop("usage-more.csv", "report_id,reported_at,client_id,radiologist_id,modality,image_count\n"
            + "R20,2026-03-20T10:00:00Z,C1,D1,CT,40\n")
        try site.drop("decisions-1.csv", "subject,decision,by\n\(flag),approve,Asha\n")
        let ingest = try ProcessRunner.run(try #require(Self.strace),
            ["-f", "-o", "/dev/null", "-P", site.path("Ledger/ledger.jsonl"), "-e", "trace=write,pwrite64,writev",
             "-e", "inject=write,pwrite64,writev:error=ENOSPC:when=2", TestSite.binary, "ingest", "--site", site.root],
            environment: TestSite.closeDay)
        #expect(ingest.code != 0 && ingest.code != 2, "\(ingest.out)\(ingest.err)")
        #expect(!ingest.err.contains("is neither a flag id nor a report id"), "\(ingest.err)")
        #expect(site.exists("Inbox/decisions-1.csv") && !site.exists("Inbox/rejected/decisions-1.csv"))
        // Run again, it is taken.
        let again = try site.recon(["ingest"], env: TestSite.closeDay)
        #expect(again.code == 0, "\(again.err)")
        #expect(try site.bodies("flag.decided").contains { $0["id"] as? String == flag })
    }

    /// The same failure lasting past the tries: `site.pub` was still said to be "not the public
    /// key site.init records … find out who changed it" (exit 4). Nothing was judged: exit 1,
    /// naming the error.
    @Test(.enabled(if: strace != nil, "needs strace (Debian strace) to fail every open"))
    func aPublicKeyFileThatCannotBeReadIsNotCalledAnotherKey() throws {
        let site = try TestSite.closedMarchSite()
        let verify = try ProcessRunner.run(try #require(Self.strace),
            ["-f", "-o", "/dev/null", "-P", site.path("Ledger/keys/site.pub"), "-e", "trace=openat", "-e", "inject=openat:error=EIO",
             TestSite.binary, "verify", "--site", site.root], environment: TestSite.rerunDay)
        #expect(verify.code == 1 && !verify.out.contains("is not the public key") && (verify.out + verify.err).contains("Input/output error"),
                "\(verify.out)\(verify.err)")
    }
}
