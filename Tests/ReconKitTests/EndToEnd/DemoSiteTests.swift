import Foundation
import Testing

@testable import ReconDemo
@testable import ReconKit

/// `recon demo`: a year of history run to closed periods, and a folder that is not a demo never touched.
@Suite("Demo site")
struct DemoSiteTests {
    /// The periods the demo closes, 2025-11 … 2026-10.
    static let closed = (0..<12).map { i in Period(year: 2025 + (10 + i) / 12, month: (10 + i) % 12 + 1).description }

    /// Runs the built binary (the demo pins the site clock; in its own process it cannot move
    /// the clock under other tests), then checks the site through ReconKit.
    /// Under `--verbose` (as its help says) every drop, flag and document is logged as it happens:
    /// documents and flags were not.
    @Test func aYearOfHistoryRunsToClosedPeriods() throws {
        let site = try TestSite()
        let run = try site.recon(["demo", "--verbose"])
        #expect(run.code == 0, "\(run.out)\n\(run.err)")
        #expect(run.out.contains("Where to look"))
        #expect(run.out.contains("recon verify --site \(site.root)"))
        // The young client's story counts its closed months' reports too (settled on disk).
        #expect(run.out.contains("28 reports in 2026-08, 280 reports in 2026-09"), "\(run.out)")

        let ledger = LedgerFile(path: site.path("Ledger/ledger.jsonl"))
        try ledger.load()
        let entries = ledger.entries
        #expect(entries.first?.string("site") == "recon-demo")
        // The summary counts every usage drop's reports, closed months' too: the archived CSVs' rows.
        let usage = entries.filter { $0.kind == "drop.accepted" && $0.string("kind") == "usage" }
        let rows = try usage.reduce(0) { sum, e in
            let text = try site.read("Ledger/drops/\(e.string("sha256") ?? "").csv")
            return sum + text.split(separator: "\n").count - 1
        }
        #expect(rows > 50_000)
        #expect(run.out.contains("\(Digits.grouped(rows)) reports in \(usage.count) usage drops"), "\(run.out)")

        // Every document issued is logged, and every flag a close raised or decided.
        let numbers = entries.filter { $0.kind.hasSuffix(".issued") }.compactMap { $0.string("number") }
        #expect(numbers.count > 400 && numbers.allSatisfy { run.err.contains("issued \($0) (") }, "\(numbers.filter { !run.err.contains("issued \($0) (") }.prefix(5))")
        // (Those its close knew: raised before the month's period.closed; a rerun's come later.)
        let closedAt = Dictionary(entries.filter { $0.kind == "period.closed" }.map { ($0.string("period") ?? "", $0.seq) }) { a, _ in a }
        let closedFlags = entries.filter { e in e.kind == "flag.raised" && closedAt[e.string("period") ?? ""].map { e.seq < $0 } == true }
            .compactMap { $0.string("id") }
        #expect(closedFlags.count > 40 && closedFlags.allSatisfy { run.err.contains($0 + " ") },
                "\(closedFlags.filter { !run.err.contains($0 + " ") })")
        // Twelve periods closed, in order; November 2026 open with its drafts.
        #expect(entries.filter { $0.kind == "period.closed" }.compactMap { $0.string("period") } == Self.closed)
        #expect(site.exists("Outbox/2026-11/drafts/invoices.xlsx"))
        #expect(site.exists("Outbox/2026-11/drafts/payouts.xlsx"))
        #expect(site.exists("Outbox/margin-summary.xlsx"))
        for p in Self.closed { #expect(site.exists("Outbox/\(p)/review.xlsx"), "review of \(p)") }

        // The whole site verifies, in-process and through the command.
        let report = try Verifier(site: Site(root: site.root)).verify()
        #expect(report.count == entries.count)
        #expect(report.checkpoints >= 12)
        let verify = try site.recon(["verify"])
        #expect(verify.code == 0, "\(verify.out)\(verify.err)")

        try checkDocuments(entries, site: site)
        try checkFlags(entries, site: site)
        try SoftFlagLedgerTests.expectLedgerMatchesReviews(site, periods: Self.closed)

        // The retroactive card replaced the 2026-01-01 card before January closed.
        let replaced = try #require(entries.first { $0.kind == "card.replaced" })
        #expect(replaced.string("effective_from") == "2026-01-01")
        let january = try #require(entries.first { $0.kind == "period.closed" && $0.string("period") == "2026-01" })
        #expect(replaced.seq < january.seq)

        // The late drop was held, then applied by a signed rerun.
        let rerun = try #require(entries.first { $0.kind == "rerun" })
        #expect(rerun.string("period") == "2026-09" && rerun.string("signed_by") == "demo-operator")
        #expect(FileIO.list(site.path("Inbox/held")).isEmpty)
        #expect(site.exists("Outbox/statements/C-LAKESIDE-US.xlsx"))

        // One rejected drop kept with its errors beside it.
        #expect(site.exists("Inbox/rejected/usage-2026-03-walkin-clinic.csv"))
        let errors = try site.read("Inbox/rejected/usage-2026-03-walkin-clinic.csv.errors.txt")
        #expect(errors.contains("line 3"), "\(errors)")
    }

