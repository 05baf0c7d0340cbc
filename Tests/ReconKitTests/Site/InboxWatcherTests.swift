import Foundation
import Glibc
import Logging
import Testing

@testable import ReconKit

/// The Inbox watcher against real files in a temporary site folder, with real
/// inotify (or polling where asked). Each test has its own folder, removed after.
@Suite struct InboxWatcherTests {
    /// A drop another machine writes into a shared Inbox (NFS, SMB) raises no inotify event on
    /// this one: with nothing settling, the watcher looked again only on an event, and such a
    /// drop waited until something happened locally. It sweeps every 2 s all the same.
    @Test func withInotifyTheInboxIsSweptAllTheSame() {
        let options = WatchOptions()
        let now = ContinuousClock.now
        #expect(options.sweepInterval == .seconds(2))
        #expect(InboxWatcher.nextRoutineLook(after: now, readyAt: nil, polling: false, retry: nil, options: options) == now + .seconds(2))
        // Polling, and a file settling, look sooner, as before.
        #expect(InboxWatcher.nextRoutineLook(after: now, readyAt: nil, polling: true, retry: nil, options: options) == now + .milliseconds(250))
        #expect(InboxWatcher.nextRoutineLook(after: now, readyAt: now + .milliseconds(100), polling: false, retry: nil, options: options)
                == now + .milliseconds(100))
    }

    @Test func fileWrittenSlowlyInPiecesIsDeliveredOnceAndComplete() async throws {
        try await withTemporaryInbox { inbox in
            let harness = WatchHarness(inbox: inbox, options: .quick(stableFor: .milliseconds(1500)))
            harness.start()
            // Written in place (no rename), 5 pieces 100 ms apart: never still for 1.5 s, even on a loaded machine.
            let path = inbox + "/usage_slow.csv"
            let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            #expect(descriptor >= 0)
            var expected = ""
            for piece in 0..<5 {
                let text = "report-\(piece),2026-03-01T10:00Z,C1,R1,CT,\(piece + 1)\n"
                expected += text
                _ = text.withCString { write(descriptor, $0, strlen($0)) }
                // The writer's pace is the case under test (a slow writer), not a wait for something.
                // A blocking pause: cooperative sleeps can stretch under a loaded test run.
                usleep(100_000)
            }
            close(descriptor)

            #expect(await eventually(within: .seconds(10)) { harness.deliveries.count >= 1 })
            let settled = try await settle(harness, inbox: inbox)  // a wrong second delivery would be in by now
            #expect(settled)
            #expect(await harness.stopAndWait())
            let deliveries = harness.deliveries.all.filter { !isSettleMark($0.name) }
            #expect(deliveries.map(\.name) == ["usage_slow.csv"])
            #expect(deliveries.first?.content == expected)
        }
    }

    @Test func fileRenamedInFromPartNameIsDeliveredOnce() async throws {
        try await withTemporaryInbox { inbox in
            let harness = WatchHarness(inbox: inbox, options: .quick(stableFor: .milliseconds(150)))
            harness.start()
            let partial = inbox + "/.usage_x.csv.part"
            var expected = ""
            for piece in 0..<3 {
                expected += "line \(piece)\n"
                try writeFile(partial, expected)
                // A mark written after it is delivered only once still for longer than stableFor, so the
                // partial file has been still longer still by then: only its name can have kept it back.
                let settled = try await settle(harness, inbox: inbox, mark: piece + 1)
                #expect(settled)
            }
            #expect(harness.deliveries.all.filter { !isSettleMark($0.name) }.isEmpty)
            #expect(rename(partial, inbox + "/usage_x.csv") == 0)

            #expect(await eventually { harness.deliveries.all.contains { $0.name == "usage_x.csv" } })
            let settled = try await settle(harness, inbox: inbox, mark: 4)  // a wrong second delivery would be in by now
            #expect(settled)
            #expect(await harness.stopAndWait())
            let deliveries = harness.deliveries.all.filter { !isSettleMark($0.name) }
            #expect(deliveries.map(\.name) == ["usage_x.csv"])
            #expect(deliveries.first?.content == "line 0\nline 1\nline 2\n")
        }
    }

    /// Hidden and temporary names are left alone; symlinks, FIFOs and folders are handed over
    /// too, once, so the ingestor moves them to rejected/ (it never reads them).
    @Test func hiddenAndTemporaryNamesAreNeverDeliveredAndStraysAreHandedOverOnce() async throws {
        try await withTemporaryInbox { inbox in
            for name in [".hidden.csv", "usage.csv.part", "usage.tmp", "USAGE.CSV.PART", "clients.TMP", ".part"] {
                try writeFile(inbox + "/" + name, "report_id\n")
            }
            try FileManager.default.createDirectory(atPath: inbox + "/usage_folder", withIntermediateDirectories: false)
            try writeFile(inbox + "/../outside.csv", "report_id\n")
            #expect(symlink(inbox + "/../outside.csv", inbox + "/usage_link.csv") == 0)
            #expect(mkfifo(inbox + "/usage_fifo.csv", 0o644) == 0)
            try writeFile(inbox + "/usage_real.csv", "report_id\n")

            let harness = WatchHarness(inbox: inbox, options: .quick(stableFor: .milliseconds(100), once: true))
            harness.start()
            #expect(await harness.waitUntilFinished())
            #expect(harness.deliveries.all.map(\.name).sorted() == ["usage_fifo.csv", "usage_folder", "usage_link.csv", "usage_real.csv"])
            #expect(FileManager.default.fileExists(atPath: inbox + "/usage.csv.part"))
        }
    }

    @Test func batchHandsOverMasterDataAndCardsBeforeUsageThenByName() async throws {
        try await withTemporaryInbox { inbox in
            let names = [
                "zzz.csv", "usage_1.csv", "decisions_march.csv", "Usage_0.csv", "FX_rates.csv",
                "client_rates_2026.csv", "provider_rates.csv", "radiologists.csv", "clients_b.csv",
                "CLIENTS_a.csv", "abc.csv",
            ]
            for name in names { try writeFile(inbox + "/" + name, name) }
            let harness = WatchHarness(inbox: inbox, options: .quick(stableFor: .milliseconds(100), once: true))
            harness.start()
            #expect(await harness.waitUntilFinished())
            #expect(harness.deliveries.batches == [[
                "CLIENTS_a.csv", "clients_b.csv", "radiologists.csv", "provider_rates.csv",
                "client_rates_2026.csv", "FX_rates.csv", "Usage_0.csv", "usage_1.csv",
                "decisions_march.csv", "abc.csv", "zzz.csv",
            ]])
        }
    }

    @Test func burstOf200FilesWhileProcessingIsSlowIsDeliveredExactlyOnce() async throws {
        try await withTemporaryInbox { inbox in
            let harness = WatchHarness(
                inbox: inbox, options: .quick(stableFor: .milliseconds(150)), delayPerBatch: .milliseconds(40))
            harness.start()
            let expected = (0..<200).map { String(format: "usage_%03d.csv", $0) }
            for name in expected {
                let partial = inbox + "/." + name + ".part"
                try writeFile(partial, name + "\n")
                #expect(rename(partial, inbox + "/" + name) == 0)
            }
            #expect(await eventually(within: .seconds(30)) { harness.deliveries.count >= 200 })
            let settled = try await settle(harness, inbox: inbox)
            #expect(settled)
            #expect(await harness.stopAndWait())
            let delivered = harness.deliveries.all.filter { !isSettleMark($0.name) }
            #expect(delivered.count == 200)
            #expect(delivered.map(\.name).sorted() == expected)
            #expect(delivered.allSatisfy { $0.content == $0.name + "\n" })
        }
    }

    /// A batch that fails is not handed over again until its file changes (or the retry wait
    /// passes): no spinning on it. A drop arriving meanwhile goes with it, after it, never alone
    /// before it (taken first, a later correction was overridden by the failed drop's retry).
    @Test func aFailingFileIsNotSpunOnAndLaterDropsWaitBehindIt() async throws {
        try await withTemporaryInbox { inbox in
            let logs = LogRecorder()
            // Polling: the watcher looks every 50 ms whatever happens, and names each file it
            // never reads once, which proves a look without making a drop.
            let harness = WatchHarness(inbox: inbox, options: .quick(stableFor: .milliseconds(150), forcePolling: true), log: logs.logger,
                                       failOn: "usage_bad.csv")
            harness.start()
            try writeFile(inbox + "/usage_bad.csv", "bad\n")
            #expect(await eventually { harness.deliveries.batches.count >= 1 })
            try writeFile(inbox + "/usage_good.csv", "good\n")
            #expect(await eventually { harness.deliveries.batches.count >= 2 })
            // Unchanged, the two stay parked: later looks hand nothing over.
            for probe in 1...3 {
                try writeFile(inbox + "/.probe-\(probe)", "\n")
                #expect(await eventually { logs.lines.contains { $0.contains("Ignoring .probe-\(probe)") } })
            }
            #expect(harness.deliveries.batches == [["usage_bad.csv"], ["usage_bad.csv", "usage_good.csv"]], "\(harness.deliveries.batches)")
            #expect(FileManager.default.fileExists(atPath: inbox + "/usage_bad.csv") && FileManager.default.fileExists(atPath: inbox + "/usage_good.csv"))
            // Once the file changes it is tried again, the later drop after it.
            try writeFile(inbox + "/usage_bad.csv", "bad, fixed\n")
            #expect(await eventually { harness.deliveries.batches.count >= 3 })
            #expect(await harness.stopAndWait())
            #expect(harness.deliveries.batches.last == ["usage_bad.csv", "usage_good.csv"], "\(harness.deliveries.batches)")
            #expect(logs.lines.contains { $0.hasPrefix("error:") && $0.contains("usage_bad.csv") })
        }
    }

    /// A batch that failed as a whole (a `recon.toml` being edited, say: fixed outside the
    /// Inbox, where no event says so) is tried again unchanged after a while, not only once
    /// its files change; the wait doubles while failures go on.
    @Test func aFailedBatchIsRetriedUnchangedAfterAWhile() async throws {
        try await withTemporaryInbox { inbox in
            let logs = LogRecorder()
            var options = WatchOptions.quick(stableFor: .milliseconds(100))
            options.retryAfterFailure = .milliseconds(300)
            let harness = WatchHarness(inbox: inbox, options: options, log: logs.logger, failOn: "usage_x.csv", failures: 2)
            harness.start()
            try writeFile(inbox + "/usage_x.csv", "x\n")
            let names = { harness.deliveries.all.map(\.name) }
            #expect(await eventually { names().count >= 3 })
            #expect(await harness.stopAndWait())
            #expect(names() == ["usage_x.csv", "usage_x.csv", "usage_x.csv"])
            #expect(!FileManager.default.fileExists(atPath: inbox + "/usage_x.csv"), "the third try took it")
            let errors = logs.lines.filter { $0.hasPrefix("error:") }
            #expect(errors.count == 2, "\(errors)")
            #expect(errors.first?.contains("retried once they change, or in 0.3 seconds as they are") == true, "\(errors)")
            #expect(errors.last?.contains("or in 0.6 seconds as they are") == true, "\(errors)")
        }
    }

    /// A folder (or link, or FIFO) handed over in a batch that failed (a `recon.toml` mistyped)
    /// was never offered again: marked handed, it stayed in the Inbox, and every close was
    /// refused for a drop not yet ingested. It is retried with the batch's drops.
    @Test func aStrayFromAFailedBatchIsRetriedWithIt() async throws {
        try await withTemporaryInbox { inbox in
            var options = WatchOptions.quick(stableFor: .milliseconds(100))
            options.retryAfterFailure = .milliseconds(300)
            let harness = WatchHarness(inbox: inbox, options: options, failOn: "usage_folder", failures: 1)
            try FileManager.default.createDirectory(atPath: inbox + "/usage_folder", withIntermediateDirectories: false)
            try writeFile(inbox + "/usage_x.csv", "x\n")
            harness.start()
            // Handed over at once (nothing to settle), it fails; the drop, settled, goes next and is
            // taken; the folder is handed over again after it.
            #expect(await eventually { harness.deliveries.batches.count >= 3 })
            #expect(await harness.stopAndWait())
            #expect(harness.deliveries.batches == [["usage_folder"], ["usage_x.csv"], ["usage_folder"]], "\(harness.deliveries.batches)")
            #expect(!FileManager.default.fileExists(atPath: inbox + "/usage_folder"), "the second try took it")
        }
    }

    /// A batch failed (a full disk) and a correction dropped after it: the correction was handed
    /// over alone and taken first, and the failed drop, retried later, was taken over it (the
    /// old tax rate in force). A drop arriving after a failure goes with the failed one, after it.
    @Test func aDropArrivingAfterAFailedOneGoesWithItAfterIt() async throws {
        try await withTemporaryInbox { inbox in
            let logs = LogRecorder()
            var options = WatchOptions.quick(stableFor: .milliseconds(100))
            options.retryAfterFailure = .seconds(600)  // no retry by the clock within the test
            let harness = WatchHarness(inbox: inbox, options: options, log: logs.logger, failOn: "clients.csv", failures: 1)
            harness.start()
            try writeFile(inbox + "/clients.csv", "old\n")
            #expect(await eventually { harness.deliveries.batches.count >= 1 })
            // Named to sort before it (`-` before `.`): by name alone it went first.
            try writeFile(inbox + "/clients-corrected.csv", "fix\n")
            try writeFile(inbox + "/usage.csv", "usage\n")
            #expect(await eventually { harness.deliveries.batches.count >= 2 })
            #expect(await harness.stopAndWait())
            #expect(harness.deliveries.batches == [["clients.csv"], ["clients.csv", "clients-corrected.csv", "usage.csv"]],
                    "\(harness.deliveries.batches)")
        }
    }

    @Test func onceReturnsAfterOnePass() async throws {
        try await withTemporaryInbox { inbox in
            for name in ["usage_a.csv", "usage_b.csv"] { try writeFile(inbox + "/" + name, name) }
            try writeFile(inbox + "/usage_stays.csv", "stays")
            let harness = WatchHarness(
                inbox: inbox, options: .quick(stableFor: .milliseconds(100), once: true), keep: "usage_stays.csv")
            harness.start()
            #expect(await harness.waitUntilFinished(within: .seconds(10)))
            #expect(harness.deliveries.batches == [["usage_a.csv", "usage_b.csv", "usage_stays.csv"]])
        }
    }

    @Test func onceOnAnEmptyInboxReturnsAtOnce() async throws {
        try await withTemporaryInbox { inbox in
            let harness = WatchHarness(inbox: inbox, options: .quick(stableFor: .seconds(5), once: true))
            harness.start()
            #expect(await harness.waitUntilFinished(within: .seconds(10)))
            #expect(harness.deliveries.count == 0)
        }
    }

    @Test(arguments: [false, true])
    func stopFromAnotherThreadEndsRunPromptly(forcePolling: Bool) async throws {
        try await withTemporaryInbox { inbox in
            // A poll interval far longer than the test: only the stop can end the wait.
            var options = WatchOptions.quick(stableFor: .milliseconds(100), forcePolling: forcePolling)
            options.pollInterval = .seconds(60)
            let harness = WatchHarness(inbox: inbox, options: options)
            // A mark there from the start: once it is delivered the watcher has looked, handed it
            // over and gone back to waiting (a stop that comes first must not be lost either).
            try writeFile(inbox + "/usage_settle_mark_1.csv", "mark\n")
            harness.start()
            #expect(await eventually { harness.deliveries.count >= 1 })
            #expect(!harness.finished)

            DispatchQueue.global().async { harness.watcher.stop() }
            #expect(await harness.waitUntilFinished(within: .seconds(10)))
        }
    }

    @Test func stopDuringABatchFinishesThatBatchOnly() async throws {
        try await withTemporaryInbox { inbox in
            for name in ["usage_1.csv", "usage_2.csv"] { try writeFile(inbox + "/" + name, name) }
            let harness = WatchHarness(inbox: inbox, options: .quick(stableFor: .milliseconds(100)), stopInBatch: true)
            harness.start()
            #expect(await eventually { harness.deliveries.count >= 1 })
            try writeFile(inbox + "/usage_3.csv", "late")
            #expect(await harness.waitUntilFinished())
            #expect(harness.deliveries.batches == [["usage_1.csv", "usage_2.csv"]])
        }
    }

    @Test func pollingFallbackDeliversToo() async throws {
        try await withTemporaryInbox { inbox in
            let harness = WatchHarness(
                inbox: inbox, options: .quick(stableFor: .milliseconds(150), forcePolling: true))
            harness.start()
            // The file must come after the first look, so only a later poll can find it: a mark
            // delivered first proves the watcher is past that look.
            let started = try await settle(harness, inbox: inbox)
            #expect(started)
            try writeFile(inbox + "/clients.csv", "client_id\nC1\n")
            #expect(await eventually { harness.deliveries.all.contains { $0.name == "clients.csv" } })
            #expect(await harness.stopAndWait())
            let delivered = harness.deliveries.all.filter { !isSettleMark($0.name) }
            #expect(delivered.map(\.name) == ["clients.csv"])
            #expect(delivered.first?.content == "client_id\nC1\n")
        }
    }

    @Test func sigtermStopsTheWatchAfterTheBatchInHand() async throws {
        try await withTemporaryInbox { inbox in
            var options = WatchOptions.quick(stableFor: .milliseconds(100))
            options.stopOnSignals = true
            let harness = WatchHarness(inbox: inbox, options: options)
            try writeFile(inbox + "/usage.csv", "x")
            harness.start()
            // The handlers are in place before the first look, hence before any delivery.
            #expect(await eventually { harness.deliveries.count >= 1 })
            kill(getpid(), SIGTERM)
            #expect(await harness.waitUntilFinished(within: .seconds(10)))
        }
    }

    @Test func missingInboxIsAnErrorThatSaysWhatToDo() throws {
        let watcher = InboxWatcher(inbox: "/nonexistent/site/Inbox", options: .quick(), log: LogRecorder().logger)
        #expect(throws: InboxWatchError.inboxNotFound(path: "/nonexistent/site/Inbox")) {
            try watcher.run { _ in }
        }
        #expect("\(InboxWatchError.inboxNotFound(path: "/x/Inbox"))".contains("recon init"))
    }

    @Test(arguments: [
        (Duration.zero, Int32(0)), (.milliseconds(-5), 0), (.nanoseconds(1), 1), (.milliseconds(250), 250),
        (.microseconds(250_001), 251), (.seconds(2), 2000),
    ])
    func pollTimeoutsNeverRoundDown(duration: Duration, milliseconds: Int32) {
        #expect(InboxWatcher.roundedUpMilliseconds(duration) == milliseconds)
    }
}

