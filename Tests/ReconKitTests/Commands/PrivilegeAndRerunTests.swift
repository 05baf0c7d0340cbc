import Crypto
import Foundation
import Testing

@testable import ReconKit

/// `recon rerun` and `recon credit`: refused without a listed operator's key, with nothing
/// written; with one, a signed entry and hand-computed credit notes and new documents.
@Suite("Privileged commands — operators, reruns, credit notes, statements", .serialized)
struct PrivilegeAndRerunTests {
    /// What a refused command must leave exactly as it was.
    struct Snapshot: Equatable {
        var ledger: Data
        var held: [String]
        var outbox: [String]
        var checkpoints: [String]

        init(_ site: TestSite) throws {
            ledger = try Data(contentsOf: URL(fileURLWithPath: site.path("Ledger/ledger.jsonl")))
            held = FileIO.list(site.path("Inbox/held"))
            outbox = (FileManager.default.enumerator(atPath: site.path("Outbox"))?.allObjects as? [String] ?? []).sorted()
            checkpoints = FileIO.list(site.path("Ledger/checkpoints"))
        }
    }

    @Test func aRerunWithoutAListedOperatorsKeyIsRefusedAndWritesNothing() throws {
        let site = try TestSite.closedMarchSite()
        let before = try Snapshot(site)
        let rerun = ["rerun", "2026-03", "--reason", "card agreed late"]

        // No key at all: the command cannot even be asked (a missing required option is bad
        // usage, exit 1, or a refusal, exit 3 — either way nothing happens).
        let none = try site.recon(rerun, env: TestSite.rerunDay)
        #expect(none.code == 1 || none.code == 3, "\(none.err)")
        #expect(none.err.contains("--key"))
        #expect(try Snapshot(site) == before)

        // A key file that is not there, one that holds no key, the site's own key (not an
        // operator's), and a real key no operator.added lists: refused, exit 3.
        let garbage = site.path("garbage.key")
        try "not a key\n".write(toFile: garbage, atomically: true, encoding: .utf8)
        chmod(garbage, 0o600)  // private, so it is refused for what it holds, not for who may read it
        let unknown = try site.operatorKey("mallory", listed: false)
        let cases: [(String, String)] = [
            (site.path("no-such.key"), "cannot use"), (garbage, "cannot use"),
            (site.path("Ledger/keys/site.key"), "belongs to no operator"), (unknown, "belongs to no operator"),
        ]
        for (key, message) in cases {
            let r = try site.recon(rerun + ["--key", key], env: TestSite.rerunDay)
            #expect(r.code == 3, "\(key): \(r.err)")
            #expect(r.err.contains(message), "\(key): \(r.err)")
            #expect(try Snapshot(site) == before, "\(key)")
        }

        // The same for a credit note.
        let credit = try site.recon(["credit", "INV-2026-000001", "--amount", "10.00", "--reason", "x", "--key", unknown],
                                    env: TestSite.rerunDay)
        #expect(credit.code == 3, "\(credit.err)")
        #expect(try Snapshot(site) == before)
        site.expectAuditorAccepts()
    }

    /// The worked example of ``TestSite/trustSite()``, step by step, every amount by hand.
    @Test func aRerunAfterARetroactiveCardIssuesTheHandComputedDocuments() throws {
        let site = try TestSite.closedMarchSite()
        let key = try site.operatorKey("asha", listed: true)

        // The close: C1 3 × 100.00 = 300.00, tax 18 % = 54.00, total 354.00; C2 100.00 (no tax);
        // D1 3 × 50.00 = 150.00; D2 50.00.
        for (number, party, total) in [("INV-2026-000001", "C1", "354.00"), ("INV-2026-000002", "C2", "100.00"),
                                       ("PAY-2026-000001", "D1", "150.00"), ("PAY-2026-000002", "D2", "50.00")] {
            let body = try #require(try site.document(number), "\(number)")
            #expect((body["client_id"] ?? body["radiologist_id"]) as? String == party)
            #expect(body["total"] as? String == total, "\(number)")
        }

        let reason = "C1 card agreed in April for March"
        let run = try site.recon(["rerun", "2026-03", "--reason", reason, "--key", key, "--json"], env: TestSite.rerunDay)
        #expect(run.code == 0, "\(run.err)")
        #expect(run.out.contains(#""documents":["CN-2026-000001","INV-2026-000003","PAYADJ-2026-000001","PAY-2026-000003"]"#), "\(run.out)")
        #expect(!site.exists("Inbox/held/usage-late.csv"))

        // C1 before: INV-2026-000001 354.00. The card now prices C1 at 120.00 and R5 came in:
        // CN-2026-000001 reverses the whole 354.00 with the original lines (2 CT + 1 MR at 100.00,
        // subtotal 300.00, tax 54.00); INV-2026-000003 is 4 × 120.00 = 480.00, tax 480.00 × 18 %
        // = 86.40, total 566.40 (3 CT 360.00 + 1 MR 120.00).
        let cn = try #require(try site.document("CN-2026-000001"))
        #expect(cn["client_id"] as? String == "C1")
        #expect(cn["refers_to"] as? [String] == ["INV-2026-000001"])
        #expect(cn["subtotal"] as? String == "300.00" && cn["tax"] as? String == "54.00" && cn["total"] as? String == "354.00")
        #expect(lineAmounts(cn) == ["CT 2 100 200.00", "MR 1 100 100.00"])
        #expect(cn["reason"] as? String == reason)
        let inv = try #require(try site.document("INV-2026-000003"))
        #expect(inv["client_id"] as? String == "C1")
        #expect(inv["subtotal"] as? String == "480.00" && inv["tax"] as? String == "86.40" && inv["total"] as? String == "566.40")
        #expect(lineAmounts(inv) == ["CT 3 120 360.00", "MR 1 120 120.00"])
        // D1: provider card unchanged, but R5 is a fourth report: PAYADJ-2026-000001 reverses
        // 150.00 and PAY-2026-000003 pays 4 × 50.00 = 200.00.
        let adj = try #require(try site.document("PAYADJ-2026-000001"))
        #expect(adj["radiologist_id"] as? String == "D1" && adj["refers_to"] as? [String] == ["PAY-2026-000001"])
        #expect(adj["total"] as? String == "150.00" && adj["tax"] as? String == "0.00")
        let pay = try #require(try site.document("PAY-2026-000003"))
        #expect(pay["radiologist_id"] as? String == "D1" && pay["total"] as? String == "200.00" && pay["subtotal"] as? String == "200.00")
        // C2 (100.00 again) and D2 (50.00 again) are unchanged: nothing for them.
        let issued = try site.entries().filter { ($0["kind"] as? String)?.hasSuffix(".issued") == true }
            .compactMap { $0["body"] as? [String: Any] }
        #expect(issued.filter { ($0["client_id"] ?? $0["radiologist_id"]) as? String == "C2" }.count == 1)
        #expect(issued.filter { ($0["client_id"] ?? $0["radiologist_id"]) as? String == "D2" }.count == 1)
        #expect(issued.count == 8)

        // The rerun entry: who, why, what, and a signature over the request by asha's key.
        let entry = try #require(try site.bodies("rerun").first)
        #expect(entry["signed_by"] as? String == "asha")
        #expect(entry["reason"] as? String == reason && entry["period"] as? String == "2026-03")
        #expect(entry["applied_drops"] as? [String] == ["usage-late.csv"])
        let request = try #require(entry["request"] as? [String: Any])
        #expect(request["command"] as? String == "rerun" && (request["args"] as? [String: Any])?["period"] as? String == "2026-03")
        #expect(request["site"] as? String == "trust-site" && (request["args"] as? [String: Any])?["reason"] as? String == reason)
        let operatorKey = try site.read("operator-keys/asha.pub").trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try signatureVerifies(entry, operatorKey: operatorKey))
        #expect(site.exists("Ledger/checkpoints/20.txt"))  // 13.txt after asha was added; 20 after the rerun
        site.expectAuditorAccepts()

        // Nothing changed since: a second rerun issues nothing (and still signs its entry).
        let again = try site.recon(["rerun", "2026-03", "--reason", "check", "--key", key], env: TestSite.rerunDay)
        #expect(again.code == 0, "\(again.err)")
        #expect(again.out.contains("issued 0 document(s) — totals unchanged"), "\(again.out)")
        #expect(try site.entries().filter { ($0["kind"] as? String)?.hasSuffix(".issued") == true }.count == 8)