    /// Every issued document: lines sum to the subtotal, subtotal + tax = total, amounts in the
    /// currency's minor unit (JPY none, KWD three); numbers gapless per kind and year.
    func checkDocuments(_ entries: [LedgerEntry], site: TestSite) throws {
        let issued = entries.filter { $0.kind.hasSuffix(".issued") }
        var byCurrency: [String: Int] = [:]
        var numbers: [String: [Int]] = [:]
        for e in issued {
            let doc = try DocumentRecord(entry: e)
            var sum = ExactDecimal.zero
            for line in doc.lines { sum = try sum + line.amount }
            #expect(sum == doc.subtotal, "\(doc.number): lines sum to \(sum), subtotal \(doc.subtotal)")
            #expect(try doc.subtotal + doc.tax == doc.total, "\(doc.number)")
            #expect(site.exists(doc.file), "\(doc.file)")
            let digits = doc.currency.minorDigits
            for text in [e.string("subtotal"), e.string("tax"), e.string("total")] + doc.lines.map({ Optional($0.amount.description) }) {
                let t = try #require(text)
                let fraction = t.split(separator: ".", omittingEmptySubsequences: false)
                #expect(digits == 0 ? fraction.count == 1 : fraction.count == 2 && fraction[1].count == digits,
                        "\(doc.number) in \(doc.currency.code): \(t)")
            }
            if doc.kind == .invoice { byCurrency[doc.currency.code, default: 0] += 1 }
            let parts = doc.number.split(separator: "-")
            numbers["\(parts[0])-\(parts[1])", default: []].append(Int(parts[2]) ?? 0)
        }
        // 23 clients bill every month, the young client from 2026-08: 9 × 23 + 3 × 24, and the
        // rerun of 2026-09 reissues one invoice (after a credit note for the whole of the first).
        #expect(issued.filter { $0.kind == "invoice.issued" }.count == 280)
        #expect(issued.filter { $0.kind == "credit_note.issued" }.count == 2)
        // 15 radiologists are paid every month; the three who read the late reports get an
        // adjustment and a new statement.
        #expect(issued.filter { $0.kind == "payout.issued" }.count == 183)
        let adjusted = issued.filter { $0.kind == "payout_adjustment.issued" }.compactMap { $0.string("radiologist_id") }
        #expect(adjusted.sorted() == DemoData.lateReaders)
        // Two JPY and two KWD clients, twelve months each.
        #expect(byCurrency["JPY"] == 24)
        #expect(byCurrency["KWD"] == 24)
        for (key, list) in numbers { #expect(list == Array(1...list.count), "\(key) numbers are gapless") }
        #expect(numbers["INV-2025"]?.count == 23)  // November 2025 closes on 2025-12-01

        // The late client's September: first invoice, credit note for its whole total, new invoice.
        let september = try issued.map(DocumentRecord.init(entry:))
            .filter { $0.partyId == DemoData.lateClientId && $0.period == Period(year: 2026, month: 9) }
        let invoices = september.filter { $0.kind == .invoice }
        let credit = try #require(september.first { $0.kind == .creditNote })
        #expect(invoices.count == 2 && september.count == 3)
        #expect(credit.refersTo == invoices.first?.number)
        #expect(credit.total == invoices.first?.total)
        #expect(invoices.first.map { $0.total < invoices[1].total } == true)
        // The goodwill credit: 50.00 USD on the October invoice of C-BAYVIEW-US.
        let goodwill = try #require(issued.map(DocumentRecord.init(entry:)).first {
            $0.kind == .creditNote && $0.partyId == "C-BAYVIEW-US"
        })
        #expect(goodwill.total.description == "50.00" && goodwill.period == Period(year: 2026, month: 10))
    }

    /// Hard flags of closed periods are all decided (some excluded); the young client is never soft-flagged.
    func checkFlags(_ entries: [LedgerEntry], site: TestSite) throws {
        let raised = entries.filter { $0.kind == "flag.raised" }
        let hard = raised.filter { $0.string("severity") == "hard" }
        let decided = Set(entries.filter { $0.kind == "flag.decided" }.compactMap { $0.string("id") })
        let closedHard = hard.filter { Self.closed.contains($0.string("period") ?? "") }
        #expect(closedHard.count >= 36)  // three to five over-contract reports a month
        for f in closedHard { #expect(decided.contains(f.string("id") ?? ""), "\(f.string("id") ?? "") undecided") }
        let excluded = entries.filter { $0.kind == "flag.decided" && $0.string("decision") == "exclude" }
        #expect(excluded.count >= 1 && excluded.count < closedHard.count / 2)
        // The running month's over-contract reports wait for a decision.
        #expect(hard.contains { $0.string("period") == "2026-11" && !decided.contains($0.string("id") ?? "") })

        let young = raised.filter {
            $0.string("severity") == "soft" && $0.string("subject") == DemoClient.youngId
                && ["2026-08", "2026-09", "2026-10"].contains($0.string("period") ?? "")
        }
        #expect(young.isEmpty, "young client flagged: \(young.map { $0.string("reason") ?? "" })")
        // …and it did grow tenfold: the story is in the ledger.
        // Closed months' reports are settled on disk: read them all.
        let session = try SiteSession(site: Site(root: site.root), writing: false, log: ConsoleLog.logger(.text), settled: false, clock: .system)
        let counts = ["2026-08", "2026-09"].map { p in
            session.state.reports(in: Period(p)!).filter { $0.clientId == DemoClient.youngId }.count
        }
        #expect(counts == [28, 280])
    }

    // MARK: Folders that are not a demo

    @Test func refusesAnotherSiteAndTouchesNothing() throws {
        let dir = try TestSite()
        let site = Site(root: dir.root)
        _ = try SiteInitializer.initialise(site, name: "city-hospital", baseCurrency: "INR", timezone: "UTC", clock: .system)
        let before = try FileIO.read(site.ledgerFile)
        let error = #expect(throws: ReconFailure.self) {
            _ = try DemoSite(site: site, log: ConsoleLog.logger(.text)).run()
        }
        #expect(error?.code == .refused)
        #expect(error?.message.contains("city-hospital") == true)
        #expect(try FileIO.read(site.ledgerFile) == before)
        #expect(dir.exists("recon.toml"))
    }

    @Test func refusesAFolderWithDropsButNoLedger() throws {
        let dir = try TestSite()
        try FileManager.default.createDirectory(atPath: dir.path("Inbox"), withIntermediateDirectories: true)
        try "report_id\n".write(toFile: dir.path("Inbox/usage-2026-01.csv"), atomically: false, encoding: .utf8)
        let error = #expect(throws: ReconFailure.self) {
            _ = try DemoSite(site: Site(root: dir.root), log: ConsoleLog.logger(.text)).run()
        }
        #expect(error?.code == .refused)
        #expect(error?.message.contains("usage-2026-01.csv") == true)
        #expect(dir.exists("Inbox/usage-2026-01.csv"))
    }

    /// A demo stopped in its first moments (its init had written the site key, not yet the
    /// ledger or `recon.toml`) left a folder the next demo refused ("holds keys but the folder
    /// has no ledger"), rebuilt only by hand. A key named as the demo's there, and nothing else,
    /// is an interrupted demo: kept (never deleted), its unfinished writes cleared. Another
    /// site's key is refused as before, and stays.
    @Test(arguments: [DemoData.siteName, "city-hospital"])
    func aDemoStoppedInItsInitIsRebuilt(keyName: String) throws {
        let dir = try TestSite()
        let site = Site(root: dir.root)
        for folder in ["Inbox/held", "Inbox/rejected", "Outbox", "Ledger/drops", "Ledger/checkpoints", "Ledger/keys"] {
            try FileManager.default.createDirectory(atPath: dir.path(folder), withIntermediateDirectories: true)
        }
        try SigningKey.generate(name: keyName).write(to: SiteKeyFile.path(for: site))
        try "half".write(toFile: dir.path("Ledger/keys/.site.pub.4242.tmp"), atomically: false, encoding: .utf8)
        let demo = DemoSite(site: site, log: ConsoleLog.logger(.text))
        let key = try dir.read("Ledger/keys/site.key")
        if keyName == DemoData.siteName {
            // Kept, as an interrupted init's key is (whose it is cannot be told): the demo signs with it.
            try demo.prepare()
            #expect(try dir.read("Ledger/keys/site.key") == key && !dir.exists("Ledger/keys/.site.pub.4242.tmp"))
        } else {
            let error = #expect(throws: ReconFailure.self) { try demo.prepare() }
            #expect(error?.code == .refused && error?.message.contains("but the folder has no ledger") == true, "\(String(describing: error))")
            #expect(dir.exists("Ledger/keys/site.key"))
        }
    }

    /// A site anyone named `recon-demo` is not a demo: the demo rebuilt it, deleting its ledger,
    /// its issued invoices and its key without a word (exit 0). A demo is initialised at its
    /// history's first moment; one worked on since (an entry after its history) is kept too.
    @Test func refusesASiteNamedLikeTheDemoThatTheDemoDidNotBuild() throws {
        let dir = try TestSite()
        let site = Site(root: dir.root)
        _ = try SiteInitializer.initialise(site, name: "recon-demo", baseCurrency: "INR", timezone: "Asia/Kolkata", clock: .system)
        let before = try FileIO.read(site.ledgerFile)
        let error = #expect(throws: ReconFailure.self) { _ = try DemoSite(site: site, log: ConsoleLog.logger(.text)).run() }
        #expect(error?.code == .refused)
        #expect(error?.message.contains("not one `recon demo` built") == true, "\(error?.message ?? "")")
        #expect(try FileIO.read(site.ledgerFile) == before)

        let worked = try TestSite()
        let demoInit = try #require(DemoEvent.timeline.first?.at)
        _ = try SiteInitializer.initialise(Site(root: worked.root), name: "recon-demo", baseCurrency: "INR", timezone: "Asia/Kolkata",
                                           clock: .fixed(demoInit))
        try worked.drop("fx_rates.csv", "date,currency,rate\n2026-01-01,USD,83\n")
        #expect(try worked.recon(["ingest"], env: ["RECON_NOW": "2027-01-05T10:00:00Z"]).code == 0)
        let kept = #expect(throws: ReconFailure.self) { _ = try DemoSite(site: Site(root: worked.root), log: ConsoleLog.logger(.text)).run() }
        #expect(kept?.message.contains("worked on since") == true, "\(kept?.message ?? "")")
        #expect(worked.exists("Ledger/drops"))

        // An entry a person appended at the demo's very last second (a writer takes a clock equal
        // to the head's) is work too.
        let sameSecond = try TestSite()
        _ = try SiteInitializer.initialise(Site(root: sameSecond.root), name: "recon-demo", baseCurrency: "INR", timezone: "Asia/Kolkata",
                                           clock: .fixed(demoInit))
        let demoEnd = try #require(DemoEvent.timeline.last?.at)
        try sameSecond.drop("fx_rates.csv", "date,currency,rate\n2026-01-01,USD,83\n")
        #expect(try sameSecond.recon(["ingest"], env: ["RECON_NOW": SiteClock.text(demoEnd)]).code == 0)
        let atEnd = #expect(throws: ReconFailure.self) { _ = try DemoSite(site: Site(root: sameSecond.root), log: ConsoleLog.logger(.text)).run() }
        #expect(atEnd?.message.contains("worked on since") == true, "\(atEnd?.message ?? "")")
    }

    /// `recon demo` cleared a previous demo while a command held its writer lock (deleting the
    /// ledger and the lock file under it): the command then appended to the new demo's ledger
    /// with the old head, and the site no longer verified. Two demos at once on one folder
    /// cleared each other's files. The demo now waits for both locks, then says it is busy.
    @Test func aDemoWaitsForTheCommandAndTheDemoAtWorkInItsFolder() throws {
        let dir = try TestSite()
        let demoInit = try #require(DemoEvent.timeline.first?.at)
        _ = try SiteInitializer.initialise(Site(root: dir.root), name: "recon-demo", baseCurrency: "INR", timezone: "Asia/Kolkata",
                                           clock: .fixed(demoInit))
        let before = try dir.ledgerBytes()
        let env = ["RECON_LOCK_TIMEOUT": "0.3"]
        do {
            let writer = try SiteLock(path: dir.path("Ledger/writer.lock"), timeout: 1)
            let demo = try dir.recon(["demo", "--site", dir.root], site: false, env: env)
            #expect(demo.code == 3, "\(demo.out)\(demo.err)")
            #expect(demo.err.contains("another recon is writing this site"), "\(demo.err)")
            #expect(try dir.ledgerBytes() == before)
            withExtendedLifetime(writer) {}
        }
        let fd = open(dir.root, O_RDONLY | O_DIRECTORY)
        #expect(fd >= 0 && flock(fd, LOCK_EX) == 0)
        let second = try dir.recon(["demo", "--site", dir.root], site: false, env: env)
        #expect(second.code == 3, "\(second.out)\(second.err)")
        #expect(second.err.contains("another `recon demo` is building"), "\(second.err)")
        #expect(try dir.ledgerBytes() == before)
        close(fd)
    }

    /// Ctrl-C or SIGTERM during the demo: a stop noted by one step's command was dropped with
    /// it, and the demo ran to its end and exited 0 in about half of the trials. It stops between
    /// steps, says how far it got, exits 128 + the signal, and what it built verifies.
    @Test(arguments: [SIGINT, SIGTERM])
    func aDemoAskedToStopStopsBetweenItsSteps(signal: Int32) throws {
        let dir = try TestSite()
        let demo = try RunningProcess(TestSite.binary, ["demo", "--site", dir.root])
        let ledger = dir.path("Ledger/ledger.jsonl")
        let closing = ProcessRunner.wait(upTo: 120) {
            (try? String(contentsOfFile: ledger, encoding: .utf8))?.contains("\"kind\":\"period.closed\"") == true
        }
        #expect(closing, "the demo closed no month")
        kill(demo.pid, signal)
        let run = demo.finish()
        #expect(run.code == 128 + signal, "\(run.out)\(run.err)")
        #expect(run.err.contains("stopped by \(SignalHold.name(of: signal)) after ") && run.err.contains(" steps (the history up to "),
                "\(run.err)")
        // Stopped long before the end: October 2026 is never closed.
        #expect(!(try dir.read("Ledger/ledger.jsonl")).contains("\"period\":\"2026-10\""))
        let verify = try dir.recon(["verify"])
        #expect(verify.code == 0, "\(verify.out)\(verify.err)")
        dir.expectAuditorAccepts()
    }

    /// A demo killed before it deleted its operator's key left it in the temporary folder,
    /// able to sign for the half-built demo it was listed on. The next demo removes the keys of
    /// demos whose process is gone, and never one of a demo still running.
    @Test func theKeyOfAKilledDemoIsRemovedByTheNext() throws {
        let dir = try TestSite()
        let gone = Process()
        gone.executableURL = URL(fileURLWithPath: "/bin/true")
        try gone.run()
        gone.waitUntilExit()
        let sleeper = Process()
        sleeper.executableURL = URL(fileURLWithPath: "/bin/sleep")
        sleeper.arguments = ["30"]
        try sleeper.run()
        defer { sleeper.terminate() }
        let abandoned = dir.path(DemoSite.operatorKeyPrefix + "\(gone.processIdentifier)-A")
        let running = dir.path(DemoSite.operatorKeyPrefix + "\(sleeper.processIdentifier)-B")
        let other = dir.path("recon-demo-operator-notes")
        for folder in [abandoned, running, other] {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            try "key".write(toFile: folder + "/demo-operator.key", atomically: true, encoding: .utf8)
        }
        // Only the demo's own key goes: a folder holding anything else keeps that.
        let crowded = dir.path(DemoSite.operatorKeyPrefix + "\(gone.processIdentifier)-C")
        try FileManager.default.createDirectory(atPath: crowded, withIntermediateDirectories: true)
        try "key".write(toFile: crowded + "/demo-operator.key", atomically: true, encoding: .utf8)
        try "mine".write(toFile: crowded + "/notes.txt", atomically: true, encoding: .utf8)
        let plain = dir.path(DemoSite.operatorKeyPrefix + "\(gone.processIdentifier)-D")
        try "a file".write(toFile: plain, atomically: true, encoding: .utf8)
        DemoSite.removeAbandonedOperatorKeys(in: dir.root)
        #expect(!FileManager.default.fileExists(atPath: abandoned))
        #expect(!FileManager.default.fileExists(atPath: crowded + "/demo-operator.key"))
        #expect(FileManager.default.fileExists(atPath: crowded + "/notes.txt"))
        #expect(FileManager.default.fileExists(atPath: plain))
        #expect(FileManager.default.fileExists(atPath: running))
        #expect(FileManager.default.fileExists(atPath: other))
    }

    @Test func aPreviousDemoIsClearedButReadmesAndOtherFilesStay() throws {
        let dir = try TestSite()
        let site = Site(root: dir.root)
        let demoInit = try #require(DemoEvent.timeline.first?.at)
        _ = try SiteInitializer.initialise(site, name: "recon-demo", baseCurrency: "INR", timezone: "Asia/Kolkata", clock: .fixed(demoInit))
        // `.recon/` too: the previous run's seal, signed by its key, made every command of the new one warn.
        let files = ["Inbox/README.md", "Outbox/README.md", "Ledger/README.md", "Inbox/usage-x.csv", "Outbox/2026-01/a.xlsx",
                     "notes.txt", ".recon/documents.seal", ".recon/cache/x.cache"]
        for f in files {
            try FileManager.default.createDirectory(atPath: FileIO.parent(of: dir.path(f)), withIntermediateDirectories: true)
            try "x".write(toFile: dir.path(f), atomically: false, encoding: .utf8)
        }
        try DemoSite(site: site, log: ConsoleLog.logger(.text)).prepare()
        #expect(FileIO.list(site.inbox) == ["README.md"])
        #expect(FileIO.list(site.outbox) == ["README.md"])
        // The writer's lock file stays: a command may hold it (removed, it let a second writer in).
        #expect(FileIO.list(site.ledgerDir) == ["README.md", "writer.lock"])
        #expect(!dir.exists("recon.toml"))
        #expect(!dir.exists(".recon"))
        #expect(dir.exists("notes.txt"))
    }

    /// A user who kept the demo's documents on a share linked `Outbox` there (a site may), and
    /// ran the demo again: it emptied the share, the user's own files with the demo's. Refused
    /// now, exit 3, and nothing is touched, the previous demo's caches included.
    @Test(arguments: ["Outbox", "Ledger"])
    func aPreviousDemoWhoseFolderIsALinkIsRefusedAndNothingIsTouched(linked: String) throws {
        let dir = try TestSite()
        let site = Site(root: dir.root)
        let demoInit = try #require(DemoEvent.timeline.first?.at)
        _ = try SiteInitializer.initialise(site, name: "recon-demo", baseCurrency: "INR", timezone: "Asia/Kolkata", clock: .fixed(demoInit))
        try withTemporaryFolder { share in
            // The folder moved to the share, the site's name for it a link there.
            for name in FileIO.list(dir.path(linked)) {
                try FileManager.default.moveItem(atPath: dir.path(linked + "/" + name), toPath: share + "/" + name)
            }
            try FileManager.default.removeItem(atPath: dir.path(linked))
            try FileManager.default.createSymbolicLink(atPath: dir.path(linked), withDestinationPath: share)
            try "the team's".write(toFile: share + "/notes.txt", atomically: false, encoding: .utf8)
            try FileManager.default.createDirectory(atPath: share + "/finance-2026", withIntermediateDirectories: true)
            try "x".write(toFile: share + "/finance-2026/board.xlsx", atomically: false, encoding: .utf8)
            try FileManager.default.createDirectory(atPath: dir.path(".recon"), withIntermediateDirectories: true)
            try "x".write(toFile: dir.path(".recon/status.cache"), atomically: false, encoding: .utf8)
            let before = Set(FileIO.list(share))
            do {
                try DemoSite(site: site, log: ConsoleLog.logger(.text)).prepare()
                Issue.record("a previous demo whose \(linked) is a link was cleared")
            } catch let failure as ReconFailure {
                #expect(failure.code == .refused && failure.message.contains("is a link to") && failure.message.contains("nothing was touched"),
                        "\(failure.message)")
            }
            #expect(Set(FileIO.list(share)) == before && FileIO.exists(share + "/finance-2026/board.xlsx"))
            #expect(dir.exists(".recon/status.cache") && dir.exists("recon.toml"))
        }
    }

    // MARK: The generator

    @Test func theHistoryIsTheSameOnEveryRun() {
        let a = DemoData().month(Period(year: 2026, month: 9)), b = DemoData().month(Period(year: 2026, month: 9))
        #expect(a.csv(days: 1...30) == b.csv(days: 1...30))
        #expect(a.reports.count == b.reports.count && a.reports.count > 4000)
        // The young client grows tenfold at two months of age; the mature one's images stay within its contract.
        #expect(a.reports.filter { $0.clientId == DemoClient.youngId }.count == 280)
        let sunrise = a.reports.filter { $0.clientId == DemoClient.imageJumpId && a.intended[$0.id] == nil }
        #expect(sunrise.allSatisfy { $0.images <= 40 })
        #expect(sunrise.map(\.images).reduce(0, +) > 15 * sunrise.count)
    }

    @Test(arguments: [(1000, 104, 5, 1040), (2350, 104, 5, 2445), (725, 105, 5, 760), (150, 105, 1, 158), (1150, 104, 10, 1200)])
    func revisedPricesRoundHalfUpToTheirStep(value: Int, percent: Int, step: Int, expected: Int) {
        #expect(DemoData.revised(value, percent: percent, step: step) == expected)
    }
}
