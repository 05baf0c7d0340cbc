import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

@testable import ReconKit

/// Crash safety: `recon` killed with SIGKILL at seeded random moments of ingest, close, rerun
/// and credit, then run again; and the states a kill can leave, made exactly, then repaired.
@Suite("Crash safety — SIGKILL during ingest, close, rerun and credit loses nothing, repeats nothing", .serialized)
struct CrashTests {
    // MARK: Real kills

    static let clientCount = 5
    static let rowsPerFile = 100
    static let killedCycles = 25

    /// 26 months; each is ingested (two usage drops, 200 reports) and closed (5 invoices,
    /// 5 payout statements). The first month runs undisturbed and times both commands; in
    /// each later month the ingest is killed after a seeded random delay in [0, T) (denser
    /// toward T, where the writes are), T how long
    /// a whole run of the command takes lately (a running mean of the runs that did all the
    /// work), and run again to completion, then the close likewise: 50 kills (with the 50 of
    /// ``killedRerunsAndCreditsApplyEachRequestOnce()``, 100). After each kill: every
    /// drop is either accepted or still in the Inbox. After each completion: `recon verify`
    /// and the auditor's verifier pass, each drop was accepted exactly once, every report is
    /// billed exactly once, and numbers run without a gap or a repeat per kind and year.
    @Test func killedIngestsAndClosesLoseNothingAndRepeatNothing() throws {
        let started = Date()
        let site = try TestSite()
        #expect(try site.recon(["init", "--name", "crash-site"], env: ["RECON_NOW": "2024-01-01T00:00:00Z"]).code == 0)
        var given: [String] = []  // every drop's text, in order
        func put(_ name: String, _ text: String) throws {
            try site.drop(name, text)
            given.append(text)
        }
        try put("clients.csv", Self.clients())
        try put("radiologists.csv", Self.radiologists())
        try put("provider_rates.csv", """
            effective_from,grade,modality,urgency,min_seniority_years,rate_per_report,rate_per_image,currency
            2020-01-01,*,*,*,0,50.00,0,INR
            2020-01-01,consultant,*,*,0,70.00,1.50,INR
            """)
        try put("client_rates.csv", """
            effective_from,client_id,contract_type,modality,urgency,tier_from,tier_to,unit_price,currency,tier_mode
            2020-01-01,*,*,*,*,1,50,100.00,INR,graduated
            2020-01-01,*,*,*,*,51,,80.00,INR,graduated
            """)
        #expect(try site.recon(["ingest"], env: ["RECON_NOW": "2024-01-01T00:00:00Z"]).code == 0)

        var rng = SplitMix(seed: 0x5EED_2026)
        var ingestTime = 0.0, closeTime = 0.0
        var outcomes: [String: Int] = [:]
        var closed: [Period] = []
        for cycle in 0...Self.killedCycles {
            let period = Period(year: 2024 + cycle / 12, month: cycle % 12 + 1)
            let files = (0..<2).map { part in ("usage-\(period)-\(part).csv", Self.usage(period, part: part)) }
            for (name, text) in files { try put(name, text) }
            let ingestNow = ["RECON_NOW": "\(period)-28T12:00:00Z"]
            if cycle == 0 {
                let t = Date()
                let first = try site.recon(["ingest"], env: ingestNow)
                ingestTime = Date().timeIntervalSince(t)
                #expect(first.code == 0, "\(first.err)")
            } else {
                let outcome = try killed(site, ["ingest"], env: ingestNow, after: rng.lateUnit() * ingestTime)
                outcomes["ingest: " + outcome, default: 0] += 1
                // Right after the kill: each drop is in the ledger or still in the Inbox.
                let accepted = Set(try site.bodies("drop.accepted").compactMap { $0["sha256"] as? String })
                for (name, text) in files {
                    #expect(accepted.contains(TestSite.sha256Hex(text)) || site.exists("Inbox/" + name), "\(name) lost by a kill")
                }
                let t = Date()
                let again = try site.recon(["ingest"], env: ingestNow)
                if outcome == "nothing written" { ingestTime = (ingestTime + Date().timeIntervalSince(t)) / 2 }
                #expect(again.code == 0, "ingest after a kill in \(period): \(again.err)")
            }
            try expectWhole(site, given: given, closed: closed, open: period)

            let closeNow = ["RECON_NOW": "\(period.next)-03T09:00:00Z"]
            if cycle == 0 {
                let t = Date()
                let first = try site.recon(["close", period.description], env: closeNow)
                closeTime = Date().timeIntervalSince(t)
                #expect(first.code == 0, "\(first.err)")
            } else {
                if let whole = try killThenRetry(site, ["close", period.description], env: closeNow,
                                                 after: rng.lateUnit() * closeTime, refusal: "already closed", outcomes: &outcomes,
                                                 committed: { try site.bodies("period.closed").contains { $0["period"] as? String == period.description } }) {
                    closeTime = (closeTime + whole) / 2
                }
            }
            closed.append(period)
            try expectWhole(site, given: given, closed: closed, open: nil)
        }
        let summary = outcomes.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: "; ")
        print("crash test: a whole ingest takes about \(Int(ingestTime * 1000)) ms, a close \(Int(closeTime * 1000)) ms; "
              + "kills left: \(summary); \(Int(Date().timeIntervalSince(started))) s in all")
        // Counted from what the kills left, not from the loop: at least a quarter of the kills
        // must land while a command runs (else this test only ever sees finished commands),
        // and the ledger must hold every period's close exactly once.
        let landed = outcomes.filter { !$0.key.contains("finished first") }.values.reduce(0, +)
        #expect(landed * 2 >= Self.killedCycles, "only \(landed) of \(2 * Self.killedCycles) kills landed mid-command: \(summary)")
        let closes = try site.bodies("period.closed").compactMap { $0["period"] as? String }
        #expect(closes == closed.map(\.description), "each period closed once, in order")
    }

    /// What must hold once the command has run to completion.
    func expectWhole(_ site: TestSite, given: [String], closed: [Period], open: Period?,
                     sourceLocation: SourceLocation = #_sourceLocation) throws {
        site.expectAuditorAccepts(sourceLocation: sourceLocation)
        let entries = try site.entries()
        func bodies(_ kind: String) -> [[String: Any]] {
            entries.filter { $0["kind"] as? String == kind }.compactMap { $0["body"] as? [String: Any] }
        }
        let accepted = bodies("drop.accepted").compactMap { $0["sha256"] as? String }
        #expect(accepted.count == Set(accepted).count, "a drop accepted twice", sourceLocation: sourceLocation)
        #expect(Set(accepted) == Set(given.map(TestSite.sha256Hex)), "accepted drops differ from those given", sourceLocation: sourceLocation)
        let inbox = FileIO.list(site.path("Inbox")).filter { !FileIO.isDirectory(site.path("Inbox/" + $0)) }
        #expect(inbox.isEmpty, "left in the Inbox: \(inbox)", sourceLocation: sourceLocation)
        #expect(FileIO.list(site.path("Inbox/held")).isEmpty && FileIO.list(site.path("Inbox/rejected")).isEmpty,
                sourceLocation: sourceLocation)

        // Every document in its place with its SHA-256; numbers per kind and year without a gap.
        expectDocumentsWholeAndGapless(site, entries, sourceLocation: sourceLocation)
        let documents = entries.filter { ($0["kind"] as? String)?.hasSuffix(".issued") == true }
            .compactMap { $0["body"] as? [String: Any] }

        // Every closed month: closed once, an invoice and a statement per party, each report billed once.
        let closes = bodies("period.closed").compactMap { $0["period"] as? String }
        #expect(closes == closed.map(\.description), "closes: \(closes)", sourceLocation: sourceLocation)
        for period in closed {
            let mine = documents.filter { $0["period"] as? String == period.description }
            let invoices = mine.filter { $0["client_id"] != nil }, payouts = mine.filter { $0["radiologist_id"] != nil }
            #expect(invoices.count == Self.clientCount && payouts.count == Self.clientCount, "\(period)", sourceLocation: sourceLocation)
            let billed = invoices.flatMap { $0["lines"] as? [[String: Any]] ?? [] }.reduce(0) { $0 + ($1["quantity"] as? Int ?? 0) }
            #expect(billed == 2 * Self.rowsPerFile, "\(period): \(billed) reports billed", sourceLocation: sourceLocation)
        }
        if let open {
            #expect(!closes.contains(open.description), sourceLocation: sourceLocation)
        }
    }

    /// Kills `recon ARGS` after `delay` seconds (counting what the kill left in `outcomes`), then
    /// runs it again. When `committed` says the killed run reached the ledger, the retry must be
    /// refused (exit 3, saying `refusal`); otherwise it must succeed. Returns the retry's time
    /// when the kill left nothing (a fresh measure of the whole command, for the next kill).
    func killThenRetry(_ site: TestSite, _ args: [String], env: [String: String], after delay: Double,
                       refusal: String, outcomes: inout [String: Int], committed: () throws -> Bool) throws -> Double? {
        let outcome = try killed(site, args, env: env, after: delay)
        outcomes["\(args[0]): " + outcome, default: 0] += 1
        let wasCommitted = try committed()
        let t = Date()
        let again = try site.recon(args, env: env)
        let seconds = Date().timeIntervalSince(t)
        if wasCommitted {
            #expect(again.code == 3 && again.err.contains(refusal), "retry of a committed \(args.joined(separator: " ")): \(again.err)")
        } else {
            #expect(again.code == 0, "\(args.joined(separator: " ")) after a kill: \(again.err)")
        }
        // What the command takes, for the next kill's moment: a whole run's time, or less than
        // `delay` when it finished before the kill (a first run timed under load put every later
        // kill after the command had ended).
        return outcome == "nothing written" ? seconds : outcome.hasPrefix("finished first") ? delay : nil
    }

    /// Starts `recon ARGS`, sends SIGKILL after `delay` seconds, and says what the kill left.
    /// The child is spawned and reaped here, so the signal can only reach it.
    func killed(_ site: TestSite, _ args: [String], env: [String: String], after delay: Double) throws -> String {
        let before = try Data(contentsOf: URL(fileURLWithPath: site.path("Ledger/ledger.jsonl")))
        let argv = [TestSite.binary] + args + ["--site", site.root]
        let environment = ProcessInfo.processInfo.environment.merging(env) { _, new in new }.map { "\($0.key)=\($0.value)" }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let cArgs = argv.map { strdup($0) } + [nil]
        let cEnv = environment.map { strdup($0) } + [nil]
        defer { (cArgs + cEnv).forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, TestSite.binary, &actions, nil, cArgs, cEnv)
        guard spawned == 0 else { throw CocoaError(.executableLoad) }
        // A fault injected at a seeded random moment, not a wait for a condition: where the kill
        // lands is the point (the outcomes above count where they did).
        usleep(UInt32(max(0, delay) * 1_000_000))
        kill(pid, SIGKILL)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let signalled = (status & 0x7F) != 0 && (status & 0x7F) != 0x7F
        if !signalled { return "finished first (exit \((status >> 8) & 0xFF))" }

        let after = try Data(contentsOf: URL(fileURLWithPath: site.path("Ledger/ledger.jsonl")))
        var left: [String] = []
        if FileIO.exists(site.path("Ledger/ledger.jsonl.intent")) { left.append("an unfinished append") }
        if after.last != nil && after.last != 10 { left.append("a half line") }
        if after.count > before.count && left.isEmpty { left.append("entries appended") }
        let named = Set(try site.bodies("drop.accepted").compactMap { ($0["sha256"] as? String).map { $0 + ".csv" } })
        if FileIO.list(site.path("Ledger/drops")).contains(where: { !named.contains($0) }) { left.append("a drop archived, no entry") }
        let temps = (FileManager.default.enumerator(atPath: site.path("Outbox"))?.allObjects as? [String] ?? [])
            .filter { FileIO.baseName($0).hasPrefix(".") && $0.hasSuffix(".tmp") }
        if !temps.isEmpty { left.append("temporary files") }
        return left.isEmpty ? "nothing written" : left.joined(separator: " + ")
    }

    static func clients() -> String {
        "client_id,name,currency,contract_type,onboarded_on,max_images_per_case,tax_rate\n"
            + (1...clientCount).map { "C\($0),Client \($0),INR,standard,2020-01-01,10,\([0, 5, 18][$0 % 3])" }.joined(separator: "\n") + "\n"
    }

    static func radiologists() -> String {
        "radiologist_id,name,grade,seniority_years,currency\n"
            + (1...clientCount).map { "D\($0),Dr \($0),\($0 % 2 == 0 ? "consultant" : "junior"),\($0),INR" }.joined(separator: "\n") + "\n"
    }

    /// 100 reports of one month, spread over every client and radiologist.
    static func usage(_ period: Period, part: Int) -> String {
        var rows = ["report_id,reported_at,client_id,radiologist_id,modality,image_count,urgency"]
        for i in 0..<rowsPerFile {
            let n = part * rowsPerFile + i
            let day = 1 + n % 28, hour = n % 24, minute = (n / 24) % 60
            let time = "\(period)-\(Digits.padded(day, 2))T\(Digits.padded(hour, 2)):\(Digits.padded(minute, 2)):00Z"
            rows.append("R\(period)-\(n),\(time),C\(n % clientCount + 1),D\((n * 7) % clientCount + 1),"
                        + "\(["CT", "MR", "XR"][n % 3]),\(1 + n % 4),\(n % 5 == 0 ? "stat" : "routine")")
        }
        return rows.joined(separator: "\n") + "\n"
    }

    /// SplitMix64: seeded, so every run kills at the same moments.
    struct SplitMix {
        var generator: SplitMix64
        init(seed: UInt64) { generator = SplitMix64(seed: seed) }
        mutating func next() -> UInt64 { generator.next() }
        /// Uniform in [0, 1).
        mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
        /// In [0, 1), denser toward 1 (density 2x): a command reads and checks first and
        /// writes last, so half the kills land in the last 30 % of its run.
        mutating func lateUnit() -> Double { unit().squareRoot() }
    }

    // MARK: The states a kill leaves, made exactly

    /// An ingest killed after noting the workbooks it would owe, before its append wrote a byte
    /// (a Ctrl-C while it appends, as to `ingest` or `decide`, which hold no signal): nothing was
    /// recorded, and status said the drafts were out of date, "interrupted after recording them".
    /// The note says how many entries the ledger held; with no more, nothing is owed, and the
    /// next writer takes the note away.
    @Test(.enabled(if: strace != nil, "needs strace (Debian strace) to kill the ingest at its append"))
    func aNoteLeftBeforeTheAppendOwesNothing() throws {
        let site = try TestSite.marchSite()
        let before = try site.ledgerBytes()
        let killed = try lateReportIngested(site, faulting: "Ledger/ledger.jsonl", calls: "write,pwrite64,writev", with: "signal=SIGKILL")
        #expect(killed.code != 0, "the ingest was not killed: \(killed.err)")
        #expect(try site.ledgerBytes() == before)
        #expect(site.exists(".recon/derived.pending"), "the ingest was killed before its note")
        let status = try site.recon(["status"], env: TestSite.closeDay)
        #expect(!status.err.contains("out of date"), "\(status.err)")
        let json = try site.recon(["status", "--json"], env: TestSite.closeDay)
        #expect(json.out.contains("\"owed\":[]"), "\(json.out)")
        #expect(try site.recon(["ingest"], env: TestSite.closeDay).code == 0)
        #expect(!site.exists(".recon/derived.pending"))
        site.expectAuditorAccepts()
    }

    /// A command killed after its entries, before the workbooks it owed: the note it left
    /// (`.recon/derived.pending`, written before its append) makes the next writing command
    /// write them — a `recon watch --once` with nothing to take included. Here an ingest's
    /// drafts and summary are gone, and a rerun's period still shows its close's review.
    @Test func workbooksOwedByAKilledCommandAreWrittenByTheNextOne() throws {
        let site = try TestSite.closedMarchSite()
        let key = try site.operatorKey("asha", listed: true)
        let closeReview = try Data(contentsOf: URL(fileURLWithPath: site.path("Outbox/2026-03/review.xlsx")))
        #expect(try site.recon(["rerun", "2026-03", "--reason", "card agreed late", "--key", key], env: TestSite.rerunDay).code == 0)
        let rerunReview = try Data(contentsOf: URL(fileURLWithPath: site.path("Outbox/2026-03/review.xlsx")))
        #expect(rerunReview != closeReview)
        try site.drop("usage-2026-04.csv", TestSite.april)
        #expect(try site.recon(["ingest"], env: TestSite.rerunDay).code == 0)
        #expect(!site.exists(".recon/derived.pending"), "nothing is owed once a command has finished")
        let drafts = try Data(contentsOf: URL(fileURLWithPath: site.path("Outbox/2026-04/drafts/invoices.xlsx")))

        // As the killed commands left the site: their entries in, their workbooks not written.
        for file in ["Outbox/2026-04/drafts/invoices.xlsx", "Outbox/2026-04/drafts/payouts.xlsx", "Outbox/margin-summary.xlsx"] {
            try FileManager.default.removeItem(atPath: site.path(file))
        }
        try closeReview.write(to: URL(fileURLWithPath: site.path("Outbox/2026-03/review.xlsx")))
        try "drafts\nreview 2026-03\nsummary\n".write(toFile: site.path(".recon/derived.pending"), atomically: true, encoding: .utf8)
        let before = try site.ledgerBytes()

        // `status`, which writes nothing, says what is owed and what puts it right: it said
        // nothing, and its JSON's `owed` was empty, while the drafts showed an earlier state.
        let status = try site.recon(["status"], env: TestSite.rerunDay)
        #expect(status.err.contains("the open months' drafts and review workbooks are out of date, and "
            + "Outbox/2026-03/review.xlsx is out of date, and Outbox/margin-summary.xlsx is out of date (a command "
            + "ended after recording entries, before writing them: interrupted, or refused part way); the next writing command puts it right (`recon watch --once`, say)"), "\(status.err)")
        let json = try site.recon(["status", "--json"], env: TestSite.rerunDay)
        #expect(json.out.contains("\"owed\":[\"the open months' drafts and review workbooks are out of date\""), "\(json.out)")

        let watch = try site.recon(["watch", "--once", "--stable", "0.2"], env: TestSite.rerunDay)
        #expect(watch.code == 0, "\(watch.err)")
        #expect(watch.err.contains("wrote again the workbooks an earlier command owed (drafts, review 2026-03, summary)"), "\(watch.err)")
        // The review was there, out of date: not said to have been missing.
        #expect(!watch.err.contains("review.xlsx again: it was missing"), "\(watch.err)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: site.path("Outbox/2026-04/drafts/invoices.xlsx"))) == drafts)
        #expect(site.exists("Outbox/2026-04/drafts/payouts.xlsx") && site.exists("Outbox/margin-summary.xlsx"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: site.path("Outbox/2026-03/review.xlsx"))) == rerunReview)
        #expect(!site.exists(".recon/derived.pending"))
        #expect(try site.ledgerBytes() == before)
        #expect(!(try site.recon(["status"], env: TestSite.rerunDay).err.contains("out of date")))
        site.expectAuditorAccepts()
    }

    /// `recon decide` killed once its entry was in prints nothing, so it is given again: the
    /// decision in force is the same, and nothing is appended twice (a different decision is).
    @Test func theSameDecisionGivenAgainIsRecordedOnce() throws {
        let site = try TestSite.marchSite()
        let first = try site.recon(["decide", "R2", "approve", "--by", "Asha", "--note", "trauma series"], env: TestSite.closeDay)
        #expect(first.code == 0, "\(first.err)")
        let count = try site.entries().count
        let again = try site.recon(["decide", "R2", "approve", "--by", "Asha", "--note", "trauma series"], env: TestSite.closeDay)
        #expect(again.code == 0, "\(again.err)")
        // The answer names the entry in force, and that nothing new was recorded.
        #expect(first.out.hasPrefix("recorded: R2 approve by Asha (seq"), "\(first.out)")
        #expect(again.out == "already recorded, nothing appended: " + first.out.dropFirst("recorded: ".count), "\(again.out)")
        #expect(again.err.contains("already recorded (seq \(count))"), "\(again.err)")
        #expect(try site.entries().count == count)
        let changed = try site.recon(["decide", "R2", "exclude", "--by", "Asha"], env: TestSite.closeDay)
        #expect(try changed.code == 0 && site.entries().count == count + 1, "\(changed.err)")
        site.expectAuditorAccepts()
    }

    /// A last line cut short is no entry: verify says ok for the entries and notes the tail; the next writer cuts it and says so.
    /// As a command killed inside its append leaves it: beside the intent record it wrote first
    /// (unsigned here, as by a command that could not read the site key).
    @Test func aHalfWrittenLastLineIsCutAwayByTheNextWriter() throws {
        let site = try TestSite.marchSite()
        let path = site.path("Ledger/ledger.jsonl")
        let whole = try Data(contentsOf: URL(fileURLWithPath: path))
        let count = try site.ledgerLines().count
        let half = Data(#"{"at":"2026-04-02T09:00:00Z","body":{"name":"usage-x.csv","#.utf8)
        try "\(whole.count) \(whole.count + 400)\n".write(toFile: path + ".intent", atomically: true, encoding: .utf8)
        try (whole + half).write(to: URL(fileURLWithPath: path))
        let verify = try site.recon(["verify"])
        #expect(verify.code == 0)
        #expect(verify.out.hasPrefix("ok \(count) "), "\(verify.out)")
        #expect(verify.err.contains("a last line without its newline (\(half.count) bytes) after seq \(count): not an entry"), "\(verify.err)")
        // status shows the entries' figures and says what the next writer will do with the tail.
        let status = try site.recon(["status"])
        #expect(status.code == 0)
        #expect(status.err.contains("the ledger ends in an unfinished append after seq \(count) (\(half.count) bytes)"), "\(status.err)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == whole + half)

        let write = try site.recon(["ingest"], env: TestSite.closeDay)
        #expect(write.code == 0, "\(write.err)")
        #expect(write.err.contains("cut away a half-written last ledger line (\(half.count) bytes)"), "\(write.err)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == whole)
        site.expectAuditorAccepts()
    }

    /// `recon init` killed inside its one append leaves a ledger without a complete line (empty,
    /// or the start of `site.init`) beside its intent: every command said the first entry is not
    /// site.init (exit 4) and init refused the folder for holding a ledger, so it could never be
    /// used. Commands now say to run init again, and init does it, keeping the key it wrote.
    @Test func anInitKilledInItsAppendIsDoneAgain() throws {
        let site = try TestSite()
        #expect(try site.recon(["init", "--name", "half-site"]).code == 0)
        let path = site.path("Ledger/ledger.jsonl")
        let whole = try Data(contentsOf: URL(fileURLWithPath: path))
        let key = try site.read("Ledger/keys/site.pub")
        for cut in [0, 100] {
            try whole.prefix(cut).write(to: URL(fileURLWithPath: path))
            try "0 \(whole.count)\n".write(toFile: path + ".intent", atomically: true, encoding: .utf8)
            for args in [["status"], ["verify"]] {
                let run = try site.recon(args)
                #expect(run.code == 1, "\(args): \(run.out)\(run.err)")
                #expect((run.out + run.err).contains("`recon init` was interrupted before it wrote site.init"), "\(run.out)\(run.err)")
            }
            let again = try site.recon(["init", "--name", "half-site"])
            #expect(again.code == 0, "\(again.err)")
            #expect(try site.read("Ledger/keys/site.pub") == key, "the key init wrote is kept")
            #expect(!site.exists("Ledger/ledger.jsonl.intent"))
            #expect(try site.recon(["verify"]).code == 0)
        }
    }

    /// The same with `--key-dir`: the interrupted init had written its key outside the site and
    /// named it in recon.toml; the retry was refused ("already exists"). It keeps that key.
    @Test func anInitWithAKeyDirKilledInItsAppendIsDoneAgain() throws {
        let site = try TestSite()
        let keyDir = site.root + "-keys"
        defer { try? FileManager.default.removeItem(atPath: keyDir) }
        #expect(try site.recon(["init", "--name", "half-site", "--key-dir", keyDir]).code == 0)
        let key = try String(contentsOfFile: keyDir + "/half-site.key", encoding: .utf8)
        try Data().write(to: URL(fileURLWithPath: site.path("Ledger/ledger.jsonl")))
        let again = try site.recon(["init", "--name", "half-site", "--key-dir", keyDir])
        #expect(again.code == 0, "\(again.err)")
        #expect(try String(contentsOfFile: keyDir + "/half-site.key", encoding: .utf8) == key)
        #expect(try site.recon(["verify"]).code == 0)
    }

    /// The last entry cut short with no intent record beside it (an append writes one first
    /// and removes it only once its lines are on disk): no crash left that, and the next writer
    /// cut the decision it held away as if one had. It is damage: verify and every writer say
    /// so (exit 4) and cut nothing.
    @Test func aLastEntryCutShortWithoutAnIntentIsDamage() throws {
        let site = try TestSite.marchSite()
        #expect(try site.recon(["decide", "R2", "approve", "--by", "Asha"], env: TestSite.closeDay).code == 0)
        let path = site.path("Ledger/ledger.jsonl")
        let whole = try Data(contentsOf: URL(fileURLWithPath: path))
        let count = try site.ledgerLines().count
        let cut = whole.prefix(whole.count - 100)
        try cut.write(to: URL(fileURLWithPath: path))
        let verify = try site.recon(["verify"])
        #expect(verify.code == 4, "\(verify.out)")
        #expect(verify.out.contains("seq \(count): the last line ends after"), "\(verify.out)")
        #expect(verify.out.contains("no intent record"), "\(verify.out)")
        // With the way out for one who knows how the line was cut: the entries before it verify.
        let valid = (cut.lastIndex(of: UInt8(ascii: "\n")) ?? -1) + 1
        #expect(verify.out.contains("`truncate -s \(valid) Ledger/ledger.jsonl` (the \(count - 1) entries before it verify)"), "\(verify.out)")
        let write = try site.recon(["decide", "R2", "exclude", "--by", "Asha"], env: TestSite.closeDay)
        #expect(write.code == 4, "\(write.err)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == cut, "nothing cut, nothing appended")
        // The readers say so too, every time (no figures kept from a ledger that does not verify).
        for _ in 0..<2 {
            let status = try site.recon(["status"])
            #expect(status.code == 4, "\(status.out)")
            #expect(status.err.contains("seq \(count): the last line ends after"), "\(status.err)")
        }
        let operators = try site.recon(["operator", "list"])
        #expect(operators.code == 4, "\(operators.out)")
        // Nor does any file in the intent's place explain it: an empty one, another text, or an
        // intent whose batch ends before the line does (each let a writer cut the decision away).
        for intent in ["", "garbage\n", "0 \(cut.count - 10)\n"] {
            try intent.write(toFile: path + ".intent", atomically: true, encoding: .utf8)
            #expect(try site.recon(["verify"]).code == 4, "intent \(intent)")
            let again = try site.recon(["decide", "R2", "exclude", "--by", "Asha"], env: TestSite.closeDay)
            #expect(again.code == 4, "intent \(intent): \(again.err)")
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == cut, "intent \(intent): cut or appended")
        }
    }

    /// A close killed in the middle of its one append, just after a line's end: the two
    /// complete lines look like entries, but the intent record says the batch never finished.
    /// verify reports it; the next `recon close` cuts the whole batch and closes again, giving
    /// the very same ledger, documents and checkpoint, byte for byte.
    @Test func aCloseKilledInsideItsAppendIsCutWholeAndDoneAgainIdentically() throws {
        let site = try TestSite.marchSite()
        let path = site.path("Ledger/ledger.jsonl")
        #expect(try site.recon(["close", "2026-03"], env: TestSite.closeDay).code == 0)
        let closedLedger = try Data(contentsOf: URL(fileURLWithPath: path))
        let lines = try site.ledgerLines()
        let files = try site.entries().compactMap { ($0["body"] as? [String: Any])?["file"] as? String }
        #expect(files.count == 4)
        let documents = try files.map { try Data(contentsOf: URL(fileURLWithPath: site.path($0))) }
        let checkpoint = try site.read("Ledger/checkpoints/\(lines.count).txt")

        // The batch: four documents and period.closed, the last five lines.
        let batchStart = lines.dropLast(5).reduce(0) { $0 + $1.count + 1 }
        let twoLinesIn = batchStart + lines.suffix(5).prefix(2).reduce(0) { $0 + $1.count + 1 }
        try closedLedger.prefix(twoLinesIn).write(to: URL(fileURLWithPath: path))
        // The intent the close wrote: signed by the site key (an unsigned one would cut nothing).
        let key = try SiteKeyFile.load(Site(root: site.root))
        try SignedNote.sign(text: LedgerFile.intentText(start: batchStart, end: closedLedger.count), with: key)
            .write(toFile: path + ".intent", atomically: true, encoding: .utf8)
        for file in files { try FileManager.default.removeItem(atPath: site.path(file)) }
        try FileManager.default.removeItem(atPath: site.path("Ledger/checkpoints/\(lines.count).txt"))
        // The ledger prefix a close writes is put in place only once its append is durable, as is
        // the month's index (which stays a hidden temporary file until then).
        try FileManager.default.moveItem(atPath: site.path(LedgerPrefix.relativePath), toPath: site.path(LedgerPrefix.nextRelativePath))
        try FileManager.default.removeItem(atPath: site.path(".recon/closed/2026-03.idx"))

        let verify = try site.recon(["verify"])
        #expect(verify.code == 0, "the entries before the unfinished append verify: \(verify.out)")
        #expect(verify.out.hasPrefix("ok \(lines.count - 5) "), "\(verify.out)")
        #expect(verify.err.contains("\(twoLinesIn - batchStart) bytes (2 complete lines) of an append that never finished"),
                "\(verify.err)")
        let status = try site.recon(["status", "--json"])
        #expect(status.code == 0 && status.out.contains("2026-03"), "the month is still open: \(status.out)")

        let again = try site.recon(["close", "2026-03"], env: TestSite.closeDay)
        #expect(again.code == 0, "\(again.err)")
        #expect(again.err.contains("cut away an append left unfinished by an interrupted command (\(twoLinesIn - batchStart) bytes, 2 complete lines of it)"),
                "\(again.err)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == closedLedger)
        for (file, bytes) in zip(files, documents) {
            #expect(try Data(contentsOf: URL(fileURLWithPath: site.path(file))) == bytes, "\(file)")
        }
        #expect(try site.read("Ledger/checkpoints/\(lines.count).txt") == checkpoint)
        #expect(!FileIO.exists(path + ".intent"))
        #expect(site.exists(LedgerPrefix.relativePath) && !site.exists(LedgerPrefix.nextRelativePath))
        site.expectAuditorAccepts()
    }

    /// `strace`, to kill a process at one exact system call (Debian `strace`; `.ci/setup` installs it).
    static let strace = ProcessRunner.executable(named: "strace")

    /// An ingest killed after its entries and the status figures it keeps, before its drafts:
    /// `status` answered from those figures and said nothing was owed. The note of owed
    /// workbooks sends it the long way, which says what is out of date.
    @Test func statusWithKeptFiguresStillSaysWhichWorkbooksAreOwed() throws {
        let site = try TestSite.marchSite()
        #expect(try site.recon(["status"], env: TestSite.closeDay).code == 0)
        #expect(site.exists(".recon/status.cache"), "the figures are kept")
        #expect(!(try site.recon(["status"], env: TestSite.closeDay).err.contains("out of date")))
        try "drafts\n".write(toFile: site.path(".recon/derived.pending"), atomically: true, encoding: .utf8)
        let status = try site.recon(["status", "--json"], env: TestSite.closeDay)
        #expect(status.out.contains("\"owed\":[\"the open months' drafts and review workbooks are out of date\"]"), "\(status.out)")
        #expect(status.err.contains("out of date"), "\(status.err)")
    }

    /// A watcher killed after a drop's entry, before it took the file out of the Inbox, left the
    /// accepted bytes there: the close refused, calling it a drop "not yet ingested". It is a
    /// copy of an accepted drop: the close takes it out, says so, and closes.
    @Test func anAcceptedDropLeftInTheInboxDoesNotHoldTheClose() throws {
        let site = try TestSite.marchSite()
        try site.drop("usage-2026-03.csv", TestSite.trustMarch)
        let close = try site.recon(["close", "2026-03"], env: TestSite.closeDay)
        #expect(close.code == 0, "\(close.out)\(close.err)")
        #expect(close.err.contains("Inbox/usage-2026-03.csv: the same bytes were accepted at seq"), "\(close.err)")
        #expect(!site.exists("Inbox/usage-2026-03.csv"))
        site.expectAuditorAccepts()
    }

    /// A rejection killed (strace, SIGKILL) as it takes the drop out of the Inbox, after the
    /// drop and its errors file are in `rejected/`; and one killed as it puts the drop there,
    /// after its errors file. Rejected again by the next ingest, the drop was kept a second time
    /// (`usage-bad-2.csv`, status "rejected: 2") or beside an errors file of its own with no drop.
    /// It is kept once, with its errors file.
    @Test(.enabled(if: strace != nil, "needs strace (Debian strace) to kill the ingest at one system call"),
          arguments: [("unlink,unlinkat,rename,renameat,renameat2", "Inbox/usage-bad.csv"),
                      ("rename,renameat,renameat2", "Inbox/rejected/usage-bad.csv")])
    func aRejectionKilledPartWayKeepsTheDropOnce(call: String, path: String) throws {
        let site = try TestSite.marchSite()
        try site.drop("usage-bad.csv", "report_id,reported_at\nX1,2026-03-10T10:00:00Z\n")
        let killed = try ProcessRunner.run(try #require(Self.strace),
            ["-f", "-o", "/dev/null", "-P", site.path(path), "-e", "trace=\(call)", "-e", "inject=\(call):signal=SIGKILL:when=1",
             TestSite.binary, "ingest", "--site", site.root], environment: TestSite.closeDay)
        #expect(killed.code != 0, "the ingest was not killed: \(killed.err)")
        let again = try site.recon(["ingest"], env: TestSite.closeDay)
        #expect(again.code == 2, "\(again.err)")
        #expect(FileIO.list(site.path("Inbox/rejected")) == ["usage-bad.csv", "usage-bad.csv.errors.txt"])
        #expect(try site.read("Inbox/rejected/usage-bad.csv.errors.txt").hasPrefix("the header lacks"))
        #expect(!site.exists("Inbox/usage-bad.csv"))
        let status = try site.recon(["status"], env: TestSite.closeDay)
        #expect(status.out.contains("rejected: 1"), "\(status.out)")
        site.expectAuditorAccepts()
    }

    /// The same for a stray (a link, a folder), moved as it is: killed as it goes into
    /// `rejected/`, after its errors file. The next ingest kept it as `NAME-2`, beside an
    /// errors file of its own with no entry that no command removed. It is kept once.
    @Test(.enabled(if: strace != nil, "needs strace (Debian strace) to kill the ingest at one system call"),
          arguments: ["link", "folder"])
    func aStrayRejectionKilledPartWayKeepsTheStrayOnce(stray: String) throws {
        let site = try TestSite.marchSite()
        let name = "usage-\(stray).csv"
        if stray == "link" {
            #expect(symlink(site.path("recon.toml"), site.path("Inbox/" + name)) == 0)
        } else {
            try FileIO.makeDirectory(site.path("Inbox/" + name))
        }
        let calls = "rename,renameat,renameat2"
        let killed = try ProcessRunner.run(try #require(Self.strace),
            ["-f", "-o", "/dev/null", "-P", site.path("Inbox/rejected/" + name), "-e", "trace=\(calls)",
             "-e", "inject=\(calls):signal=SIGKILL:when=1", TestSite.binary, "ingest", "--site", site.root], environment: TestSite.closeDay)
        #expect(killed.code != 0, "the ingest was not killed: \(killed.err)")
        #expect(FileIO.list(site.path("Inbox/rejected")) == [name + ".errors.txt"], "not killed between its errors file and the move")
        let again = try site.recon(["ingest"], env: TestSite.closeDay)
        #expect(again.code == 2, "\(again.err)")
        #expect(FileIO.list(site.path("Inbox/rejected")) == [name, name + ".errors.txt"], "\(again.err)")
        #expect(!again.err.contains("\(name): kept as"), "\(again.err)")
        let status = try site.recon(["status"], env: TestSite.closeDay)
        #expect(status.out.contains("rejected: 1"), "\(status.out)")
        site.expectAuditorAccepts()
    }

    /// What a rerun stopped after archiving a held drop, before its entry, leaves: the archive no
    /// entry names, the drop still in `Inbox/held/`. The next writer removes the archive and said
    /// the drop "still waits in the Inbox (the next ingest takes it)", where no ingest looks.
    @Test func anArchiveOfAHeldDropNoEntryNamesIsSaidToWaitInHeld() throws {
        let site = try TestSite.closedMarchSite()
        let bytes = try site.read("Inbox/held/usage-late.csv")
        let sha = try #require(Ingestor.sha256(ofDrop: site.path("Inbox/held/usage-late.csv")))
        try bytes.write(toFile: site.path("Ledger/drops/\(sha).csv"), atomically: true, encoding: .utf8)
        let watch = try site.recon(["watch", "--once"], env: TestSite.rerunDay)
        #expect(watch.code == 0, "\(watch.err)")
        #expect(watch.err.contains("removed the archive \(sha).csv of a drop an interrupted command took but never recorded; the drop "
            + "still waits in Inbox/held/ (the rerun of the closed month it touches takes it)"), "\(watch.err)")
        #expect(!site.exists("Ledger/drops/\(sha).csv") && site.exists("Inbox/held/usage-late.csv"))
    }

    /// A line someone appended to the ledger after the writer's checks, once its intent was in
    /// place and before its own bytes: the batch, chained from the head it checked, landed after
    /// that line, and the close signed a checkpoint over a ledger no verifier accepts (exit 0).
    /// strace holds the intent's rename for a moment; the test appends the moment the intent
    /// is there. The batch is taken back, the foreign line left for verify to name, exit 4.
    /// The ledger cut shorter there instead was said as "-442 bytes something else wrote".
    @Test(.enabled(if: strace != nil, "needs strace (Debian strace) to hold the writer between its intent and its append"),
          arguments: ["append", "cut"])
    func aLineAppendedByAnotherHandMidAppendIsNeverSignedOver(change: String) throws {
        let site = try TestSite.marchSite()
        let ledger = site.path("Ledger/ledger.jsonl")
        let before = try site.ledgerBytes()
        let closing = try RunningProcess(try #require(Self.strace),
            ["-f", "-o", "/dev/null", "-P", ledger + ".intent", "-e", "trace=rename,renameat,renameat2",
             "-e", "inject=rename,renameat,renameat2:delay_exit=2000000:when=1",
             TestSite.binary, "close", "2026-03", "--site", site.root], environment: TestSite.closeDay)
        #expect(ProcessRunner.wait(upTo: 60) { FileManager.default.fileExists(atPath: ledger + ".intent") }, "the close wrote no intent")
        let foreign = Array("{\"seq\":999}\n".utf8)
        if change == "append" {
            let fd = open(ledger, O_WRONLY | O_APPEND)
            #expect(fd >= 0 && write(fd, foreign, foreign.count) == foreign.count)
            close(fd)
        } else {
            #expect(truncate(ledger, off_t(before.count - 10)) == 0)
        }
        let closed = closing.finish()
        #expect(closed.code == 4 && closed.err.contains("changed on disk while this command held the site lock")
                && closed.err.contains("nothing was appended"), "\(closed.out)\(closed.err)")
        #expect(change == "append" ? closed.err.contains("\(foreign.count) bytes something else wrote landed before this command's entries")
                : closed.err.contains("it was cut 10 bytes shorter"), "\(closed.err)")
        #expect(try site.ledgerBytes() == (change == "append" ? before + foreign : before.prefix(before.count - 10)))
        #expect(!site.exists("Ledger/ledger.jsonl.intent"))
        #expect(try site.bodies("period.closed").isEmpty)
    }

    /// A file put at the checkpoint's name while a close ran, after its append: the close said
    /// "the ledger was cut and rewritten behind it" (false) and not that the month was closed,
    /// its documents issued; read as failed, it would be run again. It says what stands.
    @Test(.enabled(if: strace != nil, "needs strace (Debian strace) to hold the close after its append"))
    func aCheckpointNamePlantedMidCloseIsSaidAsSuch() throws {
        let site = try TestSite.marchSite()
        let size = try site.ledgerBytes().count
        let closing = try RunningProcess(try #require(Self.strace),
            ["-f", "-o", "/dev/null", "-P", site.path("Outbox/2026-03/invoices/INV-2026-000001.xlsx"),
             "-e", "trace=rename,renameat,renameat2", "-e", "inject=rename,renameat,renameat2:delay_enter=2000000:when=1",
             TestSite.binary, "close", "2026-03", "--site", site.root], environment: TestSite.closeDay)
        #expect(ProcessRunner.wait(upTo: 60) { ((try? site.ledgerBytes().count) ?? 0) > size }, "the close never appended")
        let count = try site.ledgerLines().count
        try "not this site's checkpoint\n".write(toFile: site.path("Ledger/checkpoints/\(count).txt"), atomically: true, encoding: .utf8)
        let closed = closing.finish()
        #expect(closed.code == 4, "\(closed.out)\(closed.err)")
        #expect(closed.err.contains("appeared while this command ran") && closed.err.contains("its documents issued — do not issue them again"),
                "\(closed.err)")
        #expect(!closed.err.contains("the ledger was cut"), "\(closed.err)")
        #expect(try site.bodies("period.closed").count == 1)
    }

    /// A disk that failed the checkpoint's write after a close's or a credit's append (strace
    /// fails its link into place) made the command exit 1 with a bare I/O error, `"ok": false`,
    /// its documents issued: a script that credited again credited the invoice twice. The
    /// command says its documents are issued and the checkpoint owed, exits 0, and the next
    /// writer signs the checkpoint.
    @Test(.enabled(if: strace != nil, "needs strace (Debian strace) to fail the checkpoint's link"), arguments: ["close", "credit"])
    func aCheckpointTheDiskFailsAfterTheAppendIsOwedNotAnError(command: String) throws {
        let site = try TestSite.marchSite()
        var args = ["close", "2026-03"]
        var env = TestSite.closeDay
        if command == "credit" {
            #expect(try site.recon(args, env: env).code == 0)
            let key = try site.operatorKey("asha", listed: true)
            args = ["credit", "INV-2026-000001", "--amount", "1.00", "--reason", "goodwill", "--key", key]
            env = TestSite.rerunDay
        }
        let checkpoints = try FileManager.default.contentsOfDirectory(atPath: site.path("Ledger/checkpoints")).count
        let failed = try ProcessRunner.run(try #require(Self.strace),
            ["-f", "-o", "/dev/null", "-e", "trace=link,linkat", "-e", "inject=link,linkat:error=EIO:when=1",
             TestSite.binary] + args + ["--site", site.root, "--json"], environment: env)
        #expect(failed.code == 0, "\(failed.out)\(failed.err)")
        #expect(failed.err.contains("could not be written") && failed.err.contains("its documents issued — do not issue them again"),
                "\(failed.err)")
        #expect(failed.out.contains("\"ok\":true") && failed.out.contains("\"checkpoint\":null"), "\(failed.out)")
        let issued = command == "close" ? try site.bodies("period.closed").count : try site.bodies("credit_note.issued").count
        #expect(issued == 1)
        #expect(try FileManager.default.contentsOfDirectory(atPath: site.path("Ledger/checkpoints")).count == checkpoints)
        // A next writer the disk fails the same way says it is the checkpoint owed, and that
        // nothing of its own was recorded (it said only the I/O error).
        let ledger = try site.ledgerBytes()
        let again = try ProcessRunner.run(try #require(Self.strace),
            ["-f", "-o", "/dev/null", "-e", "trace=link,linkat", "-e", "inject=link,linkat:error=EIO",
             TestSite.binary, "watch", "--once", "--site", site.root], environment: env)
        #expect(again.code == 1 && again.err.contains("the checkpoint an earlier command owes could not be written")
                && again.err.contains("nothing of this command was recorded"), "\(again.code) \(again.err)")
        #expect(try site.ledgerBytes() == ledger)
        // The next writer signs the checkpoint owed; the site verifies.
        #expect(try site.recon(["watch", "--once"], env: env).code == 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: site.path("Ledger/checkpoints")).count == checkpoints + 1)
        #expect(try site.recon(["verify", "--strict"]).code == 0)
        site.expectAuditorAccepts()
    }

    /// A disk that fails the private key's flush (full, or an I/O error) made `recon keygen`
    /// exit 3, "refused", which a script reads as policy; an error is 1 (SPEC §8). A key file
    /// there already is still a refusal, and the retry after the failure makes the pair.
    @Test(.enabled(if: strace != nil, "needs strace (Debian strace) to fail the key's fsync"))
    func aKeygenWhoseDiskFailsExitsOneNotRefused() throws {
        let site = try TestSite()
        let dir = site.path("keys")
        let failed = try ProcessRunner.run(try #require(Self.strace),
            ["-f", "-o", "/dev/null", "-e", "trace=fsync", "-e", "inject=fsync:error=ENOSPC:when=1",
             TestSite.binary, "keygen", "k", "--dir", dir])
        #expect(failed.code == 1 && failed.err.contains("No space left on device"), "\(failed.out)\(failed.err)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/k.key"))
        #expect(try site.recon(["keygen", "k", "--dir", dir], site: false).code == 0)
        let again = try site.recon(["keygen", "k", "--dir", dir], site: false)
        #expect(again.code == 3 && again.err.contains("already exists"), "\(again.err)")
    }

    /// A SIGTERM to a close once its workbooks are written, before its append (strace delivers
    /// it at the sync of the Outbox's file system): the close stops with nothing recorded, says
    /// so, and leaves none of its workbooks' temporary files. Ended by the signal there, it left
    /// `.INV-….xlsx.PID.tmp` files in the folders of final documents, which an auditor's strict
    /// verifier reads as the trace of a cut ledger, and said nothing.
    @Test(.enabled(if: strace != nil, "needs strace (Debian strace) to deliver the signal at one system call"))
    func aCloseStoppedBeforeItsAppendSaysSoAndLeavesNoTemporaryWorkbook() throws {
        let site = try TestSite.marchSite()
        let before = try site.ledgerBytes()
        let stopped = try ProcessRunner.run("/usr/bin/env",
            ["--default-signal=TERM", try #require(Self.strace), "-f", "-o", "/dev/null", "-e", "trace=syncfs",
             "-e", "inject=syncfs:signal=SIGTERM:when=1", TestSite.binary, "close", "2026-03", "--site", site.root],
            environment: TestSite.closeDay)
        // Ended by the signal itself, as the default action would have (strace ends the same way).
        #expect(stopped.code == SIGTERM, "the close was not stopped: \(stopped.code) \(stopped.err)")
        #expect(stopped.err.contains("stopped by SIGTERM before anything was recorded"), "\(stopped.err)")
        #expect(try site.ledgerBytes() == before)
        let leftovers = FileManager.default.enumerator(atPath: site.root)?.compactMap { $0 as? String }.filter { $0.hasSuffix(".tmp") } ?? []
        #expect(leftovers.isEmpty, "\(leftovers)")
        // Nor a note of workbooks owed after entries never made (status said they were out of date).
        #expect(!site.exists(".recon/derived.pending"))
        #expect(!(try site.recon(["status"], env: TestSite.closeDay).err.contains("out of date")))
        #expect(try site.recon(["verify", "--strict"]).code == 0)
        site.expectAuditorAccepts()
        #expect(try site.recon(["close", "2026-03"], env: TestSite.closeDay).code == 0)
        site.expectAuditorAccepts()
    }

    /// The same signal to a rerun once it has taken its held drop (an entry of its own) and
    /// written its workbooks: it said "before anything was recorded … nothing was appended" with
    /// the drop in the ledger. It says the drop stands, and `status` names the rerun owed.
    /// Stopped at once after the held drop's entry (as its file leaves held/), before the rerun
    /// had set anything up for signals, it ended with the shell's "Terminated" alone.
    @Test(.enabled(if: strace != nil, "needs strace (Debian strace) to deliver the signal at one system call"),
          arguments: ["syncfs", "held"])
    func aRerunStoppedAfterTakingItsHeldDropSaysWhatStands(at call: String) throws {
        let site = try TestSite.closedMarchSite()
        let key = try site.operatorKey("asha", listed: true)
        let before = try site.entries().count
        let trace = call == "held"
            ? ["-P", site.path("Inbox/held/usage-late.csv"), "-e", "trace=unlink,unlinkat,rename,renameat,renameat2", "-e",
               "inject=unlink,unlinkat,rename,renameat,renameat2:signal=SIGTERM:when=1"]
            : ["-e", "trace=syncfs", "-e", "inject=syncfs:signal=SIGTERM:when=1"]
        let stopped = try ProcessRunner.run("/usr/bin/env",
            ["--default-signal=TERM", try #require(Self.strace), "-f", "-o", "/dev/null"] + trace
                + [TestSite.binary, "rerun", "2026-03", "--reason", "late report", "--key", key, "--site", site.root],
            environment: TestSite.rerunDay)
        #expect(stopped.code == SIGTERM, "the rerun was not stopped: \(stopped.code) \(stopped.err)")
        #expect(stopped.err.contains("stopped by SIGTERM before its documents were recorded: nothing was issued; what it recorded "
            + "before them (the held drops a rerun took) stands"), "\(stopped.err)")
        let entries = try site.entries()
        #expect(entries.count == before + 1 && (entries.last?["body"] as? [String: Any])?["name"] as? String == "usage-late.csv")
        let status = try site.recon(["status"], env: TestSite.rerunDay)
        #expect(status.out.contains("recon rerun 2026-03"), "\(status.out)")
        site.expectAuditorAccepts()
        let again = try site.recon(["rerun", "2026-03", "--reason", "late report", "--key", key], env: TestSite.rerunDay)
        #expect(again.code == 0, "\(again.err)")
        site.expectAuditorAccepts()
    }

    /// A real close killed by SIGKILL at the very system call that puts its checkpoint in place
    /// (`link`, strace's fault injection): its entries are the ledger's last, the checkpoint
    /// is not there, and the note it signed before its append names that head. `recon verify`
    /// says ok and that the checkpoint is owed; the next writer signs it, the one an
    /// uninterrupted close signs (Ed25519 signs the same text the same way), and the note goes.
    @Test(.enabled(if: strace != nil, "needs strace (Debian strace) to kill the close at its checkpoint's link"))
    func aCloseKilledAtItsCheckpointIsSignedByTheNextWriterOverItsOwnHead() throws {
        let site = try TestSite.marchSite()
        let twin = try site.copy()  // the same close, not interrupted
        #expect(try twin.recon(["close", "2026-03"], env: TestSite.closeDay).code == 0)
        let count = try twin.entries().count
        let killed = try ProcessRunner.run(try #require(Self.strace),
            ["-f", "-o", "/dev/null", "-e", "trace=link,linkat", "-e", "inject=link,linkat:signal=SIGKILL",
             TestSite.binary, "close", "2026-03", "--site", site.root], environment: TestSite.closeDay)
        #expect(killed.code != 0, "the close was not killed: \(killed.err)")
        #expect(try site.entries().count == count && (try site.entries().last?["kind"] as? String) == "period.closed")
        #expect(!site.exists("Ledger/checkpoints/\(count).txt"))
        #expect(site.exists("Ledger/checkpoint.owed"), "the close noted the checkpoint it owes before its append")

        let verify = try site.recon(["verify"])
        #expect(verify.code == 0 && verify.err.contains("seq \(count): its checkpoint is owed"), "\(verify.out)\(verify.err)")
        // As an auditor's strict verifier has it: not finished, until a writer finishes it.
        let strict = try site.recon(["verify", "--strict"])
        #expect(strict.code == 4 && strict.out.contains("not finished: seq \(count): its checkpoint is owed")
                && strict.out.contains("watch --once"), "\(strict.out)\(strict.err)")
        if let audit = try site.auditorVerify() { #expect(audit.code == 4, "\(audit.out)") }
        let next = try site.recon(["status"])  // a reader writes nothing
        #expect(next.code == 0 && !site.exists("Ledger/checkpoints/\(count).txt"))
        // The month reads closed: its checkpoint is owed, not "none yet".
        #expect(next.out.contains("last checkpoint: none — the checkpoint after seq \(count) is not written"), "\(next.out)")
        // A drop to append after it: the checkpoint the writer signs first is its own, not one that
        // appeared while it ran (it was refused as one, exit 4).
        try site.drop("usage-2026-04.csv", TestSite.april)
        let writer = try site.recon(["ingest"], env: TestSite.aprilLater)
        #expect(writer.code == 0 && writer.err.contains("wrote the checkpoint Ledger/checkpoints/\(count).txt")
                && writer.err.contains("usage-2026-04.csv: accepted"), "\(writer.err)")
        #expect(try site.read("Ledger/checkpoints/\(count).txt") == twin.read("Ledger/checkpoints/\(count).txt"))
        #expect(!site.exists("Ledger/checkpoint.owed"))
        #expect(try site.recon(["verify", "--strict"]).code == 0)
        site.expectAuditorAccepts()
    }

    /// A close killed as it puts its first invoice in place, after its append: `status` showed
    /// the month closed, its invoice's total and all, and nothing of the workbooks missing or
    /// the checkpoint owed, while `recon verify` failed. It says what is owed and what puts it
    /// right (any writer), every time (the figures are not kept meanwhile); the writer does.
    @Test(.enabled(if: strace != nil, "needs strace (Debian strace) to kill the close at its invoice's rename"))
    func statusSaysWhatACloseKilledAfterItsAppendOwes() throws {
        let site = try TestSite.marchSite()
        let invoice = site.path("Outbox/2026-03/invoices/INV-2026-000001.xlsx")
        let killed = try ProcessRunner.run(try #require(Self.strace),
            ["-f", "-o", "/dev/null", "-P", invoice, "-e", "trace=rename,renameat,renameat2", "-e",
             "inject=rename,renameat,renameat2:signal=SIGKILL:when=1", TestSite.binary, "close", "2026-03", "--site", site.root],
            environment: TestSite.closeDay)
        #expect(killed.code != 0, "the close was not killed: \(killed.err)")
        #expect((try site.entries().last?["kind"] as? String) == "period.closed" && !site.exists("Outbox/2026-03/invoices/INV-2026-000001.xlsx"))
        for _ in 0..<2 {
            let status = try site.recon(["status"], env: TestSite.closeDay)
            #expect(status.code == 0, "\(status.err)")
            #expect(status.err.contains("issued documents (INV-2026-000001 …) are missing")
                && status.err.contains("the checkpoint after seq") && status.err.contains("the next writing command puts it right"),
                "\(status.err)")
        }
        // And in the JSON, where a script reads it.
        let json = try site.recon(["status", "--json"], env: TestSite.closeDay)
        let owed = try #require(try JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [String: Any])["owed"] as? [String]
        // The documents, the checkpoint, and the review and margin summary it writes after them.
        #expect(owed?.count == 4 && owed?.first?.contains("INV-2026-000001") == true
                && owed?.contains("Outbox/2026-03/review.xlsx is out of date") == true, "\(json.out)")
        let writer = try site.recon(["ingest"], env: TestSite.closeDay)
        #expect(writer.code == 0, "\(writer.err)")
        let after = try site.recon(["status"], env: TestSite.closeDay)
        #expect(after.code == 0 && !after.err.contains("missing") && site.exists("Outbox/2026-03/invoices/INV-2026-000001.xlsx"), "\(after.err)")
        #expect(try site.recon(["verify"]).code == 0)
    }

    /// The same moment, with the close not killed but held up (strace delays the rename of its
    /// invoice by 4 s): a `status` run then finds the workbooks missing, as after a crash, and
    /// said the close was interrupted. It waits for the writer and shows the month closed,
    /// with nothing owed.
    @Test(.enabled(if: strace != nil, "needs strace (Debian strace) to hold the close at its invoice's rename"))
    func statusWaitsForACloseStillPuttingItsWorkbooksInPlace() throws {
        let site = try TestSite.marchSite()
        let invoice = site.path("Outbox/2026-03/invoices/INV-2026-000001.xlsx")
        let close = try RunningProcess(try #require(Self.strace),
            ["-f", "-o", "/dev/null", "-P", invoice, "-e", "trace=rename,renameat,renameat2", "-e",
             "inject=rename,renameat,renameat2:delay_enter=4000000:when=1", TestSite.binary, "close", "2026-03", "--site", site.root],
            environment: TestSite.closeDay)
        // Until its append is in: then its workbooks are what it is putting in place.
        var appended = false
        for _ in 0..<400 where !appended {
            appended = (try? site.entries().last?["kind"] as? String) == "period.closed"
            if !appended { usleep(10_000) }
        }
        #expect(appended, "the close did not append")
        #expect(!site.exists("Outbox/2026-03/invoices/INV-2026-000001.xlsx"), "the close was not held up at its invoice")
        let status = try site.recon(["status"], env: TestSite.closeDay)
        #expect(status.code == 0 && !status.err.contains("interrupted") && !status.err.contains("missing"), "\(status.err)")
        #expect(site.exists("Outbox/2026-03/invoices/INV-2026-000001.xlsx"), "status did not wait for the close")
        let closed = close.finish()
        #expect(closed.code == 0, "\(closed.err)")
    }

    /// The lock file removed (a cleanup job) while a close waits between its last look at its
    /// lock and its write, and an ingest started then: it made a new lock file and appended
    /// first, the close's batch followed it numbered from the old head, and the ledger no longer
    /// verified — both exited 0. The ledger's folder is locked too: the ingest waits for the close.
    /// Held at its note of owed workbooks, or later, at the sync of `Ledger/` after its intent
    /// (a slow disk), where the ingest's entry was followed by the close's, numbered from the
    /// old head.
    @Test(.enabled(if: strace != nil, "needs strace (Debian strace) to hold the close before its append"),
          arguments: ["note", "intent"])
    func aLockFileRemovedUnderAWriterLetsNoSecondOneAppend(heldAt point: String) throws {
        let site = try TestSite.marchSite()
        try site.drop("usage-2026-04.csv", TestSite.april)
        try FileManager.default.moveItem(atPath: site.path("Inbox/usage-2026-04.csv"), toPath: site.path("usage-2026-04.csv"))
        let close: RunningProcess
        if point == "note" {
            close = try closeHeldBeforeItsAppend(site, signals: []).0
        } else {
            close = try RunningProcess(try #require(Self.strace),
                ["-f", "-o", "/dev/null", "-P", site.path("Ledger"), "-e", "trace=fsync", "-e", "inject=fsync:delay_enter=3000000",
                 TestSite.binary, "close", "2026-03", "--site", site.root], environment: TestSite.closeDay)
            #expect(ProcessRunner.wait(upTo: 20) { site.exists("Ledger/ledger.jsonl.intent") }, "the close did not reach its intent")
        }
        try FileManager.default.removeItem(atPath: site.path("Ledger/writer.lock"))
        // It waits for the close, however slow its disk.
        let ingest = try site.recon(["ingest", site.path("usage-2026-04.csv")], env: TestSite.closeDay.merging(["RECON_LOCK_TIMEOUT": "120"]) { $1 })
        let closed = close.finish()
        #expect(closed.code == 0, "\(closed.err)")
        #expect(ingest.code == 0, "\(ingest.err)")
        let kinds = try site.entries().suffix(2).compactMap { $0["kind"] as? String }
        #expect(kinds.first == "period.closed" || kinds.last == "drop.accepted", "\(kinds)")
        let verify = try site.recon(["verify"])
        #expect(verify.code == 0, "\(verify.out)\(verify.err)")
        site.expectAuditorAccepts()
    }

    /// SIGTERM to a close in the moment between holding the stop signals and appending (strace
    /// holds it up at the note of the workbooks it will owe, `.recon/derived.pending`): it ends
    /// the close with nothing recorded, as the README says of a signal before the append. It
    /// was ignored from the start, and the close went on and issued.
    @Test(.enabled(if: strace != nil, "needs strace (Debian strace) to hold the close before its append"))
    func aStopSignalJustBeforeTheAppendStopsTheCloseWithNothingRecorded() throws {
        let site = try TestSite.marchSite()
        let before = try site.ledgerBytes()
        // The test runner's children start with SIGTERM ignored: as from a shell, it is not.
        let (close, recon) = try closeHeldBeforeItsAppend(site, signals: ["--default-signal=TERM"])
        #expect(kill(recon, SIGTERM) == 0)
        let stopped = close.finish()
        #expect(stopped.code != 0, "the close was not stopped: \(stopped.err)")
        #expect(try site.ledgerBytes() == before)
        #expect(!site.exists("Outbox/2026-03/invoices/INV-2026-000001.xlsx"))
        let again = try site.recon(["close", "2026-03"], env: TestSite.closeDay)
        #expect(again.code == 0, "\(again.err)")
        site.expectAuditorAccepts()
    }

    /// The same moment under `nohup` (SIGHUP ignored when the close started): a SIGHUP then, a
    /// terminal closing, does not stop it; the close goes on and issues, as without the hold.
    @Test(.enabled(if: strace != nil, "needs strace (Debian strace) to hold the close before its append"))
    func aSignalIgnoredFromTheStartStaysIgnoredBeforeTheAppend() throws {
        let site = try TestSite.marchSite()
        // Delivered, as from a shell (the test runner's children start with it held back), then ignored, as `nohup` does.
        let (close, recon) = try closeHeldBeforeItsAppend(site, signals: ["--default-signal=HUP", "--ignore-signal=HUP"])
        #expect(kill(recon, SIGHUP) == 0)
        let closed = close.finish()
        #expect(closed.code == 0, "\(closed.err)")
        #expect((try site.entries().last?["kind"] as? String) == "period.closed")
    }

    /// A close of March held up for 3 s by strace as it notes the workbooks it will owe
    /// (`.recon/derived.pending`), the moment before its append, started through `env` with
    /// `signals` set; returned once it waits there, with the recon process's id.
    func closeHeldBeforeItsAppend(_ site: TestSite, signals: [String]) throws -> (RunningProcess, pid_t) {
        let close = try RunningProcess(try #require(Self.strace),
            ["-f", "-o", "/dev/null", "-P", site.path(".recon/derived.pending"), "-e", "trace=rename,renameat,renameat2", "-e",
             "inject=rename,renameat,renameat2:delay_enter=3000000:when=1", "/usr/bin/env"] + signals
                + [TestSite.binary, "close", "2026-03", "--site", site.root],
            environment: TestSite.closeDay)
        // Held up once the note's hidden file is written: its rename is what waits.
        var waiting = false
        for _ in 0..<500 where !waiting {
            waiting = ((try? FileManager.default.contentsOfDirectory(atPath: site.path(".recon"))) ?? []).contains {
                $0.hasPrefix(".derived.pending.") && $0.hasSuffix(".tmp")
            }
            if !waiting { usleep(10_000) }
        }
        #expect(waiting, "the close did not reach its note")
        return (close, try #require(Self.child(of: close.pid), "no recon process under strace"))  // env execs recon in place
    }

    /// A close killed as its batch reached the disk, which kept it only up to a line's end: the
    /// ledger ends in complete lines of an append whose intent says it never finished, which
    /// the next writer cuts. Plain `verify` notes them; `--strict` failed to, while an auditor's
    /// strict verifier took the lines for entries and refused the site (their workbooks missing).
    @Test(.enabled(if: strace != nil, "needs strace (Debian strace) to kill the close after its append's write"))
    func strictVerifyFailsOnCompleteLinesOfAnUnfinishedAppend() throws {
        let site = try TestSite.marchSite()
        let before = try site.ledgerBytes()
        let killed = try ProcessRunner.run(try #require(Self.strace),
            ["-f", "-o", "/dev/null", "-P", site.path("Ledger/ledger.jsonl"), "-e", "trace=fsync,fdatasync", "-e",
             "inject=fsync,fdatasync:signal=SIGKILL:when=1", TestSite.binary, "close", "2026-03", "--site", site.root],
            environment: TestSite.closeDay)
        #expect(killed.code != 0, "the close was not killed: \(killed.err)")
        // What the disk kept: the batch's first line, whole.
        let written = try site.ledgerBytes()
        let firstEnd = try #require(written[before.count...].firstIndex(of: 10))
        try written[..<(firstEnd + 1)].write(to: URL(fileURLWithPath: site.path("Ledger/ledger.jsonl")))
        #expect(site.exists("Ledger/ledger.jsonl.intent"))
        let plain = try site.recon(["verify"])
        #expect(plain.code == 0 && plain.err.contains("complete lines) of an append that never finished"), "\(plain.out)\(plain.err)")
        let strict = try site.recon(["verify", "--strict"])
        #expect(strict.code == 4 && strict.out.contains("not finished:") && strict.out.contains("of an append that never finished"),
                "\(strict.out)")
        #expect(try site.recon(["watch", "--once"], env: TestSite.closeDay).code == 0)
        #expect(try site.recon(["verify", "--strict"]).code == 0)
    }

    /// What recon excuses and an auditor's strict verifier refuses: a hidden file (not recon's
    /// own unfinished write) or a viewer's file among the documents, another private key in
    /// `Ledger/keys/` others can read. Plain `verify` says ok; `--strict` fails, as that verifier does.
    @Test func strictVerifyRefusesWhatAnAuditorsStrictVerifierDoes() throws {
        for planted in ["Outbox/2026-03/invoices/.INV-2026-000077.xlsx", "Outbox/2026-03/invoices/~$INV-2026-000001.xlsx",
                        "Ledger/keys/alice.key", "Outbox/2026-03-old/invoices/.INV-2026-000077.xlsx.4242.tmp"] {
            let site = try TestSite.closedMarchSite()
            try FileManager.default.createDirectory(atPath: site.path(FileIO.parent(of: planted)), withIntermediateDirectories: true)
            try "not what it says".write(toFile: site.path(planted), atomically: true, encoding: .utf8)
            chmod(site.path(planted), 0o644)
            #expect(try site.recon(["verify"]).code == 0, "\(planted)")
            let strict = try site.recon(["verify", "--strict"])
            #expect(strict.code == 4 && strict.out.contains(planted), "\(planted): \(strict.out)")
            if let audit = try site.auditorVerify() { #expect(audit.code == 4, "\(planted): \(audit.out)") }
        }
    }

    /// The process whose parent is `pid`, from /proc.
    static func child(of pid: Int32) -> Int32? {
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let p = Int32(entry), let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { continue }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 1, Int32(fields[1]) == pid { return p }
        }
        return nil
    }

    /// A new export renamed into a drop's name in the instant between the ingest's last look at
    /// the file it took and its removal (held there by strace): it was deleted unrecorded. The
    /// drop is now taken aside by a rename first, and the new file, taken with it, goes back
    /// under its name for the next command.
    /// `hardLinks: false`: as on a file system without them (a FAT-formatted share), every link
    /// to the name failing; the file goes back by a rename.
    @Test(.enabled(if: strace != nil, "needs strace (Debian strace) to hold the ingest at the drop's removal"),
          arguments: [true, false])
    func aNewExportRenamedIntoATakenDropsNameIsNeverDeleted(hardLinks: Bool) throws {
        let site = try TestSite.marchSite()
        try site.drop("usage-late.csv", TestSite.lateMarch)
        let path = site.path("Inbox/usage-late.csv")
        let calls = "unlink,unlinkat,rename,renameat,renameat2"
        let noLinks = hardLinks ? [] : ["-e", "inject=link,linkat:error=EPERM"]
        let ingest = try RunningProcess(try #require(Self.strace),
            ["-f", "-o", "/dev/null", "-P", path, "-e", "trace=\(calls),link,linkat", "-e", "inject=\(calls):delay_enter=2000000:when=1"]
                + noLinks + [TestSite.binary, "ingest", "--site", site.root], environment: TestSite.closeDay)
        // Recorded, and held at the removal: the new export is renamed in now.
        #expect(ProcessRunner.wait(upTo: 20) { (try? site.read("Ledger/ledger.jsonl"))?.contains("usage-late.csv") == true })
        let newer = "report_id,reported_at,client_id,radiologist_id,modality,image_count\nR7,2026-03-21T10:00:00Z,C1,D1,CT,1\n"
        try newer.write(toFile: site.path("Inbox/.usage-late.csv.part"), atomically: false, encoding: .utf8)
        #expect(rename(site.path("Inbox/.usage-late.csv.part"), path) == 0)
        let taken = ingest.finish()
        #expect(taken.code == 0, "\(taken.err)")
        #expect(try site.read("Inbox/usage-late.csv") == newer, "the new export is gone")
        let next = try site.recon(["ingest"], env: TestSite.closeDay)
        #expect(next.code == 0 && next.err.contains("usage-late.csv: accepted 1 usage row"), "\(next.err)")
        site.expectAuditorAccepts()
    }

    /// A command stopped with a drop taken aside for removal (`.NAME.PID.taking`, of a process
    /// no longer running): the next writer puts it back under its name, and it is taken then.
    @Test func aDropLeftAsideByAStoppedCommandIsPutBack() throws {
        let site = try TestSite.marchSite()
        try site.drop(".usage-late.csv.4999999.taking", TestSite.lateMarch)
        let ingest = try site.recon(["ingest"], env: TestSite.closeDay)
        #expect(ingest.code == 0 && ingest.err.contains("put back Inbox/usage-late.csv, set aside by a command stopped"), "\(ingest.err)")
        #expect(ingest.err.contains("usage-late.csv: accepted 1 usage row"), "\(ingest.err)")
        #expect(!site.exists("Inbox/.usage-late.csv.4999999.taking") && !site.exists("Inbox/usage-late.csv"))
        site.expectAuditorAccepts()
    }

    /// An ingest of a late March report whose first of `calls` on `path` (relative to the site)
    /// strace makes fail `with` (`signal=SIGKILL`, `error=ENOSPC`).
    func lateReportIngested(_ site: TestSite, faulting path: String, calls: String, with fault: String) throws -> ProcessOutput {
        try site.drop("usage-late.csv", TestSite.lateMarch)
        return try ProcessRunner.run(try #require(Self.strace),
            ["-f", "-o", "/dev/null", "-P", site.path(path), "-e", "trace=\(calls)", "-e", "inject=\(calls):\(fault):when=1",
             TestSite.binary, "ingest", "--site", site.root], environment: TestSite.closeDay)
    }

    /// The disk full as the notes beside the ledger are put in place, just before the append
    /// (here the intent's rename fails with ENOSPC): the command said only that it could not
    /// write a temporary file. It says nothing was recorded and what to do, and it was so.
    @Test(.enabled(if: strace != nil, "needs strace (Debian strace) to fail the intent's rename"))
    func aFullDiskAtTheNotesBeforeTheAppendSaysNothingWasRecorded() throws {
        let site = try TestSite.marchSite()
        let before = try site.ledgerBytes()
        let failed = try lateReportIngested(site, faulting: "Ledger/ledger.jsonl.intent", calls: "rename,renameat,renameat2", with: "error=ENOSPC")
        #expect(failed.code == 1, "\(failed.err)")
        #expect(failed.err.contains("No space left on device). Nothing was recorded — free some disk space"), "\(failed.err)")
        #expect(try site.ledgerBytes() == before)
        #expect(try site.recon(["ingest"], env: TestSite.closeDay).code == 0)
        site.expectAuditorAccepts()
    }

    /// A payments file appended to in place while it was taken (held up by strace at its
    /// archive's rename, the row written meanwhile) is left in the Inbox, and the warning says
    /// what comes of it: taken again, the payment recorded now is skipped as a repeat (the same
    /// values) and the row written after is taken, as of usage. It was rejected whole.
    @Test(.enabled(if: strace != nil, "needs strace (Debian strace) to hold the ingest at its archive's rename"))
    func aPaymentsFileWrittenToWhileTakenIsTakenAgainWithItsNewRows() throws {
        let site = try TestSite.marchSite()
        let text = "payment_id,client_id,received_on,amount,currency\nP1,C1,2026-03-20,10.00,INR\n"
        try site.drop("payments-1.csv", text)
        let archive = site.path("Ledger/drops/\(TestSite.sha256Hex(text)).csv")
        let ingest = try RunningProcess(try #require(Self.strace),
            ["-f", "-o", "/dev/null", "-P", archive, "-e", "trace=rename,renameat,renameat2", "-e",
             "inject=rename,renameat,renameat2:delay_enter=3000000:when=1", TestSite.binary, "ingest", "--site", site.root],
            environment: TestSite.closeDay)
        // Read and staged: its bytes wait in Ledger/staging/ for the rename held up.
        var staged = false
        for _ in 0..<300 where !staged {
            staged = !((try? FileManager.default.contentsOfDirectory(atPath: site.path("Ledger/staging"))) ?? []).isEmpty
            if !staged { usleep(10_000) }
        }
        #expect(staged, "the ingest did not stage the drop")
        let handle = try #require(FileHandle(forWritingAtPath: site.path("Inbox/payments-1.csv")))
        handle.seekToEndOfFile()
        handle.write(Data("P2,C1,2026-03-21,5.00,INR\n".utf8))
        try handle.close()
        let taken = ingest.finish()
        #expect(taken.code == 0, "\(taken.err)")
        #expect(taken.err.contains("payments-1.csv was written to while it was taken, so it is left where it is")
            && taken.err.contains("the next command takes the file again (rows already recorded, with the same values, are "
                + "skipped as repeats)"), "\(taken.err)")
        #expect(site.exists("Inbox/payments-1.csv"))
        // Taken again: P1 recorded already, the same, is skipped; P2, written after, is taken.
        let again = try site.recon(["ingest"], env: TestSite.closeDay)
        #expect(again.code == 0 && again.err.contains("accepted 1 payments row, skipped 1 already recorded with the same values"),
                "\(again.out)\(again.err)")
        #expect(!site.exists("Inbox/payments-1.csv"))
        #expect(try site.recon(["verify", "--strict"]).code == 0)
        site.expectAuditorAccepts()
    }

    /// A month-to-date payments export taken twice: P1, received the day before the invoice it
    /// names was issued, is warned of when taken; sent again beside P2 it is skipped as a repeat,
    /// and its warning was said again on every re-export. It is said once.
    @Test func aRepeatedPaymentIsNotWarnedOfAgain() throws {
        let site = try TestSite.marchSite()
        #expect(try site.recon(["close", "2026-03"], env: TestSite.closeDay).code == 0)
        let header = "payment_id,client_id,received_on,amount,currency,invoice\n", p1 = "P1,C1,2026-04-01,10.00,INR,INV-2026-000001\n"
        try site.drop("payments-1.csv", header + p1)
        let first = try site.recon(["ingest"], env: TestSite.aprilLater)
        #expect(first.code == 0 && first.err.contains("P1 received 2026-04-01, before INV-2026-000001 was issued"), "\(first.err)")
        try site.drop("payments-2.csv", header + p1 + "P2,C1,2026-04-05,5.00,INR,\n")
        let again = try site.recon(["ingest"], env: TestSite.aprilLater)
        #expect(again.code == 0 && again.err.contains("skipped 1 already recorded with the same values")
                && !again.err.contains("P1 received"), "\(again.err)")
    }

    /// A close whose invoice the disk will not put in place after its append (an I/O error on
    /// that rename, strace's fault injection): the documents are issued, so it says so and goes
    /// on to its checkpoint (exit 0), telling not to issue again — reported as a failure, it
    /// had a script retry a credit and a rerun told to run again. The next writer writes the
    /// invoice from its entry, the bytes an undisturbed close wrote.
    @Test(.enabled(if: strace != nil, "needs strace (Debian strace) to fail the rename of the invoice"))
    func aDocumentTheDiskWillNotPutInPlaceIsSaidAndWrittenByTheNextWriter() throws {
        let site = try TestSite.marchSite()
        let twin = try site.copy()
        #expect(try twin.recon(["close", "2026-03"], env: TestSite.closeDay).code == 0)
        let file = "Outbox/2026-03/invoices/INV-2026-000001.xlsx"
        let close = try ProcessRunner.run(try #require(Self.strace),
            ["-f", "-o", "/dev/null", "-P", site.path(file), "-e", "inject=renameat:error=EIO",
             TestSite.binary, "close", "2026-03", "--site", site.root], environment: TestSite.closeDay)
        #expect(close.code == 0, "\(close.err)")
        #expect(close.err.contains("INV-2026-000001 is issued (seq ") && close.err.contains("but \(file) could not be put in place")
            && close.err.contains("Input/output error — do not issue it again"), "\(close.err)")
        #expect(!site.exists(file))
        let count = try site.entries().count
        #expect(count == (try twin.entries().count) && site.exists("Ledger/checkpoints/\(count).txt"))
        let verify = try site.recon(["verify"])
        #expect(verify.code == 4 && verify.out.contains("\(file) is missing"), "\(verify.out)")
        // The disk still refusing: the next writer says what it was putting back, and appends nothing.
        let refused = try ProcessRunner.run(try #require(Self.strace),
            ["-f", "-o", "/dev/null", "-P", site.path(file), "-e", "inject=renameat:error=EIO",
             TestSite.binary, "ingest", "--site", site.root], environment: TestSite.closeDay)
        #expect(refused.code == 1 && refused.err.contains("INV-2026-000001 is issued (seq ")
            && refused.err.contains("\(file) is missing; putting it back failed") && refused.err.contains("nothing was recorded"),
                "\(refused.err)")
        #expect(try site.entries().count == count)
        let writer = try site.recon(["ingest"], env: TestSite.closeDay)
        #expect(writer.code == 0 && writer.err.contains("put back \(file)"), "\(writer.err)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: site.path(file))) == Data(contentsOf: URL(fileURLWithPath: twin.path(file))))
        #expect(try site.recon(["verify"]).code == 0)
        site.expectAuditorAccepts()
    }

    /// `recon watch --json` killed after a drop is in the ledger, while the batch's drafts are
    /// written (strace kills it as the drafts folder is fsynced, once a draft is renamed into
    /// it; the draft itself is written through the folder held open, by no path strace knows):
    /// the drop's line was printed only after the drafts, so the stream never said the drop was
    /// taken. It is out first.
    @Test(.enabled(if: strace != nil, "needs strace (Debian strace) to kill the watcher at its drafts"))
    func aWatchersJSONLineIsOutBeforeItsBatchsDrafts() throws {
        let site = try TestSite.marchSite()
        try site.drop("usage-late.csv", "report_id,reported_at,client_id,radiologist_id,modality,image_count\nR8,2026-03-08T10:00:00Z,C1,D1,CT,1\n")
        let killed = try ProcessRunner.run(try #require(Self.strace),
            ["-f", "-o", "/dev/null", "-P", site.path("Outbox/2026-03/drafts"), "-e", "trace=fsync", "-e", "inject=fsync:signal=SIGKILL:when=1",
             TestSite.binary, "watch", "--once", "--stable", "0", "--json", "--site", site.root], environment: TestSite.closeDay)
        #expect(killed.code != 0, "the watcher was not killed: \(killed.err)")
        #expect(try site.bodies("drop.accepted").contains { $0["name"] as? String == "usage-late.csv" })
        #expect(killed.out.contains(#""file":"usage-late.csv","kind":"usage","outcome":"accepted""#), "\(killed.out)")
    }

    /// `recon ingest` of two drops stopped by SIGTERM just after the first is in the ledger
    /// (strace sends it at the ledger's first fsync): it exited 143 and said nothing, the first
    /// drop recorded and gone from the Inbox. It stops between drops: the first said as
    /// accepted, the second left in the Inbox, what it did said, exit 143.
    @Test(.enabled(if: strace != nil, "needs strace (Debian strace) to stop the ingest after its first append"))
    func anIngestStoppedAfterADropIsRecordedSaysSoAndStopsBetweenDrops() throws {
        let site = try TestSite.marchSite()
        try site.drop("usage-a.csv", TestSite.lateMarch)
        try site.drop("usage-b.csv", "report_id,reported_at,client_id,radiologist_id,modality,image_count\nR9,2026-03-22T10:00:00Z,C1,D1,CT,1\n")
        let count = try site.entries().count
        let stopped = try ProcessRunner.run(try #require(Self.strace),
            ["-f", "-qq", "-o", "/dev/null", "-P", site.path("Ledger/ledger.jsonl"), "-e", "trace=fsync,fdatasync",
             "-e", "inject=fsync,fdatasync:signal=SIGTERM:when=1",
             "/usr/bin/env", "--default-signal=TERM", TestSite.binary, "ingest", "--site", site.root], environment: TestSite.closeDay)
        #expect(stopped.code == 143, "\(stopped.code) \(stopped.err)")
        #expect(stopped.err.contains("usage-a.csv: accepted") && stopped.err.contains("stopped by SIGTERM after 1 drop"), "\(stopped.err)")
        #expect(try site.entries().count == count + 1 && site.exists("Inbox/usage-b.csv") && !site.exists("Inbox/usage-a.csv"))
        let next = try site.recon(["ingest"], env: TestSite.closeDay)
        #expect(next.code == 0 && !site.exists("Inbox/usage-b.csv"), "\(next.err)")
        #expect(try site.recon(["verify", "--strict"]).code == 0)
        site.expectAuditorAccepts()
    }

    /// The disk refuses to make a rename durable (strace fails the fsync of its folder with EIO):
    /// the ingest said "accepted" and removed the drop from the Inbox, and the close said its
    /// checkpoint was written and dropped its checkpoint-owed note, though a power cut could
    /// still lose either rename. The ingest records nothing and leaves the drop (exit 1); the
    /// close says the checkpoint is owed, and the next writer signs it.
    @Test(.enabled(if: strace != nil, "needs strace (Debian strace) to fail a folder's fsync"), arguments: ["ingest", "close"])
    func aFolderTheDiskWillNotSyncIsNoRenameMadeDurable(command: String) throws {
        let site = try TestSite.marchSite()
        if command == "ingest" { try site.drop("usage-late.csv", TestSite.lateMarch) }
        let folder = command == "ingest" ? "Ledger/drops" : "Ledger/checkpoints"
        let count = try site.entries().count
        let run = try ProcessRunner.run(try #require(Self.strace),
            ["-f", "-qq", "-o", "/dev/null", "-P", site.path(folder), "-e", "trace=fsync", "-e", "inject=fsync:error=EIO",
             TestSite.binary, command] + (command == "close" ? ["2026-03"] : []) + ["--site", site.root], environment: TestSite.closeDay)
        if command == "ingest" {
            #expect(run.code == 1 && run.err.contains("fsync the folder"), "\(run.code) \(run.err)")
            #expect(try site.entries().count == count && site.exists("Inbox/usage-late.csv"))
        } else {
            #expect(run.code == 0 && run.err.contains("could not be written") && run.err.contains("fsync the folder"), "\(run.code) \(run.err)")
            #expect(site.exists("Ledger/checkpoint.owed"))
        }
        let next = try site.recon(["watch", "--once"], env: TestSite.closeDay)
        #expect(next.code == 0, "\(next.err)")
        #expect(!site.exists("Ledger/checkpoint.owed") && !site.exists("Inbox/usage-late.csv"))
        #expect(try site.recon(["verify", "--strict"]).code == 0)
        site.expectAuditorAccepts()
    }

    /// A stop (SIGTERM) just after an operator's removal or a decision is in the ledger (strace
    /// sends it at the ledger's first fsync, after the entry's bytes): they ended with exit 143
    /// and no word, the operator removed (its checkpoint owed) or the decision recorded. They
    /// finish and say so, exit 0, as the same command undisturbed does.
    @Test(.enabled(if: strace != nil, "needs strace (Debian strace) to stop the command after its append"),
          arguments: ["operator remove", "decide"])
    func aStopAfterAnOperatorChangeOrDecisionIsAppendedFinishesAndSaysSo(command: String) throws {
        let site = try TestSite.marchSite()
        let key = try site.operatorKey("op", listed: true, env: TestSite.closeDay)
        let args = command == "decide" ? ["decide", "R1", "exclude", "--by", "Asha"] : ["operator", "remove", "op", "--key", key]
        let count = try site.entries().count
        let stopped = try ProcessRunner.run(try #require(Self.strace),
            ["-f", "-qq", "-o", "/dev/null", "-P", site.path("Ledger/ledger.jsonl"), "-e", "trace=fsync,fdatasync",
             "-e", "inject=fsync,fdatasync:signal=SIGTERM:when=1",
             "/usr/bin/env", "--default-signal=TERM", TestSite.binary] + args + ["--site", site.root], environment: TestSite.closeDay)
        #expect(stopped.code == 0, "\(stopped.code) \(stopped.out)\(stopped.err)")
        #expect(try site.entries().count == count + 1)
        #expect(!stopped.out.isEmpty || !stopped.err.isEmpty, "it said nothing")
        if command != "decide" { #expect(site.exists("Ledger/checkpoints/\(count + 1).txt") && !site.exists("Ledger/checkpoint.owed")) }
        #expect(try site.recon(["verify"]).code == 0)
    }

    /// A stop (SIGTERM; SIGINT, Ctrl-C, the same) once a close's documents are in the ledger, sent by strace as the invoice is put in place:
    /// it ended the close with exit 130 and no word, its month closed. The close goes on to its
    /// checkpoint and says what it issued (exit 0), as the same close undisturbed does.
    @Test(.enabled(if: strace != nil, "needs strace (Debian strace) to interrupt the close at its checkpoint"))
    func aCloseInterruptedAfterItsAppendFinishesAndSaysSo() throws {
        let site = try TestSite.marchSite()
        let twin = try site.copy()
        let undisturbed = try twin.recon(["close", "2026-03", "--json"], env: TestSite.closeDay)
        #expect(undisturbed.code == 0)
        let count = try twin.entries().count
        let interrupted = try ProcessRunner.run(try #require(Self.strace),
            ["-f", "-qq", "-o", "/dev/null", "-P", site.path("Outbox/2026-03/invoices/INV-2026-000001.xlsx"), "-e", "inject=renameat:signal=SIGTERM",
             // As a terminal or a service manager leaves it: the test runner may have the signal ignored.
             "/usr/bin/env", "--default-signal=TERM", TestSite.binary, "close", "2026-03", "--json", "--site", site.root],
            environment: TestSite.closeDay)
        #expect(interrupted.code == 0, "\(interrupted.code) \(interrupted.err)")
        #expect(interrupted.out == undisturbed.out, "\(interrupted.out)")
        #expect(site.exists("Ledger/checkpoints/\(count).txt") && !site.exists("Ledger/checkpoint.owed"))
        #expect(try site.recon(["verify"]).code == 0)
    }

    /// A close killed after its append, before it renamed its documents into place and wrote
    /// its checkpoint: the next writing command puts the documents back (from the temporary
    /// file when it is intact, else regenerated from the entry), signs the missing checkpoint
    /// and clears the leftovers; even a command that is then refused (the month is closed).
    @Test func aCloseKilledAfterItsAppendIsFinishedByTheNextWriter() throws {
        let site = try TestSite.marchSite()
        #expect(try site.recon(["close", "2026-03"], env: TestSite.closeDay).code == 0)
        let count = try site.ledgerLines().count
        let files = try site.entries().compactMap { ($0["body"] as? [String: Any])?["file"] as? String }
        let documents = try files.map { try Data(contentsOf: URL(fileURLWithPath: site.path($0))) }
        let checkpoint = try site.read("Ledger/checkpoints/\(count).txt")

        for (i, file) in files.enumerated() {
            let final = site.path(file)
            if i % 2 == 0 {
                // The temporary file of the killed process, intact.
                try FileManager.default.moveItem(atPath: final, toPath: FileIO.parent(of: final) + "/." + FileIO.baseName(final) + ".424242.tmp")
            } else {
                try FileManager.default.removeItem(atPath: final)
            }
        }
        try "half a workbook".write(toFile: site.path("Outbox/2026-03/invoices/.INV-2026-000009.xlsx.424242.tmp"), atomically: true, encoding: .utf8)
        try FileManager.default.removeItem(atPath: site.path("Ledger/checkpoints/\(count).txt"))
        // The note the close signed before its append, naming the head its checkpoint signs.
        let head = try #require(try site.entries().last?["hash"] as? String)
        try CheckpointOwed(seq: count, head: head).write(besideLedger: site.path("Ledger/ledger.jsonl"),
                                                          key: SiteKeyFile.load(Site(root: site.root)))
        let verify = try site.recon(["verify"])
        #expect(verify.code == 4 && verify.out.contains("is missing"), "\(verify.out)")
        if let audit = try site.auditorVerify() { #expect(audit.code == 4) }

        let again = try site.recon(["close", "2026-03"], env: TestSite.closeDay)
        #expect(again.code == 3 && again.err.contains("already closed"), "\(again.err)")
        for file in files { #expect(again.err.contains("put back \(file)"), "\(again.err)") }
        #expect(again.err.contains("wrote the checkpoint Ledger/checkpoints/\(count).txt"), "\(again.err)")
        for (file, bytes) in zip(files, documents) {
            #expect(try Data(contentsOf: URL(fileURLWithPath: site.path(file))) == bytes, "\(file)")
        }
        #expect(try site.read("Ledger/checkpoints/\(count).txt") == checkpoint)
        #expect(!site.exists("Ledger/checkpoint.owed"), "the note goes once its checkpoint is written")
        #expect(FileIO.list(site.path("Outbox/2026-03/invoices")) == ["INV-2026-000001.xlsx", "INV-2026-000002.xlsx"])
        #expect(!site.exists("Outbox/2026-03/drafts"))
        site.expectAuditorAccepts()
    }

    /// A drop's bytes wait for their archive in a hidden file of `Ledger/staging/`: an ingest
    /// killed meanwhile left it among the archives, where an auditor's verifier read it as a
    /// ledger whose end was cut until the next writer swept it. The next writer sweeps it from
    /// staging (its process gone), and the drop is taken once.
    @Test func aStagedDropOfAKilledIngestWaitsOutsideTheArchives() throws {
        let site = try TestSite.marchSite()
        let text = "report_id,reported_at,client_id,radiologist_id,modality,image_count\nR9,2026-03-09T10:00:00Z,C1,D1,CT,1\n"
        try site.drop("usage-late.csv", text)
        let sha = TestSite.sha256Hex(text)
        try FileManager.default.createDirectory(atPath: site.path("Ledger/staging"), withIntermediateDirectories: true)
        #expect(link(site.path("Inbox/usage-late.csv"), site.path("Ledger/staging/.\(sha).csv.424242.tmp")) == 0)
        site.expectAuditorAccepts()  // nothing stray among the archives
        let again = try site.recon(["ingest"], env: TestSite.closeDay)
        #expect(again.code == 0, "\(again.err)")
        #expect(FileIO.list(site.path("Ledger/staging")).isEmpty && FileIO.hiddenNames(in: site.path("Ledger/staging")).isEmpty)
        #expect(try site.bodies("drop.accepted").filter { $0["sha256"] as? String == sha }.count == 1)
        site.expectAuditorAccepts()
    }

    /// `Ledger/staging` a link to a folder outside the site: the drop's bytes were staged there,
    /// out of the site, and renamed back from it. Damage, as a link in place of `Ledger/drops` is.
    @Test func aLinkInPlaceOfTheStagingFolderIsRefused() throws {
        let site = try TestSite.marchSite()
        let outside = site.root + "-outside"
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: outside) }
        try? FileManager.default.removeItem(atPath: site.path("Ledger/staging"))
        try FileManager.default.createSymbolicLink(atPath: site.path("Ledger/staging"), withDestinationPath: outside)
        try site.drop("usage-late.csv", "report_id,reported_at,client_id,radiologist_id,modality,image_count\nR9,2026-03-09T10:00:00Z,C1,D1,CT,1\n")
        let before = try site.ledgerBytes()
        let run = try site.recon(["ingest"], env: TestSite.closeDay)
        #expect(run.code == 4 && run.err.contains("Ledger/staging is a symbolic link"), "\(run.err)")
        #expect(try site.ledgerBytes() == before && FileIO.list(outside).isEmpty)
    }

    /// `recon ingest FILE` (FILE outside the Inbox) stopped by Ctrl-C or a kill between putting
    /// the archive in place and appending its entry: every writer then refused the intact site
    /// as one whose ledger was cut. The ingest's note in `Ledger/staging/` says where the drop
    /// waits: `verify` notes the archive, the next writer removes it (and the note), and the
    /// file named again is recorded once. The state the stop leaves is made as the ingest makes it.
    @Test func aStoppedIngestOfANamedFileLeavesTheSiteWorking() throws {
        let site = try TestSite.marchSite()
        let outside = site.path("exports/usage-outside.csv")
        try FileManager.default.createDirectory(atPath: site.path("exports"), withIntermediateDirectories: true)
        let text = "report_id,reported_at,client_id,radiologist_id,modality,image_count\nR12,2026-03-11T10:00:00Z,C1,D1,CT,1\n"
        try text.write(toFile: outside, atomically: true, encoding: .utf8)
        let sha = TestSite.sha256Hex(text)
        try FileManager.default.createDirectory(atPath: site.path("Ledger/staging"), withIntermediateDirectories: true)
        try (outside + "\n").write(toFile: site.path("Ledger/staging/\(sha).named"), atomically: true, encoding: .utf8)
        #expect(link(outside, site.path("Ledger/drops/\(sha).csv")) == 0)
        let noted = try site.recon(["verify"])
        #expect(noted.code == 0 && noted.err.contains("Ledger/drops/\(sha).csv is named by no entry: an ingest killed"), "\(noted.err)")
        let strict = try site.recon(["verify", "--strict"])
        #expect(strict.code == 4 && strict.out.contains("not finished: Ledger/drops/\(sha).csv is named by no entry"), "\(strict.out)")
        if let audit = try site.auditorVerify() { #expect(audit.code == 4, "\(audit.out)") }
        let next = try site.recon(["decide", "R1", "approve", "--by", "asha"], env: TestSite.closeDay)
        #expect(next.code != 4, "\(next.err)")
        #expect(!site.exists("Ledger/drops/\(sha).csv") && !site.exists("Ledger/staging/\(sha).named"))
        let named = try site.recon(["ingest", outside], env: TestSite.closeDay)
        #expect(named.code == 0, "\(named.err)")
        #expect(try site.bodies("drop.accepted").filter { $0["sha256"] as? String == sha }.count == 1)
        #expect(FileIO.list(site.path("Ledger/staging")).isEmpty)  // the ingest's own note, gone with its entry
        site.expectAuditorAccepts()
    }

    /// A close killed and retried at once: the killed process is a zombie until reaped, and
    /// the retry read it as a writer still at work, leaving its temporary workbooks beside the
    /// documents (the auditor's verifier names them). A zombie's files are swept. The zombie
    /// is made here as a kill leaves it: a child that has exited and is not yet waited for.
    @Test func aKilledWritersFilesAreSweptWhileItIsAZombie() throws {
        let site = try TestSite.closedMarchSite()
        var pid: pid_t = 0
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup("/bin/true"), nil]
        defer { for a in argv { free(a) } }
        #expect(posix_spawn(&pid, "/bin/true", nil, nil, argv, environ) == 0)
        let exited = ProcessRunner.wait(upTo: 10) {
            ((try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? "").contains(") Z ")
        }
        #expect(exited, "the child never became a zombie")
        let stray = site.path("Outbox/2026-03/invoices/.INV-2026-000099.xlsx.\(pid).tmp")
        try "half a workbook".write(toFile: stray, atomically: false, encoding: .utf8)
        try site.drop("usage-april.csv", "report_id,reported_at,client_id,radiologist_id,modality,image_count\nA1,2026-04-03T10:00:00Z,C1,D1,CT,1\n")
        let run = try site.recon(["ingest"], env: TestSite.rerunDay)
        #expect(run.code == 0, "\(run.err)")
        #expect(!FileManager.default.fileExists(atPath: stray), "a zombie's temporary file was left")
        var status: Int32 = 0
        waitpid(pid, &status, 0)
    }

    /// A killed writer's temporary file whose process id now belongs to another program (the
    /// ids come round again; after a reboot, or in a new container, one is soon taken): it was
    /// read as a recon still at work and never swept, and `verify` promised the next writer
    /// would. Only a running recon's files are left; a live `sleep` holding the id is none.
    @Test func aLeftoverWhoseProcessIdAnotherProgramHoldsIsSwept() throws {
        let site = try TestSite.closedMarchSite()
        let other = try RunningProcess("/bin/sleep", ["60"])
        defer { kill(other.pid, SIGKILL); _ = other.finish() }
        let stray = site.path("Outbox/2026-03/invoices/.INV-2026-000099.xlsx.\(other.pid).tmp")
        try "half a workbook".write(toFile: stray, atomically: false, encoding: .utf8)
        try site.drop("usage-april.csv", "report_id,reported_at,client_id,radiologist_id,modality,image_count\nA1,2026-04-03T10:00:00Z,C1,D1,CT,1\n")
        let run = try site.recon(["ingest"], env: TestSite.rerunDay)
        #expect(run.code == 0, "\(run.err)")
        #expect(!FileManager.default.fileExists(atPath: stray), "a file named for a running sleep was left")
        site.expectAuditorAccepts()
    }

    /// A drop's bytes staged in `Ledger/staging/`, swapped for other bytes before their rename
    /// into `Ledger/drops/` (strace slows every rename so the test can swap in time): the drop
    /// was accepted under its hash over the other bytes, its original removed, and the site no
    /// longer verified. The ingest refuses (exit 4), nothing recorded, the drop left waiting.
    @Test(.enabled(if: strace != nil, "needs strace (Debian strace) to slow the archive's rename"))
    func aStagedDropSwappedBeforeItsArchiveIsRefused() throws {
        let site = try TestSite.marchSite()
        try site.drop("usage-late.csv", "report_id,reported_at,client_id,radiologist_id,modality,image_count\nR9,2026-03-09T10:00:00Z,C1,D1,CT,1\n")
        let before = try site.ledgerBytes()
        // Only the rename into the archive's place is slowed (3 s: room for the swap on a busy machine).
        let archive = site.path("Ledger/drops/" + TestSite.sha256Hex(
            "report_id,reported_at,client_id,radiologist_id,modality,image_count\nR9,2026-03-09T10:00:00Z,C1,D1,CT,1\n") + ".csv")
        let ingesting = try RunningProcess(try #require(Self.strace),
            ["-f", "-o", "/dev/null", "-P", archive, "-e", "trace=rename,renameat,renameat2",
             "-e", "inject=rename,renameat,renameat2:delay_enter=3000000", TestSite.binary, "ingest", "--site", site.root],
            environment: TestSite.closeDay)
        var staged: String?
        #expect(ProcessRunner.wait(upTo: 60) {
            staged = FileIO.list(site.path("Ledger/staging")).first { $0.hasPrefix(".") && $0.hasSuffix(".tmp") && $0.contains(".csv.") }
            return staged != nil
        }, "the ingest staged nothing")
        let other = site.path("other.csv")
        try "report_id,reported_at,client_id,radiologist_id,modality,image_count\nR9,2026-03-09T10:00:00Z,C1,D1,CT,7\n"
            .write(toFile: other, atomically: false, encoding: .utf8)
        #expect(rename(other, site.path("Ledger/staging/" + (staged ?? ""))) == 0)
        let run = ingesting.finish()
        #expect(run.code == 4 && run.err.contains("was replaced while this command ran"), "\(run.code) \(run.err)")
        #expect(try site.ledgerBytes() == before && site.exists("Inbox/usage-late.csv"))
        #expect(try site.recon(["verify", "--strict"]).code == 0)
    }

    /// A close's checkpoint, its temporary file swapped for another note before its link into
    /// place (strace slows the link, 4 s: room for the swap on a busy machine): the close named a checkpoint it never wrote, exit 0, with
    /// no note of one owed, and no writer could go on. The file linked is read back: not the note
    /// signed, it goes, the checkpoint is owed, and the next writer signs it.
    @Test(.enabled(if: strace != nil, "needs strace (Debian strace) to slow the checkpoint's link"))
    func aCheckpointSwappedBeforeItsLinkIsOwedNotSigned() throws {
        let site = try TestSite.marchSite()
        let closing = try RunningProcess(try #require(Self.strace),
            ["-f", "-o", "/dev/null", "-e", "trace=link,linkat", "-e", "inject=link,linkat:delay_enter=4000000",
             TestSite.binary, "close", "2026-03", "--site", site.root], environment: TestSite.closeDay)
        var temp: String?
        #expect(ProcessRunner.wait(upTo: 60) {
            temp = FileIO.list(site.path("Ledger/checkpoints")).first { $0.hasPrefix(".") && $0.hasSuffix(".tmp") && !$0.hasPrefix("..") }
            return temp != nil
        }, "the close wrote no checkpoint")
        let forged = site.path("forged.txt")
        try "trust-site\n3\nAAAA\n\n— trust-site AAAA\n".write(toFile: forged, atomically: false, encoding: .utf8)
        #expect(rename(forged, site.path("Ledger/checkpoints/" + (temp ?? ""))) == 0)
        let closed = closing.finish()
        #expect(closed.code == 0 && closed.err.contains("could not be written") && closed.out.contains("checkpoint owed"),
                "\(closed.code) \(closed.out)\(closed.err)")
        let count = try site.ledgerLines().count
        #expect(!site.exists("Ledger/checkpoints/\(count).txt"))
        #expect(try site.recon(["watch", "--once"], env: TestSite.closeDay).code == 0)
        #expect(site.exists("Ledger/checkpoints/\(count).txt"))
        #expect(try site.recon(["verify", "--strict"]).code == 0)
        site.expectAuditorAccepts()
    }

    /// A file in place of `Ledger/staging`: the ingest refused with advice to free disk space.
    /// It says what stands there; nothing is recorded, and the drop waits.
    @Test func aFileInPlaceOfTheStagingFolderIsSaidAsOne() throws {
        let site = try TestSite.marchSite()
        try? FileManager.default.removeItem(atPath: site.path("Ledger/staging"))
        try "not a folder".write(toFile: site.path("Ledger/staging"), atomically: true, encoding: .utf8)
        try site.drop("usage-late.csv", "report_id,reported_at,client_id,radiologist_id,modality,image_count\nR9,2026-03-09T10:00:00Z,C1,D1,CT,1\n")
        let before = try site.ledgerBytes()
        let run = try site.recon(["ingest"], env: TestSite.closeDay)
        #expect(run.code == 3 && run.err.contains("Ledger/staging is not a folder (something else stands in its place)"), "\(run.err)")
        #expect(try site.ledgerBytes() == before && site.exists("Inbox/usage-late.csv"))
    }

    /// An ingest killed after it archived a drop (a hard link into `Ledger/drops/`) and before
    /// its entry: taking the drop again accepts it once and leaves no stray file among the
    /// archives. An unnamed archive whose drop is not waiting is left for the auditor to see.
    @Test func anIngestKilledAfterArchivingBeforeItsEntryLeavesNothingStray() throws {
        let site = try TestSite.marchSite()
        let text = "report_id,reported_at,client_id,radiologist_id,modality,image_count\nR9,2026-03-09T10:00:00Z,C1,D1,CT,1\n"
        try site.drop("usage-late.csv", text)
        let sha = TestSite.sha256Hex(text)
        #expect(link(site.path("Inbox/usage-late.csv"), site.path("Ledger/drops/\(sha).csv")) == 0)
        #expect(link(site.path("Inbox/usage-late.csv"), site.path("Ledger/drops/.\(sha).csv.424242.tmp")) == 0)
        // While its drop waits, the unnamed archive is what a killed ingest left: only said.
        let noted = try site.recon(["verify"])
        #expect(noted.code == 0 && noted.err.contains("Ledger/drops/\(sha).csv is named by no entry: an ingest killed"), "\(noted.err)")
        #expect(noted.err.contains("Ledger/drops/.\(sha).csv.424242.tmp is an unfinished write"), "\(noted.err)")
        let strict = try site.recon(["verify", "--strict"])
        #expect(strict.code == 4 && strict.out.contains("not finished: Ledger/drops/\(sha).csv is named by no entry"), "\(strict.out)")
        if let audit = try site.auditorVerify() { #expect(audit.code == 4, "\(audit.out)") }

        let again = try site.recon(["ingest"], env: TestSite.closeDay)
        #expect(again.code == 0, "\(again.err)")
        let accepted = try site.bodies("drop.accepted").compactMap { $0["sha256"] as? String }
        #expect(accepted.filter { $0 == sha }.count == 1)
        #expect(!site.exists("Inbox/usage-late.csv"))
        let archives = FileIO.list(site.path("Ledger/drops"))
        #expect(Set(archives) == Set(accepted.map { $0 + ".csv" }), "\(archives)")
        #expect(try site.recon(["verify", "--strict"]).code == 0)
        site.expectAuditorAccepts()

        // An archive no entry names whose drop waits nowhere (or only under a name recon never
        // reads) may be what a ledger cut with its checkpoints leaves: damage to `recon verify`,
        // as to the auditor's verifier, and no writer appends over it (they did, and signed).
        let stranger = TestSite.sha256Hex("not a drop of this site")
        try "not a drop of this site".write(toFile: site.path("Ledger/drops/\(stranger).csv"), atomically: true, encoding: .utf8)
        try "not a drop of this site".write(toFile: site.path("Inbox/.masked.csv"), atomically: true, encoding: .utf8)
        let verify = try site.recon(["verify"])
        #expect(verify.code == 4 && verify.out.contains("Ledger/drops/\(stranger).csv is named by no entry, and no drop waiting in "
            + "Inbox/ or Inbox/held/ holds its bytes"), "\(verify.out)")
        if let audit = try site.auditorVerify() {
            #expect(audit.code == 4 && audit.out.contains("\(stranger).csv is named by no drop.accepted entry"), "\(audit.out)")
        }
        let before = try site.ledgerBytes()
        try site.drop("usage-next.csv", "report_id,reported_at,client_id,radiologist_id,modality,image_count\nR11,2026-03-10T10:00:00Z,C1,D1,CT,1\n")
        let refused = try site.recon(["ingest"], env: TestSite.closeDay)
        #expect(refused.code == 4 && refused.err.contains("\(stranger).csv is named by no entry"), "\(refused.err)")
        #expect(try site.ledgerBytes() == before && site.exists("Inbox/usage-next.csv"))
        // Nor do the readers that check as writers do show figures of it (a statement demanded
        // money the cut entries had recorded as paid).
        for reader in [["statement", "C1"]] {
            let read = try site.recon(reader, env: TestSite.closeDay)
            #expect(read.code == 4 && read.err.contains("\(stranger).csv is named by no entry"), "\(reader): \(read.err)")
        }
        // The same orphan renamed so that recon never reads it — hidden, or as a file still
        // being written — is still an orphan: it passed `recon verify` and every writer, which
        // the auditor's verifier refused.
        for hidden in [".\(stranger).csv", "\(stranger).csv.part", "\(stranger).csv.tmp"] {
            try FileManager.default.moveItem(atPath: site.path("Ledger/drops/\(stranger).csv"), toPath: site.path("Ledger/drops/" + hidden))
            let named = try site.recon(["verify"])
            #expect(named.code == 4 && named.out.contains("Ledger/drops/\(hidden) is named by no entry"), "\(hidden): \(named.out)")
            if let audit = try site.auditorVerify() { #expect(audit.code == 4, "\(audit.out)") }
            let stopped = try site.recon(["ingest"], env: TestSite.closeDay)
            #expect(stopped.code == 4 && stopped.err.contains("\(hidden) is named by no entry"), "\(hidden): \(stopped.err)")
            #expect(try site.ledgerBytes() == before)
            try FileManager.default.moveItem(atPath: site.path("Ledger/drops/" + hidden), toPath: site.path("Ledger/drops/\(stranger).csv"))
        }
        // What a viewer leaves beside an archive an auditor opened is no archive: LibreOffice's
        // lock and macOS's folder file stopped every writer once hidden names were looked at.
        try FileManager.default.removeItem(atPath: site.path("Ledger/drops/\(stranger).csv"))
        for litter in [".~lock.\(sha).csv#", ".DS_Store", "Thumbs.db"] {
            try ",auditor,pc,06/12/2026 10:40,file:///home/a/.config/libreoffice/4;\n"
                .write(toFile: site.path("Ledger/drops/" + litter), atomically: true, encoding: .utf8)
        }
        let viewed = try site.recon(["verify"])
        #expect(viewed.code == 0, "\(viewed.out)\(viewed.err)")
        let writes = try site.recon(["ingest"], env: TestSite.closeDay)
        #expect(writes.code == 0, "\(writes.err)")
        for litter in [".~lock.\(sha).csv#", ".DS_Store", "Thumbs.db"] {
            try FileManager.default.removeItem(atPath: site.path("Ledger/drops/" + litter))
        }
        try "not a drop of this site".write(toFile: site.path("Ledger/drops/\(stranger).csv"), atomically: true, encoding: .utf8)
        // A copy of a recorded archive under another name is said as a copy.
        try FileManager.default.removeItem(atPath: site.path("Ledger/drops/\(stranger).csv"))
        try FileManager.default.copyItem(atPath: site.path("Ledger/drops/\(sha).csv"), toPath: site.path("Ledger/drops/\(sha) (1).csv"))
        let copied = try site.recon(["verify"])
        #expect(copied.code == 4 && copied.out.contains("\(sha) (1).csv is a copy of the archived drop \(sha).csv"), "\(copied.out)")
        try FileManager.default.removeItem(atPath: site.path("Ledger/drops/\(sha) (1).csv"))

        // An ingest of a file named outside the Inbox, killed before its entry: the drop waits
        // where it was named. Naming it again finishes it (the unnamed archive taken for its own).
        let outside = site.path("exports/usage-outside.csv")
        try FileManager.default.createDirectory(atPath: site.path("exports"), withIntermediateDirectories: true)
        let outsideText = "report_id,reported_at,client_id,radiologist_id,modality,image_count\nR12,2026-03-11T10:00:00Z,C1,D1,CT,1\n"
        try outsideText.write(toFile: outside, atomically: true, encoding: .utf8)
        let outsideSha = TestSite.sha256Hex(outsideText)
        #expect(link(outside, site.path("Ledger/drops/\(outsideSha).csv")) == 0)
        let stuck = try site.recon(["ingest"], env: TestSite.closeDay)
        #expect(stuck.code == 4 && stuck.err.contains("`recon ingest FILE` for a file named outside the Inbox"), "\(stuck.err)")
        let named = try site.recon(["ingest", outside], env: TestSite.closeDay)
        #expect(named.code == 0, "\(named.err)")
        #expect(try site.bodies("drop.accepted").filter { $0["sha256"] as? String == outsideSha }.count == 1)
        #expect(try site.recon(["ingest"], env: TestSite.closeDay).code == 0)  // usage-next.csv, waiting all along
        site.expectAuditorAccepts()

        // The same, stopped after its note in Ledger/staging/ said where the file was named (what
        // a kill leaves): verify and the next writer said the drop "still waits in the Inbox",
        // which was empty, and nothing but `recon ingest FILE` ever takes it. They name the file.
        let later = site.path("exports/usage-later.csv")
        let laterText = "report_id,reported_at,client_id,radiologist_id,modality,image_count\nR13,2026-03-12T10:00:00Z,C1,D1,CT,1\n"
        try laterText.write(toFile: later, atomically: true, encoding: .utf8)
        let laterSha = TestSite.sha256Hex(laterText)
        try FileManager.default.createDirectory(atPath: site.path("Ledger/staging"), withIntermediateDirectories: true)
        try (later + "\n").write(toFile: site.path("Ledger/staging/\(laterSha).named"), atomically: true, encoding: .utf8)
        #expect(link(later, site.path("Ledger/drops/\(laterSha).csv")) == 0)
        let namedNote = try site.recon(["verify"])
        #expect(namedNote.code == 0 && namedNote.err.contains("its drop still waits at \(later), where `recon ingest` named it")
            && namedNote.err.contains("`recon ingest --site \(site.root) \(later)` again"), "\(namedNote.err)")
        let bare = try site.recon(["ingest"], env: TestSite.closeDay)
        #expect(bare.code == 0 && bare.err.contains("the drop still waits at \(later)"), "\(bare.err)")
        #expect(try site.recon(["ingest", later], env: TestSite.closeDay).code == 0)
        #expect(try site.bodies("drop.accepted").filter { $0["sha256"] as? String == laterSha }.count == 1)
        site.expectAuditorAccepts()

        // Stopped so, and the file then corrected by its owner (a path a shell must quote): the
        // archive was taken for the trace of a cut ledger and every writer refused (exit 4),
        // telling them to do what they had done. The note still names the stopped ingest: its
        // archive goes, and the message says where the file was and how to take it as it is.
        let odd = site.path("exports/usage nov's.csv")
        let oddText = "report_id,reported_at,client_id,radiologist_id,modality,image_count\nR14,2026-03-13T10:00:00Z,C1,D1,CT,1\n"
        try oddText.write(toFile: odd, atomically: true, encoding: .utf8)
        let oddSha = TestSite.sha256Hex(oddText)
        try (odd + "\n").write(toFile: site.path("Ledger/staging/\(oddSha).named"), atomically: true, encoding: .utf8)
        #expect(link(odd, site.path("Ledger/drops/\(oddSha).csv")) == 0)
        try (oddText + "R15,2026-03-13T11:00:00Z,C1,D1,CT,1\n").write(toFile: odd + ".new", atomically: true, encoding: .utf8)
        #expect(rename(odd + ".new", odd) == 0)
        let changed = try site.recon(["verify"])
        #expect(changed.code == 0 && changed.err.contains("which no longer holds those bytes")
            && changed.err.contains("`recon ingest --site \(site.root) '\(site.path("exports/usage nov"))'\"'\"'s.csv'`"), "\(changed.err)")
        let writer = try site.recon(["ingest"], env: TestSite.closeDay)
        #expect(writer.code == 0 && !site.exists("Ledger/drops/\(oddSha).csv"), "\(writer.err)")
        #expect(try site.recon(["ingest", odd], env: TestSite.closeDay).code == 0)
        site.expectAuditorAccepts()
    }
}