        // A credit of 100.00 on INV-2026-000003 (tax included): tax = 100.00 × 18 / 118 =
        // 15.254… → 15.25, subtotal 84.75. Outstanding 566.40 − 100.00 = 466.40.
        let credit = try site.recon(["credit", "INV-2026-000003", "--amount", "100.00", "--reason", "goodwill", "--key", key],
                                    env: TestSite.rerunDay)
        #expect(credit.code == 0, "\(credit.err)")
        #expect(credit.out.contains("issued CN-2026-000002 against INV-2026-000003; left to credit on it now 466.40 INR (the invoice less its credit notes, payments aside)"), "\(credit.out)")
        let cn2 = try #require(try site.document("CN-2026-000002"))
        #expect(cn2["refers_to"] as? [String] == ["INV-2026-000003"])
        #expect(cn2["subtotal"] as? String == "84.75" && cn2["tax"] as? String == "15.25" && cn2["total"] as? String == "100.00")
        #expect(cn2["signed_by"] as? String == "asha")
        #expect(try signatureVerifies(cn2, operatorKey: operatorKey))
        // More than what is outstanding: rejected, nothing written.
        let before = try Snapshot(site)
        let tooMuch = try site.recon(["credit", "INV-2026-000003", "--amount", "466.41", "--reason", "x", "--key", key],
                                     env: TestSite.rerunDay)
        #expect(tooMuch.code == 2, "\(tooMuch.err)")
        #expect(try Snapshot(site) == before)

        // C1's account: 354.00 + 566.40 − 354.00 − 100.00 = 466.40 due.
        let statement = try site.recon(["statement", "C1", "--json"])
        #expect(statement.code == 0, "\(statement.err)")
        #expect(statement.out.contains(#""total_due":{"INR":"466.40"}"#), "\(statement.out)")
        #expect(site.exists("Outbox/statements/C1.xlsx"))