// MARK: - Support

extension WatchOptions {
    /// Short settling times for tests; signals are left alone unless a test asks.
    fileprivate static func quick(
        stableFor: Duration = .milliseconds(150), once: Bool = false, forcePolling: Bool = false
    ) -> WatchOptions {
        // A failed batch waits for a change here: the retry after a back-off has its own test,
        // and a test run on a busy machine can outlast the product's 30 s.
        WatchOptions(
            stableFor: stableFor, pollInterval: .milliseconds(50), once: once, forcePolling: forcePolling,
            stopOnSignals: false, retryAfterFailure: .seconds(3600))
    }
}

/// Runs a watcher on its own thread with a processing closure that records every
/// file (name and content at delivery) and moves it out of the Inbox.
private final class WatchHarness: @unchecked Sendable {
    let watcher: InboxWatcher
    let deliveries = DeliveryLog()
    private let inbox: String
    private let lock = NSLock()
    private var isFinished = false

    private let delayPerBatch: Duration
    private let failOn: String?
    /// How many batches holding `failOn` fail before one succeeds.
    private var failuresLeft: Int
    private let keep: String?
    private let stopInBatch: Bool

    init(
        inbox: String, options: WatchOptions, log: Logger = LogRecorder().logger,
        delayPerBatch: Duration = .zero, failOn: String? = nil, failures: Int = .max, keep: String? = nil,
        stopInBatch: Bool = false
    ) {
        self.inbox = inbox
        self.watcher = InboxWatcher(inbox: inbox, options: options, log: log)
        self.delayPerBatch = delayPerBatch
        self.failOn = failOn
        self.failuresLeft = failures
        self.keep = keep
        self.stopInBatch = stopInBatch
    }

