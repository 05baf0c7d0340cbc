import Crypto
import Foundation
import Testing

@testable import ReconKit

/// Anyone who can write the site folder can append an entry, chained and hashed. A decision
/// (the entry any reviewer gives with `recon decide`) appended with an issued document's
/// members — `number`, `file`, `sha256` of a copy of an invoice with another bank account —
/// had `recon verify --document` confirm the copy as "issued by this ledger" (exit 0), both
/// verifiers pass, and the next close sign over it; one naming an issued workbook with another
/// SHA-256 failed `recon verify` while every writer appended and signed over it. An entry
/// carries the members recon writes in its kind, and only a document's entry issues a document.
@Suite("Entries carry the members of their kind", .serialized)
struct DocumentMembersTests {
    /// The trust site with `recon decide R6 approve` given, and that decision's body.
    static func decidedSite() throws -> (TestSite, [String: JSONValue]) {
        let site = try TestSite.trustSite()
        let decided = try site.recon(["decide", "R6", "approve", "--by", "Asha"], env: TestSite.aprilLater)
        #expect(decided.code == 0, "\(decided.err)")
        let seq = try #require(try site.entries().last?["seq"] as? Int)
        return (site, try site.entryBody(seq))
    }

    @Test func aDecisionCarryingADocumentsMembersIsDamageAndConfirmsNoCopy() throws {
        let (site, decision) = try Self.decidedSite()
        // The copy a hospital is sent, its bytes changed (another bank account, say).
        let forged = site.root + "-forged-INV-2026-000003.xlsx"
        defer { try? FileManager.default.removeItem(atPath: forged) }
        var bytes = try Data(contentsOf: URL(fileURLWithPath: site.path("Outbox/2026-03/invoices/INV-2026-000003.xlsx")))
        bytes.append(0)
        try bytes.write(to: URL(fileURLWithPath: forged))
        try FileManager.default.createDirectory(atPath: site.path("Outbox/archive"), withIntermediateDirectories: true)
        try bytes.write(to: URL(fileURLWithPath: site.path("Outbox/archive/copy.xlsx")))
        var body = decision
        body["number"] = "INV-2026-000003"
        body["file"] = "Outbox/archive/copy.xlsx"
        body["sha256"] = .string(Hex.string(SHA256.hash(data: bytes)))
        try site.appendEntry(kind: "flag.decided", body: body)

        let verify = try site.recon(["verify"])
        #expect(verify.code == 4 && verify.out.contains("flag.decided carries file, number, sha256, which recon writes in no flag.decided"),
                "\(verify.out)")
        let lookup = try site.recon(["verify", "--document", forged])
        #expect(lookup.code == 4 && !lookup.out.contains("issued by this ledger ("), "\(lookup.out)")
        let before = try site.ledgerBytes()
        try site.drop("usage-2026-04-b.csv", "report_id,reported_at,client_id,radiologist_id,modality,image_count\nR9,2026-04-05T10:00:00Z,C1,D1,CT,1\n")
        let ingest = try site.recon(["ingest"], env: TestSite.aprilLater)
        #expect(ingest.code == 4 && ingest.err.contains("which recon writes in no flag.decided"), "\(ingest.err)")
        #expect(try site.ledgerBytes() == before)
    }

    /// The same members nested in an object or an array of the decision: both verifiers refused
    /// the entry, while every writer appended and signed over it; and naming a forged workbook put
    /// in a month's invoices folder, they had both verifiers take it for an issued invoice.
    @Test(arguments: ["object", "array"])
    func aDecisionCarryingADocumentsMembersNestedIsDamage(how: String) throws {
        let (site, decision) = try Self.decidedSite()
        let forged = Array("PK a workbook no entry issued".utf8)
        try Data(forged).write(to: URL(fileURLWithPath: site.path("Outbox/2026-03/invoices/INV-2026-000099.xlsx")))
        let members: JSONValue = .object(["number": "INV-2026-000099", "file": "Outbox/2026-03/invoices/INV-2026-000099.xlsx",
                                          "sha256": .string(Hex.string(SHA256.hash(data: forged)))])
        var body = decision
        body["evidence"] = how == "object" ? members : .array([members])
        try site.appendEntry(kind: "flag.decided", body: body)
        let path = how == "object" ? "evidence" : "evidence[0]"
        let verify = try site.recon(["verify"])
        #expect(verify.code == 4 && verify.out.contains("flag.decided carries \(path).file, \(path).number, \(path).sha256, which recon "
            + "writes in no flag.decided"), "\(verify.out)")
        let before = try site.ledgerBytes()
        try site.drop("usage-2026-04-b.csv", "report_id,reported_at,client_id,radiologist_id,modality,image_count\nR9,2026-04-05T10:00:00Z,C1,D1,CT,1\n")
        let ingest = try site.recon(["ingest"], env: TestSite.aprilLater)
        #expect(ingest.code == 4 && ingest.err.contains("which recon writes in no flag.decided"), "\(ingest.err)")
        #expect(try site.ledgerBytes() == before)
    }

    /// The lookup itself: a decision's members never make its file an issued document, nor its
    /// `refers_to` a credit note of an invoice (a genuine invoice was shown "referred to by" a
    /// credit note that does not exist).
    @Test func onlyADocumentsEntryIssuesADocument() throws {
        let (site, decision) = try Self.decidedSite()
        let invoice = try [UInt8](Data(contentsOf: URL(fileURLWithPath: site.path("Outbox/2026-03/invoices/INV-2026-000003.xlsx"))))
        var body = decision
        body["number"] = "CN-2026-000009"
        body["refers_to"] = .array(["INV-2026-000003"])
        body["file"] = "Outbox/archive/copy.xlsx"
        body["sha256"] = .string(Hex.string(SHA256.hash(data: [0x41])))
        try site.appendEntry(kind: "flag.decided", body: body)
        let ledger = LedgerFile(path: site.path("Ledger/ledger.jsonl"))
        try ledger.load()
        let entries = ledger.entries
        let found = DocumentLookup.find(invoice, in: entries)
        #expect(found.match?.number == "INV-2026-000003")
        #expect(found.match?.reversals.map(\.number) == ["CN-2026-000002"])
        #expect(DocumentLookup.find([0x41], in: entries).match == nil)
    }
}
