import Foundation

/// A small, fast, seeded pseudo-random generator: xoshiro256** seeded through SplitMix64.
///
/// The auditor's randomness must be repeatable: the same ledger and the same seed give
/// the same forests and so the same flags, on every machine and every toolchain. The
/// standard library's generator is neither seedable nor stable, and the standard
/// library's `random(in:using:)` algorithms are not promised to stay the same across
/// releases, so this type also brings its own bounded integers and unit doubles.
///
/// The four words of state are filled from the seed with SplitMix64 (Steele, Lea and
/// Flood 2014), as the xoshiro authors (Blackman and Vigna 2018) recommend, so that
/// neighbouring seeds give unrelated streams.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var s0: UInt64
    private var s1: UInt64
    private var s2: UInt64
    private var s3: UInt64

    /// Creates a generator whose whole stream is determined by `seed`.
    public init(seed: UInt64) {
        var state = seed
        s0 = SeededGenerator.splitMix64(&state)
        s1 = SeededGenerator.splitMix64(&state)
        s2 = SeededGenerator.splitMix64(&state)
        s3 = SeededGenerator.splitMix64(&state)
    }

    /// One step of SplitMix64: advances `state` and returns its next output.
    ///
    /// From seed 0 the first output is `0xE220A8397B1DCDAF`.
    public static func splitMix64(_ state: inout UInt64) -> UInt64 {
        var mixer = SplitMix64(seed: state)
        defer { state = mixer.state }
        return mixer.next()
    }

    /// The next 64 random bits (xoshiro256**).
    public mutating func next() -> UInt64 {
        let result = rotateLeft(s1 &* 5, by: 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rotateLeft(s3, by: 45)
        return result
    }

    /// A uniform double in `[0, 1)` with 53 random bits.
    public mutating func nextUnit() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// A uniform double in `[low, high)`; `low` when the two are equal.
    public mutating func nextDouble(from low: Double, to high: Double) -> Double {
        low + (high - low) * nextUnit()
    }

    /// A uniform integer in `0..<bound`, without modulo bias (Lemire 2019).
    ///
    /// - Precondition: `bound > 0`.
    public mutating func nextInt(below bound: Int) -> Int {
        precondition(bound > 0, "nextInt(below:) needs a positive bound")
        let range = UInt64(bound)
        var product = next().multipliedFullWidth(by: range)
        if product.low < range {
            let floor = (0 &- range) % range
            while product.low < floor {
                product = next().multipliedFullWidth(by: range)
            }
        }
        return Int(product.high)
    }

    /// A standard normal deviate (Box–Muller, one of the pair).
    public mutating func nextGaussian() -> Double {
        // 1 - u is in (0, 1], so the logarithm is finite.
        let u = 1.0 - nextUnit()
        let v = nextUnit()
        return (-2.0 * log(u)).squareRoot() * cos(2.0 * Double.pi * v)
    }

    private func rotateLeft(_ x: UInt64, by k: UInt64) -> UInt64 {
        (x << k) | (x >> (64 - k))
    }
}
