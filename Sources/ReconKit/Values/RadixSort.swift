/// Sorting 64-bit keys by radix, eleven bits a pass from the lowest: a few passes over the
/// keys whatever their order, where a comparison sort makes many. A client's billing order
/// (``PeriodPricer``) is sorted so. (A drop's million fingerprints are not: scattering them
/// pass after pass over arrays far larger than the caches cost more than bucketing them
/// once by their top bits, ``ClosedPeriodIndex/Query``.)
enum RadixSort {
    /// Bits a pass takes: 2,048 counters, small beside the keys a pass moves.
    private static let digitBits = 11

    /// Sorts `keys`, every one below 2^`bits`.
    static func sort(_ keys: inout [UInt64], bits: Int = UInt64.bitWidth) {
        // Too few for the passes' counters to pay.
        guard keys.count > 256 else { return keys.sort() }
        let mask: UInt64 = (1 << UInt64(digitBits)) - 1
        var other = [UInt64](repeating: 0, count: keys.count)
        var next = [Int](repeating: 0, count: (1 << digitBits) + 1)
        var shift = 0
        while shift < bits {
            for d in next.indices { next[d] = 0 }
            for k in keys { next[Int((k >> UInt64(shift)) & mask) + 1] += 1 }
            for d in 0..<(1 << digitBits) { next[d + 1] += next[d] }
            for k in keys {
                let d = Int((k >> UInt64(shift)) & mask)
                other[next[d]] = k
                next[d] += 1
            }
            swap(&keys, &other)
            shift += digitBits
        }
    }
}
