import Foundation
import Logging

/// Watches a site's Inbox folder and hands each drop over once it is complete.
///
/// People only drop files into `Inbox/`; `recon watch` runs this as a service. The
/// watcher looks at the folder when inotify reports a file created, written, closed
/// or renamed in, or on a poll tick where inotify is unavailable. A file becomes a
/// drop once its size and modification time have held still for
/// ``WatchOptions/stableFor`` between the watcher's own looks (SPEC §2); names that
/// start with `.` or end in `.part` or `.tmp`, folders and anything that is not a
/// regular file are never handed over.
///
/// Ready drops are handed over in batches, master data and cards first (see
/// ``DropCandidate`` for the order). The processing closure is expected to move each
/// file out of the Inbox; a file still there afterwards, unchanged, is not handed
/// over again until it changes. After every batch the whole folder is looked at
/// again, so drops that arrived meanwhile, even past an inotify queue overflow, are
/// never missed.
public final class InboxWatcher {
    private let inbox: String
    private let options: WatchOptions
    private var log: Logger
    private let clock = ContinuousClock()

    private let stopLock = NSLock()
    private var stopRequested = false
    private let wakeup = WakeupPipe()

    /// Names already reported as ignored, so each is logged once while it stays.
    private var reportedIgnored = Set<String>()
    /// Strays already handed over: one that could not be moved is not handed over again.
    private var handedStrays = Set<String>()
    /// Names that are not UTF-8 already handed over (processing lists and rejects them itself).
    private var handedUndecodable = Set<UndecodableName>()
    private var scanFailureReported = false
    /// When the files a failed batch left in the Inbox are tried again, and how many batches
    /// in a row have failed (the wait doubles with each).
    private var retryParkedAt: ContinuousClock.Instant?
    /// The files of the batches that failed since the last that did not: drops that arrived
    /// before any arriving now, whatever their names.
    private var failedPaths: Set<String> = []
    /// The strays (and names that do not decode) of a batch that failed: handed over again once
    /// a batch goes through, or when the failed drops are retried. Marked handed, they stayed in
    /// the Inbox for good, and every close was refused for a drop not yet ingested.
    private var failedStrays: Set<String> = []
    private var failedUndecodable: Set<UndecodableName> = []
    private var failuresInARow = 0

    /// Creates a watcher of the folder `inbox` (the site's `Inbox/`).
    public init(inbox: String, options: WatchOptions, log: Logger) {
        self.inbox = inbox
        self.options = options
        self.log = log
        self.log[metadataKey: "inbox"] = "\(inbox)"
    }

    /// Processes what is already in the Inbox, then waits for new drops until
    /// stopped, or returns once the Inbox is done when ``WatchOptions/once`` is set.
    ///
    /// - Parameter process: called on this thread with batches of ready file paths,
    ///   in batch order; the next batch waits for it to return. An error it throws
    ///   is logged and watching goes on; the batch's files that are still in the
    ///   Inbox are retried once they change, or unchanged after
    ///   ``WatchOptions/retryAfterFailure`` (doubling while failures go on). Entries whose names are not UTF-8
    ///   have no path: a batch is handed over when one appears (it may hold no path),
    ///   and `process` lists them itself (``UndecodableName``).
    /// Call it from one thread at a time. If the Inbox folder disappears while
    /// watching, the failure is logged once and the folder is polled until it can
    /// be listed again.
    ///
    /// - Throws: ``InboxWatchError/inboxNotFound(path:)`` if `inbox` is not a folder.
    public func run(process: ([String]) throws -> Void) throws {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: inbox, isDirectory: &isFolder), isFolder.boolValue else {
            throw InboxWatchError.inboxNotFound(path: inbox)
        }
        let stopSignal = options.stopOnSignals ? StopSignal { [weak self] in self?.requestStop(bySignal: true) } : nil
        defer { stopSignal?.cancel() }

        var inotify = startInotify()
        var tracker = StabilityTracker(stableFor: options.stableFor, isHeldOpen: OpenForWriting.isHeld)
        var saidHeldOpen: Set<String> = []
        var lastLook = clock.now
        var nextLook: ContinuousClock.Instant? = lastLook  // look at once
        // `--once` waits for settling files only so long: the stable time, and some seconds more.
        let onceUntil = lastLook + options.stableFor + options.onceSettleLimit

