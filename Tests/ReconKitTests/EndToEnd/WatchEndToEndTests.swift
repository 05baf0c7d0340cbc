import Foundation
import Glibc
import Testing

/// The real `recon watch` binary on a temporary site: drops written slowly, renamed in,
/// in a burst, bad ones, and a SIGTERM in the middle of work. Every case ends by checking
/// the ledger: each file accepted exactly once, `recon verify` ok, the auditor's verifier ok.
@Suite("recon watch — the real watcher on a temporary site", .serialized)
struct WatchEndToEndTests {
    static let env = ["RECON_NOW": "2026-04-02T09:00:00Z"]

    static let masterData: [(name: String, text: String)] = [
        ("clients.csv", """
            client_id,name,currency,contract_type,onboarded_on,max_images_per_case,tax_rate
            C1,City Hospital,INR,standard,2020-01-01,5,18
            C2,Harbor Clinic,INR,standard,2021-06-01,10,
            """),
        ("radiologists.csv", """
            radiologist_id,name,grade,seniority_years,currency
            D1,Dr Rao,consultant,10,INR
            D2,Dr Lee,junior,2,INR
            """),
        ("provider_rates.csv", """
            effective_from,grade,modality,urgency,min_seniority_years,rate_per_report,rate_per_image,currency
            2026-03-01,*,*,*,0,50.00,0,INR
            """),
        ("client_rates.csv", """
            effective_from,client_id,contract_type,modality,urgency,tier_from,tier_to,unit_price,currency,tier_mode
            2026-03-01,*,*,*,*,1,,100.00,INR,volume
            """),
        ("fx_rates.csv", "date,currency,rate\n2026-03-01,USD,83.5\n"),
    ]

    static let usageHeader = "report_id,reported_at,client_id,radiologist_id,modality,image_count,urgency\n"

    /// `count` usage rows with ids `PREFIX-1…`, all in 2026-03 and within every contract.
    static func usage(_ prefix: String, rows count: Int) -> String {
        usageHeader + (1...count).map { i in
            "\(prefix)-\(i),2026-03-\(10 + i % 15)T\(10 + i % 8):\(10 + i % 50):00Z,C\(1 + i % 2),D\(1 + i % 2),CT,\(1 + i % 3),routine\n"
        }.joined()
    }

    /// An initialised site holding master data and cards, ready for usage drops.
    func preparedSite() throws -> TestSite {
        let site = try TestSite()
        let initRun = try site.recon(["init", "--name", "watch-site", "--base-currency", "INR", "--timezone", "UTC"], env: Self.env)
        try #require(initRun.code == 0, "\(initRun.err)")
        for (name, text) in Self.masterData { try site.drop(name, text) }
        let ingest = try site.recon(["ingest"], env: Self.env)
        try #require(ingest.code == 0, "\(ingest.err)")
        return site
    }

    // MARK: - The ledger, read back

    /// `drop.accepted` bodies in ledger order.
    func acceptedDrops(_ site: TestSite) throws -> [[String: Any]] {
        try site.read("Ledger/ledger.jsonl").split(separator: "\n").compactMap { line in
            let entry = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            return entry?["kind"] as? String == "drop.accepted" ? entry?["body"] as? [String: Any] : nil
        }
    }

