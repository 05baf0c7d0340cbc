import Foundation
import Testing

@testable import ReconKit

/// Operators live in the ledger (SPEC §6): added and removed by signed entries, and every
/// privileged entry checked against who was an operator when it was written — by
/// `recon verify`, by every writer before it writes, and by the auditor's own verifier.
@Suite("Operators in the ledger — signed requests, replays, retries", .serialized)
struct OperatorLedgerTests {
    @Test func operatorsAreAddedAndRemovedByLedgerEntries() throws {
        let site = try TestSite.closedMarchSite()
        let empty = try site.recon(["operator", "list"])
        #expect(empty.code == 0 && empty.out.hasPrefix("no operators"), "\(empty.out)\(empty.err)")

        let asha = try site.operatorKey("asha", listed: false), bob = try site.operatorKey("bob", listed: false)
        let keys = site.path("operator-keys")
        // The first operator is added with the site key alone, and signed by the site.
        let first = try site.recon(["operator", "add", "asha", keys + "/asha.pub", "--json"], env: TestSite.rerunDay)
        #expect(first.code == 0, "\(first.err)")
        let added = try #require(try site.entries().last)
        let seq = try #require(added["seq"] as? Int)
        #expect(added["kind"] as? String == "operator.added")
        let body = try #require(added["body"] as? [String: Any])
        #expect(body["name"] as? String == "asha" && body["signed_by"] as? String == "trust-site")
        let request = try #require(body["request"] as? [String: Any])
        #expect(request["command"] as? String == "operator add" && request["site"] as? String == "trust-site")
        #expect(request["ledger_head"] as? String == (try site.entries()[seq - 2]["hash"] as? String))
        #expect(site.exists("Ledger/checkpoints/\(seq).txt"), "operator commands write a checkpoint")

        // Once one is listed, the site key adds no one: a listed operator's key must sign.
        let bySite = try site.recon(["operator", "add", "bob", keys + "/bob.pub"], env: TestSite.rerunDay)
        #expect(bySite.code == 3, "\(bySite.err)")
        #expect(bySite.err.contains("--key"), "\(bySite.err)")
        let byBob = try site.recon(["operator", "add", "bob", keys + "/bob.pub", "--key", bob], env: TestSite.rerunDay)
        #expect(byBob.code == 3, "\(byBob.err)")
        // A public key given as --key (readable by all, as a .pub is) was answered `chmod 600 asha.pub`.
        let byPublic = try site.recon(["operator", "add", "bob", keys + "/bob.pub", "--key", asha.replacingOccurrences(of: ".key", with: ".pub")],
                                      env: TestSite.rerunDay)
        #expect(byPublic.code == 3 && byPublic.err.contains("holds a public key (as NAME.pub does), not a private one"), "\(byPublic.err)")
        #expect(!byPublic.err.contains("chmod"), "\(byPublic.err)")
        #expect(try site.recon(["operator", "add", "bob", keys + "/bob.pub", "--key", asha], env: TestSite.rerunDay).code == 0)
        #expect(try site.bodies("operator.added").last?["signed_by"] as? String == "asha")

        // No operator takes the site's name; a name that is not a plain id is bad usage.
        let siteNamed = try site.operatorKey("trust-site", listed: false)
        let impostor = try site.recon(["operator", "add", "trust-site", siteNamed.replacingOccurrences(of: ".key", with: ".pub"),
                                       "--key", asha], env: TestSite.rerunDay)
        #expect(impostor.code == 3, "\(impostor.err)")
        #expect(try site.recon(["operator", "add", "../x", keys + "/bob.pub", "--key", asha], env: TestSite.rerunDay).code == 1)

        let list = try site.recon(["operator", "list", "--json"])
        #expect(list.out.contains(#""name":"asha""#) && list.out.contains(#""name":"bob""#), "\(list.out)")

        // Removed, bob signs nothing more.
        let removed = try site.recon(["operator", "remove", "bob", "--key", asha], env: TestSite.rerunDay)
        #expect(removed.code == 0, "\(removed.err)")
        #expect(try site.bodies("operator.removed").first?["name"] as? String == "bob")
        let rerun = try site.recon(["rerun", "2026-03", "--reason", "late card", "--key", bob], env: TestSite.rerunDay)
        #expect(rerun.code == 3, "\(rerun.err)")
        #expect(rerun.err.contains("belongs to no operator"), "\(rerun.err)")
        #expect(try site.recon(["rerun", "2026-03", "--reason", "late card", "--key", asha], env: TestSite.rerunDay).code == 0)
        #expect(try site.bodies("rerun").first?["signed_by"] as? String == "asha")
        site.expectAuditorAccepts()
    }

