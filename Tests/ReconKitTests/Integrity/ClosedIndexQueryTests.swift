import Testing

@testable import ReconKit

/// The fingerprints a drop's ids are looked up by, put in ascending order by bucketing on
/// their top bits: the order must be exactly a sort's, whatever the fingerprints.
struct ClosedIndexQueryTests {
    /// Checks `ascending(input)` against what sorting gives.
    private func check(_ input: [UInt64]) {
        let out = ClosedPeriodIndex.Query.ascending(input)
        #expect(out.fingerprints == input.sorted())
        #expect(out.positions.count == input.count)
        #expect(Set(out.positions).count == input.count)
        #expect(out.positions.indices.allSatisfy { input[Int(out.positions[$0])] == out.fingerprints[$0] })
    }

    @Test(arguments: [0, 1, 2, 63, 64, 1_000, 70_000])
    func spreadFingerprintsComeInAscendingOrder(count: Int) {
        var random = SplitMix64(seed: UInt64(count) &+ 7)
        check((0..<count).map { _ in random.next() })
    }

    @Test func fingerprintsSharingTheirTopBitsComeInAscendingOrderToo() {
        // 5,000 below 2^40 share every top bit a bucket is chosen by (one bucket of 5,000,
        // sorted by comparison); then 300 buckets of 40 and spread ones with repeats.
        var random = SplitMix64(seed: 2026)
        check((0..<5_000).map { _ in random.next() >> 24 })
        check((0..<12_000).map { k in UInt64(k % 300) << 50 | random.next() >> 40 })
        let spread = (0..<3_000).map { _ in random.next() }
        check(spread + spread.prefix(500) + [0, 0, .max, .max])
    }

    @Test func aQueryPairsEachFingerprintWithItsId() {
        let ids = (0..<5_000).map { "R\($0 * 7919 % 100_003)" }
        let query = ClosedPeriodIndex.Query(ids: ids)
        #expect(query.fingerprints == ids.map(ClosedPeriodIndex.fingerprint).sorted())
        #expect(query.positions.indices.allSatisfy {
            ClosedPeriodIndex.fingerprint(ids[Int(query.positions[$0])]) == query.fingerprints[$0]
        })
    }
}
