import Foundation
import Testing

@testable import ReconKit

/// A rerun refuses before it takes its held drops when what blocks it is something no held
/// drop can take away. With a decisions drop waiting, it took them all and then refused: a
/// decision on report R1 cannot settle report R3's missing price, yet the late usage and the
/// decisions stood in the ledger with no rerun signed for them. A decision naming R3 still
/// lets the rerun take the drops and issue.
struct RerunHeldDecisionsTests {
    /// The March card again, CT only: R3 (MR) has no price on it.
    static let ctOnlyCard = """
        effective_from,client_id,contract_type,modality,urgency,tier_from,tier_to,unit_price,currency,tier_mode
        2026-03-01,*,*,CT,*,1,,100.00,INR,volume
        """

    /// (An approve of R3 settles nothing either: a report without a price is left out only by an exclude.)
    @Test(arguments: ["R1,exclude", "R3,approve", "R3,exclude"])
    func aHeldDecisionThatNamesNoBlockerLetsNothingBeTaken(decision: String) throws {
        let site = try TestSite.closedMarchSite()
        let key = try site.operatorKey("asha", listed: true)
        try site.drop("client_rates-2026-03-ct.csv", Self.ctOnlyCard)
        try site.drop("decisions-2026-03.csv", "subject,decision,by,note\n\(decision),Asha Rao,duplicate\n")
        #expect(try site.recon(["ingest"], env: TestSite.rerunDay).code == 3)
        #expect(site.exists("Inbox/held/decisions-2026-03.csv") && site.exists("Inbox/held/usage-late.csv"))
        let before = try site.ledgerBytes()
        let rerun = try site.recon(["rerun", "2026-03", "--reason", "late report", "--key", key], env: TestSite.rerunDay)
        if decision != "R3,exclude" {
            #expect(rerun.code == 3 && rerun.err.contains("UNPRICED") && rerun.err.contains("R3")
                    && rerun.err.contains("Nothing was appended") && rerun.err.contains("would still leave 1 of these"),
                    "\(rerun.out)\(rerun.err)")
            #expect(try site.ledgerBytes() == before)
            #expect(site.exists("Inbox/held/decisions-2026-03.csv") && site.exists("Inbox/held/usage-late.csv"))
        } else {
            #expect(rerun.code == 0, "\(rerun.out)\(rerun.err)")
            #expect(!site.exists("Inbox/held/decisions-2026-03.csv") && !site.exists("Inbox/held/usage-late.csv"))
            site.expectAuditorAccepts()
        }
    }

    /// An exclude by the hard flag raised on a report leaves that report out as an exclude by
    /// its id does: the rerun refused it (exit 3, "they name no flag or report that settles it").
    @Test func aHeldExcludeOfTheHardFlagOnAnUnpricedReportLetsTheRerunIssue() throws {
        // C1 allows 2 images a case: R3 (MR, 3 images) is over it, approved before the close.
        let site = try TestSite.marchSite(clients: TestSite.trustClients.replacingOccurrences(of: "2020-01-01,10,18", with: "2020-01-01,2,18"),
                                          march: TestSite.trustMarch.replacingOccurrences(of: "C1,D1,CT,2", with: "C1,D1,CT,1"))
        let status = try site.recon(["status"], env: TestSite.closeDay).out
        guard let flag = status.split(separator: " ").first(where: { $0.hasPrefix("HARD-") }).map(String.init) else {
            Issue.record("no hard flag on R3: \(status)")
            return
        }
        #expect(status.contains("\(flag) report R3"), "\(status)")
        #expect(try site.recon(["decide", "R3", "approve", "--by", "Asha"], env: TestSite.closeDay).code == 0)
        #expect(try site.recon(["close", "2026-03"], env: TestSite.closeDay).code == 0)
        let key = try site.operatorKey("asha", listed: true)
        try site.drop("client_rates-2026-03-ct.csv", Self.ctOnlyCard)
        try site.drop("decisions-2026-03.csv", "subject,decision,by,note\n\(flag),exclude,Asha Rao,no MR price\n")
        #expect(try site.recon(["ingest"], env: TestSite.rerunDay).code == 3)
        let rerun = try site.recon(["rerun", "2026-03", "--reason", "MR dropped", "--key", key], env: TestSite.rerunDay)
        #expect(rerun.code == 0, "\(rerun.out)\(rerun.err)")
        #expect(!site.exists("Inbox/held/decisions-2026-03.csv"))
        site.expectAuditorAccepts()
    }

    static let strace = ProcessRunner.executable(named: "strace")

    /// A rerun the disk fails after it took its held drop (its entry appended, then the note
    /// before its own entries refused): it said "Nothing was recorded", and a script reading that
    /// took the ledger as unchanged while the late report stood in it. strace fails the second
    /// write of the ledger's intent note with EIO.
    @Test(.enabled(if: strace != nil, "needs strace (Debian strace) to fail one write of the rerun"))
    func aRerunFailingAfterItTookItsHeldDropSaysWhatStands() throws {
        let site = try TestSite.closedMarchSite()
        let key = try site.operatorKey("asha", listed: true)
        let before = try site.ledgerBytes().count
        let run = try ProcessRunner.run(try #require(Self.strace),
            ["-f", "-o", "/dev/null", "-P", site.path("Ledger/ledger.jsonl.intent"), "-e", "trace=rename,renameat,renameat2",
             "-e", "inject=rename,renameat,renameat2:error=EIO:when=2",
             TestSite.binary, "rerun", "2026-03", "--reason", "late report", "--key", key, "--site", site.root], environment: TestSite.rerunDay)
        #expect(run.code == 1, "\(run.out)\(run.err)")
        #expect(try site.ledgerBytes().count > before, "the held drop was not taken")
        #expect(run.err.contains("Nothing more was recorded (what this command appended before stands)")
                && !run.err.contains("Nothing was recorded"), "\(run.err)")
    }
}
