import Foundation
import Testing

@testable import ReconKit

/// An operator's key can always be revoked, and a signed request carries exactly its
/// command's arguments (SPEC §6).
@Suite("Operators — revoking a key again, and requests with arguments of their own", .serialized)
struct OperatorRevocationTests {
    /// Bob is removed, comes back with a new key, and must be removable again: the second
    /// removal has the same arguments as the first (the name) but removes another key. It was
    /// refused as a retry, so a compromised key could never be revoked.
    @Test func anOperatorAddedAgainWithANewKeyCanBeRemovedAgain() throws {
        let site = try TestSite.closedMarchSite()
        let asha = try site.operatorKey("asha", listed: true)
        _ = try site.operatorKey("bob", listed: true, signer: "asha")
        #expect(try site.recon(["operator", "remove", "bob", "--key", asha], env: TestSite.rerunDay).code == 0)
        // The old key again: refused, saying how to make a new pair that works (`recon keygen bob`
        // alone was refused in turn: bob.key is there, and a key file is never overwritten).
        let old = try site.recon(["operator", "add", "bob", site.path("operator-keys/bob.pub"), "--key", asha], env: TestSite.rerunDay)
        #expect(old.code == 3 && old.err.contains("`recon keygen bob --dir NEW-FOLDER` makes a new key pair")
                && old.err.contains("`recon operator add bob NEW-FOLDER/bob.pub`"), "\(old.err)")
        let newKeys = site.path("new-keys")
        #expect(try site.recon(["keygen", "bob", "--dir", newKeys], site: false).code == 0)
        let back = try site.recon(["operator", "add", "bob", newKeys + "/bob.pub", "--key", asha], env: TestSite.rerunDay)
        #expect(back.code == 0, "\(back.err)")

