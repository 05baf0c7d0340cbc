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

    @Test(arguments: [(20, 100, 7), (10, 101, 7), (10, 100, 8)])
    func anyChangeRestartsTheWait(size: Int64, mtime: Int64, inode: UInt64) {
        var tracker = StabilityTracker(stableFor: .seconds(1))
        _ = look(&tracker, [file("usage.csv")], at: 0)
        #expect(look(&tracker, [file("usage.csv", size: size, mtime: mtime, inode: inode)], at: 900) == [])
        #expect(look(&tracker, [file("usage.csv", size: size, mtime: mtime, inode: inode)], at: 1500) == [])
        #expect(look(&tracker, [file("usage.csv", size: size, mtime: mtime, inode: inode)], at: 1901) == ["usage.csv"])
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