        while !isStopRequested {
            if let retry = retryParkedAt, clock.now >= retry {
                tracker.unparkAll()
                offerFailedStraysAgain()
                retryParkedAt = nil
                nextLook = clock.now
            }
            if let due = nextLook, clock.now >= due {
                let started = clock.now
                guard let scan = look() else {
                    if options.once { break }
                    lastLook = started
                    nextLook = started + options.pollInterval
                    continue
                }
                lastLook = clock.now
                var ready = tracker.observe(scan.candidates, started: started, finished: lastLook)
                // A batch failed (a full disk): its files wait in the Inbox, and any drop arriving
                // since goes with them, after them in batch order — handed over alone, a correction
                // dropped later was taken first, and the failed drop, retried, was taken over it.
                if failuresInARow > 0, !ready.isEmpty {
                    // Master data and cards still before usage; within a kind the failed drops first,
                    // whatever their names (`clients-corrected.csv` sorts before `clients.csv`).
                    let failed = tracker.takeParked(among: scan.candidates)
                    let earlier = Set(failed.map(\.path)).union(failedPaths)  // one changed since is still the earlier drop
                    ready = (failed + ready).sorted { a, b in
                        let (ka, kb) = (DropCandidate.kindRank(of: a.name), DropCandidate.kindRank(of: b.name))
                        if ka != kb { return ka < kb }
                        let (fa, fb) = (earlier.contains(a.path), earlier.contains(b.path))
                        return fa != fb ? fa : DropCandidate.handsOverBefore(a, b)
                    }
                }
                for path in tracker.heldOpen.subtracting(saidHeldOpen).sorted() {
                    log.notice("\(FileIO.baseName(path)) held still but is still open for writing by another program: taken once it is closed")
                }
                saidHeldOpen = tracker.heldOpen
                let strays = scan.strays.filter { !handedStrays.contains($0) }
                handedStrays = Set(scan.strays)
                let undecodable = scan.undecodable.filter { !handedUndecodable.contains($0) }
                handedUndecodable = Set(scan.undecodable)
                if !ready.isEmpty || !strays.isEmpty || !undecodable.isEmpty {
                    handOver(ready, strays: strays, undecodable: undecodable, to: process)
                    tracker.handedOver(ready)
                    nextLook = clock.now  // look again right away: drops may have arrived
                    continue
                }
                if options.once && !tracker.hasSettling { break }
                if options.once && clock.now >= onceUntil {
                    log.notice("Still being written, left for the next run: \(tracker.settlingNames.joined(separator: ", "))")
                    break
                }
                nextLook = nextRoutineLook(after: lastLook, tracker: tracker, polling: inotify == nil)
                if options.once { nextLook = min(nextLook ?? onceUntil, onceUntil) }
            }
            let woke = wait(until: nextLook, inotify: inotify)
            if let events = woke, events.relevant {
                if events.overflowed {
                    log.warning("The inotify queue overflowed; looking at the whole Inbox again")
                }
                if events.watchRemoved {
                    log.warning("The Inbox folder stopped being watched (removed, renamed away or unmounted?); polling it instead")
                    inotify = nil
                }
                // Many events come in bursts (a file written in pieces): look again
                // soon, but not more often than every few milliseconds.
                let soon = lastLook + min(options.pollInterval, .milliseconds(20))
                nextLook = min(nextLook ?? soon, soon)
            }
        }
        log.info(isStopRequested ? "Stopped watching the Inbox" : "Done with what was in the Inbox")
    }

    /// Asks ``run(process:)`` to return after the batch in hand; safe from any thread.
    ///
    /// A stop requested before `run` starts makes it return at once.
    public func stop() {
        requestStop(bySignal: false)
    }

    private func requestStop(bySignal: Bool) {
        stopLock.lock()
        let first = !stopRequested
        stopRequested = true
        stopLock.unlock()
        if first && bySignal { log.info("Stop requested by a signal; finishing the batch in hand") }
        wakeup?.wake()
    }

    private var isStopRequested: Bool {
        stopLock.lock()
        defer { stopLock.unlock() }
        return stopRequested
    }

    // MARK: - Watching

    private func startInotify() -> InotifyHandle? {
        let interval = options.pollInterval
        if options.forcePolling {
            log.info("Watching the Inbox by polling every \(interval) (polling forced)")
            return nil
        }
        switch InotifyHandle.watching(inbox) {
        case .success(let handle):
            log.info("Watching the Inbox with inotify")
            return handle
        case .failure(let reason):
            log.warning("inotify is unavailable (\(reason)); polling the Inbox every \(interval) instead")
            return nil
        }
    }

    /// When to look next with no event: at the next poll tick when polling, and
    /// while a file settles at whichever comes first of the tick and the moment it
    /// would be ready; with inotify and nothing settling, at the next sweep.
    private func nextRoutineLook(
        after lastLook: ContinuousClock.Instant,
        tracker: StabilityTracker,
        polling: Bool
    ) -> ContinuousClock.Instant? {
        Self.nextRoutineLook(after: lastLook, readyAt: tracker.earliestReadyAt, polling: polling, retry: retryParkedAt, options: options)
    }

    static func nextRoutineLook(after lastLook: ContinuousClock.Instant, readyAt: ContinuousClock.Instant?, polling: Bool,
                                retry: ContinuousClock.Instant?, options: WatchOptions) -> ContinuousClock.Instant {
        let tick = lastLook + options.pollInterval
        let routine: ContinuousClock.Instant
        if let readyAt { routine = min(tick, readyAt) } else { routine = polling ? tick : lastLook + options.sweepInterval }
        guard let retry else { return routine }
        return min(routine, retry)
    }

    /// Blocks in `poll` until `deadline`, an inotify event or a stop request.
    ///
    /// - Returns: the drained inotify events, or `nil` when none woke it.
    private func wait(until deadline: ContinuousClock.Instant?, inotify: InotifyHandle?) -> InotifyHandle.Events? {
        var timeout = deadline.map { $0 - clock.now }
        if wakeup == nil {
            // Without a wake-up pipe a stop is noticed on the next poll tick.
            timeout = min(timeout ?? options.pollInterval, options.pollInterval)
        }
        var descriptors: [Int32] = []
        if let wakeup { descriptors.append(wakeup.readDescriptor) }
        if let inotify { descriptors.append(inotify.descriptor) }
        let milliseconds = timeout.map(Self.roundedUpMilliseconds) ?? -1
        Poller.waitForInput(on: descriptors, milliseconds: milliseconds)  // EINTR: just look again
        wakeup?.drain()
        guard let inotify else { return nil }
        return inotify.drain { DropCandidate.reasonToIgnore(name: $0) == nil }
    }

    /// A `poll` timeout that never wakes before the deadline (which would spin).
    static func roundedUpMilliseconds(_ duration: Duration) -> Int32 {
        let (seconds, attoseconds) = duration.components
        guard seconds >= 0 && (seconds > 0 || attoseconds > 0) else { return 0 }
        let milliseconds = seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        return Int32(clamping: milliseconds)
    }

    // MARK: - Looking and handing over

    /// Lists the Inbox, logging newly ignored names and listing failures once each.
    private func look() -> InboxScan? {
        let scan: InboxScan
        do {
            scan = try InboxScan(inbox: inbox)
        } catch {
            if !scanFailureReported { log.error("\(error)") }
            scanFailureReported = true
            return nil
        }
        if scanFailureReported { log.info("The Inbox can be listed again") }
        scanFailureReported = false
        for (name, reason) in scan.ignored.sorted(by: { $0.key < $1.key }) where !reportedIgnored.contains(name) {
            log.debug("Ignoring \(name): \(reason)")
        }
        reportedIgnored = Set(scan.ignored.keys)
        return scan
    }

    /// The strays of failed batches are no longer taken as handed: the next look offers those still there.
    private func offerFailedStraysAgain() {
        handedStrays.subtract(failedStrays)
        handedUndecodable.subtract(failedUndecodable)
        failedStrays = []
        failedUndecodable = []
    }

    /// Calls `process` with one batch and logs how it went.
    private func handOver(_ batch: [DropCandidate], strays: [String] = [], undecodable: [UndecodableName] = [],
                          to process: ([String]) throws -> Void) {
        let names = (batch.map(\.name) + strays.map { FileIO.baseName($0) } + undecodable.map(\.escaped)).joined(separator: ", ")
        log.info("Handing over \(batch.count + strays.count + undecodable.count) drop(s): \(names)")
        do {
            try process(batch.map(\.path) + strays)
            failuresInARow = 0
            failedPaths = []
            offerFailedStraysAgain()
        } catch where isStopRequested {
            // Stopped in the batch (while another command held the site): a routine stop, not a
            // failure to retry — it was logged as an error promising a retry that never came.
            log.info("Processing \(names) stopped: \(error)")
            return
        } catch {
            failuresInARow += 1
            failedPaths.formUnion(batch.map(\.path))
            failedStrays.formUnion(strays)
            failedUndecodable.formUnion(undecodable)
            let wait = options.retryAfterFailure * (1 << min(failuresInARow - 1, 4))
            if !options.once { retryParkedAt = clock.now + wait }
            let next = options.once ? "Files left in the Inbox wait for the next run"
                : "Watching goes on; files left in the Inbox are retried once they change, or in \(wait) as they are"
            log.error("Processing \(names) failed: \(error). \(next)")
            return
        }
        let leftBehind = batch.filter(InboxScan.isUnchanged).map(\.name)
        if !leftBehind.isEmpty {
            log.notice("Still in the Inbox after processing, retried once changed: \(leftBehind.joined(separator: ", "))")
        }
    }
}
