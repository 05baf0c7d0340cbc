extension ClosedPeriodIndexEncoder {
    /// Whether a report is left out of the breakdown, without hashing most ids with `Set`'s
    /// hasher: when the excluded ids are ASCII, an ASCII id none of them shares the low
    /// fingerprint bits of is not one of them (two ASCII strings are equal only byte for byte).
    /// Any other id is looked up in the set, as before.
    struct ExclusionFilter {
        let excluded: Set<String>
        /// Bit `fingerprint & 0xFFFF` set for each excluded id; nil when one is not ASCII.
        let seen: [UInt64]?

        init(_ excluded: Set<String>) {
            self.excluded = excluded
            var seen = [UInt64](repeating: 0, count: 1 << 10), ascii = true
            for id in excluded {
                let (print, isASCII) = ClosedPeriodIndex.fingerprintAndASCII(id)
                ascii = ascii && isASCII
                seen[Int(print & 0xFFFF) >> 6] |= 1 << (print & 63)
            }
            self.seen = ascii ? seen : nil
        }

        func excludes(_ id: String, fingerprint: UInt64, ascii: Bool) -> Bool {
            guard !excluded.isEmpty else { return false }
            if ascii, let seen, seen[Int(fingerprint & 0xFFFF) >> 6] & (1 << (fingerprint & 63)) == 0 { return false }
            return excluded.contains(id)
        }
    }
}
