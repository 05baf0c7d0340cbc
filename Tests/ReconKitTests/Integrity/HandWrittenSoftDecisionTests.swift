import Crypto
import Foundation
import Testing

@testable import ReconKit

/// Decisions of a provisional soft flag (SPEC §4: a decision may name it, and applies when it is
/// raised), written by hand into the entries after the last checkpoint with the chain redone —
/// no key needed. Each is a decision recon's own ingest refuses to record; `recon verify` and
/// every writer passed them, and the close raised the flag with it and signed a checkpoint over
/// it: May's final review showed C01's flag "exclude" while every C01 report was billed.
@Suite("Hand-written decisions of a provisional soft flag", .serialized)
struct HandWrittenSoftDecisionTests {
    /// The site of ``SoftFlagLedgerTests/prepare(_:leavingOpen:clock:)`` (May open, C01's
    /// provisional flag on its review), its id, and the ledger as it stood.
    private func prepared(leavingOpen: Set<String> = []) throws -> (site: TestSite, id: String, ledger: String) {
        let site = try TestSite()
        try SoftFlagLedgerTests.prepare(site, leavingOpen: leavingOpen)
        let finding = try #require(try SoftFlagLedgerTests().softRows(site, period: SoftFlagLedgerTests.planted.period)
            .first { $0.subject == SoftFlagLedgerTests.planted.client }, "May's review lists no soft flag for C01")
        return (site, finding.id, try site.read("Ledger/ledger.jsonl"))
    }

    /// What every reader of the ledger must say of it: `recon verify`, a writer and the close
    /// refuse (exit 4) and append nothing.
    private func expectRefused(_ site: TestSite, saying words: String, verifySees: Bool = true) throws {
        let before = try site.read("Ledger/ledger.jsonl")
        if verifySees {
            let verify = try site.recon(["verify"], env: SoftFlagLedgerTests.closeClock)
            #expect(verify.code == 4 && verify.out.contains(words), "\(verify.out)\(verify.err)")
            let writer = try site.recon(["ingest"], env: SoftFlagLedgerTests.closeClock)
            #expect(writer.code == 4 && writer.err.contains(words), "\(writer.err)")
        }
        let close = try site.recon(["close", "2026-05"], env: SoftFlagLedgerTests.closeClock)
        #expect(close.code == 4 && close.err.contains(words), "\(close.err)")
        #expect(try site.read("Ledger/ledger.jsonl") == before, "something was appended over the decision")
    }

    @Test func aSoftFlagDecidedExcludeByHandIsRefused() throws {
        let (site, id, _) = try prepared()
        let approve = try site.recon(["decide", id, "approve", "--by", "Auditor A", "--note", "checked"], env: SoftFlagLedgerTests.closeClock)
        #expect(approve.code == 0, "\(approve.err)")
        try site.rewriteLedger { _, kind, body in
            if kind == "flag.decided", body["id"] == .string(id) { body["decision"] = .string("exclude") }
        }
        try expectRefused(site, saying: "flag.decided \(id) decides the soft flag exclude; \(id) is a soft flag, which takes `approve` only")
    }

    /// Its period moved to another open month with reports: nothing shows it until the flag is
    /// raised, and the close, which raises it, is the one to refuse.
    @Test func aSoftFlagsDecisionMovedToAnotherPeriodByHandIsRefusedByTheClose() throws {
        let (site, id, _) = try prepared(leavingOpen: ["2026-04"])
        let approve = try site.recon(["decide", id, "approve", "--by", "Auditor A", "--note", "checked"], env: SoftFlagLedgerTests.closeClock)
        #expect(approve.code == 0, "\(approve.err)")
        try site.rewriteLedger { _, kind, body in
            if kind == "flag.decided", body["id"] == .string(id) { body["period"] = .string("2026-04") }
        }
        try expectRefused(site, saying: "flag.decided \(id) records the period 2026-04, but the flag is of 2026-05", verifySees: false)
    }

    /// Moved to a month not begun, or stripped of its period: no finding is of such a month,
    /// and `recon verify` and every writer say so at once (it verified, counted as a decision).
    @Test(arguments: ["2026-09", "none"])
    func aSoftFlagsDecisionOfAMonthWithoutReportsIsRefused(period: String) throws {
        let (site, id, _) = try prepared()
        let approve = try site.recon(["decide", id, "approve", "--by", "Auditor A", "--note", "checked"], env: SoftFlagLedgerTests.closeClock)
        #expect(approve.code == 0, "\(approve.err)")
        try site.rewriteLedger { _, kind, body in
            guard kind == "flag.decided", body["id"] == .string(id) else { return }
            body["period"] = period == "none" ? nil : .string(period)
        }
        try expectRefused(site, saying: "flag.decided \(id) decides a soft flag of \(period == "none" ? "no period" : period), a month the "
            + "site holds no report of")
    }

    /// A decisions drop deciding the flag twice, written into the archive and its entry by hand
    /// (its ingest rejects one: "decided again"), the entries after it as one row would give.
    @Test func aDecisionsDropDecidingAFlagTwiceByHandIsRefused() throws {
        let (site, id, _) = try prepared()
        try site.drop("decisions-may.csv", "subject,decision,by,note\n\(id),approve,Auditor A,checked\n")
        let ingest = try site.recon(["ingest"], env: SoftFlagLedgerTests.closeClock)
        #expect(ingest.code == 0, "\(ingest.err)")
        let twice = Array("subject,decision,by,note\n\(id),approve,Auditor A,checked\n\(id),approve,Auditor A,checked\n".utf8)
        let sha = Hex.string(SHA256.hash(data: twice))
        var old: String?
        try site.rewriteLedger { _, kind, body in
            guard kind == "drop.accepted", body["kind"] == .string("decisions") else { return }
            old = body["sha256"]?.stringValue
            body["sha256"] = .string(sha)
            body["path"] = .string(Site.dropPath(sha256: sha))
            body["rows"] = .int(2)
        }
        try FileManager.default.removeItem(atPath: site.path(Site.dropPath(sha256: try #require(old))))
        try Data(twice).write(to: URL(fileURLWithPath: site.path(Site.dropPath(sha256: sha))))
        try expectRefused(site, saying: "decides \(id) again (line 3, first on line 2); its ingest rejects a drop deciding one flag or report twice")
    }
}
