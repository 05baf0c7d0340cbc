import Testing

@testable import ReconKit

/// The radix sort against the standard library's sort of the same keys.
@Suite struct RadixSortTests {
    /// Keys ordered by their bits from `lowBit` up, equal ones in the order given: by index.
    private func reference(_ keys: [UInt64], from lowBit: Int) -> [UInt64] {
        keys.indices.sorted { a, b in
            let x = keys[a] >> UInt64(lowBit), y = keys[b] >> UInt64(lowBit)
            return x != y ? x < y : a < b
        }.map { keys[$0] }
    }

    @Test(arguments: [0, 1, 200, 257, 3_000, 40_000])
    func keysComeOutAsAStableSortGivesThem(count: Int) {
        var random = SystemRandomNumberGenerator()
        for bits in [1, 11, 12, 22, 35, 64] {
            for lowBit in Set([0, bits / 3, bits]) {
                let limit: UInt64 = bits == 64 ? .max : (1 << UInt64(bits)) - 1
                // Few distinct high parts among many keys, so ties are many and their order shows.
                let keys = (0..<count).map { _ in UInt64.random(in: 0...limit, using: &random) & ~(UInt64(0b1010) << UInt64(max(0, bits - 6))) }
                var sorted = keys
                RadixSort.sort(&sorted, bits: bits, from: lowBit)
                #expect(sorted == reference(keys, from: lowBit), "bits \(bits) from \(lowBit), \(count) keys")
            }
        }
    }

    /// A client's billing order: time above position, the keys made in position order. Sorted on
    /// the time's bits only, they come out wholly sorted.
    @Test func timeAbovePositionNeedsNoPassOverThePositions() {
        var random = SystemRandomNumberGenerator()
        let count = 5_000, positionBits = 13, timeBits = 22
        let keys = (0..<count).map { UInt64.random(in: 0..<(1 << UInt64(timeBits)) / 64, using: &random) << UInt64(positionBits) | UInt64($0) }
        var sorted = keys
        RadixSort.sort(&sorted, bits: timeBits + positionBits, from: positionBits)
        #expect(sorted == keys.sorted())
    }

    /// A digit the same in every key moves nothing: the pass is left out, the result the same.
    @Test func aDigitSharedByEveryKeyIsPassedOver() {
        let keys: [UInt64] = (0..<1_000).map { UInt64(($0 * 7_919) % 1_000) | 0x5_5500_0000 }
        var sorted = keys
        RadixSort.sort(&sorted, bits: 36)
        #expect(sorted == keys.sorted())
        // Shared by all keys but one, the digit still moves that one.
        var allButOne = keys
        allButOne[0] |= 0x8_0000_0000
        sorted = allButOne
        RadixSort.sort(&sorted, bits: 36)
        #expect(sorted == allButOne.sorted())
    }
}
