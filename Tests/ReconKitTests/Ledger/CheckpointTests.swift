import Crypto
import Foundation
import Testing

@testable import ReconKit

/// Signed checkpoints (SPEC §6) as the `recon` binary writes them, checked with Ed25519 from
/// swift-crypto directly rather than recon's own note reader; kept checkpoints against a
/// ledger that was cut or rewritten; forged ones.
@Suite("Checkpoints — signed after every close, rerun and credit; kept ones catch a rewrite", .serialized)
struct CheckpointTests {
    /// One after the close (seq 11), one after asha is added as an operator (seq 14), one
    /// after the rerun (seq 20), one after the credit (seq 21); none after an ingest. Each is
    /// the Go note format over the site name, the count and the head hash, signed by the
    /// site key of `site.init`.
    @Test func aCheckpointFollowsEveryCloseRerunAndCredit() throws {
        let site = try TestSite.trustSite()
        let entries = try site.entries()
        let kinds = entries.map { $0["kind"] as? String ?? "" }
        #expect(kinds[10] == "period.closed" && kinds[13] == "operator.added" && kinds[19] == "rerun"
                && kinds[20] == "credit_note.issued")
        #expect(Checkpointer(site: Site(root: site.root)).all() == [11, 14, 20, 21])

        let initBody = try #require(entries[0]["body"] as? [String: Any])
        let verifierKey = try #require(initBody["public_key"] as? String)
        let parts = verifierKey.split(separator: "+", maxSplits: 2)
        #expect(parts.count == 3 && parts[0] == "trust-site")
        let typed = try #require(Data(base64Encoded: String(parts[2])))
        #expect(typed.count == 33 && typed.first == 1)
        let publicKey = try Curve25519.Signing.PublicKey(rawRepresentation: typed.dropFirst())
        let keyID = Data(SHA256.hash(data: Data("trust-site\n".utf8) + typed).prefix(4))
        #expect(keyID.map { String(format: "%02x", $0) }.joined() == String(parts[1]))

