import Foundation
import Testing

@testable import ReconKit

/// A decisions drop naming the hard flag that a usage drop of the same batch raises: it was
/// rejected as naming nothing known, though the same run then raised that flag (SPEC §2, §4).
@Suite("Decisions about hard flags raised in the same batch", .serialized)
struct DecisionsSameBatchTests {
    static let env = InboxHardeningTests.env
    static let flag = HardGate.flagId(reportId: "R2")

    /// A new site with its master data, cards, a usage drop whose R2 has 6 images (C1 allows
    /// 5) and a decisions drop about R2's hard flag, all in the Inbox at once.
    func siteWithOneBatch(decision: String) throws -> TestSite {
        let site = try TestSite()
        #expect(try site.recon(["init", "--name", "batch-site", "--base-currency", "INR", "--timezone", "UTC"], env: Self.env).code == 0)
        try InboxHardeningTests.dropMasterData(site)
        try site.drop("usage-2026-03.csv", InboxHardeningTests.usageHeader
            + "R1,2026-03-02T10:00:00Z,C1,D1,CT,2,\nR2,2026-03-03T10:00:00Z,C1,D1,CT,6,\n")
        try site.drop("decisions-h.csv", "subject,decision,by\n\(Self.flag),\(decision),Asha\n")
        return site
    }

    @Test(arguments: ["approve", "exclude"])
    func aDecisionAboutAHardFlagOfTheSameBatchIsAccepted(decision: String) throws {
        let site = try siteWithOneBatch(decision: decision)
        let dry = try site.recon(["ingest", "--dry-run"], env: Self.env)
        #expect(dry.code == 0, "\(dry.out)\(dry.err)")
        #expect(dry.out.contains("decisions-h.csv: would be accepted with 1 decisions row"), "\(dry.out)")
        #expect(try site.read("Ledger/ledger.jsonl").split(separator: "\n").count == 1, "a dry run appends nothing")

        let r = try site.recon(["ingest"], env: Self.env)
        #expect(r.code == 0, "\(r.out)\(r.err)")
        #expect(!site.exists("Inbox/rejected/decisions-h.csv"))
        // As two runs would record it: the flag raised, then the decision about it.
        let kinds = try site.entries().map { ($0["kind"] as? String ?? "", ($0["body"] as? [String: Any])?["id"] as? String) }
        let raised = kinds.firstIndex { $0.0 == "flag.raised" && $0.1 == Self.flag }
        let decided = kinds.firstIndex { $0.0 == "flag.decided" && $0.1 == Self.flag }
        #expect(raised != nil && decided != nil && raised! < decided!, "\(kinds)")
        #expect(kinds.filter { $0.0 == "flag.raised" }.count == 1, "\(kinds)")
        let status = try site.recon(["status"], env: Self.env)
        #expect(status.out.contains("hard flags: 1 (0 undecided)"), "\(status.out)")
        #expect(try site.recon(["verify"], env: Self.env).code == 0)
    }
}
