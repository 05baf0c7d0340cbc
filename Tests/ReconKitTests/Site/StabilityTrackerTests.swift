import Testing

@testable import ReconKit

/// The stable-file rule on synthetic looks, so timing is exact.
@Suite struct StabilityTrackerTests {
    private let start = ContinuousClock.now

    private func at(_ milliseconds: Int) -> ContinuousClock.Instant {
        start + .milliseconds(milliseconds)
    }

    private func file(_ name: String, size: Int64 = 10, mtime: Int64 = 100, inode: UInt64 = 7) -> DropCandidate {
        DropCandidate(
            name: name, path: "/site/Inbox/" + name, device: 1, inode: inode, size: size, modifiedSeconds: mtime,
            modifiedNanoseconds: 0)
    }

    /// One look that takes 1 ms.
    private func look(_ tracker: inout StabilityTracker, _ files: [DropCandidate], at ms: Int) -> [String] {
        tracker.observe(files, started: at(ms), finished: at(ms + 1)).map(\.name)
    }

    @Test func readyOnlyAfterHoldingStillForStableFor() {
        var tracker = StabilityTracker(stableFor: .seconds(1))
        #expect(look(&tracker, [file("usage.csv")], at: 0) == [])
        #expect(tracker.earliestReadyAt == at(1001))
        #expect(look(&tracker, [file("usage.csv")], at: 1000) == [])  // first seen at 1 ms: 999 ms still
        #expect(look(&tracker, [file("usage.csv")], at: 1001) == ["usage.csv"])
        #expect(!tracker.hasSettling)
    }

    /// A file that held still but a program still has open for writing (a writer stalled between
    /// two writes) is not ready: it holds still from that look on only once closed. One the
    /// kernel cannot tell about (nil) goes by the stable time alone.
    @Test func aFileStillOpenForWritingWaitsUntilClosed() {
        var open: Bool? = true
        var tracker = StabilityTracker(stableFor: .seconds(1)) { _ in open }
        #expect(look(&tracker, [file("usage.csv")], at: 0) == [])
        #expect(look(&tracker, [file("usage.csv")], at: 1001) == [])
        #expect(tracker.heldOpen == ["/site/Inbox/usage.csv"] && tracker.earliestReadyAt == at(2002))
        #expect(look(&tracker, [file("usage.csv")], at: 2002) == [])  // still open
        open = false  // closed, unchanged
        #expect(look(&tracker, [file("usage.csv")], at: 2500) == [])  // held still only since 2003
        #expect(look(&tracker, [file("usage.csv")], at: 3003) == ["usage.csv"])
        #expect(tracker.heldOpen.isEmpty)
        var unknown = StabilityTracker(stableFor: .seconds(1)) { _ in nil }
        _ = look(&unknown, [file("usage.csv")], at: 0)
        #expect(look(&unknown, [file("usage.csv")], at: 1001) == ["usage.csv"])
    }

    @Test(arguments: [(20, 100, 7), (10, 101, 7), (10, 100, 8)])
    func anyChangeRestartsTheWait(size: Int64, mtime: Int64, inode: UInt64) {
        var tracker = StabilityTracker(stableFor: .seconds(1))
        _ = look(&tracker, [file("usage.csv")], at: 0)
        #expect(look(&tracker, [file("usage.csv", size: size, mtime: mtime, inode: inode)], at: 900) == [])
        #expect(look(&tracker, [file("usage.csv", size: size, mtime: mtime, inode: inode)], at: 1500) == [])
        #expect(look(&tracker, [file("usage.csv", size: size, mtime: mtime, inode: inode)], at: 1901) == ["usage.csv"])
    }

    /// `mv usage.csv clients.csv Inbox/`: the usage drop seen at 0 ms, the clients drop a look
    /// later (20 ms). The usage drop, ready at 1001 ms, was handed over alone and rejected for
    /// the client its companion adds. It waits for it (the look due at 1021), and both go
    /// together, clients first. A file that keeps changing holds a ready one no longer than
    /// the stable time: first seen a second after it, it is left to settle on its own.
    @Test func filesArrivingTogetherAreHandedOverTogether() {
        var tracker = StabilityTracker(stableFor: .seconds(1))
        #expect(look(&tracker, [file("usage-11.csv", inode: 1)], at: 0) == [])
        #expect(look(&tracker, [file("usage-11.csv", inode: 1), file("clients-new.csv", inode: 2)], at: 20) == [])
        #expect(look(&tracker, [file("usage-11.csv", inode: 1), file("clients-new.csv", inode: 2)], at: 1001) == [])
        #expect(tracker.earliestReadyAt == at(1021))
        #expect(look(&tracker, [file("usage-11.csv", inode: 1), file("clients-new.csv", inode: 2)], at: 1021)
                == ["clients-new.csv", "usage-11.csv"])

