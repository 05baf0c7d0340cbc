import Foundation
import Testing

@testable import ReconKit

/// A baseline's few values give the median, least and greatest the soft gate always read off
/// arrays, to the bit: its scores and reasons must not move with how they are held.
struct BaselineValuesTests {
    /// The median as the gate took it before: the sorted array's middle, or the mean of the middle two.
    private func arrayMedian(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    private func held(_ values: [Double]) -> BaselineValues {
        var b = BaselineValues()
        for v in values { b.append(v) }
        return b
    }

    @Test func smallCasesByHand() {
        #expect(held([]).median == nil && held([]).min == nil && held([]).max == nil)
        #expect(held([7]).median == 7)
        // Two months: the mean of both.
        #expect(held([100, 0]).median == 50)
        // Three months out of order: the middle once sorted.
        #expect(held([3, 1, 2]).median == 2)
        #expect(held([0, 100, 0]).median == 0)
        #expect(held([2.5, -1, 9]).min == -1 && held([2.5, -1, 9]).max == 9)
        #expect(held([4, 1, 3]).map { $0 * 2 }.median == 6)
    }

    @Test func theSameBitsAsArraysGiveOverManyValues() {
        var generator = SplitMix64(seed: 20261203)
        // Values with repeats, zeros of both signs, negatives and tiny differences.
        let pool: [Double] = [0, -0.0, 1, -1, 0.1, 0.2, 0.30000000000000004, 1e-6, 13.815510557964274, 2.5, 2.5, 700, -3.25]
        for _ in 0..<20_000 {
            let count = Int(generator.next() % 4)
            let values = (0..<count).map { _ in pool[Int(generator.next() % UInt64(pool.count))] }
            let b = held(values)
            #expect(b.count == values.count)
            #expect(b.median?.bitPattern == arrayMedian(values)?.bitPattern, "median of \(values)")
            #expect(b.min?.bitPattern == values.min()?.bitPattern, "least of \(values)")
            #expect(b.max?.bitPattern == values.max()?.bitPattern, "greatest of \(values)")
            #expect(b.map { log1p($0) }.median?.bitPattern == arrayMedian(values.map { log1p($0) })?.bitPattern)
        }
    }

    @Test func aPeriodIsReadOffItsBytesAsItWasReadOffItsParts() {
        // YYYY-MM as written, and texts that are not one or are one only when split.
        #expect(FeatureBuilder.monthIndex("2026-11") == 2026 * 12 + 10)
        #expect(FeatureBuilder.monthIndex("0000-01") == 0)
        #expect(FeatureBuilder.monthIndex("9999-12") == 9999 * 12 + 11)
        #expect(FeatureBuilder.monthIndex("2026-00") == nil)
        #expect(FeatureBuilder.monthIndex("2026-13") == nil)
        #expect(FeatureBuilder.monthIndex("2026-1a") == nil)
        #expect(FeatureBuilder.monthIndex("2026/11") == nil)
        #expect(FeatureBuilder.monthIndex("2026-011") == nil)
        #expect(FeatureBuilder.monthIndex("") == nil)
        // A sign is a number to `Int(_:)`: such texts were months before and still are.
        #expect(FeatureBuilder.monthIndex("+202-01") == 202 * 12)
        #expect(FeatureBuilder.monthIndex("2026-+1") == 2026 * 12)
    }
}
