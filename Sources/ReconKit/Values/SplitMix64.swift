/// SplitMix64 (Steele, Lea and Flood, 2014): the one small seeded generator everything
/// repeatable is drawn from — the auditor's forests (through ``SeededGenerator``), the
/// demo's year of history, the randomized tests.
///
/// The same seed gives the same stream on every machine and toolchain; from seed 0 the
/// first output is `0xE220A8397B1DCDAF`.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    /// The state: the seed, advanced by the golden gamma at each draw.
    public private(set) var state: UInt64

    public init(seed: UInt64) { state = seed }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return SplitMix64.mix(state)
    }

    /// SplitMix64's finalizer: a bijection of 64 bits that scatters neighbouring inputs.
    public static func mix(_ x: UInt64) -> UInt64 {
        var z = x
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
