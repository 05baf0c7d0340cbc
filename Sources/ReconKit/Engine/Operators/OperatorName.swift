/// Operator and key-file names: SPEC §2's id (1–64 of `A-Z a-z 0-9 . _ -`, not starting
/// with `.` or `-`), so a name is always a plain file name (`NAME.key`) and never a path.
public enum OperatorName {
    public static func isPlainId(_ name: String) -> Bool {
        guard (1...64).contains(name.utf8.count), let first = name.utf8.first, first != UInt8(ascii: "."), first != UInt8(ascii: "-")
        else { return false }
        return name.utf8.allSatisfy { b in
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == UInt8(ascii: ".")
                || b == UInt8(ascii: "_") || b == UInt8(ascii: "-")
        }
    }

    /// Whether two names read alike in some letter case: compared lowered and raised both, as a
    /// name may change only one way (the site name `ſ1` raises to `S1`, and lowers to itself).
    public static func sameInAnyCase(_ a: String, _ b: String) -> Bool {
        a.lowercased() == b.lowercased() || a.uppercased() == b.uppercased()
    }
}
