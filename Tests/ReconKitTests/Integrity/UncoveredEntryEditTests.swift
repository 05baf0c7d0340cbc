import Crypto
import Foundation
import Testing

@testable import ReconKit

/// Entries no checkpoint covers yet, edited or appended by someone who can write the site
/// folder (every hash redone, no key needed), in the members a close acts on: verify names the
/// entry and no writer signs over it.
@Suite struct UncoveredEntryEditTests {
    static let april = ["RECON_NOW": "2026-04-10T00:00:00Z"]
    static let mayFirst = ["RECON_NOW": "2026-05-01T01:00:00Z"]

    /// Z1 (5 images a case, 100 INR a report) and R1 (50 INR a report); March closed with m1,
    /// April open with a1, a3 (8 images: a hard flag) and a4 — April's drop at seq `aprilDrop`.
    static func aprilSite() throws -> (site: TestSite, aprilDrop: Int) {
        let site = try TestSite.oneClient(
            base: "INR", clientCurrency: "INR", maxImages: 5,
            providerRates: "effective_from,grade,modality,urgency,rate_per_report,currency\n2026-01-01,*,*,*,50,INR\n",
            clientRates: "2026-01-01,Z1,*,*,*,1,,100,INR,volume\n",
            usage: "m1,2026-03-02T10:00:00Z,Z1,R1,CT,3\n", env: ["RECON_NOW": "2026-04-02T00:00:00Z"])
        #expect(try site.recon(["close", "2026-03"], env: ["RECON_NOW": "2026-04-02T00:00:00Z"]).code == 0)
        try site.drop("usage-april.csv", TestSite.usageHeader
            + "a1,2026-04-02T10:00:00Z,Z1,R1,CT,3\na3,2026-04-06T10:00:00Z,Z1,R1,CT,8\na4,2026-04-07T10:00:00Z,Z1,R1,CT,2\n")
        #expect(try site.recon(["ingest"], env: april).code == 0)
        let seq = try #require(try site.entries().last { $0["kind"] as? String == "drop.accepted" }?["seq"] as? Int)
        return (site, seq)
    }