    /// How many times each file name was accepted.
    func acceptCounts(_ site: TestSite) throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for body in try acceptedDrops(site) { counts[body["name"] as? String ?? "?", default: 0] += 1 }
        return counts
    }

    /// Rows recorded for the one acceptance of `name`, or nil when it was not accepted.
    func acceptedRows(_ site: TestSite, _ name: String) throws -> Int? {
        try acceptedDrops(site).first { $0["name"] as? String == name }?["rows"] as? Int
    }

    /// No file and no bytes accepted twice; `recon verify` and the auditor's verifier both say ok.
    func expectSoundLedger(_ site: TestSite, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let drops = try acceptedDrops(site)
        let shas = drops.compactMap { $0["sha256"] as? String }
        #expect(Set(shas).count == shas.count, "the same bytes were accepted twice", sourceLocation: sourceLocation)
        let doubled = try acceptCounts(site).filter { $0.value > 1 }
        #expect(doubled.isEmpty, "accepted more than once: \(doubled)", sourceLocation: sourceLocation)
        let verify = try site.recon(["verify"])
        #expect(verify.code == 0 && verify.out.hasPrefix("ok "), "\(verify.out)\(verify.err)", sourceLocation: sourceLocation)
        if let audit = try site.auditorVerify() {
            #expect(audit.code == 0, "\(audit.out)\(audit.err)", sourceLocation: sourceLocation)
        }
    }

    func inboxFiles(_ site: TestSite) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: site.path("Inbox")).filter {
            FileIOProbe.isRegularFile(site.path("Inbox/" + $0))
        }.sorted()
    }

    // MARK: - The cases

    @Test func aFileWrittenSlowlyInPiecesIsTakenOnlyOnceComplete() throws {
        let site = try preparedSite()
        let watcher = try RunningWatcher(site: site, stable: 1.0)
        defer { watcher.kill() }
        try #require(watcher.waitForLog("Watching the Inbox"), "the watcher did not start:\n\(watcher.log)")

        // Written straight into the Inbox under its final name, 12 pieces 100 ms apart,
        // cut mid-row: taken early, it would be rejected or accepted short.
        let text = Self.usage("SLOW", rows: 8)
        let bytes = Array(text.utf8)
        let fd = open(site.path("Inbox/usage-slow.csv"), O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        try #require(fd >= 0)
        let pieces = 12
        let size = (bytes.count + pieces - 1) / pieces
        for start in stride(from: 0, to: bytes.count, by: size) {
            let end = min(start + size, bytes.count)
            let written = bytes[start..<end].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            #expect(written == end - start)
            usleep(100_000)  // the writer's pace is the case under test (a slow writer), not a wait for something
        }
        close(fd)

        #expect(waitUntil(20) { try self.acceptedRows(site, "usage-slow.csv") != nil }, "never taken:\n\(watcher.log)")
        #expect(try acceptedRows(site, "usage-slow.csv") == 8)
        // The entry is appended before the file leaves the Inbox and the line is logged:
        // wait for the log line, which comes last, before looking at the Inbox.
        #expect(watcher.waitForLog("usage-slow.csv: accepted 8 usage rows"), "\(watcher.log)")
        #expect(!site.exists("Inbox/rejected/usage-slow.csv"))
        // The drop leaves the Inbox just after its entry is appended: wait for that, not race it.
        #expect(waitUntil(20) { !site.exists("Inbox/usage-slow.csv") })
        #expect(watcher.log.components(separatedBy: "usage-slow.csv: accepted 8 usage rows").count == 2, "\(watcher.log)")
        #expect(watcher.terminate() == 0, "\(watcher.log)")
        try expectSoundLedger(site)
    }

    /// A writer that stalls, its file open, longer than the stable time (a copy over a slow
    /// share, an export that paused): the file held still, was taken, and the rows written
    /// after went into a file no longer in the Inbox, lost unsaid. The watcher asks the kernel
    /// whether a program still has the file open for writing (a read lease) and waits for it
    /// to close. On a file system that grants no leases, the stable time alone decides.
    @Test func aFileStillOpenForWritingIsNotTakenHoweverLongItsWriterStalls() throws {
        let site = try preparedSite()
        let watcher = try RunningWatcher(site: site, stable: 0.3)
        defer { watcher.kill() }
        try #require(watcher.waitForLog("Watching the Inbox"), "the watcher did not start:\n\(watcher.log)")
        let path = site.path("Inbox/usage-stall.csv")
        var fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        try #require(fd >= 0)
        defer { if fd >= 0 { close(fd) } }
        let rows = Self.usage("STALL", rows: 4).split(separator: "\n", omittingEmptySubsequences: false)
        func put(_ text: String) { _ = Array(text.utf8).withUnsafeBytes { write(fd, $0.baseAddress, $0.count) } }
        put(rows[0...2].joined(separator: "\n") + "\n")  // the header and two rows, then the writer stalls
        guard Self.leasesWork(in: site.path("Inbox")) else {
            // This file system grants no leases: the file is taken once it held still, as before.
            #expect(waitUntil(20) { try self.acceptedRows(site, "usage-stall.csv") == 2 }, "\(watcher.log)")
            return
        }
        // The watcher found it still open for writing, well past its 0.3 s, and says so.
        #expect(watcher.waitForLog("usage-stall.csv held still but is still open for writing by another program"), "\(watcher.log)")
        #expect(try acceptedRows(site, "usage-stall.csv") == nil && site.exists("Inbox/usage-stall.csv"))
        put(rows[3...4].joined(separator: "\n") + "\n")
        close(fd)
        fd = -1
        #expect(waitUntil(20) { try self.acceptedRows(site, "usage-stall.csv") != nil }, "never taken:\n\(watcher.log)")
        #expect(try acceptedRows(site, "usage-stall.csv") == 4, "\(watcher.log)")
        #expect(watcher.waitForLog("usage-stall.csv: accepted 4 usage rows"), "\(watcher.log)")
        #expect(watcher.terminate() == 0, "\(watcher.log)")
        try expectSoundLedger(site)
    }

    /// Whether the kernel grants a read lease on a file in `folder` once no one has it open for writing.
    static func leasesWork(in folder: String) -> Bool {
        let probe = folder + "/.lease-probe"
        guard FileManager.default.createFile(atPath: probe, contents: Data("x".utf8)) else { return false }
        defer { unlink(probe) }
        let fd = open(probe, O_RDONLY)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        guard fcntl(fd, 1024, Int32(F_RDLCK)) == 0 else { return false }  // F_SETLEASE
        _ = fcntl(fd, 1024, Int32(F_UNLCK))
        return true
    }

    @Test func aFileRenamedInIsTakenAndHiddenOrPartialNamesAreLeftAlone() throws {
        let site = try preparedSite()
        let watcher = try RunningWatcher(site: site)
        defer { watcher.kill() }
        try #require(watcher.waitForLog("Watching the Inbox"), "the watcher did not start:\n\(watcher.log)")

        // Names that are never read, there before and after.
        try Self.usage("HIDDEN", rows: 1).write(toFile: site.path("Inbox/.usage-hidden.csv"), atomically: false, encoding: .utf8)
        try Self.usage("PART", rows: 1).write(toFile: site.path("Inbox/usage-next.csv.part"), atomically: false, encoding: .utf8)
        try Self.usage("TMP", rows: 1).write(toFile: site.path("Inbox/usage-other.csv.tmp"), atomically: false, encoding: .utf8)

        // Written elsewhere on the same file system, then renamed into the Inbox (moved-to).
        try FileManager.default.createDirectory(atPath: site.path("staging"), withIntermediateDirectories: true)
        try Self.usage("MOVED", rows: 3).write(toFile: site.path("staging/usage-moved.csv"), atomically: false, encoding: .utf8)
        #expect(rename(site.path("staging/usage-moved.csv"), site.path("Inbox/usage-moved.csv")) == 0)

        #expect(waitUntil(15) { try self.acceptedRows(site, "usage-moved.csv") != nil }, "never taken:\n\(watcher.log)")
        #expect(try acceptedRows(site, "usage-moved.csv") == 3)
        // Batches are taken one after another, and the ignored names have held still longer than
        // a mark dropped now: had the watcher meant to take them, it would have by the mark's end.
        try settle(site, watcher, mark: 1)
        #expect(try inboxFiles(site) == [".usage-hidden.csv", "usage-next.csv.part", "usage-other.csv.tmp"])
        #expect(try acceptCounts(site).keys.filter { $0.hasPrefix("usage") }.sorted() == ["usage-moved.csv", "usage-settle-1.csv"])
        #expect(watcher.terminate() == 0, "\(watcher.log)")
        try expectSoundLedger(site)
    }

    /// `mv Inbox Inbox.old && mkdir Inbox` (a clean-up, a restore): the watch followed the old
    /// folder, so drops put into the new one waited, unseen and unsaid, until something moved
    /// in the old. The watcher says the Inbox stopped being watched, looks at it by polling,
    /// and takes the drop.
    @Test func anInboxRenamedAwayAndMadeAgainIsStillWatched() throws {
        let site = try preparedSite()
        let watcher = try RunningWatcher(site: site)
        defer { watcher.kill() }
        try #require(watcher.waitForLog("Watching the Inbox"), "the watcher did not start:\n\(watcher.log)")
        #expect(rename(site.path("Inbox"), site.path("Inbox.old")) == 0)
        try FileManager.default.createDirectory(atPath: site.path("Inbox"), withIntermediateDirectories: false)
        #expect(watcher.waitForLog("stopped being watched (removed, renamed away or unmounted?); polling it instead"), "\(watcher.log)")
        try FileManager.default.createDirectory(atPath: site.path("staging"), withIntermediateDirectories: true)
        try Self.usage("AFTER", rows: 2).write(toFile: site.path("staging/usage-after.csv"), atomically: false, encoding: .utf8)
        #expect(rename(site.path("staging/usage-after.csv"), site.path("Inbox/usage-after.csv")) == 0)
        #expect(waitUntil(15) { try self.acceptedRows(site, "usage-after.csv") != nil }, "never taken:\n\(watcher.log)")
        #expect(watcher.terminate() == 0, "\(watcher.log)")
        try expectSoundLedger(site)
    }

    @Test func aBurstOf200SmallDropsIsProcessedWithNoneMissedOrDoubled() throws {
        let site = try preparedSite()
        let watcher = try RunningWatcher(site: site)
        defer { watcher.kill() }
        try #require(watcher.waitForLog("Watching the Inbox"), "the watcher did not start:\n\(watcher.log)")

        // 200 drops of 1 or 2 rows, each written under .part and renamed in: the first 100 at
        // once, the rest while the watcher is busy with them, in bunches of ten.
        var expected: [String: Int] = [:]
        for i in 1...200 {
            let name = "usage-burst-\(String(format: "%03d", i)).csv"
            let rows = 1 + i % 2
            expected[name] = rows
            try site.drop(name, Self.usage("B\(i)", rows: rows))
            if i == 100 { try #require(watcher.waitForLog("Handing over"), "\(watcher.log)") }
            // Pacing the writer so drops keep arriving during processing is the case under test, not a wait.
            if i > 100 && i % 10 == 0 { usleep(30_000) }
        }

        func burstAccepted() -> Int { ((try? acceptCounts(site)) ?? [:]).keys.filter { $0.hasPrefix("usage-burst-") }.count }
        let done = waitUntil(45) { burstAccepted() >= 200 }
        #expect(done, "accepted \(burstAccepted()) of 200:\n\(watcher.log.suffix(3000))")
        let left = waitUntil(5) { try self.inboxFiles(site).isEmpty }
        #expect(left, "left in the Inbox: \((try? inboxFiles(site)) ?? [])")
        #expect(watcher.terminate() == 0, "\(watcher.log.suffix(3000))")
        let batches = watcher.log.components(separatedBy: "Handing over").count - 1
        #expect(batches >= 2, "all 200 came in one batch; nothing arrived during processing")

        let drops = try acceptedDrops(site).filter { ($0["name"] as? String)?.hasPrefix("usage-burst-") == true }
        var got: [String: Int] = [:]
        for d in drops { got[d["name"] as? String ?? "?", default: 0] += d["rows"] as? Int ?? 0 }
        #expect(drops.count == 200)
        #expect(got == expected)
        let rejected = site.exists("Inbox/rejected") ? try inboxRejected(site) : []
        #expect(rejected.isEmpty, "\(rejected)")
        // 100 drops of 1 row and 100 of 2: 300 reports, all billable in the open month.
        let status = try site.recon(["status", "--json"])
        let json = try JSONSerialization.jsonObject(with: Data(status.out.utf8)) as? [String: Any]
        let open = (json?["open_periods"] as? [[String: Any]])?.first { $0["period"] as? String == "2026-03" }
        #expect(open?["billable_reports"] as? Int == 300, "\(status.out)")
        try expectSoundLedger(site)
    }

    @Test func aBadDropIsRejectedAndTheNextGoodDropIsStillProcessed() throws {
        let site = try preparedSite()
        let watcher = try RunningWatcher(site: site)
        defer { watcher.kill() }
        try #require(watcher.waitForLog("Watching the Inbox"), "the watcher did not start:\n\(watcher.log)")

        try site.drop("usage-bad.csv", Self.usageHeader + "X1,2026-03-05T10:00:00Z,C9,D1,CT,1,routine\n")
        try site.drop("notes.csv", "anything\n")
        #expect(waitUntil(15) { site.exists("Inbox/rejected/usage-bad.csv") && site.exists("Inbox/rejected/notes.csv") },
                "not rejected:\n\(watcher.log)")
        #expect(try site.read("Inbox/rejected/usage-bad.csv.errors.txt").contains("unknown client \"C9\""))
        #expect(try site.read("Inbox/rejected/notes.csv.errors.txt").contains("does not start with a drop kind"))
        #expect(watcher.isRunning, "the watcher stopped after a bad drop:\n\(watcher.log)")

        try site.drop("usage-good.csv", Self.usage("GOOD", rows: 2))
        #expect(waitUntil(15) { try self.acceptedRows(site, "usage-good.csv") == 2 }, "\(watcher.log)")
        #expect(watcher.log.contains("usage-bad.csv: rejected with 1 problem"), "\(watcher.log)")
        #expect(try acceptCounts(site)["usage-bad.csv"] == nil)
        #expect(watcher.terminate() == 0, "\(watcher.log)")
        try expectSoundLedger(site)
    }

    /// `watch --json` answers a batch refused (the site does not verify) with its failure as a
    /// JSON line, as `--once` answers it: the stream said nothing, only the text log did.
    @Test func aRefusedBatchIsALineOfTheJSONStream() throws {
        let site = try preparedSite()
        let watcher = try RunningWatcher(site: site, extra: ["--json"])
        defer { watcher.kill() }
        try #require(watcher.waitForLog("Watching the Inbox"), "the watcher did not start:\n\(watcher.log)")
        // Bytes after the last entry that no crash of recon left (no intent record): damage.
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: site.path("Ledger/ledger.jsonl")))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(#"{"seq":99,"at":"#.utf8))
        try handle.close()
        try site.drop("usage-refused.csv", Self.usage("REF", rows: 1))
        #expect(watcher.waitForLog(#""exit":4,"ok":false"#), "\(watcher.log)")
        #expect(watcher.isRunning, "\(watcher.log)")
        #expect(watcher.terminate() == 0, "\(watcher.log)")
    }

    /// SIGHUP too (a watcher started from a terminal that closes): it killed the watcher in the
    /// middle of its batch, leaving a half-written archive behind.
    @Test(arguments: [SIGTERM, SIGHUP])
    func aStopSignalDuringWorkStopsCleanlyWithAVerifiableLedger(signal: Int32) throws {
        let site = try preparedSite()
        let watcher = try RunningWatcher(site: site)
        defer { watcher.kill() }
        try #require(watcher.waitForLog("Watching the Inbox"), "the watcher did not start:\n\(watcher.log)")

        // A large drop and a few small ones behind it: the signal lands while they are worked on.
        try site.drop("usage-large.csv", Self.usage("L", rows: 30_000))
        for i in 1...5 { try site.drop("usage-small-\(i).csv", Self.usage("S\(i)", rows: 1)) }
        // The line is logged just before the batch is worked on: the signal lands during the work.
        try #require(watcher.waitForLog("Handing over"), "nothing handed over:\n\(watcher.log)")
        let code = watcher.terminate(signal)
        #expect(code == 0, "exit \(code):\n\(watcher.log)")
        #expect(watcher.log.contains("Stop requested by a signal"), "\(watcher.log)")

        // Whatever was handed over was finished whole: each drop is either accepted once
        // (and gone from the Inbox) or still waiting in the Inbox, never half applied.
        let counts = try acceptCounts(site)
        let waiting = Set(try inboxFiles(site))
        for name in ["usage-large.csv"] + (1...5).map({ "usage-small-\($0).csv" }) {
            let accepted = counts[name] ?? 0
            #expect((accepted == 1) != waiting.contains(name), "\(name): accepted \(accepted)×, waiting \(waiting.contains(name))")
        }
        if counts["usage-large.csv"] == 1 { #expect(try acceptedRows(site, "usage-large.csv") == 30_000) }
        try expectSoundLedger(site)

        // Started again, it takes what was left, and only that.
        let again = try site.recon(["watch", "--once", "--stable", "0.3"], env: Self.env)
        #expect(again.code == 0, "\(again.err)")
        #expect(try acceptCounts(site).filter { $0.key.hasPrefix("usage-") }.count == 6)
        try expectSoundLedger(site)
    }

    @Test func aDropThatArrivesWhileAnotherCommandWritesWaitsForItAndIsThenTaken() throws {
        let site = try preparedSite()
        // Another writer (a long close, say) holds the site's lock.
        let lock = open(site.path("Ledger/writer.lock"), O_RDWR | O_CREAT, 0o644)
        try #require(lock >= 0 && flock(lock, LOCK_EX) == 0)
        defer { close(lock) }
        let attempts = try #require(CloseWriteCounter(path: site.path("Ledger/writer.lock")), "inotify is unavailable")
        let watcher = try RunningWatcher(site: site, env: ["RECON_LOCK_TIMEOUT": "0.5"])
        defer { watcher.kill() }
        try #require(watcher.waitForLog("Watching the Inbox"), "the watcher did not start:\n\(watcher.log)")
        try site.drop("usage-while-busy.csv", Self.usage("BUSY", rows: 2))
        #expect(watcher.waitForLog("another recon command is writing the site"), "\(watcher.log)")
        // The watcher gave up on the lock twice and went on trying, and still took nothing.
        #expect(waitUntil(15) { attempts.count >= 2 }, "lock attempts given up: \(attempts.count)\n\(watcher.log)")
        #expect(watcher.isRunning, "\(watcher.log)")
        #expect(try acceptedRows(site, "usage-while-busy.csv") == nil)
        flock(lock, LOCK_UN)
        #expect(waitUntil(15) { try self.acceptedRows(site, "usage-while-busy.csv") == 2 }, "\(watcher.log)")
        #expect(watcher.terminate() == 0, "\(watcher.log)")
        try expectSoundLedger(site)
    }

    /// A drop that vanishes between the Inbox scan and its read (another command took it,
    /// someone moved it away) is passed over: the rest of its batch is still taken, and the
    /// watch reports no failure.
    @Test func aDropThatVanishesWhileTheWatcherWaitsDoesNotStrandTheRestOfItsBatch() throws {
        let site = try preparedSite()
        let lock = open(site.path("Ledger/writer.lock"), O_RDWR | O_CREAT, 0o644)
        try #require(lock >= 0 && flock(lock, LOCK_EX) == 0)
        defer { close(lock) }
        for i in 1...6 { try site.drop("usage-v\(i).csv", Self.usage("V\(i)", rows: 2)) }
        let watcher = try RunningWatcher(site: site, env: ["RECON_LOCK_TIMEOUT": "0.5"])
        defer { watcher.kill() }
        #expect(watcher.waitForLog("another recon command is writing the site"), "\(watcher.log)")
        try FileManager.default.removeItem(atPath: site.path("Inbox/usage-v3.csv"))
        flock(lock, LOCK_UN)
        #expect(waitUntil(15) { try self.acceptCounts(site).filter { $0.key.hasPrefix("usage-v") }.count == 5 }, "\(watcher.log)")
        // A drop leaves the Inbox just after its entry is appended: wait for that too.
        #expect(waitUntil(15) { try self.inboxFiles(site).isEmpty }, "\(watcher.log)")
        #expect(!watcher.log.contains("failed"), "\(watcher.log)")
        #expect(watcher.terminate() == 0, "\(watcher.log)")
        try expectSoundLedger(site)
    }

    @Test func aStopWhileTheSiteIsBusyEndsTheWatchWithoutTakingTheDrop() throws {
        let site = try preparedSite()
        let lock = open(site.path("Ledger/writer.lock"), O_RDWR | O_CREAT, 0o644)
        try #require(lock >= 0 && flock(lock, LOCK_EX) == 0)
        defer { close(lock) }
        let watcher = try RunningWatcher(site: site, env: ["RECON_LOCK_TIMEOUT": "0.5"])
        defer { watcher.kill() }
        try #require(watcher.waitForLog("Watching the Inbox"), "the watcher did not start:\n\(watcher.log)")
        try site.drop("usage-while-busy.csv", Self.usage("BUSY", rows: 2))
        #expect(watcher.waitForLog("another recon command is writing the site"), "\(watcher.log)")
        let started = Date()
        #expect(watcher.terminate() == 0, "\(watcher.log)")
        #expect(Date().timeIntervalSince(started) < 5, "the stop waited for the lock")
        #expect(try inboxFiles(site) == ["usage-while-busy.csv"])
        flock(lock, LOCK_UN)
        try expectSoundLedger(site)
    }

    /// `--once` (cron) waits for a file that keeps changing only so long (ten times the stable
    /// time, at least 2 s), then leaves it for the next run and exits: it waited as long as the
    /// file changed, and runs from cron stacked up behind it.
    @Test func onceLeavesAFileThatKeepsChangingForTheNextRun() throws {
        let site = try preparedSite()
        try site.drop("usage-live.csv", "report_id,reported_at,client_id,radiologist_id,modality,image_count,urgency\n")
        let path = site.path("Inbox/usage-live.csv")
        let writing = StopWriting()
        let writer = Thread {
            var i = 0
            while !writing.isStopped, let handle = FileHandle(forWritingAtPath: path) {
                handle.seekToEndOfFile()
                handle.write(Data("LIVE-\(i),2026-03-05T10:00:00Z,C1,D1,CT,1,\n".utf8))
                handle.closeFile()
                i += 1
                usleep(100_000)
            }
        }
        writer.start()
        defer { writing.stop() }
        let once = try site.recon(["watch", "--once", "--stable", "0.2"], env: Self.env)
        writing.stop()
        #expect(once.code == 0, "\(once.err)")
        #expect(once.err.contains("Still being written, left for the next run: usage-live.csv"), "\(once.err)")
        #expect(try acceptCounts(site)["usage-live.csv"] == nil)
        #expect(try inboxFiles(site).contains("usage-live.csv"))
    }

    final class StopWriting: @unchecked Sendable {
        private let lock = NSLock()
        private var stopped = false
        func stop() { lock.lock(); stopped = true; lock.unlock() }
        var isStopped: Bool { lock.lock(); defer { lock.unlock() }; return stopped }
    }

    @Test func onceTakesWhatIsThereInKindThenNameOrderAndExits() throws {
        let site = try TestSite()
        #expect(try site.recon(["init", "--name", "once-site", "--base-currency", "INR"], env: Self.env).code == 0)
        // Usage first and master data last, by time and by name: the order is still by kind.
        try site.drop("usage-b.csv", Self.usage("UB", rows: 2))
        try site.drop("usage-a.csv", Self.usage("UA", rows: 1))
        for (name, text) in Self.masterData.reversed() { try site.drop(name, text) }
        let run = try site.recon(["watch", "--once", "--stable", "0.3"], env: Self.env)
        #expect(run.code == 0, "\(run.err)")
        #expect(try acceptedDrops(site).compactMap { $0["name"] as? String } == [
            "clients.csv", "radiologists.csv", "provider_rates.csv", "client_rates.csv", "fx_rates.csv", "usage-a.csv", "usage-b.csv",
        ])
        #expect(try inboxFiles(site).isEmpty)
        #expect(site.exists("Outbox/margin-summary.xlsx"))
        #expect(site.exists("Outbox/2026-03/drafts/invoices.xlsx"))
        // A rejected drop makes --once exit 2, for cron's mail.
        try site.drop("usage-bad.csv", Self.usageHeader + "X1,not-a-time,C1,D1,CT,1,routine\n")
        #expect(try site.recon(["watch", "--once", "--stable", "0.3"], env: Self.env).code == 2)
        try expectSoundLedger(site)
    }

    func inboxRejected(_ site: TestSite) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: site.path("Inbox/rejected"))
    }

    /// Polls `condition` for up to `seconds`; a condition that throws (a ledger read mid-append) has not held yet.
    func waitUntil(_ seconds: Double, _ condition: () throws -> Bool) -> Bool {
        ProcessRunner.wait(upTo: seconds) { (try? condition()) == true }
    }

    /// Drops a one-row usage mark and waits until it is accepted, logged and gone from the Inbox:
    /// every batch before it is then done (batches are taken one at a time), and anything that
    /// held still longer than the mark and was going to be taken has been.
    func settle(_ site: TestSite, _ watcher: RunningWatcher, mark: Int, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let name = "usage-settle-\(mark).csv"
        try site.drop(name, Self.usage("SETTLE\(mark)", rows: 1))
        #expect(watcher.waitForLog("\(name): accepted"), "the mark was not taken:\n\(watcher.log)", sourceLocation: sourceLocation)
        #expect(waitUntil(20) { !site.exists("Inbox/" + name) }, sourceLocation: sourceLocation)
    }
}