    var finished: Bool {
        lock.lock()
        defer { lock.unlock() }
        return isFinished
    }

    func start() {
        let thread = Thread { [self] in
            do {
                try watcher.run(process: process)
            } catch {
                Issue.record("run threw \(error)")
            }
            lock.lock()
            isFinished = true
            lock.unlock()
        }
        thread.start()
    }

    func stopAndWait() async -> Bool {
        watcher.stop()
        return await waitUntilFinished()
    }

    func waitUntilFinished(within limit: Duration = .seconds(5)) async -> Bool {
        await eventually(within: limit) { self.finished }
    }

    private func process(_ paths: [String]) throws {
        if stopInBatch { watcher.stop() }
        var batch: [Delivery] = []
        for path in paths {
            // Like the ingestor, never open what is not a regular file (a FIFO would block).
            var st = stat()
            let regular = lstat(path, &st) == 0 && st.st_mode & S_IFMT == S_IFREG
            let content = regular ? (try? String(contentsOfFile: path, encoding: .utf8)) ?? "<unreadable>" : "<not a regular file>"
            batch.append(Delivery(name: (path as NSString).lastPathComponent, content: content))
        }
        deliveries.append(batch)
        if delayPerBatch > .zero {
            // Slow processing is the case under test (drops arriving meanwhile), not a wait for something.
            let (seconds, attoseconds) = delayPerBatch.components
            Thread.sleep(forTimeInterval: Double(seconds) + Double(attoseconds) / 1e18)
        }
        if let failOn, batch.contains(where: { $0.name == failOn }), failuresLeft > 0 {
            failuresLeft -= 1
            struct Refused: Error {}
            throw Refused()
        }
        let done = inbox + "/../done"
        try? FileManager.default.createDirectory(atPath: done, withIntermediateDirectories: true)
        for path in paths where (path as NSString).lastPathComponent != keep {
            let target = done + "/" + UUID().uuidString
            if rename(path, target) != 0 { Issue.record("cannot move \(path) away") }
        }
    }
}