        for seq in [11, 14, 20, 21] {
            let note = try site.read("Ledger/checkpoints/\(seq).txt")
            let split = try #require(note.range(of: "\n\n"))
            let text = String(note[..<split.lowerBound]) + "\n"
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            #expect(lines.count == 4 && lines[3].isEmpty)
            #expect(lines[0] == "trust-site")
            #expect(lines[1] == "\(seq)")
            let head = try #require(Data(base64Encoded: String(lines[2])))
            #expect(head.count == 32)
            #expect(head.map { String(format: "%02x", $0) }.joined() == entries[seq - 1]["hash"] as? String)
            let signatureLine = String(note[split.upperBound...])
            #expect(signatureLine.hasPrefix("\u{2014} trust-site ") && signatureLine.hasSuffix("\n"))
            let blob = try #require(Data(base64Encoded: String(signatureLine.dropFirst("\u{2014} trust-site ".count).dropLast())))
            #expect(blob.count == 68)
            #expect(blob.prefix(4) == keyID)
            #expect(publicKey.isValidSignature(blob.dropFirst(4), for: Data(text.utf8)), "checkpoint \(seq)")
        }
        // The site's private half is its owner's alone.
        var st = stat()
        #expect(stat(site.path("Ledger/keys/site.key"), &st) == 0)
        #expect(st.st_mode & 0o077 == 0)
        site.expectAuditorAccepts()
    }

    /// Every document shows the ledger state and the newest checkpoint it was issued under, in
    /// its entry, as custom document properties and in a visible cell. The close's documents
    /// came before any checkpoint; the rerun's came under 14.txt (asha's addition) and print the
    /// ledger asha signed the rerun for, seq 14 — not 15, the held drop the rerun took first; the
    /// credit note under 20.txt.
    @Test func documentsShowTheCheckpointTheyWereIssuedUnder() throws {
        let site = try TestSite.trustSite()
        let entries = try site.entries()
        let cases: [(number: String, checkpoint: String?, under: Int)] = [
            ("INV-2026-000001", nil, 6), ("PAY-2026-000002", nil, 6),
            ("CN-2026-000001", "Ledger/checkpoints/14.txt", 14), ("INV-2026-000003", "Ledger/checkpoints/14.txt", 14),
            ("PAY-2026-000003", "Ledger/checkpoints/14.txt", 14), ("CN-2026-000002", "Ledger/checkpoints/20.txt", 20),
        ]
        for c in cases {
            let body = try #require(try site.document(c.number), "\(c.number)")
            #expect(body["checkpoint"] as? String == c.checkpoint, "\(c.number)")
            let under = try #require(body["issued_under"] as? [String: Any])
            #expect(under["seq"] as? Int == c.under, "\(c.number)")
            let underHash = try #require(entries[c.under - 1]["hash"] as? String)
            #expect(under["head"] as? String == underHash, "\(c.number)")
            let file = try #require(body["file"] as? String)
            guard let custom = try site.zipMember(file, "docProps/custom.xml"),
                let strings = try site.zipMember(file, "xl/sharedStrings.xml")
            else {
                print("note: python3 is not here; the workbooks' properties are not read")
                return
            }
            let shown = c.checkpoint ?? "none before this document"
            #expect(custom.contains("name=\"recon.checkpoint\"><vt:lpwstr>\(shown)</vt:lpwstr>"), "\(c.number): \(custom)")
            #expect(custom.contains("name=\"recon.issued_under\"><vt:lpwstr>\(c.under) \(underHash)</vt:lpwstr>"), "\(c.number)")
            #expect(strings.contains(shown), "\(c.number): the checkpoint is not in a visible cell")
        }
    }

    /// A checkpoint kept elsewhere after the close still holds when the ledger has grown.
    @Test func aKeptCheckpointIsAPrefixOfTodaysLedger() throws {
        let site = try TestSite.closedMarchSite()
        let kept = site.path("kept-11.txt")
        try FileManager.default.copyItem(atPath: site.path("Ledger/checkpoints/11.txt"), toPath: kept)
        let key = try site.operatorKey("asha", listed: true)
        #expect(try site.recon(["rerun", "2026-03", "--reason", "card", "--key", key], env: TestSite.rerunDay).code == 0)
        let run = try site.recon(["verify", "--checkpoint", kept])
        #expect(run.code == 0, "\(run.out)")
        #expect(run.out.hasPrefix("ok 20 "))
        site.expectAuditorAccepts()
    }

    /// Someone cuts the ledger back to before the rerun and removes the checkpoints and
    /// documents that would give it away: the site's own checks pass, the kept checkpoint
    /// does not. Writing on from the cut, past the kept count, is a rewrite, caught too.
    @Test func aLedgerCutBehindAKeptCheckpointIsCaught() throws {
        let site = try TestSite.trustSite()
        let kept = site.path("kept-21.txt")
        try FileManager.default.copyItem(atPath: site.path("Ledger/checkpoints/21.txt"), toPath: kept)
        #expect(try site.recon(["verify", "--checkpoint", kept]).code == 0)

        // Keep seq 1–15 (the held drop's acceptance by the rerun is the last kept line).
        let lines = try site.ledgerLines()
        try site.writeLedgerLines(lines.prefix(15))
        for seq in [20, 21] { try FileManager.default.removeItem(atPath: site.path("Ledger/checkpoints/\(seq).txt")) }
        for file in ["credit-notes/CN-2026-000001", "credit-notes/CN-2026-000002", "invoices/INV-2026-000003",
                     "payouts/PAYADJ-2026-000001", "payouts/PAY-2026-000003"] {
            try FileManager.default.removeItem(atPath: site.path("Outbox/2026-03/\(file).xlsx"))
        }
        try FileManager.default.removeItem(atPath: site.path("Ledger/drops/" + TestSite.sha256Hex(TestSite.april) + ".csv"))
        // March's report index is the rerun's, which `recon verify` would name against the cut ledger.
        try FileManager.default.removeItem(atPath: site.path(".recon/closed/2026-03.idx"))
        #expect(try site.recon(["verify"]).out.hasPrefix("ok 15 "))

        let cut = try site.recon(["verify", "--checkpoint", kept])
        #expect(cut.code == 4)
        #expect(cut.out == "seq 21: kept checkpoint \(kept) covers 21 entries but the ledger holds 15: entries were removed\n", "\(cut.out)")

        // Written on to 21 entries and more: the count is there, the history is not.
        try site.drop("usage-2026-04.csv", TestSite.april)
        try site.drop("usage-2026-04-b.csv", "report_id,reported_at,client_id,radiologist_id,modality,image_count\nR8,2026-04-05T10:00:00Z,C1,D1,CT,1\n")
        #expect(try site.recon(["ingest"], env: TestSite.aprilLater).code == 0)
        #expect(try site.recon(["close", "2026-04"], env: ["RECON_NOW": "2026-05-02T09:00:00Z"]).code == 0)
        #expect(try site.ledgerLines().count > 21)
        #expect(try site.recon(["verify"]).code == 0)
        let rewritten = try site.recon(["verify", "--checkpoint", kept])
        #expect(rewritten.code == 4)
        #expect(rewritten.out.hasPrefix("seq 21: kept checkpoint \(kept): the head hash differs from the hash of seq 21"), "\(rewritten.out)")
    }

    /// A ledger cut behind a checkpoint still on disk fails `recon verify` by itself.
    @Test func aLedgerCutBehindItsOwnCheckpointFailsVerify() throws {
        let site = try TestSite.trustSite()
        let lines = try site.ledgerLines()
        try site.writeLedgerLines(lines.prefix(20))
        let run = try site.recon(["verify"])
        #expect(run.code == 4)
        #expect(run.out == "seq 21: checkpoint 21.txt covers 21 entries but the ledger holds 20: entries were removed\n", "\(run.out)")
        if let audit = try site.auditorVerify() { #expect(audit.code == 4) }
    }

    /// A checkpoint deleted behind later ones: each close, rerun, credit and operator change
    /// has its own, so `recon verify` names the missing one (exit 4), as the auditor's
    /// own verifier does not need to.
    @Test func aCheckpointDeletedBehindLaterOnesFailsVerify() throws {
        let site = try TestSite.trustSite()
        let onDisk = Checkpointer(site: Site(root: site.root)).all()
        #expect(onDisk.count >= 3, "\(onDisk)")
        let middle = onDisk[1]
        try FileManager.default.removeItem(atPath: site.path("Ledger/checkpoints/\(middle).txt"))
        let run = try site.recon(["verify"])
        #expect(run.code == 4, "\(run.out)\(run.err)")
        #expect(run.out.hasPrefix("seq \(middle): checkpoint \(middle).txt, written after this "), "\(run.out)")
        // Writers check what `recon verify` checks: nothing is appended or signed over it.
        try expectWritersRefuse(site, saying: "checkpoint \(middle).txt, written after this ")
    }

    /// The newest checkpoint deleted while another command's entries follow the entry it
    /// covered: a crash leaves such an entry last (the next writer signs it before appending),
    /// so this is a deletion — `recon verify` names it and writers refuse (exit 4) rather than
    /// sign a checkpoint of their own over it.
    @Test func theNewestCheckpointDeletedUnderLaterEntriesIsRefused() throws {
        let site = try TestSite.trustSite()  // the credit's checkpoint 21, then an April ingest (seq 22)
        #expect(Checkpointer(site: Site(root: site.root)).all().last == 21)
        #expect(try site.entries().count == 22)
        try FileManager.default.removeItem(atPath: site.path("Ledger/checkpoints/21.txt"))
        let run = try site.recon(["verify"])
        #expect(run.code == 4, "\(run.out)\(run.err)")
        #expect(run.out.hasPrefix("seq 21: credit_note.issued has no checkpoint, and seq 22 was appended after it by a later "
            + "command, which would have signed it: the checkpoint was deleted"), "\(run.out)")
        try expectWritersRefuse(site, saying: "seq 21: credit_note.issued has no checkpoint")
        #expect(!site.exists("Ledger/checkpoints/22.txt"))
    }

    /// The newest checkpoint deleted and the entries it signed rewritten (every hash after them
    /// redone, which takes no key): INV-2026-000001 made payable a year later. Its command's
    /// entries are the ledger's last, as a crash between append and checkpoint leaves them,
    /// but no note signed by the site key says a command owed a checkpoint over this head: the
    /// next writer signed it ("wrote the checkpoint … an interrupted command did not write"),
    /// and `recon verify` said ok over the rewrite. Now both refuse (exit 4) and sign nothing.
    @Test func aDeletedNewestCheckpointOverRewrittenEntriesIsNeverSignedAgain() throws {
        let site = try TestSite.marchSite()
        #expect(try site.recon(["close", "2026-03"], env: TestSite.closeDay).code == 0)
        let count = try site.entries().count
        #expect(!site.exists("Ledger/checkpoint.owed"), "a close that finishes leaves no note")
        let closedHead = try #require(try site.entries().last?["hash"] as? String)
        try FileManager.default.removeItem(atPath: site.path("Ledger/checkpoints/\(count).txt"))
        try site.rewriteLedger { _, kind, body in
            if kind == "invoice.issued", body["number"] == .string("INV-2026-000001") { body["due_on"] = .string("2027-05-01") }
        }
        let run = try site.recon(["verify"])
        #expect(run.code == 4, "\(run.out)\(run.err)")
        #expect(run.out.hasPrefix("seq \(count): period.closed has no checkpoint after it, and no note signed by the site key says"),
                "\(run.out)")
        try expectWritersRefuse(site, saying: "seq \(count): period.closed has no checkpoint after it")
        #expect(!site.exists("Ledger/checkpoints/\(count).txt"))

        // The note a close killed before its checkpoint leaves names the head it appended, not this one.
        try CheckpointOwed(seq: count, head: closedHead).write(besideLedger: site.path("Ledger/ledger.jsonl"),
                                                                key: SiteKeyFile.load(Site(root: site.root)))
        let noted = try site.recon(["verify"])
        #expect(noted.code == 4 && noted.out.contains("Ledger/checkpoint.owed names seq \(count) with another hash"), "\(noted.out)")
        try FileManager.default.removeItem(atPath: site.path("Inbox/usage-2026-04b.csv"))  // the refused writers' drop, dropped again
        try expectWritersRefuse(site, saying: "Ledger/checkpoint.owed names seq \(count) with another hash")
        #expect(!site.exists("Ledger/checkpoints/\(count).txt"))
    }

    /// An ingest with a new drop, a decision and a close refuse (exit 4), appending and signing nothing.
    func expectWritersRefuse(_ site: TestSite, saying words: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let before = try site.ledgerBytes()
        let checkpoints = Checkpointer(site: Site(root: site.root)).all()
        try site.drop("usage-2026-04b.csv", "report_id,reported_at,client_id,radiologist_id,modality,image_count\n"
                      + "R8,2026-04-05T10:00:00Z,C1,D1,CT,1\n")
        for args in [["ingest"], ["decide", "R8", "approve", "--by", "Asha"], ["close", "2026-04"]] {
            let r = try site.recon(args, env: ["RECON_NOW": "2026-05-02T09:00:00Z"])
            #expect(r.code == 4, "\(args): \(r.out)\(r.err)", sourceLocation: sourceLocation)
            #expect(r.err.contains(words), "\(args): \(r.err)", sourceLocation: sourceLocation)
        }
        #expect(try site.ledgerBytes() == before, sourceLocation: sourceLocation)
        #expect(Checkpointer(site: Site(root: site.root)).all() == checkpoints, sourceLocation: sourceLocation)
    }

    /// Checkpoints that the site key did not sign, or whose words were changed, are refused —
    /// on disk and as a kept file.
    @Test func forgedCheckpointsAreRefused() throws {
        let site = try TestSite.trustSite()
        let entries = try site.entries()
        let realPath = site.path("Ledger/checkpoints/21.txt")
        let real = try site.read("Ledger/checkpoints/21.txt")
        let head = try #require(entries[20]["hash"] as? String)

        // Signed by another key that calls itself by the site's name: its key id differs.
        let impostor = try SigningKey.generate(name: "trust-site")
        let forged = try SignedNote.sign(text: try SignedNote.checkpointText(origin: "trust-site", count: 21, headHex: head), with: impostor)
        try forged.write(toFile: realPath, atomically: true, encoding: .utf8)
        let onDisk = try site.recon(["verify"])
        #expect(onDisk.code == 4)
        #expect(onDisk.out.hasPrefix("seq 21: checkpoint 21.txt: "), "\(onDisk.out)")
        if let audit = try site.auditorVerify() { #expect(audit.code == 4) }
        try real.write(toFile: realPath, atomically: true, encoding: .utf8)
        #expect(try site.recon(["verify"]).code == 0)

        // The real note with its count changed (the signature no longer covers the text).
        let keptDir = site.path("kept")
        try FileManager.default.createDirectory(atPath: keptDir, withIntermediateDirectories: true)
        let recounted = keptDir + "/recounted.txt"
        try real.replacingOccurrences(of: "\n21\n", with: "\n20\n").write(toFile: recounted, atomically: true, encoding: .utf8)
        let r1 = try site.recon(["verify", "--checkpoint", recounted])
        #expect(r1.code == 4)
        #expect(r1.out.hasPrefix("kept checkpoint \(recounted): "), "\(r1.out)")

        // The real note with one byte of its signature changed.
        var bytes = Array(real.utf8)
        bytes[bytes.count - 10] = bytes[bytes.count - 10] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        let flipped = keptDir + "/flipped.txt"
        try Data(bytes).write(to: URL(fileURLWithPath: flipped))
        let r2 = try site.recon(["verify", "--checkpoint", flipped])
        #expect(r2.code == 4, "\(r2.out)")

        // A well-formed note for this ledger's head, signed by a listed operator, not the site.
        let operatorKey = try SigningKey(text: site.read("operator-keys/asha.key").trimmingCharacters(in: .whitespacesAndNewlines))
        let byOperator = keptDir + "/operator.txt"
        try SignedNote.sign(text: try SignedNote.checkpointText(origin: "trust-site", count: 21, headHex: head), with: operatorKey)
            .write(toFile: byOperator, atomically: true, encoding: .utf8)
        let r3 = try site.recon(["verify", "--checkpoint", byOperator])
        #expect(r3.code == 4, "\(r3.out)")

        // A genuine checkpoint of another site (its own key, the same name) proves nothing here.
        let other = try TestSite.marchSite(name: "trust-site")
        #expect(try other.recon(["close", "2026-03"], env: TestSite.closeDay).code == 0)
        let r4 = try site.recon(["verify", "--checkpoint", other.path("Ledger/checkpoints/11.txt")])
        #expect(r4.code == 4, "\(r4.out)")

        // The impostor's note for a made-up head, and a note renamed to another seq on disk.
        try FileManager.default.copyItem(atPath: site.path("Ledger/checkpoints/20.txt"), toPath: site.path("Ledger/checkpoints/19.txt"))
        let renamed = try site.recon(["verify"])
        #expect(renamed.code == 4)
        #expect(renamed.out == "seq 19: checkpoint 19.txt: names 20 entries, not 19\n", "\(renamed.out)")
    }
}