    /// `[[operator]]` tables of earlier versions are refused, not silently obeyed or ignored.
    @Test func operatorTablesInReconTomlAreRefused() throws {
        let site = try TestSite.closedMarchSite()
        let key = try site.operatorKey("asha", listed: false)
        let publicKey = try site.read("operator-keys/asha.pub").trimmingCharacters(in: .whitespacesAndNewlines)
        let toml = try site.read("recon.toml") + "\n[[operator]]\nname = \"asha\"\npublic_key = \"\(publicKey)\"\n"
        try toml.write(toFile: site.path("recon.toml"), atomically: true, encoding: .utf8)
        let before = try Data(contentsOf: URL(fileURLWithPath: site.path("Ledger/ledger.jsonl")))
        for args in [["rerun", "2026-03", "--reason", "late card", "--key", key], ["status"]] {
            let run = try site.recon(args, env: TestSite.rerunDay)
            #expect(run.code == 3, "\(args): \(run.err)")
            // In the order that can be followed: `operator add` itself refuses while the tables are there.
            #expect(run.err.contains("Delete the [[operator]] tables from recon.toml (no command runs while they are there), then add "
                + "each operator with `recon operator add"), "\(run.err)")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: site.path("Ledger/ledger.jsonl"))) == before)
    }

    /// Hand-appended privileged entries: signed by no operator, signed with the wrong key,
    /// a legitimate credit's request and signature replayed, a body that says something else
    /// than its request, a request naming no earlier head. Each fails `recon verify` (and the
    /// auditor's verifier), and every writer refuses to build on it.
    @Test(arguments: ForgedEntry.allCases)
    func aForgedPrivilegedEntryIsCaught(_ forgery: ForgedEntry) throws {
        let site = try TestSite.trustSite()
        let credit = try #require(try site.entries().first { ($0["body"] as? [String: Any])?["number"] as? String == "CN-2026-000002" })
        let creditSeq = try #require(credit["seq"] as? Int)
        var body = try site.entryBody(creditSeq)
        let mallory = try SigningKey.generate(name: "mallory")
        let asha = try SigningKey.read(from: site.path("operator-keys/asha.key"))
        var request = try #require(body["request"]?.objectValue)
        request["ledger_head"] = .string(try #require(try site.entries().last?["hash"] as? String))
        switch forgery {
        case .unlistedSigner:
            body["signed_by"] = "mallory"
            body["signature"] = .string(try mallory.signature(for: JCS.canonical(.object(request))))
        case .wrongKey:
            body["signature"] = .string(try mallory.signature(for: JCS.canonical(.object(request))))
        case .replay:
            break  // the very same request and signature, as a new entry
        case .bodyDisagrees:
            body["signature"] = .string(try asha.signature(for: JCS.canonical(.object(request))))
            body["total"] = "466.40"
        case .earlierForm:
            body = try Self.earlierForm(body, key: mallory)
        case .unknownHead:
            request["ledger_head"] = .string(String(repeating: "ab", count: 32))
            body["signature"] = .string(try asha.signature(for: JCS.canonical(.object(request))))
        case .retry:
            // asha's key signs the same credit again over today's head: a retry recon refuses.
            body["signature"] = .string(try asha.signature(for: JCS.canonical(.object(request))))
        case .respeltReplay:
            // The same 64 bytes, the text re-spelt: the base64 of 64 bytes ends in one byte's two
            // characters and `==`, and the second's four low bits are unused.
            body["signature"] = .string(try Self.respelt(try #require(body["signature"]?.stringValue)))
        }
        if forgery != .replay && forgery != .earlierForm && forgery != .respeltReplay { body["request"] = .object(request) }
        try site.appendEntry(kind: "credit_note.issued", body: body)

        let run = try site.recon(["verify"])
        #expect(run.code == 4, "\(run.out)")
        #expect(run.out.contains(forgery.message), "\(run.out)")
        if let audit = try site.auditorVerify() { #expect(audit.code == 4, "\(audit.out)") }
        let before = try Data(contentsOf: URL(fileURLWithPath: site.path("Ledger/ledger.jsonl")))
        try site.drop("usage-2026-04-b.csv", "report_id,reported_at,client_id,radiologist_id,modality,image_count\nR9,2026-04-05T10:00:00Z,C1,D1,CT,1\n")
        let ingest = try site.recon(["ingest"], env: TestSite.aprilLater)
        #expect(ingest.code == 4, "\(ingest.err)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: site.path("Ledger/ledger.jsonl"))) == before)
    }

    enum ForgedEntry: CaseIterable, CustomStringConvertible {
        case unlistedSigner, wrongKey, replay, bodyDisagrees, unknownHead, earlierForm, retry, respeltReplay
        var description: String { "\(self.message)" }
        var message: String {
            switch self {
            case .respeltReplay: return "replays the signed request of seq"
            case .unlistedSigner: return "signed by mallory, who is not an operator at this point"
            case .wrongKey: return "the signature of asha over the credit_note.issued request does not verify"
            case .replay: return "replays the signed request of seq"
            case .bodyDisagrees: return "body's total is not the amount its signed request asked for"
            case .unknownHead: return "ledger_head is not the hash of an earlier entry"
            case .earlierForm: return "is signed by a key no operator.added lists"
            case .retry: return "applies again the request of seq"
            }
        }
    }

    /// A signature's base64 spelt otherwise for the same bytes (the unused low bits of its last
    /// character set), as lenient decoders read it.
    static func respelt(_ signature: String) throws -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
        var chars = Array(signature)
        #expect(chars.count == 88 && chars.suffix(2) == ["=", "="])
        let last = try #require(alphabet.firstIndex(of: chars[85]))
        chars[85] = alphabet[last | 1]
        let text = String(chars)
        #expect(text != signature && Data(base64Encoded: text) == Data(base64Encoded: signature))
        return text
    }

    /// `body` rewritten in the form earlier versions wrote: `operator` and `operator_key`
    /// instead of `signed_by`, a flat request, signed by `key`.
    static func earlierForm(_ body: [String: JSONValue], key: SigningKey) throws -> [String: JSONValue] {
        var out = body
        out["signed_by"] = nil
        out["operator"] = .string(key.name)
        out["operator_key"] = .string(key.verifierKey.text)
        let request: [String: JSONValue] = ["command": "credit", "invoice": out["refers_to"] ?? "", "amount": "100",
                                            "reason": out["reason"] ?? "", "site": "trust-site", "ledger_head": .string(LedgerEntry.zeroHash)]
        out["request"] = .object(request)
        out["signature"] = .string(try key.signature(for: JCS.canonical(.object(request))))
        return out
    }

    /// The trust site's goodwill credit CN-2026-000002 appended again as CN-2026-000003 in the
    /// earlier form, signed by `signer`'s key from `operator-keys/`.
    static func appendEarlierFormCredit(_ site: TestSite, signedBy signer: String) throws {
        let credit = try #require(try site.entries().first { ($0["body"] as? [String: Any])?["number"] as? String == "CN-2026-000002" })
        var body = try earlierForm(try site.entryBody(try #require(credit["seq"] as? Int)),
                                   key: try SigningKey.read(from: site.path("operator-keys/\(signer).key")))
        body["number"] = "CN-2026-000003"  // numbers are never used twice: the next one
        try site.appendEntry(kind: "credit_note.issued", body: body, at: "2026-04-12T09:00:00Z")
    }

    /// A checkpoint over the ledger's head, signed with the site key, as the key's holder can.
    static func signCheckpointOverHead(_ site: TestSite) throws {
        let entries = try site.entries()
        let head = try #require(entries.last?["hash"] as? String)
        try SignedNote.sign(text: try SignedNote.checkpointText(origin: "trust-site", count: entries.count, headHex: head),
                            with: try SigningKey.read(from: site.path("Ledger/keys/site.key")))
            .write(toFile: site.path("Ledger/checkpoints/\(entries.count).txt"), atomically: true, encoding: .utf8)
    }

    /// Entries of the earlier form (written before operators were in the ledger) still verify
    /// against the key they name — only where a checkpoint covers them (this version never
    /// writes them: past the last checkpoint one is a forgery), and only before any
    /// `operator.added`. Replayed here on a ledger of that time: a site and one such credit.
    @Test func anEntryOfTheEarlierFormVerifiesUnderACheckpointBeforeAnyOperator() throws {
        let siteKey = try SigningKey.generate(name: "old-site"), asha = try SigningKey.generate(name: "asha")
        let initial = LedgerEntry(seq: 1, at: "2026-03-01T00:00:00Z", kind: "site.init",
                                  body: ["site": "old-site", "base_currency": "INR", "timezone": "UTC",
                                         "public_key": .string(siteKey.verifierKey.text)], prev: LedgerEntry.zeroHash)
        let request: [String: JSONValue] = ["command": "credit", "invoice": "INV-2026-000001", "amount": "10", "reason": "goodwill",
                                            "site": "old-site", "ledger_head": .string(initial.hash)]
        let credit = LedgerEntry(seq: 2, at: "2026-04-01T00:00:00Z", kind: "credit_note.issued",
                                 body: ["number": "CN-2026-000001", "total": "10.00", "operator": "asha",
                                        "operator_key": .string(asha.verifierKey.text), "request": .object(request),
                                        "signature": .string(try asha.signature(for: JCS.canonical(.object(request))))],
                                 prev: initial.hash)
        let roster = try OperatorRoster.replay([initial, credit], legacyUpTo: 2)
        #expect(roster.applied.map(\.command) == ["credit"])  // asked again, it is a retry
        #expect(throws: LedgerDamage.self) { try OperatorRoster.replay([initial, credit], legacyUpTo: 1) }  // past the checkpoint
    }

    /// The same form after an operator was added and removed again (the demo's ledger ends so):
    /// with no operator listed, a credit note signed by a key it names for itself, under a
    /// checkpoint the site key's holder signed, verified, and writers appended on top of it.
    @Test func anEntryOfTheEarlierFormAfterAnyOperatorIsAForgery() throws {
        let site = try TestSite.trustSite()
        let removed = try site.recon(["operator", "remove", "asha", "--key", site.path("operator-keys/asha.key")], env: TestSite.aprilLater)
        #expect(removed.code == 0, "\(removed.err)")
        try Self.appendEarlierFormCredit(site, signedBy: "asha")
        let uncovered = try site.recon(["verify"])
        #expect(uncovered.code == 4 && uncovered.out.contains("is signed by a key no operator.added lists"), "\(uncovered.out)")
        try Self.signCheckpointOverHead(site)
        let covered = try site.recon(["verify"])
        #expect(covered.code == 4 && covered.out.contains("in the form of an earlier version (operator_key, no signed_by) after "
            + "operators were recorded in the ledger"), "\(covered.out)")
    }

    /// The attack: while asha is listed, a credit note in the earlier form, signed by mallory's
    /// key (which no operator.added lists) and named in the entry itself, under a checkpoint
    /// signed with the site key. `recon verify` said ok, and writers appended on top of it.
    @Test func anEntryOfTheEarlierFormWhileAnOperatorIsListedIsAForgeryEvenUnderACheckpoint() throws {
        let site = try TestSite.trustSite()
        _ = try site.operatorKey("mallory", listed: false)
        try Self.appendEarlierFormCredit(site, signedBy: "mallory")
        try Self.signCheckpointOverHead(site)
        let verify = try site.recon(["verify"])
        #expect(verify.code == 4 && verify.out.contains("in the form of an earlier version (operator_key, no signed_by) after "
            + "operators were recorded in the ledger"), "\(verify.out)")
        let before = try site.ledgerBytes()
        let next = try site.recon(["credit", "INV-2026-000003", "--amount", "1.00", "--reason", "next",
                                   "--key", site.path("operator-keys/asha.key")], env: TestSite.aprilLater)
        #expect(next.code == 4, "\(next.err)")
        #expect(try site.ledgerBytes() == before)
    }

    /// The same request asked again — a retry — is refused and changes nothing.
    @Test func aRetriedPrivilegedCommandIsRefused() throws {
        let site = try TestSite.trustSite()
        let key = site.path("operator-keys/asha.key")
        let before = try Data(contentsOf: URL(fileURLWithPath: site.path("Ledger/ledger.jsonl")))
        let retries = [["credit", "INV-2026-000003", "--amount", "100.00", "--reason", "goodwill", "--key", key],
                       ["credit", "INV-2026-000003", "--amount", "100", "--reason", "goodwill", "--key", key],
                       // Reasons are trimmed as drop text is: a stray space makes no new request.
                       ["credit", "INV-2026-000003", "--amount", "100.00", "--reason", " goodwill  ", "--key", key],
                       ["rerun", "2026-03", "--reason", "C1 card agreed in April for March", "--key", key],
                       ["rerun", "2026-03", "--reason", "C1 card agreed in April for March ", "--key", key],
                       // The default terms typed out are the same request.
                       ["rerun", "2026-03", "--reason", "C1 card agreed in April for March", "--terms", "closed", "--key", key]]
        for args in retries {
            let run = try site.recon(args, env: TestSite.aprilLater)
            #expect(run.code == 3, "\(args): \(run.err)")
            #expect(run.err.contains("was applied at seq"), "\(run.err)")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: site.path("Ledger/ledger.jsonl"))) == before)
        // Asked again on purpose, with its own reason, it applies: 100.00 more off 466.40. The
        // amount typed with six decimals: what remains is said in the currency's two.
        let again = try site.recon(["credit", "INV-2026-000003", "--amount", "100.000000", "--reason", "second goodwill", "--key", key],
                                   env: TestSite.aprilLater)
        #expect(again.code == 0, "\(again.err)")
        #expect(again.out.contains("left to credit on it now 366.40 INR"), "\(again.out)")
        site.expectAuditorAccepts()
    }

    /// A credit whose checkpoint could not be written: the retry is refused as a retry (one
    /// credit note, not two) and the next writer writes the missing checkpoint.
    @Test func aCreditWhoseCheckpointFailedIsNotAppliedTwice() throws {
        let site = try TestSite.closedMarchSite()
        let key = try site.operatorKey("asha", listed: true)
        let count = try site.entries().count
        // The credit note's entry will be seq count + 1; its checkpoint path is taken by a folder.
        let blocker = site.path("Ledger/checkpoints/\(count + 1).txt")
        try FileManager.default.createDirectory(atPath: blocker + "/x", withIntermediateDirectories: true)
        let credit = ["credit", "INV-2026-000001", "--amount", "54.00", "--reason", "discount", "--key", key]
        let failed = try site.recon(credit, env: TestSite.rerunDay)
        #expect(failed.code != 0, "\(failed.out)")
        let appended = try site.entries().count == count + 1
        try FileManager.default.removeItem(atPath: blocker)

        let retry = try site.recon(credit, env: TestSite.rerunDay)
        if appended {
            #expect(retry.code == 3, "\(retry.err)")
            #expect(retry.err.contains("was applied at seq \(count + 1)"), "\(retry.err)")
        } else {
            #expect(retry.code == 0, "\(retry.err)")  // refused before appending: the retry is the first credit
        }
        #expect(try site.bodies("credit_note.issued").count == 1)
        #expect(site.isRegularFile("Ledger/checkpoints/\(count + 1).txt"))
        site.expectAuditorAccepts()
    }
}

extension TestSite {
    /// The body of entry `seq`, as ReconKit's JSON values.
    func entryBody(_ seq: Int) throws -> [String: JSONValue] {
        let line = try ledgerLines()[seq - 1]
        guard case .object(let o) = try JSONParser.parse(Array(line)), case .object(let body)? = o["body"] else {
            throw FileIO.Failure(path: path("Ledger/ledger.jsonl"), action: "read entry \(seq) of", code: 0)
        }
        return body
    }

    /// Appends an entry by hand, chained and hashed as recon would: what someone with write
    /// access to the site folder can do.
    func appendEntry(kind: String, body: [String: JSONValue], at: String = "2026-04-12T10:00:00Z") throws {
        let last = try #require(try entries().last)
        let entry = LedgerEntry(seq: try #require(last["seq"] as? Int) + 1, at: at, kind: kind, body: body,
                                prev: try #require(last["hash"] as? String))
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path("Ledger/ledger.jsonl")))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(entry.line))
        try handle.close()
    }

    func isRegularFile(_ relative: String) -> Bool { FileIO.isRegularFile(path(relative)) }
}