        // usage-b first seen at 501 ms, still as it was at 1001: usage-a waits for it.
        var held = StabilityTracker(stableFor: .seconds(1))
        _ = look(&held, [file("usage-a.csv", inode: 1)], at: 0)
        _ = look(&held, [file("usage-a.csv", inode: 1), file("usage-b.csv", size: 1, inode: 2)], at: 500)
        #expect(look(&held, [file("usage-a.csv", inode: 1), file("usage-b.csv", size: 1, inode: 2)], at: 1001) == [])
        #expect(look(&held, [file("usage-a.csv", inode: 1), file("usage-b.csv", size: 1, inode: 2)], at: 1501)
                == ["usage-a.csv", "usage-b.csv"])
        // usage-b changed at 1001 (size 2): seen so only now, more than a second after usage-a, it holds nothing.
        var slow = StabilityTracker(stableFor: .seconds(1))
        _ = look(&slow, [file("usage-a.csv", inode: 1)], at: 0)
        _ = look(&slow, [file("usage-a.csv", inode: 1), file("usage-b.csv", size: 1, inode: 2)], at: 500)
        #expect(look(&slow, [file("usage-a.csv", inode: 1), file("usage-b.csv", size: 2, inode: 2)], at: 1001) == ["usage-a.csv"])
    }

    /// A drop arriving every half second (faster than the stable time) held the ready ones back
    /// for ever, each newcomer arriving within a second of the newest ready. A file ready for
    /// twice the stable time goes, with whatever is ready beside it.
    @Test func aStreamOfArrivalsHoldsAReadyFileNoLongerThanOnceMore() {
        var tracker = StabilityTracker(stableFor: .seconds(1))
        var files: [DropCandidate] = []
        var handed: [(ms: Int, names: [String])] = []
        for step in 0...8 {
            let ms = step * 500
            files.append(file("usage-\(step).csv", inode: UInt64(step + 1)))
            let ready = look(&tracker, files, at: ms)
            if !ready.isEmpty {
                handed.append((ms, ready))
                files.removeAll { ready.contains($0.name) }
            }
        }
        // usage-0, first seen at 1 ms, is ready at the 1500 ms look; held for the files arriving
        // behind it, it goes a stable time later, at 2500 ms, with usage-1 and usage-2 (ready by then).
        #expect(handed.first?.ms == 2500 && handed.first?.names == ["usage-0.csv", "usage-1.csv", "usage-2.csv"], "\(handed)")
        #expect(handed.count >= 2, "\(handed)")
    }

    @Test func handedOverFileLeftInPlaceIsParkedUntilItChanges() {
        var tracker = StabilityTracker(stableFor: .milliseconds(100))
        _ = look(&tracker, [file("usage.csv")], at: 0)
        let ready = tracker.observe([file("usage.csv")], started: at(200), finished: at(201))
        #expect(ready.map(\.name) == ["usage.csv"])
        tracker.handedOver(ready)
        #expect(look(&tracker, [file("usage.csv")], at: 300) == [])
        #expect(look(&tracker, [file("usage.csv")], at: 5000) == [])
        #expect(!tracker.hasSettling)
        // Rewritten: settles again and is handed over once more.
        #expect(look(&tracker, [file("usage.csv", size: 11)], at: 6000) == [])
        #expect(look(&tracker, [file("usage.csv", size: 11)], at: 6200) == ["usage.csv"])
    }

    @Test func parkedFileThatLeavesAndComesBackIsNew() {
        var tracker = StabilityTracker(stableFor: .milliseconds(100))
        _ = look(&tracker, [file("usage.csv")], at: 0)
        tracker.handedOver(tracker.observe([file("usage.csv")], started: at(200), finished: at(201)))
        #expect(look(&tracker, [], at: 300) == [])
        // The same bytes and times dropped again are a new drop (the engine skips duplicates).
        #expect(look(&tracker, [file("usage.csv")], at: 400) == [])
        #expect(look(&tracker, [file("usage.csv")], at: 600) == ["usage.csv"])
    }

    @Test func vanishedFileIsForgotten() {
        var tracker = StabilityTracker(stableFor: .milliseconds(100))
        _ = look(&tracker, [file("usage.csv")], at: 0)
        #expect(look(&tracker, [], at: 50) == [])
        #expect(!tracker.hasSettling)
        #expect(look(&tracker, [file("usage.csv")], at: 150) == [])  // starts over
        #expect(look(&tracker, [file("usage.csv")], at: 252) == ["usage.csv"])
    }

    @Test func readyFilesComeInBatchOrder() {
        var tracker = StabilityTracker(stableFor: .milliseconds(100))
        let files = [file("usage.csv"), file("decisions.csv"), file("clients.csv"), file("other.csv")]
        _ = look(&tracker, files, at: 0)
        #expect(look(&tracker, files, at: 200) == ["clients.csv", "usage.csv", "decisions.csv", "other.csv"])
    }
}
