import Foundation
import Testing

/// A report_id may look like a flag id (`HARD-83c43d599c` is a valid id, SPEC §2). The README's
/// example site raises HARD-83c43d599c for R2; a report of that id came next, and
/// `recon decide HARD-83c43d599c exclude` excluded R2 without a word. Such a subject names two
/// things: refused (exit 2), by `recon decide` and in a decisions drop, saying how to decide
/// the flag.
struct AmbiguousSubjectTests {
    static let env = ["RECON_NOW": "2026-04-02T09:00:00Z"]

    func exampleSite() throws -> TestSite {
        var dir = URL(fileURLWithPath: #filePath)  // <repo>/Tests/ReconKitTests/Commands/AmbiguousSubjectTests.swift
        for _ in 0..<4 { dir.deleteLastPathComponent() }
        let site = try TestSite()
        #expect(try site.recon(["init", "--name", "example", "--base-currency", "INR", "--timezone", "UTC"], env: Self.env).code == 0)
        for name in ["clients.csv", "radiologists.csv", "provider_rates.csv", "client_rates.csv", "fx_rates.csv", "usage-2026-03.csv"] {
            try site.drop(name, try String(contentsOfFile: dir.path + "/docs/examples/" + name, encoding: .utf8))
        }
        #expect(try site.recon(["ingest"], env: Self.env).code == 0)
        try site.drop("usage-2026-03-b.csv", "report_id,reported_at,client_id,radiologist_id,modality,image_count\nHARD-83c43d599c,2026-03-04T10:00:00Z,C1,D1,CT,2\n")
        #expect(try site.recon(["ingest"], env: Self.env).code == 0)
        return site
    }

    @Test func aSubjectThatIsAFlagsIdAndAnotherReportsIdIsRefused() throws {
        let site = try exampleSite()
        let before = try site.ledgerBytes()
        let decide = try site.recon(["decide", "HARD-83c43d599c", "exclude", "--by", "Asha"], env: Self.env)
        #expect(decide.code == 2 && decide.err.contains("HARD-83c43d599c is both a flag's id and the id of report HARD-83c43d599c: "
            + "decide the flag through its report, R2"), "\(decide.err)")
        try site.drop("decisions.csv", "subject,decision,by\nHARD-83c43d599c,approve,Asha\n")
        #expect(try site.recon(["ingest"], env: Self.env).code == 2)
        #expect(try site.read("Inbox/rejected/decisions.csv.errors.txt").contains("line 2, column 1 (subject): HARD-83c43d599c is both"))
        #expect(try site.ledgerBytes() == before)
        // Through its report, the flag is decided.
        #expect(try site.recon(["decide", "R2", "approve", "--by", "Asha"], env: Self.env).code == 0)
    }
}
