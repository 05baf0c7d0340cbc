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
}
