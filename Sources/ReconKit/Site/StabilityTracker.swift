/// Decides, from successive looks at the Inbox, which files are ready to hand over.
///
/// A file is ready once the watcher has seen it unchanged (same inode, size and
/// modification time) for `stableFor`, measured on the monotonic clock between its
/// own looks; the modification time is never compared with the wall clock — and no
/// program holds it open for writing any more (`isHeldOpen`, asked then): a writer stalled
/// longer than that would write its next rows into a file already taken. A file
/// that was handed over and is still there afterwards (its processing failed, or
/// left it in place) is parked: it is not handed over again until it changes.
struct StabilityTracker {
    /// How long a file must hold still before it is ready.
    let stableFor: Duration

    /// Files seen but not yet ready: the latest look and when it was first seen so.
    private var settling: [String: (candidate: DropCandidate, since: ContinuousClock.Instant)] = [:]
    /// Files handed over that stayed in the Inbox, as they were handed over.
    private var parked: [String: DropCandidate] = [:]

    /// Whether a program still holds a file open for writing (by path); nil when that cannot be told.
    let isHeldOpen: (String) -> Bool?
    /// Files that held still but were found open for writing, by path, until they are ready or gone.
    private(set) var heldOpen: Set<String> = []

    init(stableFor: Duration, isHeldOpen: @escaping (String) -> Bool? = { _ in false }) {
        self.stableFor = stableFor
        self.isHeldOpen = isHeldOpen
    }

    /// Whether some file is still settling, so a later look may find it ready.
    var hasSettling: Bool { !settling.isEmpty }

    /// The files still settling, by name.
    var settlingNames: [String] { settling.values.map(\.candidate.name).sorted() }

    /// Ready files held back for files arriving with them (``observe(_:started:finished:)``):
    /// the look that may take them all is due then, not before.
    private var holdUntil: ContinuousClock.Instant?

    /// When the earliest settling file would become ready if it does not change (or, while
    /// ready files wait for files arriving with them, when those would).
    var earliestReadyAt: ContinuousClock.Instant? {
        guard let earliest = settling.values.map({ $0.since + stableFor }).min() else { return nil }
        return max(earliest, holdUntil ?? earliest)
    }

    /// Files parked after a hand-over, by name.
    var parkedNames: [String] { parked.values.map(\.name).sorted() }

    /// Records one look at the Inbox and returns the files now ready, in batch order.
    ///
    /// - Parameters:
    ///   - candidates: every eligible file the look found.
    ///   - started: when the look began; a file is ready if it was first seen
    ///     unchanged at least `stableFor` before this.
    ///   - finished: when the look ended; a new or changed file counts as seen
    ///     unchanged from this instant on.
    mutating func observe(
        _ candidates: [DropCandidate],
        started: ContinuousClock.Instant,
        finished: ContinuousClock.Instant
    ) -> [DropCandidate] {
        var present = Set<String>()
        var ready: [DropCandidate] = []
        for candidate in candidates {
            present.insert(candidate.path)
            if let handedOver = parked[candidate.path] {
                if handedOver == candidate { continue }
                parked[candidate.path] = nil
            }
            if let seen = settling[candidate.path], seen.candidate == candidate {
                guard started - seen.since >= stableFor else { continue }
                if isHeldOpen(candidate.path) == true {
                    // Still being written: it holds still from this look on only once closed.
                    settling[candidate.path] = (candidate, finished)
                    heldOpen.insert(candidate.path)
                    continue
                }
                heldOpen.remove(candidate.path)
                ready.append(candidate)
            } else {
                settling[candidate.path] = (candidate, finished)
            }
        }
        settling = settling.filter { present.contains($0.key) }
        parked = parked.filter { present.contains($0.key) }
        heldOpen = heldOpen.filter { present.contains($0) }
        // Files moved in together (one `mv` of a clients and a usage drop) are seen a look
        // apart: one ready while the other, first seen moments later, still settles. Handed
        // over alone, the usage drop was rejected for a client its companion adds. A ready
        // batch waits for files first seen within `stableFor` of its newest, so it is taken
        // whole, in kind order; a file that keeps changing holds it no longer than that, and a
        // stream of arrivals no longer than once more the stable time (a file ready that long
        // goes whatever arrives behind it).
        holdUntil = nil
        let sinces = ready.compactMap { settling[$0.path]?.since }
        if let newest = sinces.max(), let oldest = sinces.min(), started - oldest < stableFor * 2 {
            let readyPaths = Set(ready.map(\.path))
            let arriving = settling.filter { !readyPaths.contains($0.key) && $0.value.since - newest < stableFor }
            if let due = arriving.values.map({ $0.since + stableFor }).min() {
                holdUntil = due
                return []
            }
        }
        for candidate in ready { settling[candidate.path] = nil }
        return ready.sorted(by: DropCandidate.handsOverBefore)
    }

    /// Lets every parked file be handed over again at the next look, changed or not: the
    /// processing that left them failed, and its cause may be fixed now.
    mutating func unparkAll() {
        parked = [:]
    }

    /// The parked files among `candidates`, unchanged since, taken off the park to go with a
    /// batch: after a failed batch they go before any drop that arrived since (``InboxWatcher``).
    mutating func takeParked(among candidates: [DropCandidate]) -> [DropCandidate] {
        let taken = candidates.filter { parked[$0.path] == $0 }
        for candidate in taken { parked[candidate.path] = nil }
        return taken
    }

    /// Records a batch as handed over; those of its files that are still in the
    /// Inbox, unchanged, on later looks are parked until they change.
    mutating func handedOver(_ batch: [DropCandidate]) {
        for candidate in batch { parked[candidate.path] = candidate }
    }
}