/// Whether a path is a regular file (not a folder such as `Inbox/held`).
enum FileIOProbe {
    static func isRegularFile(_ path: String) -> Bool {
        var isFolder: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) && !isFolder.boolValue
    }
}

/// `recon watch` running in the background on a test site, its log captured in a file.
final class RunningWatcher {
    let process = Process()
    let logPath: String

    init(site: TestSite, stable: Double = 0.3, extra: [String] = [], env: [String: String] = [:]) throws {
        logPath = FileManager.default.temporaryDirectory.path + "/recon-watch-" + UUID().uuidString + ".log"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        process.executableURL = URL(fileURLWithPath: TestSite.binary)
        process.arguments = ["watch", "--stable", "\(stable)", "--site", site.root] + extra
        var environment = ProcessInfo.processInfo.environment
        for (k, v) in WatchEndToEndTests.env.merging(env, uniquingKeysWith: { $1 }) { environment[k] = v }
        process.environment = environment
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.standardError = log
        process.standardOutput = log
        try process.run()
        try log.close()
    }

    deinit { try? FileManager.default.removeItem(atPath: logPath) }

    var isRunning: Bool { process.isRunning }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Waits up to `seconds` for `text` to appear in the log.
    func waitForLog(_ text: String, seconds: Double = 20) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if log.contains(text) { return true }
            if !process.isRunning { return log.contains(text) }
            usleep(20_000)
        }
        return log.contains(text)
    }

    /// Sends `signal` and waits up to 30 s for the exit; the exit status, or -1 if it had to be killed.
    func terminate(_ signal: Int32 = SIGTERM) -> Int32 {
        guard process.isRunning else { return process.terminationStatus }
        Glibc.kill(process.processIdentifier, signal)
        let deadline = Date().addingTimeInterval(30)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        guard !process.isRunning else {
            kill()
            return -1
        }
        return process.terminationReason == .exit ? process.terminationStatus : -1
    }

    /// Ends the process at once if it still runs (a failed test must not leave it behind).
    func kill() {
        guard process.isRunning else { return }
        Glibc.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}
