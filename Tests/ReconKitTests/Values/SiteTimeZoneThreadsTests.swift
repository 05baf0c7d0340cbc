import Dispatch
import Testing

@testable import ReconKit

/// One zone read on several cores at once: a large usage drop is parsed in two halves, each
/// resolving its local times with the site's one `SiteTimeZone`, which remembers the offset
/// of the last UTC hour it was asked. Written as two words, the memory went wrong when the
/// halves straddled a clock change: an hour remembered with the other half's offset, some
/// rows an hour off — the drop's cache then hashed differently from run to run, and `recon
/// verify` called an intact site tampered with.
@Suite("Site time zone — one instance on many threads")
struct SiteTimeZoneThreadsTests {
    /// New York, 2026: EST (−5 h) until 8 March 07:00Z, EDT (−4 h) after. Four threads each
    /// read 200,000 local times alternately before and after the change; every answer must
    /// be the one a zone of its own gives.
    @Test func offsetsAreRightWhenThreadsStraddleAClockChange() throws {
        let shared = try #require(SiteTimeZone(identifier: "America/New_York"))
        // 1 March 12:00 local (EST) and 12 March 12:00 local (EDT), as local seconds since 1970.
        let before: Int64 = 1_772_366_400, after: Int64 = 1_773_316_800
        let wrong = UnsafeMutablePointer<Int>.allocate(capacity: 4)
        wrong.initialize(repeating: 0, count: 4)
        defer { wrong.deallocate() }
        DispatchQueue.concurrentPerform(iterations: 4) { t in
            var bad = 0
            for i in 0..<200_000 {
                let hour = Int64(i % 24) * 3600
                let early = (i + t) % 2 == 0
                let local = (early ? before : after) + hour - 12 * 3600
                // EST: UTC = local + 5 h; EDT: UTC = local + 4 h.
                if shared.utcSecond(ofLocalSecond: local) != local + (early ? 5 : 4) * 3600 { bad += 1 }
            }
            wrong[t] = bad
        }
        #expect((0..<4).map { wrong[$0] } == [0, 0, 0, 0])
    }
}
