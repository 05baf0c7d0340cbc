import Foundation
import Testing

/// A report_id may look like a flag id (`HARD-83c43d599c` has the id characters of SPEC §2).
/// The README's example site raises HARD-83c43d599c for R2; a report of that id came next, and
/// `recon decide HARD-83c43d599c exclude` excluded R2 without a word. Such a subject names two
/// things. A report so named is now refused at ingest, naming the reason (a decisions column
/// names flags and reports alike); one taken before (an earlier version's) is still refused as
/// a subject by `recon decide` and in a decisions drop, which say how to decide the flag.
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
        return site
    }

    @Test func aReportIdShapedLikeAFlagIdIsRefusedAtIngest() throws {
        let site = try exampleSite()
        let before = try site.ledgerBytes()
        try site.drop("usage-2026-03-b.csv", "report_id,reported_at,client_id,radiologist_id,modality,image_count\n"
            + "HARD-83c43d599c,2026-03-04T10:00:00Z,C1,D1,CT,2\nSOFT-0123456789,2026-03-04T11:00:00Z,C1,D1,CT,2\n"
            + "HARD-83c43d599,2026-03-04T12:00:00Z,C1,D1,CT,2\n")
        #expect(try site.recon(["ingest"], env: Self.env).code == 2)
        let errors = try site.read("Inbox/rejected/usage-2026-03-b.csv.errors.txt")
        #expect(errors.contains("line 2, column 1 (report_id): HARD-83c43d599c has the shape of a flag id (HARD- or SOFT- and ten hex "
            + "digits): decisions name flags and reports in one column, so it would name both — give the report another id"), "\(errors)")
        #expect(errors.contains("line 3, column 1 (report_id): SOFT-0123456789 has the shape of a flag id"), "\(errors)")
        // Nine hex digits is no flag's shape: that row has no problem.
        #expect(!errors.contains("line 4"), "\(errors)")
        #expect(try site.ledgerBytes() == before)
        // The flag itself is decided by its id, or through its report, as ever.
        #expect(try site.recon(["decide", "HARD-83c43d599c", "approve", "--by", "Asha"], env: Self.env).code == 0)
    }

    /// A report whose id only begins like a hard flag's (`HARD-2026-0001`, `HARD-ABCDEF1234`: no
    /// ten lowercase hex digits) is a report like any other, decided with `recon decide`. Its
    /// decision was recorded, then `recon verify` read it as a decision of a hard flag never
    /// raised (exit 4), and every writer refused the site from then on.
    @Test func aReportIdBeginningLikeAHardFlagIsDecidedAndTheSiteStillVerifies() throws {
        let site = try exampleSite()
        try site.drop("usage-2026-03-b.csv", "report_id,reported_at,client_id,radiologist_id,modality,image_count\n"
            + "HARD-2026-0001,2026-03-04T10:00:00Z,C1,D1,CT,2\nHARD-ABCDEF1234,2026-03-04T11:00:00Z,C1,D1,CT,2\n"
            + "SOFT-2026-0001,2026-03-04T12:00:00Z,C1,D1,CT,2\n")
        #expect(try site.recon(["ingest"], env: Self.env).code == 0)
        for id in ["HARD-2026-0001", "HARD-ABCDEF1234", "SOFT-2026-0001"] {
            let decide = try site.recon(["decide", id, "exclude", "--by", "Asha"], env: Self.env)
            #expect(decide.code == 0, "\(decide.out)\(decide.err)")
        }
        let verify = try site.recon(["verify"], env: Self.env)
        #expect(verify.code == 0, "\(verify.out)\(verify.err)")
        site.expectAuditorAccepts()
        try site.drop("usage-2026-03-c.csv", "report_id,reported_at,client_id,radiologist_id,modality,image_count\n"
            + "R900,2026-03-05T10:00:00Z,C1,D1,CT,2\n")
        #expect(try site.recon(["ingest"], env: Self.env).code == 0, "a writer refused the site")
    }
}
