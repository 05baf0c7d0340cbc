import Foundation
import ReconKit
import Testing

/// Every JSON shape documented in docs/json.md, checked against the real binary's output on a
/// small site: the same keys, the same value types, nested all the way down.
@Suite("JSON outputs are the ones docs/json.md documents", .serialized)
struct JSONOutputTests {
    static let env = EndToEndTests.env

    /// The examples of docs/json.md by name: each follows a `<!-- example: NAME -->` line.
    static func documentedExamples() throws -> [String: JSONValue] {
        var dir = URL(fileURLWithPath: #filePath)  // <repo>/Tests/ReconKitTests/EndToEnd/JSONOutputTests.swift
        for _ in 0..<4 { dir.deleteLastPathComponent() }
        let text = try String(contentsOfFile: dir.path + "/docs/json.md", encoding: .utf8)
        var examples: [String: JSONValue] = [:]
        let lines = text.components(separatedBy: "\n")
        for (i, line) in lines.enumerated() where line.hasPrefix("<!-- example: ") {
            let name = String(line.dropFirst("<!-- example: ".count).dropLast(" -->".count))
            guard i + 1 < lines.count, lines[i + 1] == "```json", let end = lines[(i + 2)...].firstIndex(of: "```") else {
                Issue.record("docs/json.md: the example \(name) is not followed by a ```json block")
                continue
            }
            examples[name] = try JSONParser.parse(lines[(i + 2)..<end].joined(separator: "\n"))
        }
        return examples
    }

    /// Where `actual` differs in shape from `documented`: a missing or extra key, another type.
    /// Each element of an array must have the shape of one of the documented elements.
    static func shapeDifferences(_ documented: JSONValue, _ actual: JSONValue, at path: String = "$") -> [String] {
        switch (documented, actual) {
        case (.object(let d), .object(let a)) where mapMembers.contains(String(path.split(separator: ".").last ?? "")):
            // Keyed by data (a currency code, a file name): every value has the documented values' shape.
            guard let first = d.values.first else { return a.isEmpty ? [] : ["\(path): documented empty, the output has members"] }
            return a.keys.sorted().flatMap { shapeDifferences(first, a[$0]!, at: "\(path).\($0)") }
        case (.object(let d), .object(let a)):
            var out: [String] = []
            for k in Set(d.keys).subtracting(a.keys).sorted() { out.append("\(path).\(k): documented, missing from the output") }
            for k in Set(a.keys).subtracting(d.keys).sorted() { out.append("\(path).\(k): in the output, not documented") }
            for k in Set(d.keys).intersection(a.keys).sorted() { out += shapeDifferences(d[k]!, a[k]!, at: "\(path).\(k)") }
            return out
        case (.array(let d), .array(let a)):
            guard !d.isEmpty else { return a.isEmpty ? [] : ["\(path): documented empty, the output has elements"] }
            // An element must have the shape of one documented element (ingest lists each outcome's own shape).
            return a.enumerated().flatMap { i, element in
                d.map { shapeDifferences($0, element, at: "\(path)[\(i)]") }.min { $0.count < $1.count }!
            }
        case (.null, .null), (.bool, .bool), (.int, .int), (.string, .string):
            return []
        default:
            return ["\(path): documented \(kind(documented)), the output has \(kind(actual))"]
        }
    }

    /// Members whose keys are data, not names (docs/json.md says which): maps, not records.
    static let mapMembers: Set<String> = ["invoice_totals", "payout_totals", "total_due", "rejected_problems", "receivables"]

    static func kind(_ v: JSONValue) -> String {
        switch v {
        case .null: "null"
        case .bool: "a Boolean"
        case .int: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }

    /// Each line of `text` parsed as one JSON value; a line that is not JSON fails the test.
    static func jsonLines(_ text: String, _ what: String) -> [JSONValue] {
        text.split(separator: "\n").compactMap { line in
            do { return try JSONParser.parse(String(line)) } catch {
                Issue.record("\(what): a line is not JSON: \(line)")
                return nil
            }
        }
    }

    @Test func everyDocumentedExampleHasTheShapeOfTheRealOutput() throws {
        let examples = try Self.documentedExamples()
        var checked: Set<String> = []
        func check(_ name: String, _ output: String) {
            guard let documented = examples[name] else { Issue.record("docs/json.md has no example \(name)"); return }
            let lines = Self.jsonLines(output, name)
            #expect(!lines.isEmpty, "\(name): no JSON in the output")
            for actual in lines {
                let diff = Self.shapeDifferences(documented, actual)
                #expect(diff.isEmpty, "\(name): \(diff.joined(separator: "; "))\nactual: \(JCS.canonicalString(actual))")
            }
            checked.insert(name)
        }
        let site = try TestSite()
        let initialised = try site.recon(["init", "--name", "test-site", "--base-currency", "INR", "--timezone", "UTC", "--json"],
                                         env: Self.env)
        #expect(initialised.code == 0, "\(initialised.err)")
        check("init", initialised.out)
        let again = try site.recon(["init", "--name", "test-site", "--json"], env: Self.env)
        #expect(again.code == 3, "\(again.err)")
        check("close-refused", again.out)
        try site.drop("clients.csv", EndToEndTests.clients)
        try site.drop("radiologists.csv", EndToEndTests.radiologists)
        try site.drop("provider_rates.csv", EndToEndTests.providerRates)
        try site.drop("client_rates.csv", EndToEndTests.clientRates)
        try site.drop("fx_rates.csv", EndToEndTests.fx)
        // The watcher: a line an outcome, each an ingest outcome's object.
        let watched = try site.recon(["watch", "--once", "--stable", "0", "--json"], env: Self.env)
        #expect(watched.code == 0, "\(watched.err)")
        #expect(Self.jsonLines(watched.out, "watch").count == 5, "\(watched.out)")
        check("watch", watched.out)
        try site.drop("usage-2026-03.csv", EndToEndTests.usage)
        try site.drop("usage-bad.csv", "report_id,reported_at,client_id,radiologist_id,modality,image_count\nR9,2026-02-30T10:00:00Z,C1,D1,CT,2\n")
        let ingest = try site.recon(["ingest", "--json", "--log-format", "json"], env: Self.env)
        #expect(ingest.code == 2, "\(ingest.err)")
        check("ingest", ingest.out)
        // The log lines of an accepted and a rejected drop: numbers as numbers.
        let logs = Self.jsonLines(ingest.err, "ingest log")
        check("log-accepted", JCS.canonicalString(try #require(logs.first { $0["outcome"] == .string("accepted") })))
        check("log-rejected", JCS.canonicalString(try #require(logs.first { $0["outcome"] == .string("rejected") })))
        check("status", try site.recon(["status", "--json"], env: Self.env).out)

        let refused = try site.recon(["close", "2026-03", "--json", "--log-format", "json"], env: Self.env)
        #expect(refused.code == 3)
        check("close-refused", refused.out)
        check("log-error", refused.err)

        let usage = try site.recon(["close", "March", "--json", "--log-format", "json"], env: Self.env)
        #expect(usage.code == 1)
        check("close-refused", usage.out)
        check("log-error", usage.err)

        let decided = try site.recon(["decide", "R2", "approve", "--by", "Asha", "--json"], env: Self.env)
        #expect(decided.code == 0, "\(decided.err)")
        check("decide", decided.out)
        let closed = try site.recon(["close", "2026-03", "--json"], env: Self.env)
        #expect(closed.code == 0, "\(closed.err)")
        check("close", closed.out)
        let key = try site.operatorKey("asha", listed: true)
        let credit = try site.recon(["credit", "INV-2026-000001", "--amount", "100.00", "--reason", "goodwill", "--key", key, "--json"],
                                    env: TestSite.rerunDay)
        #expect(credit.code == 0, "\(credit.err)")
        check("credit", credit.out)
        let refusedCredit = try site.recon(["credit", "INV-2026-000001", "--amount", "100.00", "--reason", "again", "--json"],
                                           env: TestSite.rerunDay)
        #expect(refusedCredit.code == 3)
        check("close-refused", refusedCredit.out)
        check("statement", try site.recon(["statement", "C1", "--json"], env: TestSite.rerunDay).out)
        check("statement-all", try site.recon(["statement", "--all", "--json"], env: TestSite.rerunDay).out)
        check("verify-document", try site.recon(["verify", "--document", site.path("Outbox/2026-03/invoices/INV-2026-000001.xlsx"),
                                                 "--json"], env: Self.env).out)
        // Operators: one more added by asha, listed, then removed (the same shape as the addition).
        let keygen = try site.recon(["keygen", "carol", "--dir", site.root, "--json"], site: false)
        #expect(keygen.code == 0, "\(keygen.err)")
        check("keygen", keygen.out)
        #expect(keygen.out.contains(try site.read("carol.pub").trimmingCharacters(in: .newlines)), "\(keygen.out)")
        let added = try site.recon(["operator", "add", "carol", site.path("carol.pub"), "--key", key, "--json"], env: TestSite.rerunDay)
        #expect(added.code == 0, "\(added.err)")
        check("operator-add", added.out)
        check("operator-list", try site.recon(["operator", "list", "--json"], env: TestSite.rerunDay).out)
        let removed = try site.recon(["operator", "remove", "carol", "--key", key, "--json"], env: TestSite.rerunDay)
        #expect(removed.code == 0, "\(removed.err)")
        check("operator-add", removed.out)
        check("verify", try site.recon(["verify", "--json"], env: Self.env).out)
        // Damage: an archived drop's bytes changed.
        let drops = try FileManager.default.contentsOfDirectory(atPath: site.path("Ledger/drops")).filter { $0.hasSuffix(".csv") }.sorted()
        try "tampered\n".write(toFile: site.path("Ledger/drops/" + drops[0]), atomically: false, encoding: .utf8)
        let damaged = try site.recon(["verify", "--json"], env: Self.env)
        #expect(damaged.code == 4)
        check("verify-failed", damaged.out)

        #expect(checked == Set(examples.keys), "examples never checked: \(Set(examples.keys).subtracting(checked).sorted())")
    }

    /// With nothing to take, `ingest --json` answers `[]` and nothing else on standard output.
    @Test func anEmptyIngestUnderJSONIsOneJSONValue() throws {
        let site = try TestSite()
        #expect(try site.recon(["init", "--name", "empty"], env: Self.env).code == 0)
        for args in [["ingest", "--json"], ["ingest", "--json", "--dry-run"]] {
            let run = try site.recon(args, env: Self.env)
            #expect(run.code == 0 && run.out == "[]\n", "\(args): \(run.out)")
        }
    }

    /// `recon decide`'s `--by` and `--note` follow the rules of a decisions drop's columns
    /// (SPEC §2 text: no control character, at most 200 characters, a note 1,000): exit 2, nothing appended.
    @Test(arguments: [["--by", "a\u{1}b"], ["--by", String(repeating: "x", count: 201)],
                      ["--by", "Asha", "--note", String(repeating: "n", count: 1_001)]])
    func aDecisionsTextFollowsTheDropsRules(_ extra: [String]) throws {
        let site = try TestSite()
        #expect(try site.recon(["init", "--name", "t", "--base-currency", "INR", "--timezone", "UTC"], env: Self.env).code == 0)
        try site.drop("clients.csv", EndToEndTests.clients)
        try site.drop("radiologists.csv", EndToEndTests.radiologists)
        try site.drop("usage-2026-03.csv", EndToEndTests.usage)
        #expect(try site.recon(["ingest"], env: Self.env).code == 0)
        let before = try site.read("Ledger/ledger.jsonl")
        let run = try site.recon(["decide", "R1", "approve"] + extra + ["--json"], env: Self.env)
        #expect(run.code == 2, "\(run.out)\(run.err)")
        #expect(run.out.contains(#""ok":false"#) && run.out.contains(extra[extra.count - 2]), "\(run.out)")
        #expect(try site.read("Ledger/ledger.jsonl") == before)
    }

    /// A refusal asked for in JSON answers in JSON on both streams, line by line.
    @Test func aRefusalUnderJSONIsJSONOnEveryLine() throws {
        let site = try TestSite()
        #expect(try site.recon(["init", "--name", "test-site"], env: Self.env).code == 0)
        try site.drop("clients.csv", EndToEndTests.clients)
        try site.drop("radiologists.csv", EndToEndTests.radiologists)
        try site.drop("provider_rates.csv", EndToEndTests.providerRates)
        try site.drop("client_rates.csv", EndToEndTests.clientRates)
        try site.drop("fx_rates.csv", EndToEndTests.fx)
        try site.drop("usage-2026-03.csv", EndToEndTests.usage)
        #expect(try site.recon(["ingest", "--log-format", "json"], env: Self.env).code == 0)

        // R2 is over contract and undecided: the close refuses and lists it.
        let r = try site.recon(["close", "2026-03", "--log-format", "json", "--json"], env: Self.env)
        #expect(r.code == 3)
        let out = Self.jsonLines(r.out, "stdout"), err = Self.jsonLines(r.err, "stderr")
        #expect(out.count == 1 && err.count >= 1)
        #expect(out.first?["ok"] == .bool(false))
        #expect(out.first?["exit"] == .int(3))
        let details = out.first?["details"]?.arrayValue ?? []
        #expect(details.count == 1 && details[0].stringValue?.contains("IMAGES_OVER_CONTRACT report R2") == true, "\(r.out)")
        #expect(err.last?["level"] == .string("error") && err.last?["exit"] == .int(3))
        #expect(err.last?["details"] == .array(details))
    }
}
