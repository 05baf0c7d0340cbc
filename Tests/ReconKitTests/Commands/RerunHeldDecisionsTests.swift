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
}