        let again = try site.recon(["operator", "remove", "bob", "--key", asha, "--json"], env: TestSite.rerunDay)
        #expect(again.code == 0, "\(again.err)")
        #expect(again.out.contains(#""ok":true"#), "\(again.out)")
        #expect(try site.bodies("operator.removed").count == 2)
        let bobSigns = try site.recon(["rerun", "2026-03", "--reason", "late card", "--key", newKeys + "/bob.key"], env: TestSite.rerunDay)
        #expect(bobSigns.code == 3 && bobSigns.err.contains("belongs to no operator"), "\(bobSigns.err)")
        #expect(try site.recon(["verify"], env: TestSite.rerunDay).code == 0)
        site.expectAuditorAccepts()
    }

    /// The site's name in another letter case is the site's name still.
    @Test func noOperatorTakesTheSitesNameInAnyCase() throws {
        let site = try TestSite.closedMarchSite()
        let upper = try site.operatorKey("TRUST-SITE", listed: false)
        let add = try site.recon(["operator", "add", "TRUST-SITE", upper.replacingOccurrences(of: ".key", with: ".pub")],
                                 env: TestSite.rerunDay)
        #expect(add.code == 3 && add.err.contains("no operator takes the site's name"), "\(add.err)")
    }

    /// A site named `ſ1` (long s): `S1` lowers to `s1` but `ſ1` to itself, and the name passed;
    /// raised, both read `S1`.
    @Test func noOperatorTakesTheSitesNameRaisedEither() throws {
        let site = try TestSite()
        #expect(try site.recon(["init", "--name", "ſ1"], env: TestSite.rerunDay).code == 0)
        let key = try site.operatorKey("S1", listed: false)
        let add = try site.recon(["operator", "add", "S1", key.replacingOccurrences(of: ".key", with: ".pub")], env: TestSite.rerunDay)
        #expect(add.code == 3 && add.err.contains("no operator takes the site's name"), "\(add.err)")
    }

    /// Alice beside alice: `signed_by` would not tell the two apart by eye. Refused, nothing appended.
    @Test func noOperatorTakesAListedOperatorsNameInAnotherCase() throws {
        let site = try TestSite.closedMarchSite()
        let alice = try site.operatorKey("alice", listed: true)
        let upper = try site.operatorKey("Alice", listed: false)
        let before = try site.ledgerBytes()
        let add = try site.recon(["operator", "add", "Alice", upper.replacingOccurrences(of: ".key", with: ".pub"), "--key", alice],
                                 env: TestSite.rerunDay)
        #expect(add.code == 3 && add.err.contains("alice is an operator already") && add.err.contains("only in letter case"), "\(add.err)")
        #expect(try site.ledgerBytes() == before)
    }

    /// A file of gigabytes given as PUBLIC_KEY by mistake was read whole into memory before it
    /// was refused (8 GB for a 4 GB file); it is refused having read a few kilobytes.
    @Test func aPublicKeyFileFarLargerThanAKeyIsRefusedUnread() throws {
        let site = try TestSite.closedMarchSite()
        let big = site.path("big.pub")
        #expect(FileManager.default.createFile(atPath: big, contents: Data("x".utf8)))
        #expect(truncate(big, 64 << 20) == 0)  // 64 MB, sparse
        let add = try site.recon(["operator", "add", "big", big], env: TestSite.rerunDay)
        #expect(add.code == 1 && add.err.contains("is far larger than a key"), "\(add.err)")
    }

    /// Asha's credit signed again over a request with one more argument (`key`) and a new
    /// ledger head: a new signature, and to an exact comparison of arguments not the request
    /// already applied, so the same credit would apply twice. recon signs invoice, amount and
    /// reason only: verify names the entry.
    @Test func aRequestWithAnArgumentItsCommandDoesNotHaveIsRefused() throws {
        let site = try TestSite.closedMarchSite()
        let asha = try site.operatorKey("asha", listed: true)
        let credit = try site.recon(["credit", "INV-2026-000001", "--amount", "100.00", "--reason", "goodwill", "--key", asha],
                                    env: TestSite.rerunDay)
        #expect(credit.code == 0, "\(credit.err)")
        let seq = try #require(try site.entries().last { $0["kind"] as? String == "credit_note.issued" }?["seq"] as? Int)
        var body = try site.entryBody(seq)
        guard case .object(var request)? = body["request"], case .object(var args)? = request["args"] else {
            Issue.record("no request in \(body)")
            return
        }
        args["key"] = .string("/home/asha/asha.key")
        request["args"] = .object(args)
        request["ledger_head"] = .string(try #require(try site.entries().last?["hash"] as? String))
        let key = try OperatorKeyFile.load(asha)
        body["request"] = .object(request)
        body["signature"] = .string(try key.signature(for: JCS.canonical(.object(request))))
        body["number"] = .string("CN-2026-000002")
        try site.appendEntry(kind: "credit_note.issued", body: body, at: "2026-04-10T10:00:00Z")

        let verify = try site.recon(["verify"], env: TestSite.aprilLater)
        #expect(verify.code == 4, "\(verify.out)\(verify.err)")
        #expect(verify.out.contains("seq \(seq + 1)") && verify.out.contains("signs amount, invoice, reason and nothing else"),
                "\(verify.out)")
    }

    /// One key is one operator's: a removed key, a listed one, or the site's own, named anew (the
    /// same 32 bytes under another name, which `operator add` took, so a revoked key came back as
    /// `bob2` and the site key, kept in the site folder, signed credit notes as an operator).
    @Test func aKeyComesBackUnderNoOtherName() throws {
        let site = try TestSite.closedMarchSite()
        let asha = try site.operatorKey("asha", listed: true)
        _ = try site.operatorKey("bob", listed: true, signer: "asha")
        #expect(try site.recon(["operator", "remove", "bob", "--key", asha], env: TestSite.rerunDay).code == 0)
        let removedAt = try #require(try site.entries().last?["seq"] as? Int)
        let dir = site.path("operator-keys")
        let siteInit = try #require(try site.entries().first?["body"] as? [String: Any])
        func renamed(_ text: String, as name: String) throws -> String {
            try VerifierKey(name: name, publicKey: VerifierKey(text: text).publicKey).text
        }
        let cases: [(name: String, key: String, says: String)] = [
            ("bob2", try String(contentsOfFile: dir + "/bob.pub", encoding: .utf8), "bob's key, removed at seq \(removedAt)"),
            ("asha2", try String(contentsOfFile: dir + "/asha.pub", encoding: .utf8), "asha's key already"),
            ("sitekey", try #require(siteInit["public_key"] as? String), "the site's own key"),
        ]
        for c in cases {
            let before = try site.ledgerBytes()
            let add = try site.recon(["operator", "add", c.name, try renamed(c.key, as: c.name), "--key", asha], env: TestSite.rerunDay)
            #expect(add.code == 3, "\(c.name): \(add.err)")
            #expect(add.err.contains(c.says), "\(c.name): \(add.err)")
            #expect(try site.ledgerBytes() == before, "\(c.name): appended")
        }

        // Written by hand and signed by asha, such an entry fails verification.
        let bobAdded = try #require(try site.entries().last { $0["kind"] as? String == "operator.added" }?["seq"] as? Int)
        var body = try site.entryBody(bobAdded)
        guard case .object(var request)? = body["request"] else {
            Issue.record("no request in \(body)")
            return
        }
        let bob2 = try renamed(cases[0].key, as: "bob2")
        request["args"] = .object(["name": .string("bob2"), "public_key": .string(bob2)])
        request["ledger_head"] = .string(try #require(try site.entries().last?["hash"] as? String))
        body["request"] = .object(request)
        body["signature"] = .string(try OperatorKeyFile.load(asha).signature(for: JCS.canonical(.object(request))))
        body["name"] = .string("bob2")
        body["public_key"] = .string(bob2)
        try site.appendEntry(kind: "operator.added", body: body, at: "2026-04-10T10:00:00Z")
        let verify = try site.recon(["verify"], env: TestSite.aprilLater)
        #expect(verify.code == 4, "\(verify.out)\(verify.err)")
        #expect(verify.out.contains("seq \(removedAt + 1)") && verify.out.contains("removed at seq \(removedAt)"), "\(verify.out)")
    }

    /// The site's name in any case, or a key named for someone else, is refused by verify too
    /// (the command refuses both before it signs; an entry written by hand had passed).
    @Test func verifyRefusesAnOperatorEntryTheCommandWouldRefuse() throws {
        let site = try TestSite.closedMarchSite()
        let asha = try site.operatorKey("asha", listed: true)
        _ = try site.operatorKey("hank", listed: false)
        let dir = site.path("operator-keys")
        let hank = try String(contentsOfFile: dir + "/hank.pub", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let ashaAdded = try #require(try site.entries().last { $0["kind"] as? String == "operator.added" }?["seq"] as? Int)
        let cases: [(name: String, key: String, says: String)] = [
            ("hank2", hank, "the key is named hank, not hank2"),
            ("TRUST-SITE", try VerifierKey(name: "TRUST-SITE", publicKey: VerifierKey(text: hank).publicKey).text, "the site's name"),
        ]
        for c in cases {
            let copy = try TestSite()
            try FileManager.default.removeItem(atPath: copy.root)
            try FileManager.default.copyItem(atPath: site.root, toPath: copy.root)
            var body = try copy.entryBody(ashaAdded)
            guard case .object(var request)? = body["request"] else {
                Issue.record("no request in \(body)")
                return
            }
            request["args"] = .object(["name": .string(c.name), "public_key": .string(c.key)])
            request["ledger_head"] = .string(try #require(try copy.entries().last?["hash"] as? String))
            body["request"] = .object(request)
            body["signature"] = .string(try OperatorKeyFile.load(asha).signature(for: JCS.canonical(.object(request))))
            body["signed_by"] = .string("asha")
            body["name"] = .string(c.name)
            body["public_key"] = .string(c.key)
            try copy.appendEntry(kind: "operator.added", body: body, at: "2026-04-10T10:00:00Z")
            let verify = try copy.recon(["verify"], env: TestSite.aprilLater)
            #expect(verify.code == 4, "\(c.name): \(verify.out)\(verify.err)")
            #expect(verify.out.contains(c.says), "\(c.name): \(verify.out)")
        }
    }

    /// `operator add|remove` check that their checkpoint can be written before they append, as
    /// close, rerun and credit do: they appended, then failed on the checkpoint (exit 1), so the
    /// operator was changed while the command said it failed, and a retry was refused.
    @Test(.enabled(if: DerivedOutputTests.canMakeImmutable, "as root, needs e2fsprogs chattr and a file system with immutable folders"))
    func anOperatorChangeWhoseCheckpointCannotBeWrittenAppendsNothing() throws {
        let site = try TestSite.closedMarchSite()
        let asha = try site.operatorKey("asha", listed: true)
        _ = try site.operatorKey("bob", listed: false)
        let folder = site.path("Ledger/checkpoints")
        let chattr = try #require(DerivedOutputTests.which("chattr"))
        #expect(try ProcessRunner.run(chattr, ["+i", folder]).code == 0)
        defer { _ = try? ProcessRunner.run(chattr, ["-i", folder]) }
        let before = try site.ledgerBytes()
        let pub = site.path("operator-keys/bob.pub")
        for args in [["operator", "add", "bob", pub, "--key", asha], ["operator", "remove", "asha", "--key", asha]] {
            let run = try site.recon(args + ["--json"], env: TestSite.rerunDay)
            #expect(run.code == 3, "\(args): \(run.out)\(run.err)")
            #expect(run.out.contains("Ledger/checkpoints"), "\(run.out)")
            #expect(try site.ledgerBytes() == before, "\(args): appended")
        }
        #expect(try ProcessRunner.run(chattr, ["-i", folder]).code == 0)
        let add = try site.recon(["operator", "add", "bob", pub, "--key", asha], env: TestSite.rerunDay)
        #expect(add.code == 0, "\(add.err)")
        #expect(try site.recon(["verify"]).code == 0)
    }
}
