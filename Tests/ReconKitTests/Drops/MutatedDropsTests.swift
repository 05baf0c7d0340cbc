import Foundation
import Logging
import Testing
@testable import ReconKit

/// 10,000 seeded mutations of valid drops of every kind — byte flips, truncations, duplicated
/// and swapped fields, huge fields, odd encodings, out-of-range values — through the parser and
/// the site's checks in process, and every 100th through the real `recon ingest --dry-run` and
/// `recon ingest`: nothing crashes or hangs, every problem names a line (or is about the whole
/// file) on one line of text, whatever is accepted a workbook can hold, and the ledger verifies.
@Suite("Drops — 10,000 mutated drops", .serialized)
struct MutatedDropsTests {
    static let env = ["RECON_NOW": "2026-04-02T09:00:00Z"]
    static let count = 10_000

    static let bases: [DropKind: String] = [
        .clients: "client_id,name,currency,contract_type,onboarded_on,max_images_per_case,tax_rate\nC2,\"Harbor Clinic, Inc.\",USD,standard,2021-06-01,10,18\nC3,Lake Clinic,INR,premium,2022-01-01,4,\n",
        .radiologists: "radiologist_id,name,grade,seniority_years,currency\nD2,Dr Lee,junior,2,USD\nD3,Dr Iyer,consultant,12,\n",
        .providerRates: "effective_from,grade,modality,urgency,min_seniority_years,rate_per_report,rate_per_image,currency\n2026-04-01,*,*,*,0,55.00,0,INR\n2026-04-01,consultant,CT,stat,5,90.50,1.25,INR\n",
        .clientRates: "effective_from,client_id,contract_type,modality,urgency,tier_from,tier_to,unit_price,currency,tier_mode\n2026-04-01,*,*,*,*,1,10,100.00,INR,volume\n2026-04-01,*,*,*,*,11,,80.00,INR,volume\n",
        .fxRates: "date,currency,rate\n2026-03-01,USD,83.5\n2026-03-02,EUR,90.125\n",
        .usage: "report_id,reported_at,client_id,radiologist_id,modality,image_count,urgency\nRX1,2026-03-02T10:00:00Z,C1,D1,CT,2,routine\nRX2,2026-03-03T11:30+05:30,C1,D1,MR,3,stat\n",
        .decisions: "subject,decision,by,note\nR1,approve,Asha Rao,checked with the hospital\n",
    ]

    /// Values a person (or an attacker) might type into a cell.
    static let oddValues: [String] = [
        "3026-03-10T10:00:00Z", "0000-00-00", "9999-12-31", "1969-12-31T23:59:59Z", "2262-04-12T00:00:00Z",
        String(repeating: "9", count: 60), "1e999", "nan", "-inf", "-0", "0.0000001", "١٢٣", "\u{0}", "\u{1B}[2J",
        "\u{FFFE}", "\u{FEFF}x", "=HYPERLINK(\"http://x\")", ".hidden", "-rf", "..", "a/b", "\"", "\r", "\u{2028}",
        String(repeating: "é", count: 201), String(repeating: "x", count: 40_000), "", " ", "*",
    ]

    struct Mutator {
        var g: SeededGenerator

        mutating func below(_ n: Int) -> Int { n <= 1 ? 0 : g.nextInt(below: n) }

        mutating func mutate(_ text: String) -> [UInt8] {
            var bytes = Array(text.utf8)
            var huge = false
            for _ in 0...below(3) {
                switch below(9) {
                case 0:  // flip bytes
                    for _ in 0...below(4) where !bytes.isEmpty {
                        let picks: [UInt8] = [0, 0xFF, 0xC0, 0x80, 10, 13, 34, 44, 0x7F, UInt8(below(256))]
                        bytes[below(bytes.count)] = picks[below(picks.count)]
                    }
                case 1:  // truncate
                    bytes = Array(bytes.prefix(below(bytes.count + 1)))
                case 2, 3:  // duplicate, swap or replace fields
                    bytes = fields(bytes, op: below(3))
                case 4:  // a huge field, put in last (it makes every later step slow)
                    huge = true
                case 5:  // odd encodings
                    switch below(5) {
                    case 0: bytes = [0xFF, 0xFE] + String(decoding: bytes, as: UTF8.self).utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
                    case 1: bytes = bytes.map { $0 == 10 ? 13 : $0 }
                    case 2: bytes = [0xEF, 0xBB, 0xBF, 0xEF, 0xBB, 0xBF] + bytes
                    case 3: bytes = bytes.map { $0 == UInt8(ascii: "a") ? 0xE9 : $0 }
                    default: bytes = bytes.flatMap { $0 == 10 ? [13, 10] : [$0] }
                    }
                case 6:  // repeat a line
                    var lines = bytes.split(separator: 10, omittingEmptySubsequences: false).map(Array.init)
                    if !lines.isEmpty { lines.insert(lines[below(lines.count)], at: below(lines.count + 1)) }
                    bytes = Array(lines.joined(separator: [10]))
                default:  // an odd value in a cell
                    bytes = fields(bytes, op: 3)
                }
            }
            if huge {
                let commas = bytes.indices.filter { bytes[$0] == 44 }
                let at = commas.isEmpty ? 0 : commas[below(commas.count)] + 1
                bytes.insert(contentsOf: repeatElement(UInt8(ascii: "Z"), count: below(2) == 0 ? 70_000 : 40_000), at: at)
            }
            return bytes
        }