private struct Delivery: Equatable {
    let name: String
    let content: String
}

private final class DeliveryLog: @unchecked Sendable {
    private let lock = NSLock()
    private var recorded: [[Delivery]] = []

    func append(_ batch: [Delivery]) {
        lock.lock()
        recorded.append(batch)
        lock.unlock()
    }

    var batches: [[String]] {
        lock.lock()
        defer { lock.unlock() }
        return recorded.map { $0.map(\.name) }
    }

    var all: [Delivery] {
        lock.lock()
        defer { lock.unlock() }
        return recorded.flatMap { $0 }
    }

    var count: Int { all.count }
}

/// Collects log lines as `level: message` to check what the watcher reported.
private final class LogRecorder: @unchecked Sendable {
    private let lock = NSLock()
    private var recorded: [String] = []

    var logger: Logger {
        Logger(label: "recon.watch.test") { _ in RecordingHandler(recorder: self) }
    }

    var lines: [String] {
        lock.lock()
        defer { lock.unlock() }
        return recorded
    }

    fileprivate func record(_ line: String) {
        lock.lock()
        recorded.append(line)
        lock.unlock()
    }
}

private struct RecordingHandler: LogHandler {
    let recorder: LogRecorder
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .debug

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        recorder.record("\(event.level): \(event.message)")
    }
}

