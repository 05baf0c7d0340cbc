import Crypto
import Foundation
import Testing

@testable import ReconKit

/// Crash safety of the privileged commands: `recon rerun` and `recon credit` killed with
/// SIGKILL at seeded random moments, then asked again. A first attempt that committed makes
/// the retry a repeat of an applied request (refused, exit 3); one that did not is applied by
/// the retry. Either way each request is in the ledger once, and its money counted once.
extension CrashTests {
    static let privilegedRounds = 25

    /// The trust site's March (closed), its retroactive card and held late report; asha's
    /// first rerun runs undisturbed and times the command. Then 25 rounds: a late C1/D1 report
    /// is held by ingest and a rerun that applies it is killed and asked again; then 25
    /// rounds of a 1.00 goodwill credit on C2's INV-2026-000002 (100.00, no tax), killed and
    /// asked again: 50 kills. Every check counts from the ledger and the files.
    @Test func killedRerunsAndCreditsApplyEachRequestOnce() throws {
        let started = Date()
        let site = try TestSite.closedMarchSite()
        let key = try site.operatorKey("asha", listed: true)
        let env = TestSite.rerunDay
        var rng = SplitMix(seed: 0xC4ED_17_2026)
        var outcomes: [String: Int] = [:]

        var t = Date()
        let first = try site.recon(["rerun", "2026-03", "--reason", "card agreed late", "--key", key], env: env)
        var rerunTime = Date().timeIntervalSince(t)
        #expect(first.code == 0, "\(first.err)")
        var reasons = ["card agreed late"]
        var late: [String] = [TestSite.lateMarch]
        try expectRerunsWhole(site, reasons: reasons, late: late)

        for round in 1...Self.privilegedRounds {
            // R101… on 6–25 March, C1/D1, one CT image: C1 and D1 each get one more report.
            let text = "report_id,reported_at,client_id,radiologist_id,modality,image_count\n"
                + "R\(100 + round),2026-03-\(Digits.padded(6 + round % 20, 2))T11:00:00Z,C1,D1,CT,1\n"
            try site.drop("usage-late-\(round).csv", text)
            late.append(text)
            let held = try site.recon(["ingest"], env: env)
            #expect(held.code == 3 && site.exists("Inbox/held/usage-late-\(round).csv"), "\(held.err)")

            let reason = "late report \(round)"
            let args = ["rerun", "2026-03", "--reason", reason, "--key", key]
            if let whole = try killThenRetry(site, args, env: env, after: rng.lateUnit() * rerunTime, refusal: "was applied at seq",
                                             outcomes: &outcomes,
                                             committed: { try committedBodies(site, "rerun").contains { $0["reason"] as? String == reason } }) {
                rerunTime = (rerunTime + whole) / 2
            }
            reasons.append(reason)
            try expectRerunsWhole(site, reasons: reasons, late: late)
        }

        // Credits: C2's INV-2026-000002 is 100.00 (1 CT report at 100.00, tax 0 %); the rerun
        // rounds never touch C2. After n credits of 1.00 C2 owes 100.00 − n × 1.00.
        let invoice = "INV-2026-000002"
        #expect(try site.document(invoice)?["total"] as? String == "100.00")
        var creditTime = 0.0
        for round in 0...Self.privilegedRounds {
            let reason = "goodwill \(round)"
            let args = ["credit", invoice, "--amount", "1.00", "--reason", reason, "--key", key]
            if round == 0 {
                t = Date()
                let run = try site.recon(args, env: env)
                creditTime = Date().timeIntervalSince(t)
                #expect(run.code == 0, "\(run.err)")
            } else {
                // A credit checks for most of its run and writes in its last moments: √√u puts half
                // the kills in its last 16 %.
                if let whole = try killThenRetry(site, args, env: env, after: rng.lateUnit().squareRoot() * creditTime,
                                                 refusal: "was applied at seq", outcomes: &outcomes,
                                                 committed: { try committedBodies(site, "credit_note.issued").contains { $0["reason"] as? String == reason } }) {
                    creditTime = (creditTime + whole) / 2
                }
            }
            let entries = try site.entries()
            expectDocumentsWholeAndGapless(site, entries)
            site.expectAuditorAccepts()
            // Each credit once, from the ledger: one note per reason, each 1.00 against the invoice.
            let credits = entries.compactMap { $0["body"] as? [String: Any] }
                .filter { ($0["reason"] as? String)?.hasPrefix("goodwill ") == true && $0["number"] != nil }
            let credited = credits.compactMap { $0["reason"] as? String }
            #expect(credited == (0...round).map { "goodwill \($0)" }, "credit notes: \(credited)")
            #expect(credits.allSatisfy { $0["total"] as? String == "1.00" && $0["refers_to"] as? [String] == [invoice] })
        }
        // And from what the site says C2 owes: 100.00 − 26 × 1.00 = 74.00.
        let statement = try site.recon(["statement", "C2", "--json"], env: env)
        #expect(statement.out.contains(#""total_due":{"INR":"\#(100 - (Self.privilegedRounds + 1)).00"}"#), "\(statement.out)\(statement.err)")

        let summary = outcomes.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: "; ")
        print("crash test: a rerun takes about \(Int(rerunTime * 1000)) ms, a credit \(Int(creditTime * 1000)) ms; "
              + "kills left: \(summary); \(Int(Date().timeIntervalSince(started))) s in all")
        let landed = outcomes.filter { !$0.key.contains("finished first") }.values.reduce(0, +)
        #expect(landed * 4 >= 2 * Self.privilegedRounds, "only \(landed) of \(2 * Self.privilegedRounds) kills landed mid-command: \(summary)")
    }

    /// Bodies of the entries of one kind the ledger holds for good: an append the intent
    /// record says never finished (the file shorter than its end) is not committed (the next writer cuts it away).
    func committedBodies(_ site: TestSite, _ kind: String) throws -> [[String: Any]] {
        let ledger = try Data(contentsOf: URL(fileURLWithPath: site.path("Ledger/ledger.jsonl")))
        var whole = ledger.lastIndex(of: 10).map { ledger.prefix(through: $0) } ?? Data()
        // The intent note's second line is `START END` (its signature, after a blank line, is not read here).
        let note = ((try? site.read("Ledger/ledger.jsonl.intent")) ?? "").split(separator: "\n")
        let intent = note.count > 1 ? note[1].split(separator: " ").compactMap { Int($0) } : []
        if intent.count == 2, ledger.count < intent[1], intent[0] < whole.count {
            whole = whole.prefix(intent[0])
        }
        return try whole.split(separator: 10).compactMap { try JSONSerialization.jsonObject(with: Data($0)) as? [String: Any] }
            .filter { $0["kind"] as? String == kind }.compactMap { $0["body"] as? [String: Any] }
    }

    /// After a rerun round: each rerun once and in order, each late report accepted once and
    /// none left held, and March billed and paid once per report: the invoices and payouts
    /// no later credit note or adjustment reverses hold every report of their party once.
    func expectRerunsWhole(_ site: TestSite, reasons: [String], late: [String],
                           sourceLocation: SourceLocation = #_sourceLocation) throws {
        site.expectAuditorAccepts(sourceLocation: sourceLocation)
        let entries = try site.entries()
        expectDocumentsWholeAndGapless(site, entries, sourceLocation: sourceLocation)
        let bodies = { (kind: String) in
            entries.filter { $0["kind"] as? String == kind }.compactMap { $0["body"] as? [String: Any] }
        }
        #expect(bodies("rerun").compactMap { $0["reason"] as? String } == reasons, sourceLocation: sourceLocation)
        let accepted = bodies("drop.accepted").compactMap { $0["sha256"] as? String }
        #expect(accepted.count == Set(accepted).count, "a drop accepted twice", sourceLocation: sourceLocation)
        for text in late {
            #expect(accepted.contains(TestSite.sha256Hex(text)), "a late report lost", sourceLocation: sourceLocation)
        }
        #expect(FileIO.list(site.path("Inbox/held")).isEmpty, "still held: \(FileIO.list(site.path("Inbox/held")))",
                sourceLocation: sourceLocation)

        // March: C1 has R1–R3, R5 and one report per late round; C2 has R4. D1 and D2 likewise.
        let documents = entries.filter { ($0["kind"] as? String)?.hasSuffix(".issued") == true }
            .compactMap { $0["body"] as? [String: Any] }.filter { $0["period"] as? String == "2026-03" }
        let reversed = Set(documents.flatMap { $0["refers_to"] as? [String] ?? [] })
        let live = documents.filter { d in
            let number = d["number"] as? String ?? ""
            return (number.hasPrefix("INV-") || number.hasPrefix("PAY-")) && !reversed.contains(number)
        }
        func reports(_ party: String) -> Int {
            live.filter { ($0["client_id"] ?? $0["radiologist_id"]) as? String == party }
                .flatMap { $0["lines"] as? [[String: Any]] ?? [] }.reduce(0) { $0 + ($1["quantity"] as? Int ?? 0) }
        }
        let c1 = 3 + late.count
        for (party, count) in [("C1", c1), ("C2", 1), ("D1", c1), ("D2", 1)] {
            #expect(reports(party) == count, "\(party): \(reports(party)) reports billed or paid, not \(count)",
                    sourceLocation: sourceLocation)
        }
    }

    /// Every document the ledger names is in its place with the SHA-256 the entry gives, and
    /// numbers run 1, 2, 3, … per kind and year, without a gap or a repeat.
    func expectDocumentsWholeAndGapless(_ site: TestSite, _ entries: [[String: Any]],
                                        sourceLocation: SourceLocation = #_sourceLocation) {
        let documents = entries.filter { ($0["kind"] as? String)?.hasSuffix(".issued") == true }
            .compactMap { $0["body"] as? [String: Any] }
        var byKey: [String: [Int]] = [:]
        for d in documents {
            let parts = (d["number"] as? String ?? "").split(separator: "-")
            guard parts.count == 3, let n = Int(parts[2]) else {
                Issue.record("bad number \(d["number"] ?? "")", sourceLocation: sourceLocation)
                continue
            }
            byKey["\(parts[0])-\(parts[1])", default: []].append(n)
            guard let file = d["file"] as? String, let sha = d["sha256"] as? String else {
                Issue.record("\(d["number"] ?? "") names no file or no sha256", sourceLocation: sourceLocation)
                continue
            }
            let bytes = FileManager.default.contents(atPath: site.path(file))
            #expect(bytes != nil, "\(file) is missing", sourceLocation: sourceLocation)
            if let bytes {
                #expect(SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined() == sha, "\(file) is not the file the ledger issued", sourceLocation: sourceLocation)
            }
        }
        for (key, numbers) in byKey {
            #expect(numbers.sorted() == Array(1...numbers.count), "\(key) numbers: \(numbers.sorted())", sourceLocation: sourceLocation)
        }
    }
}