        /// 0 duplicates a field, 1 swaps two, 2 drops one, 3 replaces one with an odd value.
        mutating func fields(_ bytes: [UInt8], op: Int) -> [UInt8] {
            var lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            guard !lines.isEmpty else { return bytes }
            let l = below(lines.count)
            var cells = lines[l].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            let a = below(cells.count), b = below(cells.count)
            switch op {
            case 0: cells.insert(cells[a], at: b)
            case 1: cells.swapAt(a, b)
            case 2: if cells.count > 1 { cells.remove(at: a) }
            default:
                let v = MutatedDropsTests.oddValues[below(MutatedDropsTests.oddValues.count)]
                cells[a] = below(2) == 0 ? v : "\"" + v.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            }
            lines[l] = cells.joined(separator: ",")
            return Array(lines.joined(separator: "\n").utf8)
        }
    }

    /// What a workbook could not hold among accepted rows, if anything.
    static func unsafe(_ rows: ParsedDrop) -> String? {
        func text(_ s: String, _ limit: Int) -> Bool { SafeText.isClean(s) && s.unicodeScalars.count <= limit }
        let years = FieldValue.years
        switch rows {
        case .clients(let list): return list.first { !text($0.name, 200) || !years.contains($0.onboardedOn.components.year) }.map { "client \($0.id)" }
        case .radiologists(let list): return list.first { !text($0.name, 200) }.map { "radiologist \($0.id)" }
        case .decisions(let list): return list.first { !text($0.by, 200) || !text($0.note, 1_000) || !text($0.subject, 200) }.map { "decision \($0.subject)" }
        case .usage(let list):
            // Site time may lie a day either side of UTC.
            return list.first { !(1969...2200).contains(Int($0.reportedAt.utcText.prefix(4)) ?? 0) }.map { "report \($0.id)" }
        case .fxRates(let list): return list.first { !years.contains($0.date.components.year) }.map { "fx line \($0.line)" }
        default: return nil
        }
    }

    /// Problems that are about the whole file carry no line.
    static func isFileLevel(_ message: String) -> Bool {
        message.hasPrefix("the file is empty") || message.hasPrefix("the file name") || message.hasPrefix("the file is UTF-16")
            || message.hasPrefix("the header lacks")
    }

