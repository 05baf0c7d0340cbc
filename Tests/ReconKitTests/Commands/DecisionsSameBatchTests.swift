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

    /// An approve given while a report was within its contract is no decision on the hard flag
    /// a lowered limit raises later (SPEC §4: decided before the close): the flag counted as
    /// approved, and the close billed an over-contract case nobody had seen. It stays undecided,
    /// blocks the close, and the same approve given now is recorded, not skipped as given before.
    /// An exclude given before still settles it: the report is billed to no one.
    @Test func anApproveGivenBeforeItsHardFlagWasRaisedDoesNotDecideIt() throws {
        let site = try TestSite()
        #expect(try site.recon(["init", "--name", "batch-site", "--base-currency", "INR", "--timezone", "UTC"], env: Self.env).code == 0)
        try InboxHardeningTests.dropMasterData(site)
        try site.drop("usage-2026-03.csv", InboxHardeningTests.usageHeader
            + "R1,2026-03-02T10:00:00Z,C1,D1,CT,4,\nR2,2026-03-03T10:00:00Z,C1,D1,CT,4,\nR3,2026-03-04T10:00:00Z,C1,D1,CT,4,\n")
        #expect(try site.recon(["ingest"], env: Self.env).code == 0)
        #expect(try site.recon(["decide", "R1", "approve", "--by", "Clerk", "--note", "looked fine"], env: Self.env).code == 0)
        #expect(try site.recon(["decide", "R3", "exclude", "--by", "Clerk"], env: Self.env).code == 0)
        try site.drop("clients-lower.csv", "client_id,name,currency,contract_type,onboarded_on,max_images_per_case,tax_rate\n"
            + "C1,City Hospital,INR,standard,2020-01-01,3,18\n")
        #expect(try site.recon(["ingest"], env: Self.env).code == 0)
        let status = try site.recon(["status"], env: Self.env)
        #expect(status.out.contains("hard flags: 3 (2 undecided)"), "\(status.out)")
        let r1 = HardGate.flagId(reportId: "R1")
        #expect(status.out.contains("\(r1) report R1"), "\(status.out)")
        #expect(try site.recon(["decide", "R2", "exclude", "--by", "Clerk"], env: Self.env).code == 0)
        let before = try site.ledgerBytes()
        let close = try site.recon(["close", "2026-03"], env: Self.env)
        #expect(close.code == 3 && close.err.contains(r1), "\(close.err)")
        #expect(try site.ledgerBytes() == before)
        let again = try site.recon(["decide", "R1", "approve", "--by", "Clerk", "--note", "looked fine"], env: Self.env)
        #expect(again.code == 0 && !again.err.contains("already recorded"), "\(again.err)")
        #expect(try site.ledgerBytes() != before)
        #expect(try site.recon(["close", "2026-03"], env: Self.env).code == 0)
        #expect(try site.recon(["verify"], env: Self.env).code == 0)
        site.expectAuditorAccepts()
    }

    /// `--by` in another encoding (Latin-1 `José` from a script): stored as "Jos\u{FFFD}" in the
    /// ledger for good. Bad usage, nothing appended.
    @Test func aTextOptionThatIsNotUTF8IsBadUsage() throws {
        let site = try TestSite.marchSite()
        let before = try site.ledgerBytes()
        let r = try ProcessRunner.run("/bin/bash", ["-c", "\"$0\" decide R1 approve --by $'Jos\\xe9' --site \"$1\"", TestSite.binary, site.root],
                                      environment: TestSite.closeDay)
        #expect(r.code == 1 && r.err.contains("--by holds bytes that are not UTF-8"), "\(r.err)")
        #expect(try site.ledgerBytes() == before)
        // A path too: read as text it named another folder (init made `Besan\u{FFFD}on`).
        let path = try ProcessRunner.run("/bin/bash", ["-c", "\"$0\" status --site \"$1\"/$'Besan\\xe7on'", TestSite.binary, site.root],
                                         environment: TestSite.closeDay)
        #expect(path.code == 1 && path.err.contains("--site holds bytes that are not UTF-8"), "\(path.err)")
        // Every path option alike: keygen wrote the private key into a folder nobody named.
        let dir = try ProcessRunner.run("/bin/bash", ["-c", "cd \"$1\" && \"$0\" keygen op9 --dir $'kd\\xe9'", TestSite.binary, site.root])
        #expect(dir.code == 1 && dir.err.contains("--dir holds bytes that are not UTF-8"), "\(dir.err)")
    }

    /// `recon decide` in the same second as a decisions drop (always so under one `RECON_NOW`):
    /// its entry, stamped with the drop's time right after the drop's own, was taken for one of
    /// the drop's, matched no row, and every writer then refused the site it had just written
    /// (exit 4). It is judged as `recon decide`'s; a close follows, and both verifiers pass.
    @Test func aDecisionGivenInTheSameSecondAsADecisionsDropIsNotTheDrops() throws {
        let site = try siteWithOneBatch(decision: "approve")
        #expect(try site.recon(["ingest"], env: Self.env).code == 0)
        try site.drop("usage-2026-03-b.csv", InboxHardeningTests.usageHeader + "R3,2026-03-04T10:00:00Z,C1,D1,CT,7,\n")
        #expect(try site.recon(["ingest"], env: Self.env).code == 0)
        try site.drop("decisions-r1.csv", "subject,decision,by\nR1,approve,Asha\n")
        #expect(try site.recon(["ingest"], env: Self.env).code == 0)
        let decide = try site.recon(["decide", "R3", "exclude", "--by", "Asha"], env: Self.env)
        #expect(decide.code == 0, "\(decide.err)")
        let verify = try site.recon(["verify"], env: Self.env)
        #expect(verify.code == 0, "\(verify.out)\(verify.err)")
        let close = try site.recon(["close", "2026-03"], env: Self.env)
        #expect(close.code == 0, "\(close.err)")
        site.expectAuditorAccepts()
    }

    /// Two rows about one flag in one decisions drop (approve from one person, exclude from
    /// another; the same row twice; the flag and its report named each way) were accepted, the
    /// last row deciding whether the report is billed, and a repeated row was recorded twice.
    @Test(arguments: [
        ("approve,Asha\n{F},exclude,Bob", "{F} is decided again (first on line 2)"),
        ("approve,Asha\n{F},approve,Asha", "{F} is decided again (first on line 2)"),
        ("approve,Asha\nR2,exclude,Bob", "R2 is decided again (first on line 2, as {F}: a hard flag and its report are one subject)"),
    ])
    func aSubjectDecidedTwiceInOneDropIsRejected(rows: String, expected: String) throws {
        let site = try siteWithOneBatch(decision: "approve")
        let text = "subject,decision,by\n{F},\(rows)\n".replacingOccurrences(of: "{F}", with: Self.flag)
        try FileManager.default.removeItem(atPath: site.path("Inbox/decisions-h.csv"))
        try site.drop("decisions-twice.csv", text)
        let r = try site.recon(["ingest"], env: Self.env)
        #expect(r.code != 0, "\(r.out)\(r.err)")
        let errors = try site.read("Inbox/rejected/decisions-twice.csv.errors.txt")
        #expect(errors.contains("line 3"), "\(errors)")
        #expect(errors.contains(expected.replacingOccurrences(of: "{F}", with: Self.flag)), "\(errors)")
        #expect(!(try site.read("Ledger/ledger.jsonl")).contains("flag.decided"), "nothing of the drop is recorded")
    }

    /// A decisions drop sent again (another export of the same decisions, a blank line more)
    /// recorded every decision a second time, where `recon decide` appends nothing for one
    /// already in force. Those rows are skipped and counted; a changed one is recorded.
    @Test func aDecisionAlreadyInForceIsSkippedNotRecordedTwice() throws {
        let site = try siteWithOneBatch(decision: "approve")
        #expect(try site.recon(["ingest"], env: Self.env).code == 0)
        func decided() throws -> Int { try site.entries().filter { $0["kind"] as? String == "flag.decided" }.count }
        #expect(try decided() == 1)

        try site.drop("decisions-again.csv", "subject,decision,by\n\(Self.flag),approve,Asha\n\n")
        let again = try site.recon(["ingest"], env: Self.env)
        #expect(again.code == 0, "\(again.out)\(again.err)")
        #expect(again.err.contains("decisions-again.csv: accepted 0 decisions rows, skipped 1 already recorded with the same values"),
                "\(again.err)")
        #expect(try decided() == 1, "the decision in force is not recorded twice")
        // `decide --json` says so too: a script cannot tell from the seq alone.
        let json = try site.recon(["decide", Self.flag, "approve", "--by", "Asha", "--json"], env: Self.env)
        #expect(try JSONParser.parse(json.out)["appended"] == .bool(false), "\(json.out)")

        // Another person's, or another decision, is a new decision: recorded.
        try site.drop("decisions-bob.csv", "subject,decision,by\n\(Self.flag),exclude,Bob\n")
        let changed = try site.recon(["ingest"], env: Self.env)
        #expect(changed.code == 0, "\(changed.out)\(changed.err)")
        #expect(changed.err.contains("decisions-bob.csv: accepted 1 decisions row ("), "\(changed.err)")
        #expect(try decided() == 2)
        #expect(try site.recon(["verify"], env: Self.env).code == 0)
    }

    /// A provisional soft flag an earlier review workbook listed may no longer stand (every
    /// command judges the month again, at its pace so far): deciding its id was refused as
    /// "neither a flag id nor a report id", which left the reviewer with the workbook in hand
    /// and no reason. The refusal says why.
    @Test func aSoftFlagIdNoLongerFoundIsExplained() throws {
        let site = try siteWithOneBatch(decision: "approve")
        #expect(try site.recon(["ingest"], env: Self.env).code == 0)
        let decide = try site.recon(["decide", "SOFT-6e68aabcc5", "approve", "--by", "Asha"], env: Self.env)
        #expect(decide.code == 2, "\(decide.err)")
        #expect(decide.err.contains("as of now no soft finding has that id: provisional soft flags are judged again by every command"),
                "\(decide.err)")
    }

    /// A hard flag's entry edited to read soft (its id still `HARD-…`), hashes redone before any
    /// checkpoint: `recon verify` said ok, and a soft flag blocks no close. A flag's id follows
    /// from its code, period and subject, so an edited one is named.
    @Test(arguments: ["severity", "subject", "period"])
    func aFlagEntryEditedAwayFromItsIdFailsVerify(member: String) throws {
        let site = try siteWithOneBatch(decision: "approve")
        try FileManager.default.removeItem(atPath: site.path("Inbox/decisions-h.csv"))
        #expect(try site.recon(["ingest"], env: Self.env).code == 0)
        #expect(try site.recon(["verify"], env: Self.env).code == 0)
        try site.rewriteLedger { _, kind, body in
            guard kind == "flag.raised" else { return }
            switch member {
            case "severity": body["severity"] = "soft"; body["code"] = "SOFT_IMAGES_PER_CASE"
            case "subject": body["subject"] = "R1"
            default: body["period"] = "2025-01"  // the report is of 2026-03
            }
        }
        let verify = try site.recon(["verify"], env: Self.env)
        #expect(verify.code == 4, "\(verify.out)")
        #expect(verify.out.contains(member == "period" ? "flag.raised \(Self.flag) says period 2025-01, but its report R2 is of 2026-03"
                                                       : "flag.raised \(Self.flag) is not"), "\(verify.out)")
    }
}
