/// Sorting 64-bit keys by radix, eleven bits a pass from the lowest: a few passes over the
/// keys whatever their order, where a comparison sort makes many. A client's billing order
/// (``PeriodPricer``) is sorted so. (A drop's million fingerprints are not: scattering them
/// pass after pass over arrays far larger than the caches cost more than bucketing them
/// once by their top bits, ``ClosedPeriodIndex/Query``.)
enum RadixSort {
    /// Bits a pass takes: 2,048 counters, small beside the keys a pass moves.
    private static let digitBits = 11

    /// Sorts `keys`, every one below 2^`bits`, by their bits from `lowBit` up. Each pass keeps
    /// keys of equal digits in the order it found them, so keys equal from `lowBit` up stay in
    /// the order given: keys whose low bits are their position in the array (a client's billing
    /// order, time above position) come out wholly sorted without a pass over the positions.
    static func sort(_ keys: inout [UInt64], bits: Int = UInt64.bitWidth, from lowBit: Int = 0) {
        precondition(lowBit >= 0 && lowBit <= bits, "the bits sorted on lie below `bits`")
        // Too few for the passes' counters to pay.
        guard keys.count > 256 else {
            if lowBit == 0 { keys.sort() } else { keys = stableSortedAbove(keys, lowBit: lowBit) }
            return
        }
        let radix = 1 << digitBits, mask = UInt64(radix - 1)
        let passes = (bits - lowBit + digitBits - 1) / digitBits
        guard passes > 0 else { return }
        // Every pass's digits counted in one read of the keys; a pass whose digit is the same
        // in every key moves nothing and is left out.
        var counts = [Int](repeating: 0, count: passes * radix)
        counts.withUnsafeMutableBufferPointer { counts in
            for k in keys {
                for p in 0..<passes { counts[p * radix + Int((k >> UInt64(lowBit + p * digitBits)) & mask)] += 1 }
            }
        }
        var other = [UInt64](repeating: 0, count: keys.count)
        var next = [Int](repeating: 0, count: radix)
        for p in 0..<passes {
            let shift = UInt64(lowBit + p * digitBits)
            var start = 0, single = false
            for d in 0..<radix {
                let n = counts[p * radix + d]
                next[d] = start
                start += n
                if n == keys.count { single = true }
            }
            if single { continue }
            for k in keys {
                let d = Int((k >> shift) & mask)
                other[next[d]] = k
                next[d] += 1
            }
            swap(&keys, &other)
        }
    }

    /// A few keys ordered by their bits from `lowBit` up, equal ones in the order given.
    private static func stableSortedAbove(_ keys: [UInt64], lowBit: Int) -> [UInt64] {
        keys.indices.sorted { a, b in
            let x = keys[a] >> UInt64(lowBit), y = keys[b] >> UInt64(lowBit)
            return x != y ? x < y : a < b
        }.map { keys[$0] }
    }
}
