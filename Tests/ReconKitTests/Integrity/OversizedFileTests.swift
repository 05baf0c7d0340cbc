import Foundation
import Testing
@testable import ReconKit

/// A file far larger than any recon writes, put where it reads one (a sparse file: no disk is
/// used). Read whole, it ended every command with a fatal allocation error (exit 134 and a
/// stack trace), `recon verify` included; hashed, an archived drop or a document in its place
/// kept `verify` going for hours. Each is refused at once, naming the file.
@Suite("Integrity — files far larger than recon writes")
struct OversizedFileTests {
    /// 8 TiB, or 64 GiB where the file system holds no file that large.
    static func makeHuge(_ path: String) throws {
        if FileManager.default.fileExists(atPath: path) { try FileManager.default.removeItem(atPath: path) }
        #expect(FileManager.default.createFile(atPath: path, contents: nil))
        if truncate(path, 8 << 40) != 0 { #expect(truncate(path, 64 << 30) == 0) }
    }

    @Test(arguments: [("Ledger/ledger.jsonl.intent", "verify"), ("Ledger/ledger.jsonl.intent", "ingest"),
                      ("recon.toml", "status"), ("Ledger/keys/site.pub", "verify")])
    func aHugeNoteOrSettingIsRefusedNotACrash(file: String, command: String) throws {
        let site = try TestSite.marchSite()
        try Self.makeHuge(site.path(file))
        let (run, killed) = try site.reconOrKill([command], env: TestSite.closeDay, seconds: 120)
        #expect(!killed)
        // Refused, or (an intent, which nothing signs that large) ignored with a note: named either way.
        let said = run.out + run.err
        #expect([0, 1, 3, 4].contains(run.code) && (run.code != 0 || file.hasSuffix(".intent")), "exit \(run.code): \(said.prefix(600))")
        #expect(!said.contains("Fatal error") && said.contains(file.split(separator: "/").last!), "\(said.prefix(600))")
    }

    /// The ledger itself so (a line growing past any recon writes), and the ledger prefix a
    /// close keeps (said passed by, then read whole all the same: exit 1, a bare "cannot read").
    @Test(arguments: [("Ledger/ledger.jsonl", "status"), (".recon/ledger-prefix.jsonl", "status"), (".recon/ledger-prefix.jsonl", "watch")])
    func aHugeLedgerOrPrefixIsNamedNotACrash(file: String, command: String) throws {
        let site = try TestSite.closedMarchSite()
        try Self.makeHuge(site.path(file))
        let (run, killed) = try site.reconOrKill(command == "watch" ? ["watch", "--once"] : [command], env: TestSite.rerunDay, seconds: 120)
        #expect(!killed)
        let said = run.out + run.err
        #expect(!said.contains("Fatal error") && said.contains(file.split(separator: "/").last!), "\(run.code) \(said.prefix(600))")
        // The prefix, which a close vouches for, is damage (the ledger's reading passed it by); the ledger is refused.
        #expect(file.hasSuffix("prefix.jsonl") ? run.code == 4 && said.contains("larger than a ledger prefix of this ledger can be")
                : run.code == 4 && said.contains("the ledger does not verify"), "\(run.code) \(said.prefix(600))")
    }

    /// A line of the ledger longer than any recon writes (65 MiB of zeros, then a newline) is
    /// damage to every command, as to `verify` (exit 4): `status`, `ingest` and `watch` said it
    /// as an internal error (exit 1) with no next step.
    @Test(arguments: [["status"], ["ingest"], ["watch", "--once"], ["verify"]])
    func aLedgerLineLongerThanAnyReconWritesIsDamage(command: [String]) throws {
        let site = try TestSite.marchSite()
        let ledger = site.path("Ledger/ledger.jsonl")
        let size = try site.ledgerBytes().count
        #expect(truncate(ledger, off_t(size + (65 << 20))) == 0)
        let fd = open(ledger, O_WRONLY | O_APPEND)
        #expect(fd >= 0 && write(fd, "\n", 1) == 1)
        close(fd)
        let run = try site.recon(command, env: TestSite.closeDay)
        #expect(run.code == 4, "\(run.code) \((run.out + run.err).prefix(600))")
        #expect(command == ["verify"] || run.err.contains("the ledger does not verify") && run.err.contains("restore it from a backup"),
                "\(run.err.prefix(600))")
        // verify --json answers in JSON (it printed a bare sentence).
        if command == ["verify"] {
            let json = try site.recon(["verify", "--json"], env: TestSite.closeDay)
            let answer = try JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [String: Any]
            #expect(json.code == 4 && answer?["ok"] as? Bool == false && answer?["exit"] as? Int == 4, "\(json.out)")
        }
    }

    @Test(arguments: ["drop", "document"])
    func aHugeArchivedDropOrDocumentIsDamageAtOnce(kind: String) throws {
        let site = try TestSite.closedMarchSite()
        let folder = kind == "drop" ? "Ledger/drops" : "Outbox/2026-03/invoices"
        let name = try #require(FileManager.default.contentsOfDirectory(atPath: site.path(folder)).sorted().first { !$0.hasPrefix(".") })
        try Self.makeHuge(site.path(folder + "/" + name))
        let (run, killed) = try site.reconOrKill(["verify"], env: TestSite.rerunDay, seconds: 120)
        #expect(!killed, "verify was still hashing after two minutes")
        let said = run.out + run.err
        #expect(run.code == 4 && said.contains(name) && said.contains("larger than any"), "\(run.code) \(said.prefix(600))")
    }
}
