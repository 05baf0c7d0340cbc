import Crypto
import Foundation
import Testing

/// An ingest places the drop's archive, then appends its `drop.accepted`; one stopped between
/// the two leaves a file in `Ledger/drops/` that no entry names. An auditor's verifier counts
/// that against the site, so the next writer removes it (the drop, still in the Inbox until its
/// entry is appended, is taken again) and the site verifies.
@Suite("An archived drop no entry names", .serialized)
struct InterruptedArchiveTests {
    @Test func theNextWriterRemovesIt() throws {
        let site = try TestSite.closedMarchSite()
        let bytes = Array("date,currency,rate\n2026-04-01,USD,84\n".utf8)
        let sha = SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
        let orphan = "Ledger/drops/\(sha).csv"
        try Data(bytes).write(to: URL(fileURLWithPath: site.path(orphan)))
        try Data(bytes).write(to: URL(fileURLWithPath: site.path("Inbox/fx_rates-april.csv")))
        if let auditor = try site.auditorVerify() {
            #expect(auditor.code != 0 && auditor.out.contains(orphan), "the auditor's verifier: \(auditor.out)\(auditor.err)")
        }

        let ingest = try site.recon(["ingest"], env: TestSite.rerunDay)
        #expect(ingest.code == 0, "\(ingest.err)")
        #expect(ingest.err.contains("removed \(orphan): an archived drop no entry names"), "\(ingest.err)")
        // Taken again: archived anew under its entry.
        let accepted = try site.entries().last { $0["kind"] as? String == "drop.accepted" }
        #expect((accepted?["body"] as? [String: Any])?["sha256"] as? String == sha)
        #expect(site.exists(orphan))
        site.expectAuditorAccepts()
    }
}