    @Test func tenThousandMutatedDropsGetAnAnswerNeverACrash() throws {
        // A scratch site with C1, D1, cards for March and report R1.
        let site = try TestSite()
        #expect(try site.recon(["init", "--name", "fuzz-site", "--base-currency", "INR", "--timezone", "Asia/Kolkata"], env: Self.env).code == 0)
        try site.drop("clients.csv", "client_id,name,currency,contract_type,onboarded_on,max_images_per_case\nC1,City Hospital,INR,standard,2020-01-01,5\n")
        try site.drop("radiologists.csv", "radiologist_id,name,grade,seniority_years\nD1,Dr Rao,consultant,10\n")
        try site.drop("provider_rates.csv", "effective_from,grade,modality,urgency,rate_per_report,currency\n2026-03-01,*,*,*,50.00,INR\n")
        try site.drop("client_rates.csv", "effective_from,client_id,contract_type,modality,urgency,tier_from,tier_to,unit_price,currency,tier_mode\n2026-03-01,*,*,*,*,1,,100.00,INR,volume\n")
        try site.drop("usage-base.csv", "report_id,reported_at,client_id,radiologist_id,modality,image_count\nR1,2026-03-02T10:00:00Z,C1,D1,CT,2\n")
        let seeded = try site.recon(["ingest"], env: Self.env)
        #expect(seeded.code == 0, "\(seeded.out)\(seeded.err)")

        let session = try SiteSession(site: Site(root: site.root), writing: false, log: Logger(label: "fuzz") { _ in SwiftLogNoOpLogHandler() }, clock: .system)
        let started = ContinuousClock.now
        let parser = DropParser(zone: session.state.zone, baseCurrency: session.state.base)
        let kinds = DropKind.allCases.filter { Self.bases[$0] != nil }
        var mutator = Mutator(g: SeededGenerator(seed: 20_261_201))
        var failures: [String] = []
        var rejected = 0, accepted = 0
        var sample: [(name: String, bytes: [UInt8])] = []
        for i in 0..<Self.count {
            let kind = kinds[i % kinds.count]
            let bytes = mutator.mutate(Self.bases[kind]!)
            let outcome = bytes.withUnsafeBytes { parser.parse($0, kind: kind) }
            var problems = outcome.problems.problems
            if let rows = outcome.rows {
                switch try DropValidator(state: session.state, columns: outcome.columns).check(rows) {
                case .reject(let more): problems += more.problems
                case .accept(let fresh, _):
                    if outcome.problems.isEmpty, let what = Self.unsafe(fresh) { failures.append("#\(i) \(kind): accepted \(what)") }
                case .held: break
                }
            }
            if problems.isEmpty { accepted += 1 } else { rejected += 1 }
            for p in problems {
                if p.line == nil && !Self.isFileLevel(p.message) { failures.append("#\(i) \(kind): no line: \(p)") }
                if p.description.unicodeScalars.contains(where: { SafeText.forbidden($0) != nil }) {
                    failures.append("#\(i) \(kind): unprintable problem: \(SafeText.escaped(p.description.prefix(120)))")
                }
            }
            if i % 100 == 0 { sample.append(("\(kind.rawValue)-fuzz-\(i).csv", bytes)) }
        }
        #expect(failures.count == 0, "e.g. \(failures.prefix(5))")
        #expect(rejected > Self.count / 2 && accepted > 100, "mutations should mostly, not always, break a drop: \(accepted) accepted, \(rejected) rejected")

        let inProcess = ContinuousClock.now - started
        // Every 100th through the real binary, ten files a call: a dry run, then the real ingest.
        for batch in stride(from: 0, to: sample.count, by: 10) {
            let files = sample[batch..<min(batch + 10, sample.count)]
            for f in files { try Data(f.bytes).write(to: URL(fileURLWithPath: site.path("Inbox/" + f.name))) }
            let ledger = try site.read("Ledger/ledger.jsonl")
            let dry = try site.recon(["ingest", "--dry-run"], env: Self.env)
            #expect([0, 2, 3].contains(dry.code), "dry run exit \(dry.code): \(dry.err.suffix(500))")
            #expect(try site.read("Ledger/ledger.jsonl") == ledger)
            #expect(files.allSatisfy { site.exists("Inbox/" + $0.name) }, "a dry run moved a file")
            let real = try site.recon(["ingest"], env: Self.env)
            #expect([0, 2, 3].contains(real.code), "ingest exit \(real.code): \(real.err.suffix(500))")
            for f in files where site.exists("Inbox/rejected/\(f.name).errors.txt") {
                let lines = try site.read("Inbox/rejected/\(f.name).errors.txt").split(separator: "\n")
                // (A closing `see also:` line points to another rejected drop of the run: no problem of its own.)
                for line in lines where !line.hasPrefix("line ") && !Self.isFileLevel(String(line)) && !line.hasPrefix("… and ")
                    && !line.hasPrefix("see also: ") {
                    Issue.record("\(f.name): a problem without a line: \(line.prefix(200))")
                }
            }
            let verify = try site.recon(["verify"], env: Self.env)
            #expect(verify.code == 0, "\(verify.out)\(verify.err)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: site.path("Inbox")).filter { $0.hasSuffix(".csv") }.isEmpty)
        print("mutated drops: \(Self.count) in process (\(accepted) accepted, \(rejected) rejected) in \(inProcess); \(sample.count) through the binary in \(ContinuousClock.now - started - inProcess)")
    }
}