    /// `periods` of April's drop emptied (or made March's, closed before it): the drop was taken
    /// for settled and read by no command — status said no period open, and the close of April
    /// issued nothing and signed a checkpoint over it while both verifiers said ok.
    @Test(arguments: [[String](), ["2026-03"]])
    func aDropWhosePeriodsLeaveAMonthOutIsDamage(periods: [String]) throws {
        let (site, seq) = try Self.aprilSite()
        try site.rewriteLedger { s, _, body in
            if s == seq { body["periods"] = .array(periods.map { .string($0) }) }
        }
        let before = try site.ledgerLines().count
        let verify = try site.recon(["verify"], env: Self.april)
        #expect(verify.code == 4, "\(verify.out)\(verify.err)")
        #expect(verify.out.contains("seq \(seq): drop.accepted records its rows' periods as \(periods.first ?? "none"), but rows of its drop")
            && verify.out.contains("fall in 2026-04"), "\(verify.out)")
        let close = try site.recon(["close", "2026-04"], env: Self.mayFirst)
        #expect(close.code == 4, "\(close.out)\(close.err)")
        #expect(try site.recon(["status"], env: Self.april).code == 4)
        #expect(try site.ledgerLines().count == before)
    }

    /// April's usage drop with its `rows` edited (3 → 2), or its `cache_signature` replaced:
    /// verify named it, but every writer read the drop's reports from its cache, counted them
    /// never again, and went on — a close signed a checkpoint over the entry.
    @Test(arguments: [("rows", JSONValue.int(2), "drop.accepted records 2 rows, but its archived drop"),
                      ("rows", JSONValue.int(5), "drop.accepted records 5 rows, but its archived drop"),
                      ("cache_signature", JSONValue.string("AAAA"), "cache_signature is not the site key's")])
    func aUsageDropsRowCountOrCacheSignatureEditedIsDamage(member: String, value: JSONValue, said: String) throws {
        let (site, seq) = try Self.aprilSite()
        #expect(try site.entryBody(seq)[member] != nil)
        try site.rewriteLedger { s, _, body in
            if s == seq { body[member] = value }
        }
        let before = try site.ledgerLines().count
        let verify = try site.recon(["verify"], env: Self.april)
        #expect(verify.code == 4 && verify.out.contains("seq \(seq):") && verify.out.contains(said), "\(verify.out)")
        let decide = try site.recon(["decide", HardGate.flagId(reportId: "a3"), "exclude", "--by", "Asha"], env: Self.april)
        #expect(decide.code == 4 && decide.err.contains(said), "\(decide.out)\(decide.err)")
        try site.drop("usage-april-2.csv", TestSite.usageHeader + "a5,2026-04-08T10:00:00Z,Z1,R1,CT,1\n")
        #expect(try site.recon(["ingest"], env: Self.april).code == 4)
        #expect(try site.recon(["close", "2026-04"], env: Self.mayFirst).code == 4)
        #expect(try site.ledgerLines().count == before)
    }

    /// A decision's `report_id` moved to another report excluded that one and billed the
    /// flagged report; its `period` moved to another month decided the flag and excluded
    /// nothing. Both verified, and the close billed and signed accordingly.
    @Test(arguments: [("report_id", "a4", "records the report a4, which is neither the report it names nor its flag's"),
                      ("period", "2026-05", "records the period 2026-05, but the flag was raised for 2026-04")])
    func aDecisionMovedToAnotherReportOrMonthIsDamage(member: String, value: String, said: String) throws {
        let (site, _) = try Self.aprilSite()
        let flag = HardGate.flagId(reportId: "a3")
        #expect(try site.recon(["decide", flag, "exclude", "--by", "Asha", "--note", "duplicate series"], env: Self.april).code == 0)
        let seq = try site.ledgerLines().count
        #expect(try site.entryBody(seq)[member] != nil)
        try site.rewriteLedger { s, _, body in
            if s == seq { body[member] = .string(value) }
        }
        let verify = try site.recon(["verify"], env: Self.april)
        #expect(verify.code == 4, "\(verify.out)\(verify.err)")
        #expect(verify.out.contains("seq \(seq): flag.decided \(flag) \(said)"), "\(verify.out)")
        let close = try site.recon(["close", "2026-04"], env: Self.mayFirst)
        #expect(close.code == 4, "\(close.out)\(close.err)")
        #expect(try site.ledgerLines().count == seq)
    }

    /// A hard flag's reason, period or score edited by hand in an entry no checkpoint covers:
    /// `recon verify` refused it, while ingest and decide appended over it and the close signed
    /// a checkpoint, leaving a site that could never verify again. Writers refuse it too.
    @Test(arguments: [("reason", "3 images in one case; the contract of Z1 allows 5", "says 3 images in one case, but its report a3 has 8"),
                      ("period", "2026-05", "says period 2026-05, but its report a3 is of 2026-04"),
                      ("score", "0.01", "gives the score 0.01, but a hard flag's is 1")])
    func aHardFlagEditedByHandIsRefusedByWriters(member: String, value: String, said: String) throws {
        let (site, _) = try Self.aprilSite()
        let flag = HardGate.flagId(reportId: "a3")
        let seq = try #require(try site.entries().last { ($0["body"] as? [String: Any])?["id"] as? String == flag }?["seq"] as? Int)
        try site.rewriteLedger { s, _, body in
            if s == seq { body[member] = .string(value) }
        }
        let verify = try site.recon(["verify"], env: Self.april)
        #expect(verify.code == 4 && verify.out.contains("seq \(seq): flag.raised \(flag) \(said)"), "\(verify.out)\(verify.err)")
        let before = try site.ledgerLines().count
        let decide = try site.recon(["decide", "a3", "approve", "--by", "Eve"], env: Self.april)
        #expect(decide.code == 4 && decide.err.contains(said), "\(decide.err)")
        try site.drop("fx_rates.csv", "date,currency,rate\n2026-04-01,USD,83\n")
        #expect(try site.recon(["ingest"], env: Self.april).code == 4)
        #expect(try site.ledgerLines().count == before)
    }

    /// A payments drop appended by hand that its ingest rejects — in another currency than the
    /// client's, from a client no drop named, a fraction of a minor unit — moved balances and
    /// statements (a USD balance for an INR client), and both verifiers said ok. Judged by the
    /// ingest's rules, it is damage.
    @Test(arguments: [("P1,Z1,2026-04-05,50.00,USD,x,", "USD is not Z1's invoice currency INR"),
                      ("P1,C9,2026-04-05,10.00,INR,x,", "unknown client \"C9\""),
                      ("P1,Z1,2026-04-05,99.999,INR,x,", "99.999 has more decimals than INR allows (2)"),
                      // A row the parse itself rejects was left out unread, the other counted.
                      ("P1,Z1,2026-04-05,5.00,INR,x,\nP2,Z1,2026-04-05,-500.00,INR,y,", "holds a row its ingest would reject: line 3")])
    func aPaymentsDropAppendedByHandThatItsIngestRejectsIsDamage(row: String, said: String) throws {
        let (site, _) = try Self.aprilSite()
        let csv = Array(("payment_id,client_id,received_on,amount,currency,reference,invoice\n" + row + "\n").utf8)
        let sha = Hex.string(SHA256.hash(data: csv))
        try Data(csv).write(to: URL(fileURLWithPath: site.path(Site.dropPath(sha256: sha))))
        try site.appendEntry(kind: "drop.accepted", body: [
            "name": "payments-forged.csv", "kind": "payments", "sha256": .string(sha), "rows": 1,
            "path": .string(Site.dropPath(sha256: sha))], at: "2026-04-10T00:00:00Z")
        let seq = try site.ledgerLines().count
        let verify = try site.recon(["verify"], env: Self.april)
        #expect(verify.code == 4 && verify.out.contains("seq \(seq): the payments drop") && verify.out.contains(said),
                "\(verify.out)\(verify.err)")
        #expect(try site.recon(["statement", "Z1"], env: Self.april).code == 4)
        #expect(try site.recon(["decide", "a3", "approve", "--by", "Eve"], env: Self.april).code == 4)
        #expect(try site.ledgerLines().count == seq)
    }

    /// A decision appended by hand for a report no drop held yet: the report, ingested later,
    /// arrived excluded and went unbilled without a word, and both verifiers said ok.
    @Test func aDecisionOfAReportNotTakenYetIsDamage() throws {
        let (site, _) = try Self.aprilSite()
        try site.appendEntry(kind: "flag.decided", body: [
            "id": "zz9", "subject": "zz9", "report_id": "zz9", "period": "2026-04", "decision": "exclude", "by": "Bob", "note": ""],
            at: "2026-04-10T00:00:00Z")
        let seq = try site.ledgerLines().count
        let verify = try site.recon(["verify"], env: Self.april)
        #expect(verify.code == 4 && verify.out.contains("seq \(seq): flag.decided zz9 decides report zz9, which no drop accepted before it holds"),
                "\(verify.out)\(verify.err)")
        try site.drop("usage-late.csv", TestSite.usageHeader + "zz9,2026-04-08T10:00:00Z,Z1,R1,CT,1\n")
        #expect(try site.recon(["ingest"], env: Self.april).code == 4)
        #expect(try site.ledgerLines().count == seq)
    }

    /// A decisions drop's decision edited (exclude to approve) or cut out by hand: the archived
    /// drop still excluded the report, the ledger billed it, and both verifiers said ok.
    @Test(arguments: ["edited", "cut"])
    func aDecisionsDropsDecisionEditedOrCutIsDamage(how: String) throws {
        let (site, _) = try Self.aprilSite()
        try site.drop("decisions-1.csv", "subject,decision,by,note\na3,exclude,Carol,too many\n")
        #expect(try site.recon(["ingest"], env: Self.april).code == 0)
        let seq = try site.ledgerLines().count
        #expect(try site.entryBody(seq)["decision"] == .string("exclude"))
        if how == "edited" {
            try site.rewriteLedger { s, _, body in if s == seq { body["decision"] = .string("approve") } }
        } else {
            let lines = try site.ledgerLines().dropLast()
            try site.writeLedgerLines(lines)
        }
        let verify = try site.recon(["verify"], env: Self.april)
        #expect(verify.code == 4 && verify.out.contains("decides a3 exclude (line 2), which no flag.decided after it records"),
                "\(verify.out)\(verify.err)")
        let before = try site.ledgerBytes()
        #expect(try site.recon(["close", "2026-04"], env: Self.mayFirst).code == 4)
        #expect(try site.ledgerBytes() == before)
    }

    /// A decisions drop's `rows` edited (1 → 5): never read again but for its decisions, the
    /// count went unchecked, where every other kind's is.
    @Test func aDecisionsDropsRowCountEditedIsDamage() throws {
        let (site, _) = try Self.aprilSite()
        try site.drop("decisions-1.csv", "subject,decision,by,note\na3,exclude,Carol,too many\n")
        #expect(try site.recon(["ingest"], env: Self.april).code == 0)
        let seq = try site.ledgerLines().count - 1
        #expect(try site.entryBody(seq)["rows"] == .int(1))
        try site.rewriteLedger { s, _, body in if s == seq { body["rows"] = .int(5) } }
        let verify = try site.recon(["verify"], env: Self.april)
        #expect(verify.code == 4 && verify.out.contains("seq \(seq): drop.accepted records 5 rows, but its archived drop"),
                "\(verify.out)\(verify.err)")
        let before = try site.ledgerBytes()
        #expect(try site.recon(["close", "2026-04"], env: Self.mayFirst).code == 4)
        #expect(try site.ledgerBytes() == before)
    }

    /// The check above on an intact site: a decisions drop repeating, by the flag's id, an
    /// exclude given by report before the flag was raised (a limit lowered since). The ingest
    /// took it as in force and skipped the row; the check read the row as recorded nowhere, and
    /// verify and every writer refused the site for good.
    @Test func aRepeatNamingTheFlagOfAnExcludeGivenByReportIsNoDamage() throws {
        let (site, _) = try Self.aprilSite()
        #expect(try site.recon(["decide", "a1", "exclude", "--by", "Asha"], env: Self.april).code == 0)
        try site.drop("clients-2.csv", "client_id,name,currency,contract_type,onboarded_on,max_images_per_case\nZ1,Zed,INR,std,2020-01-01,2\n")
        #expect(try site.recon(["ingest"], env: Self.april).code == 0)
        try site.drop("decisions-1.csv", "subject,decision,by,note\n\(HardGate.flagId(reportId: "a1")),exclude,Asha,\n")
        let ingest = try site.recon(["ingest"], env: Self.april)
        #expect(ingest.code == 0 && ingest.err.contains("skipped 1"), "\(ingest.err)")
        let verify = try site.recon(["verify"], env: Self.april)
        #expect(verify.code == 0, "\(verify.out)\(verify.err)")
        #expect(try site.recon(["decide", "a3", "approve", "--by", "Asha"], env: Self.april).code == 0)
        #expect(try site.recon(["close", "2026-04"], env: Self.mayFirst).code == 0)
        site.expectAuditorAccepts()
    }

    /// A `card.replaced` is written right after the drop that replaced the card: one appended by
    /// hand, naming a drop that does not exist, verified and was signed over (a false audit
    /// trail). A real one still verifies.
    @Test func aCardReplacedFollowingNoDropIsDamage() throws {
        let (site, _) = try Self.aprilSite()
        try site.drop("client_rates-2.csv", TestSite.clientRatesHeader + "2026-01-01,Z1,*,*,*,1,,110,INR,volume\n")
        #expect(try site.recon(["ingest"], env: Self.april).code == 0)
        #expect(try site.bodies("card.replaced").count == 1)
        #expect(try site.recon(["verify"], env: Self.april).code == 0)
        try site.appendEntry(kind: "card.replaced", body: ["kind": "client_rates", "effective_from": "2026-01-01",
                                                           "sha256": .string(String(repeating: "0", count: 64))], at: "2026-04-10T00:00:00Z")
        let verify = try site.recon(["verify"], env: Self.april)
        #expect(verify.code == 4 && verify.out.contains("card.replaced of client_rates 2026-01-01 follows no drop.accepted of that kind and drop"),
                "\(verify.out)\(verify.err)")
        #expect(try site.recon(["decide", "a3", "approve", "--by", "Eve"], env: Self.april).code == 4)
    }

    /// A soft flag appended by hand ("suspected billing fraud", 0.99), its id right for its
    /// finding: signed over by the next close, it stood in the ledger while no review showed it.
    /// Soft flags enter the ledger only in their period's close, before its `period.closed`.
    @Test(arguments: ["2026-04", "2026-03"])
    func aSoftFlagAppendedByHandIsDamage(period: String) throws {
        let (site, _) = try Self.aprilSite()
        let p = try #require(Period(period))
        let flag = AuditFlag(id: SoftFlag.id(code: "VOLUME_SPIKE", party: .client, subject: "Z1", period: period), severity: .soft,
                             code: "VOLUME_SPIKE", subject: "Z1", period: p, reason: "suspected billing fraud", score: "0.99")
        let item = try #require(FlagRaiser.raisedEntries([flag]).first)
        try site.appendEntry(kind: item.kind, body: item.body, at: "2026-04-10T00:00:00Z")
        let seq = try site.ledgerLines().count
        let verify = try site.recon(["verify"], env: Self.april)
        #expect(verify.code == 4 && verify.out.contains("seq \(seq): a soft flag.raised of \(period) that no period.closed of that period "
            + "follows in its append"), "\(verify.out)\(verify.err)")
        #expect(try site.recon(["decide", "a3", "approve", "--by", "Eve"], env: Self.april).code == 4)
        #expect(try site.recon(["close", "2026-04"], env: Self.mayFirst).code == 4)
        #expect(try site.ledgerLines().count == seq)
    }

    @Test func aCardReplacedAfterACardDropThatReplacedNoneIsDamage() throws {
        let (site, _) = try Self.aprilSite()
        try site.drop("client_rates-may.csv", TestSite.clientRatesHeader + "2026-05-01,Z1,*,*,*,1,,110,INR,volume\n")
        #expect(try site.recon(["ingest"], env: Self.april).code == 0)
        #expect(try site.bodies("card.replaced").isEmpty)
        let sha = try #require(try site.bodies("drop.accepted").last?["sha256"] as? String)
        try site.appendEntry(kind: "card.replaced", body: ["kind": "client_rates", "effective_from": "2026-05-01", "sha256": .string(sha)],
                             at: "2026-04-10T00:00:00Z")
        let verify = try site.recon(["verify"], env: Self.april)
        #expect(verify.code == 4 && verify.out.contains("follows a card drop that replaced no card of that kind and date"), "\(verify.out)\(verify.err)")
        #expect(try site.recon(["decide", "a3", "approve", "--by", "Eve"], env: Self.april).code == 4)
    }

    /// A card drop appended by hand that its ingest rejects (tiers that overlap), or that
    /// replaces a card with no `card.replaced` after it: both verifiers said ok, a close billed
    /// from both overlapping rows and signed a checkpoint over them, and the ledger held no trace
    /// of the replaced card. Judged by the ingest's rules, each is damage.
    /// The same for master data: two rates of one currency and date (a USD invoice at ten times
    /// its rate), two rows of one client, a client without a name — each left in, or left out
    /// unread, by a close that signed over it. And a `card.replaced` after a card drop that
    /// replaced no card: a false trail.
    @Test(arguments: [("client_rates", TestSite.clientRatesHeader + "2026-05-01,Z1,*,*,*,1,10,100,INR,volume\n2026-05-01,Z1,*,*,*,5,,90,INR,volume\n",
                       "breaks the rules its ingest applies"),
                      ("client_rates", TestSite.clientRatesHeader + "2026-01-01,Z1,*,*,*,1,,110,INR,volume\n",
                       "replaces the card of 2026-01-01, but no card.replaced entry follows it"),
                      ("fx_rates", "date,currency,rate\n2026-04-01,USD,83\n2026-04-01,USD,830\n", "appears again (first on line 2)"),
                      ("clients", "client_id,name,currency,contract_type,onboarded_on,max_images_per_case\nZ8,A,INR,standard,2020-01-01,5\n"
                       + "Z8,B,INR,standard,2020-01-01,5\n", "Z8 appears again"),
                      // Its `rows` the count the archive gives once the row is left out unread (0), so that check passes.
                      ("clients", "client_id,name,currency,contract_type,onboarded_on,max_images_per_case\nZ9,,INR,standard,2020-01-01,5\n\n",
                       "holds a row its ingest would reject: line 2, column 2 (name): is empty")])
    func aDropAppendedByHandThatItsIngestRejectsIsDamage(kind: String, text: String, said: String) throws {
        let (site, _) = try Self.aprilSite()
        let csv = Array(text.utf8)
        let sha = Hex.string(SHA256.hash(data: csv))
        try Data(csv).write(to: URL(fileURLWithPath: site.path(Site.dropPath(sha256: sha))))
        try site.appendEntry(kind: "drop.accepted", body: [
            "name": .string("\(kind)-forged.csv"), "kind": .string(kind), "sha256": .string(sha),
            "rows": .int(Int64(text.hasSuffix("\n\n") ? 0 : text.split(separator: "\n").count - 1)),
            "path": .string(Site.dropPath(sha256: sha))], at: "2026-04-10T00:00:00Z")
        let seq = try site.ledgerLines().count
        let verify = try site.recon(["verify"], env: Self.april)
        #expect(verify.code == 4 && verify.out.contains("seq \(seq): ") && verify.out.contains(said), "\(verify.out)\(verify.err)")
        #expect(try site.recon(["decide", "a3", "approve", "--by", "Eve"], env: Self.april).code == 4)
        #expect(try site.ledgerLines().count == seq)
    }

    /// April's drop and its flag cut off the ledger by hand, its archive taken too: no entry,
    /// no archive, and verify said ok while the drop's cache file stayed. It is named.
    @Test func aCacheOfNoAcceptedDropIsNoted() throws {
        let (site, seq) = try Self.aprilSite()
        let sha = try #require(try site.entryBody(seq)["sha256"]?.stringValue)
        #expect(site.exists(".recon/cache/\(sha).bin"))
        let kept = try site.ledgerLines().prefix(seq - 1)
        try site.writeLedgerLines(kept)
        try FileManager.default.removeItem(atPath: site.path(Site.dropPath(sha256: sha)))
        let verify = try site.recon(["verify"], env: Self.april)
        #expect(verify.code == 0 && verify.err.contains(".recon/cache/\(sha).bin is a cache of no drop the ledger accepted"),
                "\(verify.out)\(verify.err)")
    }

    /// The last entry's time moved to 2199 by hand verified without a word; every later command
    /// was then refused the clock, and following its advice issued April's invoices dated 2199.
    @Test func aLastEntryDatedFarAheadOfTheClockIsNoted() throws {
        let (site, _) = try Self.aprilSite()
        let last = try site.ledgerLines().count
        let kind = try #require(try site.entries().last?["kind"] as? String)
        let body = try site.entryBody(last)
        let kept = try site.ledgerLines().dropLast()
        try site.writeLedgerLines(kept)
        try site.appendEntry(kind: kind, body: body, at: "2199-12-31T00:00:00Z")
        let verify = try site.recon(["verify"], env: ["RECON_NOW": "2199-12-31T00:00:00Z"])
        #expect(verify.code == 0 && verify.err.contains("seq \(last), the last entry, is dated 2199-12-31T00:00:00Z, more than a day "
            + "after this machine's clock"), "\(verify.out)\(verify.err)")
    }

    /// The ledger cut back past a close, its checkpoint, documents and seal taken too and the
    /// ledger prefix of before put back: both verifiers said ok, and the next close issued the
    /// cut invoice numbers again. The month's index, put in place only after its close's entry,
    /// says a close the ledger no longer holds.
    @Test func theIndexOfACloseTheLedgerNoLongerHoldsIsDamage() throws {
        let site = try TestSite.marchSite()
        let ledger = try site.ledgerBytes()
        let prefix = try? Data(contentsOf: URL(fileURLWithPath: site.path(LedgerPrefix.relativePath)))
        let checkpoints = Set(try FileManager.default.contentsOfDirectory(atPath: site.path("Ledger/checkpoints")))
        #expect(try site.recon(["close", "2026-03"], env: TestSite.closeDay).code == 0)
        #expect(site.exists(".recon/closed/2026-03.idx"))
        try ledger.write(to: URL(fileURLWithPath: site.path("Ledger/ledger.jsonl")))
        for name in try FileManager.default.contentsOfDirectory(atPath: site.path("Ledger/checkpoints")) where !checkpoints.contains(name) {
            try FileManager.default.removeItem(atPath: site.path("Ledger/checkpoints/" + name))
        }
        for folder in ["invoices", "payouts"] { try FileManager.default.removeItem(atPath: site.path("Outbox/2026-03/\(folder)")) }
        try? FileManager.default.removeItem(atPath: site.path(".recon/documents.seal"))
        if let prefix { try prefix.write(to: URL(fileURLWithPath: site.path(LedgerPrefix.relativePath))) } else {
            try? FileManager.default.removeItem(atPath: site.path(LedgerPrefix.relativePath))
        }
        let verify = try site.recon(["verify"])
        #expect(verify.code == 4, "\(verify.out)\(verify.err)")
        #expect(verify.out.contains(".recon/closed/2026-03.idx is the index of a close of 2026-03 that the ledger does not hold"),
                "\(verify.out)")
        let close = try site.recon(["close", "2026-03"], env: TestSite.closeDay)
        #expect(close.code == 4, "\(close.out)\(close.err)")
        #expect(try site.ledgerBytes() == ledger)
    }

    /// A usage drop appended by hand, with a report of a client and one of a radiologist no
    /// drop named (an ingest rejects both): the reports were counted billable, billed and paid
    /// to no one, and the close went through without a word. Each is now a problem the close
    /// is refused for.
    /// A usage drop appended by hand repeating a report with other values (a1 again, 40 images):
    /// its ingest rejects it (a report_id is unique forever), yet both verifiers said ok and a
    /// close billed the first and signed over both. Damage, to verify and to every writer; a
    /// repeat with the same values is what an ingest skips, and stays no damage.
    @Test(arguments: [("a1,2026-04-02T10:00:00Z,Z1,R1,CT,40\n", true), ("z1,2026-04-08T10:00:00Z,Z1,R1,CT,1\nz1,2026-04-08T10:00:00Z,Z1,R1,CT,2\n", true),
                      ("a1,2026-04-02T10:00:00Z,Z1,R1,CT,3\nz1,2026-04-08T10:00:00Z,Z1,R1,CT,1\n", false)])
    func aReportRepeatedWithOtherValuesInADropAppendedByHandIsDamage(rows: String, damage: Bool) throws {
        let (site, _) = try Self.aprilSite()
        let csv = Array((TestSite.usageHeader + rows).utf8)
        let sha = Hex.string(SHA256.hash(data: csv))
        try Data(csv).write(to: URL(fileURLWithPath: site.path(Site.dropPath(sha256: sha))))
        try site.appendEntry(kind: "drop.accepted", body: [
            "name": "usage-forged.csv", "kind": "usage", "sha256": .string(sha), "rows": .int(Int64(rows.split(separator: "\n").count)),
            "path": .string(Site.dropPath(sha256: sha)), "periods": ["2026-04"]], at: "2026-04-10T00:00:00Z")
        let seq = try site.ledgerLines().count
        let verify = try site.recon(["verify"], env: Self.april)
        if damage {
            #expect(verify.code == 4 && verify.out.contains("seq \(seq): report ") && verify.out.contains("is held with other values"),
                    "\(verify.out)\(verify.err)")
            #expect(try site.recon(["decide", "a3", "approve", "--by", "Eve"], env: Self.april).code == 4)
            #expect(try site.ledgerLines().count == seq)
        } else {
            #expect(verify.code == 0, "\(verify.out)\(verify.err)")
        }
    }

    @Test func reportsOfUnknownPartiesInADropAppendedByHandAreNamed() throws {
        let (site, _) = try Self.aprilSite()
        let csv = Array((TestSite.usageHeader + "z1,2026-04-08T10:00:00Z,C9,R1,CT,1\nz2,2026-04-08T11:00:00Z,Z1,R9,CT,1\n").utf8)
        let sha = Hex.string(SHA256.hash(data: csv))
        try Data(csv).write(to: URL(fileURLWithPath: site.path(Site.dropPath(sha256: sha))))
        try site.appendEntry(kind: "drop.accepted", body: [
            "name": "usage-forged.csv", "kind": "usage", "sha256": .string(sha), "rows": 2,
            "path": .string(Site.dropPath(sha256: sha)), "periods": ["2026-04"]], at: "2026-04-10T00:00:00Z")
        #expect(try site.recon(["decide", HardGate.flagId(reportId: "a3"), "approve", "--by", "Asha"], env: Self.april).code == 0)
        let before = try site.ledgerLines().count
        let close = try site.recon(["close", "2026-04"], env: Self.mayFirst)
        #expect(close.code == 3, "\(close.out)\(close.err)")
        #expect(close.err.contains("client C9: no clients drop the ledger holds names this client (report z1)"), "\(close.err)")
        #expect(close.err.contains("radiologist R9: no radiologists drop the ledger holds names this radiologist (report z2)"), "\(close.err)")
        #expect(try site.ledgerLines().count == before)
    }
}