/// Drops a mark file after everything else and waits for its delivery: every look the
/// watcher made at the files before it has then happened, so a wrong extra delivery of
/// them would already be recorded (a condition instead of a fixed pause).
private func settle(_ harness: WatchHarness, inbox: String, mark: Int = 1) async throws -> Bool {
    let name = "usage_settle_mark_\(mark).csv"
    try writeFile(inbox + "/" + name, "mark\n")
    return await eventually(within: .seconds(10)) { harness.deliveries.all.contains { $0.name == name } }
}

private func isSettleMark(_ name: String) -> Bool { name.hasPrefix("usage_settle_mark_") }

/// Writes `text` to `path` with plain `open`/`write` (no temporary names beside it).
private func writeFile(_ path: String, _ text: String) throws {
    let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    guard descriptor >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
    defer { close(descriptor) }
    let written = text.withCString { write(descriptor, $0, strlen($0)) }
    guard written == strlen(text) else { throw POSIXError(.EIO) }
}

/// Runs `body` with `SITE/Inbox` in a new temporary site folder, removed after.
private func withTemporaryInbox(_ body: (String) async throws -> Void) async throws {
    var template = Array((NSTemporaryDirectory() + "/recon-watch-XXXXXX").utf8CString)
    guard let site = mkdtemp(&template).map({ String(cString: $0) }) else {
        throw POSIXError(.init(rawValue: errno) ?? .EIO)
    }
    defer { try? FileManager.default.removeItem(atPath: site) }
    let inbox = site + "/Inbox"
    try FileManager.default.createDirectory(atPath: inbox, withIntermediateDirectories: false)
    try await body(inbox)
}
