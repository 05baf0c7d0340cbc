import Testing

@testable import ReconKit

/// The breakdown's counts by pair of names: the grid, its hand-over to the hash table and
/// counts past 32 bits must each give every pair exactly the sums a plain dictionary adds up.
@Suite("Closed-period index tallies")
struct ClosedPeriodIndexTallyTests {
    struct Pair: Hashable {
        var first: Int
        var second: Int
    }

    /// What a tally holds, pair by pair; a pair given twice fails.
    static func held(_ tally: ClosedPeriodIndexTally) -> [Pair: [Int]] {
        var out: [Pair: [Int]] = [:]
        tally.forEach { first, second, reports, images in
            #expect(out[Pair(first: first, second: second)] == nil, "pair (\(first), \(second)) given twice")
            out[Pair(first: first, second: second)] = [reports, images]
        }
        return out
    }

    /// Counts `adds` pseudo-random reports over `firsts` by `seconds` names (numbers shared
    /// between the two, as the index's name numbers are), into the tally and a dictionary.
    static func count(_ tally: inout ClosedPeriodIndexTally, adds: Int, firsts: Int, seconds: Int, seed: UInt64) -> [Pair: [Int]] {
        var random = SplitMix64(seed: seed)
        var expected: [Pair: [Int]] = [:]
        for _ in 0..<adds {
            let r = random.next()
            // Firsts take the even numbers, seconds the odd ones: rows and columns arrive interleaved.
            let first = Int(r % UInt64(firsts)) * 2, second = Int((r >> 20) % UInt64(seconds)) * 2 + 1
            let images = Int((r >> 40) % 9)
            tally.add(UInt32(first), UInt32(second), images: images)
            expected[Pair(first: first, second: second), default: [0, 0]][0] += 1
            expected[Pair(first: first, second: second), default: [0, 0]][1] += images
        }
        return expected
    }

    @Test("every pair's reports and images are what a dictionary adds up, as the grid widens and lengthens")
    func gridSums() {
        var tally = ClosedPeriodIndexTally()
        let expected = Self.count(&tally, adds: 200_000, firsts: 300, seconds: 200, seed: 7)
        #expect(Self.held(tally) == expected)
        #expect(tally.count == expected.count)
        #expect(expected.count > 50_000)  // nearly every pair of 60,000 met
    }

    @Test("a grid that would outgrow its size hands every count to the hash table, and the sums stay")
    func handOver() {
        var tally = ClosedPeriodIndexTally(gridCells: 64)
        let expected = Self.count(&tally, adds: 20_000, firsts: 30, seconds: 25, seed: 11)
        #expect(Self.held(tally) == expected)
        #expect(tally.count == expected.count)
    }

    @Test("counts past a cell's 32 bits, and a pair counted with no report, are kept exactly")
    func largeCounts() {
        var tally = ClosedPeriodIndexTally()
        tally.add(1, 2, images: 3)
        tally.add(1, 2, reports: 4_000_000_000, images: 1)
        tally.add(1, 2, images: 5_000_000_000)
        tally.add(1, 2, images: 4)
        // 4,294,967,294 reports fit a cell (the most below the spilled mark); the next report does not.
        tally.add(3, 4, reports: 4_294_967_293, images: 0)
        for _ in 0..<3 { tally.add(3, 4, images: 2) }
        tally.add(5, 6, reports: 0, images: 0)
        tally.add(7, 8, images: 1)
        #expect(Self.held(tally) == [
            Pair(first: 1, second: 2): [4_000_000_003, 5_000_000_008],
            Pair(first: 3, second: 4): [4_294_967_296, 6],
            Pair(first: 5, second: 6): [0, 0],
            Pair(first: 7, second: 8): [1, 1],
        ])
        #expect(tally.count == 4)
    }

    @Test("one tally's pairs added into another, as the halves of a parallel encoding are, sum both")
    func merged() {
        var a = ClosedPeriodIndexTally(), b = ClosedPeriodIndexTally(gridCells: 64)
        let fromA = Self.count(&a, adds: 30_000, firsts: 40, seconds: 30, seed: 3)
        let fromB = Self.count(&b, adds: 30_000, firsts: 40, seconds: 30, seed: 5)
        b.forEach { first, second, reports, images in a.add(UInt32(first), UInt32(second), reports: reports, images: images) }
        var expected = fromA
        for (pair, counts) in fromB {
            expected[pair, default: [0, 0]][0] += counts[0]
            expected[pair, default: [0, 0]][1] += counts[1]
        }
        #expect(Self.held(a) == expected)
    }
}
