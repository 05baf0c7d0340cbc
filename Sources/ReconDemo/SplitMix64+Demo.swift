import ReconKit

/// The demo's draws from ``SplitMix64``, so its year of history is the same on every run
/// and every machine.
///
/// The bounded draws are written out here rather than taken from the standard library, whose
/// algorithms for `random(in:using:)` are not promised to stay the same across releases.
extension SplitMix64 {
    /// A generator for one part of the history, independent of every other part's draws.
    init(_ parts: [UInt64]) {
        var s: UInt64 = 0x5245_434F_4E44_454D  // "RECONDEM"
        for p in parts { s = SplitMix64.mix(s ^ (p &* 0x9E37_79B9_7F4A_7C15)) }
        self.init(seed: s)
    }

    /// Uniform in `0..<n` (multiply-high; `n` > 0).
    mutating func below(_ n: Int) -> Int {
        precondition(n > 0)
        return Int(next().multipliedFullWidth(by: UInt64(n)).high)
    }

    /// Uniform in `range`.
    mutating func int(in range: ClosedRange<Int>) -> Int {
        range.lowerBound + below(range.upperBound - range.lowerBound + 1)
    }

    /// Uniform in [0, 1): 53 random bits. Used for shapes of the data, never for money.
    mutating func unit() -> Double {
        Double(next() >> 11) * 0x1p-53
    }

    mutating func chance(_ p: Double) -> Bool { unit() < p }

    /// An index drawn with the given (non-negative, not all zero) weights.
    mutating func weighted(_ weights: [Int]) -> Int {
        let total = weights.reduce(0, +)
        var x = below(total)
        for (i, w) in weights.enumerated() {
            if x < w { return i }
            x -= w
        }
        return weights.count - 1
    }
}
