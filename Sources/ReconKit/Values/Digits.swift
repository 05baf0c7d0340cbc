/// Small helpers for fixed-width ASCII digits.
public enum Digits {
    public static func value<C: Collection>(_ bytes: C) -> Int? where C.Element == UInt8 {
        var v = 0
        for b in bytes {
            guard b >= 48 && b <= 57 else { return nil }
            v = v * 10 + Int(b - 48)
        }
        return bytes.isEmpty ? nil : v
    }

    public static func padded(_ v: Int, _ width: Int) -> String {
        let s = String(v)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }

    /// `1234567` as `1,234,567` (counts for people: progress lines, the demo's summary).
    public static func grouped(_ n: Int) -> String {
        (n < 0 ? "-" : "") + groupedWhole(Substring(String(n.magnitude)))
    }

    /// An amount for people, its whole part in groups of three: `2,065,634.20` (JSON and the
    /// ledger keep `2065634.20`).
    public static func grouped(_ amount: ExactDecimal) -> String {
        let text = amount.description
        let negative = text.hasPrefix("-")
        let unsigned = negative ? text.dropFirst() : Substring(text)
        let whole = unsigned.prefix { $0 != "." }
        return (negative ? "-" : "") + groupedWhole(whole) + unsigned.dropFirst(whole.count)
    }

    private static func groupedWhole(_ digits: Substring) -> String {
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return out
    }
}