        // A late report for C2 only (R8, C2/D2): C2 becomes 2 × 100.00 = 200.00 and D2 2 × 50.00
        // = 100.00, so CN-2026-000003 100.00, INV-2026-000004 200.00, PAYADJ-2026-000002 50.00,
        // PAY-2026-000004 100.00. C1 reprices to the same 566.40 it was invoiced: its goodwill
        // credit stands and it gets nothing.
        let third = try rerunMarch(site, lateReport: "R8,2026-03-21T10:00:00Z,C2,D2,CT,1", reason: "late C2 report", key: key)
        #expect(third.code == 0, "\(third.err)")
        #expect(third.out.contains(#""documents":["CN-2026-000003","INV-2026-000004","PAYADJ-2026-000002","PAY-2026-000004"]"#), "\(third.out)")
        #expect(try site.document("CN-2026-000003")?["total"] as? String == "100.00")
        #expect(try site.document("CN-2026-000003")?["refers_to"] as? [String] == ["INV-2026-000002"])
        #expect(try site.document("INV-2026-000004")?["total"] as? String == "200.00")
        #expect(try site.document("PAYADJ-2026-000002")?["total"] as? String == "50.00")
        #expect(try site.document("PAY-2026-000004")?["total"] as? String == "100.00")
        let c1Statement = try site.recon(["statement", "C1", "--json"])
        #expect(c1Statement.out.contains(#""total_due":{"INR":"466.40"}"#), "\(c1Statement.out)")
        site.expectAuditorAccepts()
    }

    /// A goodwill credit on an invoice a later rerun reverses is settled by that reversal: a
    /// rerun after it, with nothing changed, issues nothing (it used to credit and invoice the
    /// client again on every rerun). C1's March: 3 × 100.00 = 300.00 + 18 % = 354.00.
    ///   credit 100.00 → CN-2026-000001: tax 100.00 × 18 / 118 = 15.25, subtotal 84.75;
    ///   late R9 (CT) → 4 × 100.00 = 400.00 + 72.00 = 472.00: CN-2026-000002 credits the
    ///     remaining 254.00 (tax 54.00 − 15.25 = 38.75, subtotal 215.25), INV-2026-000003 472.00;
    ///   a rerun with nothing new → nothing;
    ///   late R10 (MR) → 5 × 100.00 + 90.00 = 590.00: INV-2026-000003 has no credit note, so
    ///     CN-2026-000003 reverses it whole, its lines and tax (SPEC §3), naming it alone;
    ///     INV-2026-000004 590.00.
    /// C1 then owes 354.00 + 472.00 + 590.00 − 100.00 − 254.00 − 472.00 = 590.00.
    /// C2 paid its March invoice (100.00 INR) and was then moved to USD; D2 to EUR. March's
    /// rerun for C1's card and late report leaves both alone: their March did not change, so
    /// no USD or EUR rate for March is needed, and no credit note or new invoice in the new
    /// currency leaves a paid client owing again with its INR payment left as credit. C1 and
    /// D1 get the same documents as in the rerun above.
    @Test func aRerunLeavesAPartyWhoseCurrencyChangedAloneWhenItsMonthDidNot() throws {
        let site = try TestSite.closedMarchSite()
        try site.drop("payments-c2.csv", "payment_id,client_id,received_on,amount,currency,reference,invoice\n"
                      + "P1,C2,2026-04-05,100.00,INR,wire,INV-2026-000002\n")
        try site.drop("clients-c2-usd.csv", "client_id,name,currency,contract_type,onboarded_on,max_images_per_case,tax_rate\n"
                      + "C2,Harbor Clinic,USD,standard,2021-06-01,10,0\n")
        try site.drop("radiologists-d2-eur.csv", "radiologist_id,name,grade,seniority_years,currency\nD2,Dr Lee,junior,2,EUR\n")
        let moved = try site.recon(["ingest"], env: TestSite.rerunDay)
        #expect(moved.code == 0, "\(moved.err)")
        let key = try site.operatorKey("asha", listed: true)
        let rerun = try site.recon(["rerun", "2026-03", "--reason", "C1 card agreed in April for March", "--key", key],
                                   env: TestSite.rerunDay)
        #expect(rerun.code == 0, "\(rerun.err)")
        let issued = try site.entries().filter { ($0["kind"] as? String)?.hasSuffix(".issued") == true }
            .compactMap { $0["body"] as? [String: Any] }
        func of(_ party: String) -> [String] {
            issued.filter { ($0["client_id"] ?? $0["radiologist_id"]) as? String == party }.compactMap { $0["number"] as? String }
        }
        #expect(of("C2") == ["INV-2026-000002"] && of("D2") == ["PAY-2026-000002"])
        #expect(of("C1") == ["INV-2026-000001", "CN-2026-000001", "INV-2026-000003"])
        #expect(of("D1") == ["PAY-2026-000001", "PAYADJ-2026-000001", "PAY-2026-000003"])
        // C2 owes nothing in any currency: its INR invoice is paid, and nothing is in USD.
        let statement = try site.recon(["statement", "C2", "--as-of", "2026-04-10", "--json"], env: TestSite.rerunDay)
        #expect(statement.code == 0, "\(statement.err)")
        #expect(statement.out.contains("\"INR\":\"0.00\""), "\(statement.out)")
        #expect(!statement.out.contains("USD"), "\(statement.out)")
        site.expectAuditorAccepts()
    }

    /// C2 moved to USD after March closed, and a late March report of C2 (R8, D2) changes its
    /// total: its INR invoice is credited in INR, and its new invoice is in USD, its currency
    /// now (SPEC §3) — which needs a USD rate for March first. C2 at 100.00 INR a report,
    /// 2 reports = 200.00 INR, no tax; at 80 INR a USD, 200.00 / 80 = 2.50 USD.
    @Test func aRerunBillsAChangedPartyAnewInItsCurrencyNow() throws {
        let site = try TestSite.closedMarchSite()
        try site.drop("clients-c2-usd.csv", "client_id,name,currency,contract_type,onboarded_on,max_images_per_case,tax_rate\n"
                      + "C2,Harbor Clinic,USD,standard,2021-06-01,10,0\n")
        #expect(try site.recon(["ingest"], env: TestSite.rerunDay).code == 0)
        let key = try site.operatorKey("asha", listed: true)
        let refused = try rerunMarch(site, lateReport: "R8,2026-03-21T10:00:00Z,C2,D2,CT,1", reason: "late C2 report", key: key)
        #expect(refused.code == 3, "\(refused.err)")
        #expect(refused.err.contains("FX_MISSING") && refused.err.contains("C2"), "\(refused.err)")
        #expect(try site.bodies("rerun").isEmpty)

        try site.drop("fx_rates.csv", "date,currency,rate\n2026-03-01,USD,80\n")
        #expect(try site.recon(["ingest"], env: TestSite.rerunDay).code == 0)
        let rerun = try site.recon(["rerun", "2026-03", "--reason", "late C2 report", "--key", key], env: TestSite.rerunDay)
        #expect(rerun.code == 0, "\(rerun.err)")
        let cn = try #require(try site.document("CN-2026-000002"))
        #expect(cn["client_id"] as? String == "C2" && cn["currency"] as? String == "INR" && cn["total"] as? String == "100.00")
        #expect(cn["refers_to"] as? [String] == ["INV-2026-000002"])
        let inv = try #require(try site.document("INV-2026-000004"))
        #expect(inv["client_id"] as? String == "C2" && inv["currency"] as? String == "USD" && inv["total"] as? String == "2.50",
                "\(inv)")
        site.expectAuditorAccepts()
    }

    /// A malformed `--amount` is bad usage (exit 1, SPEC §8), as a malformed `--as-of` is.
    @Test func aMalformedCreditAmountIsBadUsage() throws {
        let site = try TestSite.closedMarchSite()
        let key = try site.operatorKey("asha", listed: true)
        let before = try site.ledgerBytes()
        for amount in ["abc", "0", "1.001", "1e3"] {
            let run = try site.recon(["credit", "INV-2026-000001", "--amount", amount, "--reason", "x", "--key", key],
                                     env: TestSite.rerunDay)
            #expect(run.code == 1, "\(amount): \(run.err)")
            #expect(run.err.contains("--amount"), "\(amount): \(run.err)")
        }
        #expect(try site.ledgerBytes() == before)
    }

    /// An option given twice took its last value without a word: `--amount 1.00 --amount 200.00`
    /// signed and issued a credit of 200.00. Bad usage (exit 1), naming both values, in JSON
    /// when asked; `--site` twice the same. After `--` the words are arguments, not options.
    /// A value starting with '-' is told how to be given (`--reason=-10% goodwill`), and is.
    @Test func anOptionGivenTwiceIsBadUsageNamingBothValues() throws {
        let site = try TestSite.closedMarchSite()
        let key = try site.operatorKey("asha", listed: true)
        let before = try site.ledgerBytes()
        let twice = try site.recon(["credit", "INV-2026-000001", "--amount", "1.00", "--amount=200.00", "--reason", "x", "--key", key, "--json"],
                                   env: TestSite.rerunDay)
        #expect(twice.code == 1 && twice.out.contains(#""error":"--amount is given twice (\"1.00\", then \"200.00\"); give each option once""#),
                "\(twice.out)\(twice.err)")
        let sites = try site.recon(["status", "--site", site.root, "--site", site.root + "/none"], env: TestSite.rerunDay)
        #expect(sites.code == 1 && sites.err.contains("--site is given twice"), "\(sites.err)")
        // Two spellings of one option: the keys went where the second said, without a word.
        let spellings = try site.recon(["keygen", "zed", "--dir", site.path("kA"), "--out", site.path("kB")], site: false)
        #expect(spellings.code == 1 && spellings.err.contains("--dir is given twice (\"\(site.path("kA"))\", then \"\(site.path("kB"))\")")
                && !site.exists("kA") && !site.exists("kB"), "\(spellings.err)")
        let flags = try site.recon(["status", "--json", "--json"], env: TestSite.rerunDay)
        #expect(flags.code == 1 && flags.out.contains(#""error":"--json is given twice; give each option once""#), "\(flags.out)")
        #expect(try site.ledgerBytes() == before)
        let dash = try site.recon(["credit", "INV-2026-000001", "--amount", "1.00", "--reason", "-10% goodwill", "--key", key],
                                  env: TestSite.rerunDay)
        #expect(dash.code == 1 && dash.err.contains("a value that starts with '-' is written --reason=VALUE (e.g. --reason=\"-10% goodwill\")"),
                "\(dash.err)")
        let given = try site.recon(["credit", "INV-2026-000001", "--amount", "1.00", "--reason=-10% goodwill", "--key", key],
                                   env: TestSite.rerunDay)
        #expect(given.code == 0, "\(given.err)")
        let words = try site.recon(["ingest", "--", "--json", "--json"], env: TestSite.rerunDay)
        #expect(words.code == 1 && words.err.contains("no such file: --json, --json"), "\(words.err)")
    }

    @Test func aGoodwillCreditIsSettledByTheRerunThatReversesItsInvoice() throws {
        let site = try TestSite.marchSite()
        #expect(try site.recon(["close", "2026-03"], env: TestSite.closeDay).code == 0)
        let key = try site.operatorKey("asha", listed: true)
        let credit = try site.recon(["credit", "INV-2026-000001", "--amount", "100.00", "--reason", "goodwill", "--key", key],
                                    env: TestSite.rerunDay)
        #expect(credit.code == 0, "\(credit.err)")

        let first = try rerunMarch(site, lateReport: "R9,2026-03-20T10:00:00Z,C1,D1,CT,1", reason: "late R9", key: key)
        #expect(first.code == 0, "\(first.err)")
        #expect(first.out.contains(#""documents":["CN-2026-000002","INV-2026-000003","PAYADJ-2026-000001","PAY-2026-000003"]"#), "\(first.out)")
        let cn2 = try #require(try site.document("CN-2026-000002"))
        #expect(cn2["total"] as? String == "254.00" && cn2["tax"] as? String == "38.75" && cn2["subtotal"] as? String == "215.25")
        #expect(try site.document("INV-2026-000003")?["total"] as? String == "472.00")
        // The old number, as a client's accounts payable would quote it: settled, and which
        // invoice bills the month now.
        let late = try site.recon(["credit", "INV-2026-000001", "--amount", "1.00", "--reason", "goodwill", "--key", key],
                                  env: TestSite.rerunDay)
        #expect(late.code == 2, "\(late.out)\(late.err)")
        #expect(late.err.contains("--amount 1.00 is more than the outstanding 0.00 INR of INV-2026-000001 (credited by "
            + "CN-2026-000001, 100.00 INR; CN-2026-000002, 254.00 INR); C1's 2026-03 is billed anew on INV-2026-000003 (472.00 INR): "
            + "credit that invoice"), "\(late.err)")

        let unchanged = try site.recon(["rerun", "2026-03", "--reason", "check", "--key", key], env: TestSite.rerunDay)
        #expect(unchanged.code == 0, "\(unchanged.err)")
        #expect(unchanged.out.contains("issued 0 document(s) — totals unchanged"), "\(unchanged.out)")

        let second = try rerunMarch(site, lateReport: "R10,2026-03-21T10:00:00Z,C1,D1,MR,1", reason: "late R10", key: key)
        #expect(second.code == 0, "\(second.err)")
        #expect(second.out.contains(#""documents":["CN-2026-000003","INV-2026-000004","PAYADJ-2026-000002","PAY-2026-000004"]"#), "\(second.out)")
        let inv3 = try #require(try site.document("INV-2026-000003"))
        let cn3 = try #require(try site.document("CN-2026-000003"))
        #expect(lineAmounts(inv3).map { $0.split(separator: " ").last.map(String.init) ?? "" } == ["300.00", "100.00"])
        #expect(lineAmounts(cn3) == lineAmounts(inv3))
        #expect(cn3["refers_to"] as? [String] == ["INV-2026-000003"])
        #expect(cn3["subtotal"] as? String == "400.00" && cn3["tax"] as? String == "72.00" && cn3["total"] as? String == "472.00")
        #expect(try site.document("INV-2026-000004")?["total"] as? String == "590.00")
        let statement = try site.recon(["statement", "C1", "--json"])
        #expect(statement.out.contains(#""total_due":{"INR":"590.00"}"#), "\(statement.out)")
        site.expectAuditorAccepts()
    }

    /// SPEC §3: a credit by `recon credit` has one line (`*`, `*`, per `credit`, quantity 1),
    /// also when it is the whole invoice; being the credit that brings the invoice to zero, it
    /// takes each tax component's remainder: C1's 354.00 → subtotal 300.00, tax 54.00.
    /// A credit note names its client as the invoice it credits does: name, address, tax ID and
    /// PO number together. After C1 was renamed, moved to another state (a new GSTIN) and gave
    /// a new PO, CN-2026-000001 printed the new ones beside the invoice's CGST and SGST: no
    /// accounts payable could match it to the invoice, and a GST credit note must name the
    /// invoice's recipient. A rerun's reversal, and its payout adjustment, do the same; the
    /// invoices issued after the change name the client as it is then.
    @Test func aCreditNoteNamesItsClientAsTheInvoiceItCreditsDoes() throws {
        let site = try TestSite.marchSite()
        try site.drop("clients-2.csv", "client_id,name,currency,contract_type,onboarded_on,max_images_per_case,tax_rate,billing_address,tax_id,po_number\n"
                      + "C1,City Hospital,INR,standard,2020-01-01,10,18,1 Old Road | Pune,27OLDGSTIN,PO-OLD\n")
        #expect(try site.recon(["ingest"], env: TestSite.closeDay).code == 0)
        #expect(try site.recon(["close", "2026-03"], env: TestSite.closeDay).code == 0)
        try site.drop("clients-renamed.csv", "client_id,name,currency,contract_type,onboarded_on,max_images_per_case,tax_rate,billing_address,tax_id,po_number\n"
                      + "C1,City Hospital Trust,INR,standard,2020-01-01,10,18,2 New Road | Kolkata,19NEWGSTIN,PO-NEW\n")
        #expect(try site.recon(["ingest"], env: TestSite.rerunDay).code == 0)
        let key = try site.operatorKey("asha", listed: true)
        let credit = try site.recon(["credit", "INV-2026-000001", "--amount", "100.00", "--reason", "goodwill", "--key", key],
                                    env: TestSite.rerunDay)
        #expect(credit.code == 0, "\(credit.err)")
        func buyer(_ number: String) throws -> (name: String?, party: [String: Any]?) {
            let d = try #require(try site.document(number))
            return (d["client_name"] as? String, d["party"] as? [String: Any])
        }
        for number in ["INV-2026-000001", "CN-2026-000001"] {
            let (name, party) = try buyer(number)
            #expect(name == "City Hospital", "\(number): \(name ?? "")")
            #expect(party?["tax_id"] as? String == "27OLDGSTIN" && party?["po_number"] as? String == "PO-OLD", "\(number): \(party ?? [:])")
            #expect(party?["address"] as? [String] == ["1 Old Road", "Pune"], "\(number): \(party ?? [:])")
        }
        // A rerun reverses what remains on the old details and invoices on the new.
        try site.drop("client_rates-2026-03-c1.csv", TestSite.retroactiveCard)
        #expect(try site.recon(["ingest"], env: TestSite.rerunDay).code == 0)
        #expect(try site.recon(["rerun", "2026-03", "--reason", "C1 card", "--key", key], env: TestSite.rerunDay).code == 0)
        let (reversalName, reversal) = try buyer("CN-2026-000002")
        #expect(reversalName == "City Hospital" && reversal?["tax_id"] as? String == "27OLDGSTIN", "\(reversal ?? [:])")
        let (newName, newParty) = try buyer("INV-2026-000003")
        #expect(newName == "City Hospital Trust" && newParty?["tax_id"] as? String == "19NEWGSTIN", "\(newParty ?? [:])")
        #expect(try site.recon(["verify"], env: TestSite.rerunDay).code == 0)
    }

    @Test func aCreditOfTheWholeInvoiceIsOneCreditLine() throws {
        let site = try TestSite.marchSite()
        #expect(try site.recon(["close", "2026-03"], env: TestSite.closeDay).code == 0)
        let key = try site.operatorKey("asha", listed: true)
        let credit = try site.recon(["credit", "INV-2026-000001", "--amount", "354.00", "--reason", "cancelled", "--key", key],
                                    env: TestSite.rerunDay)
        #expect(credit.code == 0, "\(credit.err)")
        let cn = try #require(try site.document("CN-2026-000001"))
        let lines = try #require(cn["lines"] as? [[String: Any]])
        #expect(lines.count == 1)
        #expect(lines.first?["modality"] as? String == "*" && lines.first?["urgency"] as? String == "*")
        #expect(lines.first?["per"] as? String == "credit" && lines.first?["quantity"] as? Int == 1)
        #expect(lines.first?["unit_amount"] as? String == "300.00" && lines.first?["amount"] as? String == "300.00")
        #expect(cn["subtotal"] as? String == "300.00" && cn["tax"] as? String == "54.00" && cn["total"] as? String == "354.00")
    }

    /// A late drop with a report in each of two closed months (March, April) is held; the rerun
    /// of March applies it whole (SPEC §2: a drop is atomic), and April's report then awaits the
    /// rerun of April, which `recon status` names and which issues for it. C2 is billed 100.00 a
    /// report (tax 0), D2 paid 50.00: March C2 had R4 (100.00) and gets L1 → CN 100.00,
    /// INV 200.00; April C2 had R7 (100.00) and gets L2 → CN 100.00, INV 200.00; D2 likewise
    /// PAYADJ 50.00 and PAY 100.00 each month.
    @Test func aHeldDropTouchingTwoClosedMonthsIsAppliedByTheRerunOfEither() throws {
        let (site, key) = try marchAndAprilClosed()
        try site.drop("usage-late-two.csv", "report_id,reported_at,client_id,radiologist_id,modality,image_count\n"
                      + "L1,2026-03-25T10:00:00Z,C2,D2,CT,1\nL2,2026-04-25T10:00:00Z,C2,D2,CT,1\n")
        #expect(try site.recon(["ingest"], env: may).code == 3)
        #expect(site.exists("Inbox/held/usage-late-two.csv"))

        let march = try site.recon(["rerun", "2026-03", "--reason", "late reports", "--key", key, "--json"], env: may)
        #expect(march.code == 0, "\(march.err)")
        #expect(march.out.contains(#""applied_drops":["usage-late-two.csv"]"#), "\(march.out)")
        #expect(march.out.contains(#""taken_earlier":[]"#), "\(march.out)")
        #expect(march.out.contains(#""documents":["CN-2026-000001","INV-2026-000005","PAYADJ-2026-000001","PAY-2026-000005"]"#),
                "\(march.out)")
        #expect(!site.exists("Inbox/held/usage-late-two.csv"))
        #expect(try site.document("CN-2026-000001")?["total"] as? String == "100.00")
        #expect(try site.document("INV-2026-000005")?["total"] as? String == "200.00")
        #expect(try site.document("INV-2026-000005")?["period"] as? String == "2026-03")
        let waiting = try site.recon(["status"], env: may)
        #expect(waiting.out.contains("2026-04: 1 drop accepted since it was settled (usage-late-two.csv), on no document yet — run "
            + "`recon rerun 2026-04`"), "\(waiting.out)")
        #expect(!waiting.out.contains("2026-03: 1 drop accepted"), "\(waiting.out)")
        // As a rerun killed after the drop's append and before its file left held/ leaves it: the
        // same bytes in held/ again. The next rerun takes it once.
        try site.drop("held/usage-late-two.csv", "report_id,reported_at,client_id,radiologist_id,modality,image_count\n"
                      + "L1,2026-03-25T10:00:00Z,C2,D2,CT,1\nL2,2026-04-25T10:00:00Z,C2,D2,CT,1\n")

        let april = try site.recon(["rerun", "2026-04", "--reason", "late reports", "--key", key, "--json"], env: may)
        #expect(april.code == 0, "\(april.err)")
        #expect(april.out.contains(#""applied_drops":["usage-late-two.csv"]"#), "\(april.out)")
        #expect(april.out.contains(#""taken_earlier":["usage-late-two.csv"]"#), "\(april.out)")
        #expect(!site.exists("Inbox/held/usage-late-two.csv"))
        #expect(try site.bodies("rerun").last?["applied_drops"] as? [String] == ["usage-late-two.csv"])
        #expect(april.out.contains(#""documents":["CN-2026-000002","INV-2026-000006","PAYADJ-2026-000002","PAY-2026-000006"]"#),
                "\(april.out)")
        #expect(try site.document("INV-2026-000006")?["total"] as? String == "200.00")
        #expect(try site.document("INV-2026-000006")?["period"] as? String == "2026-04")
        #expect(try site.document("PAY-2026-000006")?["total"] as? String == "100.00")
        #expect(!(try site.recon(["status"], env: may).out.contains("on no document yet")))
        #expect(try site.recon(["verify"], env: may).code == 0)
    }

    let may = ["RECON_NOW": "2026-05-02T09:00:00Z"]

    /// The March site with April's usage, both months closed, and an operator's key.
    func marchAndAprilClosed() throws -> (TestSite, key: String) {
        let site = try TestSite.marchSite()
        #expect(try site.recon(["close", "2026-03"], env: TestSite.closeDay).code == 0)
        try site.drop("usage-2026-04.csv", TestSite.april)
        #expect(try site.recon(["ingest"], env: TestSite.aprilLater).code == 0)
        #expect(try site.recon(["close", "2026-04"], env: may).code == 0)
        return (site, try site.operatorKey("asha", listed: true, env: may))
    }

    /// The same with decisions: excluding R4 (March) and R7 (April), C2's only reports, the
    /// rerun of March credits C2's March invoice whole (CN 100.00, nothing billed again), and
    /// April awaits its own rerun, which credits April's.
    @Test func aHeldDecisionsDropTouchingTwoClosedMonthsIsAppliedByTheRerunOfEither() throws {
        let (site, key) = try marchAndAprilClosed()
        try site.drop("decisions-two.csv", "subject,decision,by\nR4,exclude,Asha\nR7,exclude,Asha\n")
        #expect(try site.recon(["ingest"], env: may).code == 3)
        let march = try site.recon(["rerun", "2026-03", "--reason", "not ours", "--key", key, "--json"], env: may)
        #expect(march.code == 0, "\(march.err)")
        #expect(march.out.contains(#""exit":0,"ok":true"#), "\(march.out)")
        #expect(march.out.contains(#""applied_drops":["decisions-two.csv"]"#) && march.out.contains(#""documents":["CN-2026-000001","PAYADJ-2026-000001"]"#),
                "\(march.out)")
        #expect(try site.document("CN-2026-000001")?["client_id"] as? String == "C2")
        #expect(try site.recon(["status"], env: may).out.contains("2026-04: 1 drop accepted since it was settled (decisions-two.csv)"))
        // The rerun of April bills the drop March's rerun took: said so, not "applied 1 held drop(s)" again.
        let april = try site.recon(["rerun", "2026-04", "--reason", "not ours", "--key", key], env: may)
        #expect(april.code == 0, "\(april.err)")
        #expect(april.out.contains("rerun 2026-04: applied 0 held drop(s); billed 1 drop(s) an earlier rerun took: decisions-two.csv; "
            + "issued 2 document(s): CN-2026-000002, PAYADJ-2026-000002"), "\(april.out)")
        #expect(try site.document("CN-2026-000002")?["total"] as? String == "100.00")
        #expect(!(try site.recon(["status"], env: may).out.contains("on no document yet")))
    }

    /// The late drop's April report is over C2's contract (50 images, 10 allowed): the rerun
    /// of March, which applies the drop, raises its hard flag too, so the rerun of April names
    /// a flag the ledger holds and a decisions drop naming that id is taken (it was refused as
    /// unknown, and the flag never entered the ledger).
    @Test func aHeldDropsHardFlagInAnotherClosedMonthIsRaisedWhenItIsApplied() throws {
        let (site, key) = try marchAndAprilClosed()
        try site.drop("usage-late-two.csv", "report_id,reported_at,client_id,radiologist_id,modality,image_count\n"
                      + "L1,2026-03-25T10:00:00Z,C2,D2,CT,1\nL2,2026-04-25T10:00:00Z,C2,D2,CT,50\n")
        #expect(try site.recon(["ingest"], env: may).code == 3)
        let march = try site.recon(["rerun", "2026-03", "--reason", "late reports", "--key", key], env: may)
        #expect(march.code == 0, "\(march.err)")
        let raised = try site.bodies("flag.raised").filter { $0["subject"] as? String == "L2" }
        #expect(raised.count == 1 && raised.first?["period"] as? String == "2026-04", "\(raised)")
        let id = try #require(raised.first?["id"] as? String)
        let blocked = try site.recon(["rerun", "2026-04", "--reason", "late reports", "--key", key], env: may)
        #expect(blocked.code == 3 && blocked.err.contains(id), "\(blocked.err)")
        try site.drop("decisions-2026-04.csv", "subject,decision,by,note\n\(id),approve,Asha,trauma series\n")
        #expect(try site.recon(["ingest"], env: may).code == 3)
        let april = try site.recon(["rerun", "2026-04", "--reason", "late reports, approved", "--key", key, "--json"], env: may)
        #expect(april.code == 0, "\(april.err)")
        #expect(april.out.contains(#""applied_drops":["usage-late-two.csv","decisions-2026-04.csv"]"#), "\(april.out)")
        #expect(try site.document("INV-2026-000006")?["total"] as? String == "200.00")
    }

    /// Held drops the rerun rejects are named by where they are kept (a name rejected/ already
    /// holds gets `-2`), also when the rerun is then refused by a hard flag; a held drop whose
    /// name happens to end in `.errors.txt` is a drop like any other (it used to wait for good).
    /// Two held drops clashing are refused at ingest now; `usage-b.csv` stands for one held by an
    /// earlier version, put in `held/` as it would have been.
    @Test func aRefusedRerunNamesTheHeldDropsItRejectedWhereTheyAreKept() throws {
        let site = try TestSite.marchSite()
        #expect(try site.recon(["close", "2026-03"], env: TestSite.closeDay).code == 0)
        try FileManager.default.createDirectory(atPath: site.path("Inbox/rejected"), withIntermediateDirectories: true)
        try Data("an older drop\n".utf8).write(to: URL(fileURLWithPath: site.path("Inbox/rejected/usage-b.csv")))
        let header = "report_id,reported_at,client_id,radiologist_id,modality,image_count\n"
        try site.drop("usage-a.errors.txt", header + "K1,2026-03-25T10:00:00Z,C2,D2,CT,1\n")
        try site.drop("usage-c.csv", header + "K2,2026-03-26T10:00:00Z,C2,D2,CT,50\n")
        #expect(try site.recon(["ingest"], env: TestSite.rerunDay).code == 3)
        try Data((header + "K1,2026-03-25T10:00:00Z,C2,D2,MR,1\n").utf8).write(to: URL(fileURLWithPath: site.path("Inbox/held/usage-b.csv")))
        #expect(site.exists("Inbox/held/usage-a.errors.txt"))
        #expect(try site.recon(["status"], env: TestSite.rerunDay).out.contains("held: 3"))
        let key = try site.operatorKey("asha", listed: true)
        let rerun = try site.recon(["rerun", "2026-03", "--reason", "late", "--key", key], env: TestSite.rerunDay)
        #expect(rerun.code == 3, "\(rerun.err)")
        #expect(rerun.err.contains("The drops this rerun took before, usage-a.errors.txt, usage-c.csv, are in the ledger"), "\(rerun.err)")
        #expect(rerun.err.contains("Rejected, as they no longer pass the site's rules: usage-b-2.csv"), "\(rerun.err)")
        let errors = try site.read("Inbox/rejected/usage-b-2.csv.errors.txt")
        #expect(errors.contains("report K1 was ingested before with other values"), "\(errors)")
        #expect(FileIO.list(site.path("Inbox/held")).isEmpty)
        #expect(try site.recon(["status"], env: TestSite.rerunDay).out.contains("rejected: 2"))
    }

    /// A held drop with a report in closed March and one in open April (`late`): the rerun of
    /// March that applies it writes April's drafts again (they showed April without it until the
    /// next ingest, and the note that they were owed was gone). A payments drop changes no
    /// draft: the drafts it writes again are the same bytes.
    @Test(arguments: [
        ("usage-late.csv", "report_id,reported_at,client_id,radiologist_id,modality,image_count\n"
            + "L1,2026-03-25T10:00:00Z,C2,D2,CT,1\nL2,2026-04-05T10:00:00Z,C2,D2,CT,1\n"),
        // Excluding R4 (closed March) and R7 (open April): April's drafts no longer bill R7.
        ("decisions-late.csv", "subject,decision,by\nR4,exclude,Asha\nR7,exclude,Asha\n"),
    ])
    func aRerunWhoseHeldDropTouchesAnOpenMonthWritesItsDrafts(name: String, late: String) throws {
        let site = try TestSite.marchSite()
        #expect(try site.recon(["close", "2026-03"], env: TestSite.closeDay).code == 0)
        try site.drop("usage-2026-04.csv", TestSite.april)
        #expect(try site.recon(["ingest"], env: TestSite.aprilLater).code == 0)
        try site.drop(name, late)
        #expect(try site.recon(["ingest"], env: TestSite.aprilLater).code == 3)
        let key = try site.operatorKey("asha", listed: true, env: TestSite.aprilLater)
        #expect(try site.recon(["rerun", "2026-03", "--reason", "late", "--key", key], env: TestSite.aprilLater).code == 0)
        let drafts = URL(fileURLWithPath: site.path("Outbox/2026-04/drafts/invoices.xlsx"))
        let afterRerun = try Data(contentsOf: drafts)
        try site.drop("payments-1.csv", "payment_id,client_id,received_on,amount,currency\nP1,C1,2026-04-11,10.00,INR\n")
        #expect(try site.recon(["ingest"], env: TestSite.aprilLater).code == 0)
        #expect(try Data(contentsOf: drafts) == afterRerun)
        #expect(!site.exists(".recon/derived.pending"))
    }

    /// A held drop over closed March, closed April and open May, applied by the rerun of March:
    /// `recon status` — also answered from the status cache the rerun's drafts keep — names
    /// April as awaiting its rerun (the cache was kept from a state that did not know it).
    @Test func statusAfterARerunNamesTheOtherClosedMonthAwaiting() throws {
        let (site, key) = try marchAndAprilClosed()
        try site.drop("usage-2026-05.csv", "report_id,reported_at,client_id,radiologist_id,modality,image_count\nM1,2026-05-01T10:00:00Z,C1,D1,CT,1\n")
        #expect(try site.recon(["ingest"], env: may).code == 0)
        try site.drop("usage-late-three.csv", "report_id,reported_at,client_id,radiologist_id,modality,image_count\n"
                      + "L1,2026-03-25T10:00:00Z,C2,D2,CT,1\nL2,2026-04-25T10:00:00Z,C2,D2,CT,1\nL3,2026-05-01T11:00:00Z,C2,D2,CT,1\n")
        #expect(try site.recon(["ingest"], env: may).code == 3)
        #expect(try site.recon(["rerun", "2026-03", "--reason", "late", "--key", key], env: may).code == 0)
        let status = try site.recon(["status"], env: may).out
        #expect(status.contains("2026-04: 1 drop accepted since it was settled (usage-late-three.csv), on no document yet"), "\(status)")
        #expect(try site.recon(["status", "--json"], env: may).out.contains(#""awaiting_rerun":["usage-late-three.csv"]"#))
    }

    /// A held drop that no longer passes the site's rules when its rerun comes (a drop held
    /// before it gave its report other values) is rejected as an ingest would: it leaves
    /// `Inbox/held/` for `Inbox/rejected/` with its errors file, and the rerun names it. Such a
    /// pair is refused at ingest now (``HeldDropClashTests``); `usage-k2.csv` stands for one
    /// held by an earlier version, put in `held/` as it would have been.
    @Test func aHeldDropThatNoLongerAppliesIsRejectedByTheRerun() throws {
        let site = try TestSite.marchSite()
        #expect(try site.recon(["close", "2026-03"], env: TestSite.closeDay).code == 0)
        let header = "report_id,reported_at,client_id,radiologist_id,modality,image_count\n"
        try site.drop("usage-k1.csv", header + "K1,2026-03-25T10:00:00Z,C2,D2,CT,1\n")
        #expect(try site.recon(["ingest"], env: TestSite.rerunDay).code == 3)
        try Data((header + "K1,2026-03-25T10:00:00Z,C2,D2,MR,1\n").utf8).write(to: URL(fileURLWithPath: site.path("Inbox/held/usage-k2.csv")))
        let key = try site.operatorKey("asha", listed: true)
        let rerun = try site.recon(["rerun", "2026-03", "--reason", "late report", "--key", key, "--json"], env: TestSite.rerunDay)
        // Done, with an input turned away: exit 2, as an ingest with a rejected file.
        #expect(rerun.code == 2, "\(rerun.err)")
        #expect(rerun.out.contains(#""exit":2,"ok":true"#), "\(rerun.out)")
        #expect(rerun.out.contains(#""applied_drops":["usage-k1.csv"]"#) && rerun.out.contains(#""rejected_drops":["usage-k2.csv"]"#),
                "\(rerun.out)")
        #expect(!site.exists("Inbox/held/usage-k2.csv") && site.exists("Inbox/rejected/usage-k2.csv"))
        let errors = try String(contentsOfFile: site.path("Inbox/rejected/usage-k2.csv.errors.txt"), encoding: .utf8)
        #expect(errors.contains("report K1 was ingested before with other values"), "\(errors)")
        let status = try site.recon(["status"], env: TestSite.rerunDay).out
        #expect(status.contains("held: 0") && status.contains("rejected: 1"), "\(status)")
    }

    /// A held decisions drop an earlier version held, whose one row no longer passes (its note
    /// has a character of 34 code points): the rerun rejected it saying its decisions were
    /// "about open months only" (they were judged without that row), and the note last. Only the
    /// row's own problem is said.
    @Test func aHeldDecisionsDropWhoseRowNoLongerPassesIsRejectedForThatRowOnly() throws {
        let site = try TestSite.closedMarchSite()
        let note = "e" + String(repeating: "\u{301}", count: 33)
        try Data("subject,decision,by,note\nR1,exclude,Asha,\(note)\n".utf8).write(to: URL(fileURLWithPath: site.path("Inbox/held/decisions-old.csv")))
        let key = try site.operatorKey("asha", listed: true)
        let rerun = try site.recon(["rerun", "2026-03", "--reason", "late decision", "--key", key], env: TestSite.rerunDay)
        #expect(rerun.code == 2, "\(rerun.err)")
        let errors = try site.read("Inbox/rejected/decisions-old.csv.errors.txt")
        #expect(errors.contains("line 2, column 4 (note): holds a character made of 34 code points") && !errors.contains("not a held drop"),
                "\(errors)")
    }

    /// A rerun applies the held drops of its period, nothing else put in `Inbox/held/`: a
    /// clients drop (never held) and a usage drop of an open month only, placed there by hand,
    /// are rejected with the way to take them, and C1's new invoice keeps its 18 % tax. (They
    /// were applied, and the rerun's invoice billed C1 with the hand-placed clients row's 0 %.)
    @Test func aRerunAppliesOnlyTheHeldDropsOfItsPeriod() throws {
        let site = try TestSite.closedMarchSite()
        let key = try site.operatorKey("asha", listed: true)
        try "client_id,name,currency,contract_type,onboarded_on,max_images_per_case,tax_rate\nC1,City Hospital,INR,standard,2020-01-01,10,0\n"
            .write(toFile: site.path("Inbox/held/clients-placed.csv"), atomically: true, encoding: .utf8)
        try "report_id,reported_at,client_id,radiologist_id,modality,image_count\nA1,2026-04-03T10:00:00Z,C1,D1,CT,1\n"
            .write(toFile: site.path("Inbox/held/usage-april.csv"), atomically: true, encoding: .utf8)
        let run = try site.recon(["rerun", "2026-03", "--reason", "card agreed late", "--key", key, "--json"], env: TestSite.rerunDay)
        #expect(run.code == 2, "\(run.err)")  // done, two inputs turned away
        #expect(run.out.contains(#""applied_drops":["usage-late.csv"]"#), "\(run.out)")
        // C1: 4 × 120.00 = 480.00, tax 18 % = 86.40 (as without the placed files).
        let inv = try #require(try site.document("INV-2026-000003"))
        #expect(inv["client_id"] as? String == "C1" && inv["tax"] as? String == "86.40", "\(inv)")
        for name in ["clients-placed.csv", "usage-april.csv"] {
            #expect(!site.exists("Inbox/held/\(name)") && site.exists("Inbox/rejected/\(name)"), "\(name)")
            let errors = try String(contentsOfFile: site.path("Inbox/rejected/\(name).errors.txt"), encoding: .utf8)
            #expect(errors.contains("not a held drop of 2026-03") && errors.contains("drop it into Inbox/"), "\(name): \(errors)")
        }
        site.expectAuditorAccepts()
    }

    /// The same late row sent twice (the file saved again with CRLF endings, and an April row
    /// added): both are held, the rerun applies the first, and the second — its March row now
    /// recorded with the same values — is still a held drop of March, applied with its April
    /// row (it was rejected as "not a held drop of 2026-03", and the April row lost).
    @Test func aHeldDropWhoseMarchRowsTheRerunAlreadyRecordedIsStillApplied() throws {
        let site = try TestSite.closedMarchSite()
        let key = try site.operatorKey("asha", listed: true)
        try site.drop("usage-late-again.csv", "report_id,reported_at,client_id,radiologist_id,modality,image_count\r\n"
                      + "R5,2026-03-20T10:00:00Z,C1,D1,CT,1\r\nA9,2026-04-03T10:00:00Z,C1,D1,CT,1\r\n")
        #expect(try site.recon(["ingest"], env: TestSite.rerunDay).code == 3)
        #expect(site.exists("Inbox/held/usage-late-again.csv") && site.exists("Inbox/held/usage-late.csv"))
        let run = try site.recon(["rerun", "2026-03", "--reason", "late report", "--key", key, "--json"], env: TestSite.rerunDay)
        #expect(run.code == 0, "\(run.err)")
        #expect(run.out.contains(#""applied_drops":["usage-late-again.csv","usage-late.csv"]"#) && run.out.contains(#""rejected_drops":[]"#),
                "\(run.out)\(run.err)")
        #expect(!site.exists("Inbox/rejected/usage-late.csv") && !site.exists("Inbox/rejected/usage-late-again.csv"))
        #expect(try site.recon(["status", "--json"], env: TestSite.rerunDay).out.contains(#""billable_reports":1"#))
        site.expectAuditorAccepts()
    }

    /// A rerun judges the period's reports against the contracts it closed under: C1's limit
    /// lowered to 2 images after March closed does not put R3 (3 images, billed within the 10
    /// of March) over it, and nothing needs deciding. A late report over the March contract
    /// does: the refusal names the report, and a decisions drop naming it (held) settles it.
    @Test func aRerunJudgesReportsAgainstTheContractTheirMonthClosedUnder() throws {
        let site = try TestSite.marchSite()
        #expect(try site.recon(["close", "2026-03"], env: TestSite.closeDay).code == 0)
        let key = try site.operatorKey("asha", listed: true)
        try site.drop("clients-lower.csv", "client_id,name,currency,contract_type,onboarded_on,max_images_per_case,tax_rate\n"
                      + "C1,City Hospital,INR,standard,2020-01-01,2,18\n")
        try site.drop("usage-late-big.csv", "report_id,reported_at,client_id,radiologist_id,modality,image_count\n"
                      + "R9,2026-03-25T10:00:00Z,C1,D1,CT,12\n")
        #expect(try site.recon(["ingest"], env: TestSite.rerunDay).code == 3)
        let refused = try site.recon(["rerun", "2026-03", "--reason", "late report", "--key", key], env: TestSite.rerunDay)
        #expect(refused.code == 3, "\(refused.err)")
        #expect(refused.err.contains("report R9: 12 images in one case; the contract of C1 allows 10"), "\(refused.err)")
        #expect(!refused.err.contains("report R3"), "\(refused.err)")
        #expect(refused.err.contains("decide it in a decisions drop (subject,decision,by — R9,approve or exclude,NAME)"), "\(refused.err)")
        try site.drop("decisions-r9.csv", "subject,decision,by\nR9,approve,Asha\n")
        let held = try site.recon(["ingest"], env: TestSite.rerunDay)
        #expect(held.code == 3 && site.exists("Inbox/held/decisions-r9.csv"), "\(held.err)")
        let rerun = try site.recon(["rerun", "2026-03", "--reason", "late report, R9 approved", "--key", key], env: TestSite.rerunDay)
        #expect(rerun.code == 0, "\(rerun.err)")
        site.expectAuditorAccepts()
    }

    /// A held report over its client's contract is applied by the rerun, which then waits
    /// (exit 3, naming the flag, no document, no rerun entry) until a decisions drop — held
    /// too, as its period is closed — is applied by the next rerun. C2: R4 and R20 at 100.00
    /// = 200.00, so CN-2026-000001 reverses 100.00 and INV-2026-000003 bills 200.00; D2: 2 ×
    /// 50.00 = 100.00, PAYADJ-2026-000001 50.00, PAY-2026-000003 100.00. C1 and D1 unchanged.
    @Test func aHeldReportOverContractMakesTheRerunWaitForADecision() throws {
        let site = try TestSite.marchSite()
        #expect(try site.recon(["close", "2026-03"], env: TestSite.closeDay).code == 0)
        let key = try site.operatorKey("asha", listed: true)
        try site.drop("usage-big.csv", "report_id,reported_at,client_id,radiologist_id,modality,image_count\nR20,2026-03-25T10:00:00Z,C2,D2,CT,50\n")
        #expect(try site.recon(["ingest"], env: TestSite.rerunDay).code == 3)

        let waiting = try site.recon(["rerun", "2026-03", "--reason", "late report", "--key", key], env: TestSite.rerunDay)
        #expect(waiting.code == 3, "\(waiting.err)")
        #expect(waiting.err.contains("IMAGES_OVER_CONTRACT report R20: 50 images in one case; the contract of C2 allows 10"), "\(waiting.err)")
        // recon decide refuses a closed period's subject: the way to decide is a held decisions drop.
        #expect(waiting.err.contains("decide it in a decisions drop") && !waiting.err.contains("recon decide"), "\(waiting.err)")
        #expect(waiting.err.contains("The drops this rerun took before, usage-big.csv, are in the ledger"), "\(waiting.err)")
        // Its review shows the flag that now blocks the period, and nothing is left owed.
        let review = try ProcessRunner.run("/usr/bin/env", ["python3", "-c", "import sys, zipfile; "
            + "print(zipfile.ZipFile(sys.argv[1]).read('xl/sharedStrings.xml').decode())", site.path("Outbox/2026-03/review.xlsx")])
        #expect(review.out.contains("R20"), "\(review.out)")
        #expect(!site.exists(".recon/derived.pending"))
        #expect(try site.bodies("rerun").isEmpty && site.bodies("credit_note.issued").isEmpty)
        #expect(try site.bodies("drop.accepted").contains { $0["name"] as? String == "usage-big.csv" })
        // R20 is in the ledger on no document yet: status says so, and what to run.
        let status = try site.recon(["status"], env: TestSite.rerunDay)
        #expect(status.out.contains("2026-03: 1 drop accepted since it was settled (usage-big.csv), on no document yet — run "
            + "`recon rerun 2026-03`"), "\(status.out)")
        #expect(try site.recon(["status", "--json"], env: TestSite.rerunDay).out.contains(#""awaiting_rerun":["usage-big.csv"]"#))
        // Asked again before the decision, the rerun says an earlier one took the drop.
        let again = try site.recon(["rerun", "2026-03", "--reason", "late report", "--key", key], env: TestSite.rerunDay)
        #expect(again.code == 3, "\(again.err)")
        #expect(again.err.contains("The drops an earlier rerun took and stopped before issuing for, usage-big.csv, are in the ledger"),
                "\(again.err)")

        try site.drop("decisions-2026-03.csv", "subject,decision,by,note\nR20,approve,Asha,trauma series\n")
        #expect(try site.recon(["ingest"], env: TestSite.rerunDay).code == 3)
        #expect(site.exists("Inbox/held/decisions-2026-03.csv"))
        let run = try site.recon(["rerun", "2026-03", "--reason", "late report, approved", "--key", key, "--json"], env: TestSite.rerunDay)
        #expect(run.code == 0, "\(run.err)")
        #expect(run.out.contains(#""documents":["CN-2026-000001","INV-2026-000003","PAYADJ-2026-000001","PAY-2026-000003"]"#), "\(run.out)")
        #expect(try site.document("CN-2026-000001")?["client_id"] as? String == "C2")
        #expect(try site.document("CN-2026-000001")?["total"] as? String == "100.00")
        #expect(try site.document("INV-2026-000003")?["total"] as? String == "200.00")
        #expect(try site.document("PAYADJ-2026-000001")?["radiologist_id"] as? String == "D2")
        #expect(try site.document("PAYADJ-2026-000001")?["total"] as? String == "50.00")
        #expect(try site.document("PAY-2026-000003")?["total"] as? String == "100.00")
        // The rerun that issued for R20 names the drop it brought in, though an earlier one took it.
        let applied = try #require(try site.bodies("rerun").last?["applied_drops"] as? [String])
        #expect(applied == ["usage-big.csv", "decisions-2026-03.csv"], "\(applied)")
        #expect(!(try site.recon(["status"], env: TestSite.rerunDay).out.contains("on no document yet")))
        site.expectAuditorAccepts()
    }

    /// Someone edits a signed rerun entry's request and rewrites every hash after it, so the
    /// chain holds again: the operator's signature no longer does, and verify names the seq.
    @Test func aRerunEntryWhoseRequestWasChangedIsCaught() throws {
        let site = try TestSite.trustSite()
        let lines = try site.ledgerLines()
        let rerunSeq = try #require(try site.entries().first { $0["kind"] as? String == "rerun" }?["seq"] as? Int)
        var rewritten: [Data] = Array(lines.prefix(rerunSeq - 1))
        var prev = try #require(try site.entries()[rerunSeq - 2]["hash"] as? String)
        for (i, line) in lines.enumerated().dropFirst(rerunSeq - 1) {
            guard case .object(let o) = try JSONParser.parse(Array(line)), case .object(var body)? = o["body"],
                case .string(let at)? = o["at"], case .string(let kind)? = o["kind"]
            else { Issue.record("line \(i + 1) is not an entry"); return }
            if i + 1 == rerunSeq, case .object(var request)? = body["request"], case .object(var args)? = request["args"] {
                args["reason"] = .string("nothing to see here")
                request["args"] = .object(args)
                body["request"] = .object(request)
                body["reason"] = .string("nothing to see here")
            }
            let entry = LedgerEntry(seq: i + 1, at: at, kind: kind, body: body, prev: prev)
            rewritten.append(Data(entry.line.dropLast()))
            prev = entry.hash
        }
        try site.writeLedgerLines(rewritten)
        // Without checkpoints on disk (they would give the rewrite away first), only the
        // signature is left to tell.
        try FileManager.default.removeItem(atPath: site.path("Ledger/checkpoints"))
        let run = try site.recon(["verify"])
        #expect(run.code == 4)
        #expect(run.out == "seq \(rerunSeq): the signature of asha over the rerun request does not verify\n", "\(run.out)")
    }

    /// A final document's path already taken by other bytes stops the close before anything
    /// is issued (a final document no entry issued is damage, as `recon verify` says: what a
    /// ledger whose end was cut leaves); the stranger's file is left alone.
    @Test func aFinalDocumentIsNeverOverwritten() throws {
        let site = try TestSite.marchSite()
        let path = site.path("Outbox/2026-03/invoices/INV-2026-000001.xlsx")
        try FileManager.default.createDirectory(atPath: FileIO.parent(of: path), withIntermediateDirectories: true)
        try "someone else's file".write(toFile: path, atomically: true, encoding: .utf8)
        let refused = try site.recon(["close", "2026-03"], env: TestSite.closeDay)
        #expect(refused.code == 4, "\(refused.err)")
        #expect(refused.err.contains("Outbox/2026-03/invoices/INV-2026-000001.xlsx is a final document no ledger entry issued"), "\(refused.err)")
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "someone else's file")
        #expect(try site.bodies("invoice.issued").isEmpty && site.bodies("period.closed").isEmpty)
        #expect(FileIO.list(FileIO.parent(of: path)) == ["INV-2026-000001.xlsx"])
        try FileManager.default.removeItem(atPath: path)
        #expect(try site.recon(["close", "2026-03"], env: TestSite.closeDay).code == 0)
        site.expectAuditorAccepts()
    }

    /// The same for a rerun, which applies its held drops before it issues: a file in a final
    /// document's place that no entry issued stops it before the held drop is taken, so the
    /// ledger is as it was, the drop still waits in `Inbox/held/`, and the next rerun does it all.
    @Test func aRerunFindingAStrayDocumentFileTakesNothing() throws {
        let site = try TestSite.closedMarchSite()
        let key = try site.operatorKey("asha", listed: true)
        let stray = site.path("Outbox/2026-03/credit-notes/CN-2026-000001.xlsx")
        try FileManager.default.createDirectory(atPath: FileIO.parent(of: stray), withIntermediateDirectories: true)
        try "someone else's file".write(toFile: stray, atomically: true, encoding: .utf8)
        let before = try site.ledgerBytes()
        let refused = try site.recon(["rerun", "2026-03", "--reason", "card agreed late", "--key", key], env: TestSite.rerunDay)
        #expect(refused.code == 4, "\(refused.err)")
        #expect(refused.err.contains("Outbox/2026-03/credit-notes/CN-2026-000001.xlsx is a final document no ledger entry issued"),
                "\(refused.err)")
        #expect(try site.ledgerBytes() == before)
        #expect(site.exists("Inbox/held/usage-late.csv"))
        #expect(try String(contentsOfFile: stray, encoding: .utf8) == "someone else's file")
        try FileManager.default.removeItem(atPath: stray)
        let rerun = try site.recon(["rerun", "2026-03", "--reason", "card agreed late", "--key", key], env: TestSite.rerunDay)
        #expect(rerun.code == 0, "\(rerun.err)")
        #expect(!site.exists("Inbox/held/usage-late.csv"))
        site.expectAuditorAccepts()
    }

    /// `Inbox/held` replaced by a link to a folder outside the site: the rerun reads no drop
    /// through it (as ingest keeps none there), refusing before it takes anything.
    @Test func aRerunDoesNotTakeHeldDropsThroughALink() throws {
        let site = try TestSite.closedMarchSite()
        let key = try site.operatorKey("asha", listed: true)
        let outside = site.path("held-elsewhere")
        try FileManager.default.moveItem(atPath: site.path("Inbox/held"), toPath: outside)
        try FileManager.default.createSymbolicLink(atPath: site.path("Inbox/held"), withDestinationPath: outside)
        let before = try site.ledgerBytes()
        let rerun = try site.recon(["rerun", "2026-03", "--reason", "card agreed late", "--key", key], env: TestSite.rerunDay)
        #expect(rerun.code == 3, "\(rerun.err)")
        #expect(rerun.err.contains("Inbox/held is not a folder of the site"), "\(rerun.err)")
        #expect(try site.ledgerBytes() == before)
        #expect(FileManager.default.fileExists(atPath: outside + "/usage-late.csv"))
    }

    /// Office's owner file beside a held drop an accountant opened (`~$usage-late.csv`) was
    /// listed as a held drop, and the rerun rejected it, ending with exit 2 though it applied
    /// every drop. It is no drop: not listed, left where it is, and the rerun ends with 0.
    @Test func aViewersFileInHeldIsNoHeldDrop() throws {
        let site = try TestSite.closedMarchSite()
        let key = try site.operatorKey("asha", listed: true)
        try "x".write(toFile: site.path("Inbox/held/~$usage-late.csv"), atomically: true, encoding: .utf8)
        let status = try site.recon(["status"], env: TestSite.rerunDay)
        #expect(status.out.contains("held: 1 (usage-late.csv)"), "\(status.out)")
        let rerun = try site.recon(["rerun", "2026-03", "--reason", "card agreed late", "--key", key], env: TestSite.rerunDay)
        #expect(rerun.code == 0, "\(rerun.out)\(rerun.err)")
        #expect(site.exists("Inbox/held/~$usage-late.csv") && !site.exists("Inbox/rejected/~$usage-late.csv"))
    }

    /// A folder where the rerun's checkpoint note goes: the rerun appended its held drop first,
    /// then refused its documents there, saying nothing was appended. Refused before the first.
    @Test func aRerunWhoseNotesPlaceIsTakenAppendsNothing() throws {
        let site = try TestSite.closedMarchSite()
        let key = try site.operatorKey("asha", listed: true)
        #expect(FileManager.default.fileExists(atPath: site.path("Inbox/held/usage-late.csv")))
        try FileManager.default.createDirectory(atPath: site.path("Ledger/checkpoint.owed"), withIntermediateDirectories: false)
        let before = try site.ledgerBytes()
        let rerun = try site.recon(["rerun", "2026-03", "--reason", "card agreed late", "--key", key], env: TestSite.rerunDay)
        #expect(rerun.code == 3 && rerun.err.contains("Ledger/checkpoint.owed is not a regular file"), "\(rerun.err)")
        #expect(try site.ledgerBytes() == before)
        #expect(!site.exists(".recon/derived.pending"))
    }

    /// `modality quantity unit_amount amount` of each line, as the entry writes them.
    /// Drops one late March report (held: the month is closed) and reruns March with `key`;
    /// the rerun's JSON answer.
    func rerunMarch(_ site: TestSite, lateReport row: String, reason: String, key: String) throws -> TestSite.Run {
        let id = row.prefix { $0 != "," }
        try site.drop("usage-late-\(id).csv", "report_id,reported_at,client_id,radiologist_id,modality,image_count\n\(row)\n")
        #expect(try site.recon(["ingest"], env: TestSite.rerunDay).code == 3)
        return try site.recon(["rerun", "2026-03", "--reason", reason, "--key", key, "--json"], env: TestSite.rerunDay)
    }

    func lineAmounts(_ body: [String: Any]) -> [String] {
        (body["lines"] as? [[String: Any]] ?? []).map {
            "\($0["modality"] as? String ?? "") \($0["quantity"] as? Int ?? -1) \($0["unit_amount"] as? String ?? "") \($0["amount"] as? String ?? "")"
        }
    }

    /// Checks a privileged entry's Ed25519 signature over the JCS form of its request with
    /// swift-crypto, from the operator's published verifier key. The request holds only
    /// ASCII strings and one object of them (`args`), whose JCS form is plain: members
    /// sorted, `"key":"value"`, no spaces.
    func signatureVerifies(_ body: [String: Any], operatorKey: String) throws -> Bool {
        let parts = operatorKey.split(separator: "+", maxSplits: 2)
        guard parts.count == 3, let typed = Data(base64Encoded: String(parts[2])), typed.count == 33,
            let signatureText = body["signature"] as? String, let signature = Data(base64Encoded: signatureText),
            let request = body["request"] as? [String: Any], let canonical = plainJCS(request)
        else { return false }
        let key = try Curve25519.Signing.PublicKey(rawRepresentation: Array(typed.dropFirst()))
        return key.isValidSignature(Array(signature), for: Array(canonical.utf8))
    }

    private func plainJCS(_ object: [String: Any]) -> String? {
        var members: [String] = []
        for key in object.keys.sorted() {
            if let nested = object[key] as? [String: Any], let inner = plainJCS(nested) {
                members.append("\"\(key)\":\(inner)")
                continue
            }
            guard let value = object[key] as? String, value.allSatisfy({ $0.isASCII && $0 != "\"" && $0 != "\\" && $0 >= " " })
            else { return nil }
            members.append("\"\(key)\":\"\(value)\"")
        }
        return "{" + members.joined(separator: ",") + "}"
    }

    /// A `--reason` is printed on the documents it issues: it keeps the text rule of a
    /// decision's note. A U+FFFF in it used to leave every text cell of the credit note
    /// unreadable while both verifiers said ok; a line break or 1,001 characters likewise
    /// (exit 2). A reason of nothing visible (a lone zero-width or no-break space) says no
    /// more than a space, and is refused as one (exit 1): a signed credit note went out with
    /// an invisible reason.
    @Test(arguments: [("typo\u{FFFF}", Int32(2)), ("two\nlines", Int32(2)), (String(repeating: "r", count: 1001), Int32(2)),
                      ("\u{200B}", Int32(1)), ("\u{00A0}\u{3000}", Int32(1))] as [(String, Int32)])
    func aReasonOutsideTheTextRuleIsRefused(reason: String, code: Int32) throws {
        let site = try TestSite.closedMarchSite()
        let key = try site.operatorKey("asha", listed: true)
        let before = try site.ledgerBytes()
        let credit = try site.recon(["credit", "INV-2026-000001", "--amount", "1.00", "--reason", reason, "--key", key],
                                    env: TestSite.rerunDay)
        #expect(credit.code == code, "\(credit.err)")
        #expect(credit.err.contains(code == 1 ? "--reason must say why the invoice is credited" : "--reason "), "\(credit.err)")
        let rerun = try site.recon(["rerun", "2026-03", "--reason", reason, "--key", key], env: TestSite.rerunDay)
        #expect(rerun.code == code, "\(rerun.err)")
        #expect(try site.ledgerBytes() == before)
        #expect(FileIO.list(site.path("Outbox/2026-03/credit-notes")).isEmpty)
    }
}