extension TestSite {
    /// SHA-256 of a text's UTF-8 bytes, lowercase hex (the name of its archived drop).
    static func sha256Hex(_ text: String) -> String {
        SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}

/// A site at a long path (Linux allows 4,096 bytes): the checkpoint was linked into place by a
/// call that cut its paths at 1,024 bytes, so a site past that never got one ("Input/output
/// error"; every writer after it failed the same), and a link at the cut path put the signed
/// note outside the site.
struct LongPathCheckpointTests {
    @Test func aSiteAtALongPathWritesItsCheckpointInsideIt() throws {
        let site = try TestSite.marchSite()
        let first = site.root + "/" + String(repeating: "p", count: 100)
        let deep = first + (1..<12).map { _ in "/" + String(repeating: "p", count: 100) }.joined()
        #expect(deep.utf8.count > 1_100)
        #expect(try ProcessRunner.run("/bin/mkdir", ["-p", deep]).code == 0)
        for name in try FileManager.default.contentsOfDirectory(atPath: site.root) where site.root + "/" + name != first {
            #expect(rename(site.root + "/" + name, deep + "/" + name) == 0)
        }
        let close = try ProcessRunner.run(TestSite.binary, ["close", "2026-03", "--site", deep], environment: TestSite.closeDay)
        #expect(close.code == 0 && !close.err.contains("owed") && !close.out.contains("owed"), "\(close.out)\(close.err)")
        let checkpoints = try FileManager.default.contentsOfDirectory(atPath: deep + "/Ledger/checkpoints").filter { $0.hasSuffix(".txt") }
        #expect(!checkpoints.isEmpty, "\(checkpoints)")
        // Nothing beside the site's own folder, nor anywhere on the way down to it.
        #expect(try FileManager.default.contentsOfDirectory(atPath: site.root) == [String(repeating: "p", count: 100)])
        let verify = try ProcessRunner.run(TestSite.binary, ["verify", "--strict", "--site", deep])
        #expect(verify.code == 0, "\(verify.out)\(verify.err)")
        let audit = try ProcessRunner.run("/usr/bin/env", ["python3", TestSite.auditorVerifier ?? "/nonexistent.py", deep, "--strict"])
        if TestSite.auditorVerifier != nil { #expect(audit.code == 0, "\(audit.out)\(audit.err)") }
    }
}

/// A file system without hard links (exFAT, many SMB and cloud mounts: `link` fails with
/// EPERM): the close left its checkpoint owed, said as an "Input/output error", and every
/// writer after it failed the same. strace makes `link` fail so on this machine's disk.
struct NoHardLinkCheckpointTests {
    static let strace = ProcessRunner.executable(named: "strace")

    @Test(.enabled(if: strace != nil, "needs strace (Debian strace) to make link(2) fail as such a file system does"))
    func aCloseOnAFileSystemWithoutHardLinksWritesItsCheckpoint() throws {
        let site = try TestSite.marchSite()
        let close = try ProcessRunner.run(try #require(Self.strace),
            ["-f", "-o", "/dev/null", "-e", "trace=link,linkat", "-e", "inject=link,linkat:error=EPERM",
             TestSite.binary, "close", "2026-03", "--site", site.root], environment: TestSite.closeDay)
        #expect(close.code == 0 && !(close.out + close.err).contains("owed"), "\(close.out)\(close.err)")
        let count = try site.entries().count
        #expect(site.exists("Ledger/checkpoints/\(count).txt"))
        #expect(try site.recon(["verify", "--strict"]).code == 0)
        site.expectAuditorAccepts()
    }
}
