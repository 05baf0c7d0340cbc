import Foundation
import Testing

@testable import ReconKit

/// What an owed checkpoint's warning says. A disk that would not give a fresh checkpoint back
/// (strace fails its read with EIO) was said as "a file was swapped in for its temporary file",
/// tampering nobody did; and an operator change whose checkpoint could not follow said "its
/// documents issued", though it issues none. The handling stands (warning, exit 0, owed).
struct OwedCheckpointWordingTests {
    static let strace = ProcessRunner.executable(named: "strace")

    @Test(.enabled(if: strace != nil, "needs strace (Debian strace) to fail the checkpoint's read-back"))
    func aCheckpointTheDiskWillNotGiveBackIsSaidAsThat() throws {
        let site = try TestSite.marchSite()
        let dir = site.path("operator-keys")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        #expect(try site.recon(["keygen", "asha", "--dir", dir], site: false).code == 0)
        let seq = try site.ledgerLines().count + 1
        let added = try ProcessRunner.run(try #require(Self.strace),
            ["-f", "-o", "/dev/null", "-P", site.path("Ledger/checkpoints/\(seq).txt"), "-e", "trace=read",
             "-e", "inject=read:error=EIO", TestSite.binary, "operator", "add", "asha", dir + "/asha.pub", "--site", site.root],
            environment: TestSite.rerunDay)
        #expect(added.code == 0, "\(added.out)\(added.err)")
        #expect(added.err.contains("cannot read back") && added.err.contains("Input/output error")
                && !added.err.contains("swapped"), "\(added.err)")
        #expect(added.err.contains("this command's entry is recorded — do not run it again") && !added.err.contains("documents"),
                "\(added.err)")
        #expect(!site.exists("Ledger/checkpoints/\(seq).txt"))
        #expect(try site.recon(["watch", "--once"], env: TestSite.rerunDay).code == 0)
        #expect(site.exists("Ledger/checkpoints/\(seq).txt"))
        site.expectAuditorAccepts()
    }
}

/// A folder of keys made by `recon keygen --dir` or `recon init --key-dir` was made 0755 and
/// then narrowed: killed in between (strace, at the chmod), it stayed readable by everyone,
/// and the next run used it as it stood. It is owner-only from the call that makes it.
struct PrivateKeyFolderTests {
    @Test(.enabled(if: OwedCheckpointWordingTests.strace != nil, "needs strace (Debian strace) to kill the command at its chmod"),
          arguments: ["keygen", "init"])
    func aKeyFolderIsOwnerOnlyEvenWhenItsMakerIsKilled(command: String) throws {
        let base = try TestSite()
        let dir = base.path("keys-here")
        let args = command == "keygen" ? ["keygen", "op1", "--dir", dir]
            : ["init", "--name", "kd", "--key-dir", dir, "--site", base.path("site")]
        let killed = try ProcessRunner.run(try #require(OwedCheckpointWordingTests.strace),
            ["-f", "-o", "/dev/null", "-e", "trace=chmod", "-e", "inject=chmod:signal=KILL:when=1", TestSite.binary] + args,
            environment: ["RECON_NOW": "2026-04-01T00:00:00Z"])
        #expect(killed.code == SIGKILL, "\(killed.code) \(killed.err)")
        var info = stat()
        #expect(stat(dir, &info) == 0 && info.st_mode & 0o777 == 0o700, "\(String(info.st_mode & 0o777, radix: 8))")
        let again = try ProcessRunner.run(TestSite.binary, args, environment: ["RECON_NOW": "2026-04-01T00:00:00Z"])
        #expect(again.code == 0, "\(again.err)")
        #expect(stat(dir, &info) == 0 && info.st_mode & 0o777 == 0o700, "\(String(info.st_mode & 0o777, radix: 8))")
    }
}

/// The site key replaced (another site's, or `site_key` pointed elsewhere) after a command's
/// checks and append, before its checkpoint: the close said "nothing is signed or written"
/// (exit 4) of entries recorded and documents issued, read as failed and run again. The
/// checkpoint is owed, and said so; nothing is signed with the other key.
struct SiteKeyReplacedAfterAppendTests {
    @Test func aSiteKeyReplacedAfterTheAppendLeavesTheCheckpointOwed() throws {
        let site = try TestSite.marchSite()
        let other = try TestSite()
        #expect(try other.recon(["init", "--name", "other", "--base-currency", "INR", "--timezone", "UTC"], env: TestSite.closeDay).code == 0)
        let session = try SiteSession(site: Site(root: site.root), writing: true, log: ConsoleLog.logger(.text), clock: .system)
        try session.repair()
        try session.append(kind: "card.replaced", body: ["kind": "client_rates", "effective_from": "2026-03-01", "sha256": "0"])
        try FileManager.default.removeItem(atPath: site.path("Ledger/keys/site.key"))
        try FileManager.default.copyItem(atPath: other.path("Ledger/keys/site.key"), toPath: site.path("Ledger/keys/site.key"))
        let written = try Checkpointer(site: Site(root: site.root)).writeAfterAppend(session, siteName: session.state.name)
        #expect(written == nil)
        #expect(!site.exists("Ledger/checkpoints/\(session.ledger.entries.count).txt"))
    }
}
