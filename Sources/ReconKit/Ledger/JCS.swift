/// The JSON Canonicalization Scheme (RFC 8785): one exact byte form per JSON value.
///
/// A ledger entry's `hash` is the SHA-256 of the canonical form of the entry without its
/// `hash` member, so every writer and every verifier must produce the very same bytes:
/// - object members sorted by the UTF-16 code units of their names, compared as
///   unsigned integers (so `"\u{20AC}"` sorts before `"😀"`, whose first unit is a surrogate);
/// - no whitespace anywhere;
/// - strings escaped as ECMAScript's `JSON.stringify` does: `\"` `\\` `\b` `\f` `\n` `\r`
///   `\t`, other characters below U+0020 as `\u00xx` with lowercase hex, every other
///   character as literal UTF-8 (no `\/`, no escaping of non-ASCII);
/// - integers in plain decimal, `-` only for negative values.
///
/// ```swift
/// JCS.canonicalString(["b": 1, "a": "x\n"])   // {"a":"x\n","b":1}
/// ```
public enum JCS {
    /// The canonical form of `value`, as UTF-8 bytes.
    ///
    /// Integers are written exactly as held. An integer beyond ±2^53 has no agreed
    /// meaning in JCS (other implementations read numbers as doubles), so writers of
    /// the ledger check ``canRepresent(_:)`` first; ``JSONParser`` never yields one.
    public static func canonical(_ value: JSONValue) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        append(value, to: &out)
        return out
    }

    /// The canonical form of `value`, as a string.
    public static func canonicalString(_ value: JSONValue) -> String {
        String(decoding: canonical(value), as: UTF8.self)
    }

    /// Appends the canonical form of `value` to `out`.
    public static func append(_ value: JSONValue, to out: inout [UInt8]) {
        switch value {
        case .null:
            out.append(contentsOf: "null".utf8)
        case .bool(let b):
            out.append(contentsOf: b ? "true".utf8 : "false".utf8)
        case .int(let i):
            appendInteger(i, to: &out)
        case .string(let s):
            appendString(s, to: &out)
        case .array(let elements):
            out.append(UInt8(ascii: "["))
            for (n, element) in elements.enumerated() {
                if n > 0 { out.append(UInt8(ascii: ",")) }
                append(element, to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            // Members sorted with their values: no name is looked up (hashed) again.
            let sorted = members.sorted { precedesInUTF16($0.key, $1.key) }
            for (n, member) in sorted.enumerated() {
                if n > 0 { out.append(UInt8(ascii: ",")) }
                appendString(member.key, to: &out)
                out.append(UInt8(ascii: ":"))
                append(member.value, to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// The canonical form of an object some of whose members are canonical already: `raw`
    /// holds their bytes, written as they are among the others in name order. A status cache
    /// after a year holds six thousand documents, written straight into bytes rather than
    /// built as values whose members are then sorted (``StatusFigures``).
    public static func canonicalObject(_ members: [String: JSONValue], raw: [String: [UInt8]]) -> [UInt8] {
        precondition(raw.keys.allSatisfy { members[$0] == nil }, "a member named twice")
        var out: [UInt8] = [UInt8(ascii: "{")]
        out.reserveCapacity(raw.values.reduce(256) { $0 + $1.count })
        let names = (Array(members.keys) + Array(raw.keys)).sorted(by: precedesInUTF16)
        for (n, name) in names.enumerated() {
            if n > 0 { out.append(UInt8(ascii: ",")) }
            appendString(name, to: &out)
            out.append(UInt8(ascii: ":"))
            if let bytes = raw[name] { out.append(contentsOf: bytes) } else { append(members[name]!, to: &out) }
        }
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// Whether every integer in `value` lies within ±2^53, the range in which every JCS
    /// implementation reads and writes numbers exactly.
    public static func canRepresent(_ value: JSONValue) -> Bool {
        switch value {
        case .null, .bool, .string:
            return true
        case .int(let i):
            return i.magnitude <= JSONValue.maxExactInteger.magnitude
        case .array(let elements):
            return elements.allSatisfy(canRepresent)
        case .object(let members):
            return members.values.allSatisfy(canRepresent)
        }
    }

    /// RFC 8785 §3.2.3 order: by UTF-16 code units, as unsigned 16-bit integers.
    ///
    /// Compares UTF-8 bytes, which order like code points, and corrects the one place
    /// where UTF-16 differs: a character from U+10000 up (UTF-8 lead byte F0–F4, UTF-16
    /// surrogates D800–DFFF) sorts before one from U+E000 to U+FFFF (lead byte EE–EF).
    /// Strings with equal bytes up to a point split at the same character boundary, so
    /// the first differing bytes are either both lead bytes or continuation bytes of
    /// characters from the same range, where the orders agree.
    static func precedesInUTF16(_ a: String, _ b: String) -> Bool {
        var a = a, b = b
        return a.withUTF8 { x in b.withUTF8 { y in precedesInUTF16(x, y) } }
    }

    /// ``precedesInUTF16(_:_:)-(String,String)`` over the UTF-8 bytes of two strings.
    static func precedesInUTF16(_ x: UnsafeBufferPointer<UInt8>, _ y: UnsafeBufferPointer<UInt8>) -> Bool {
        let common = min(x.count, y.count)
        var i = 0
        while i < common, x[i] == y[i] { i += 1 }
        guard i < common else { return x.count < y.count }
        let p = x[i], q = y[i]
        if (0xEE...0xEF).contains(p), q >= 0xF0 { return false }
        if (0xEE...0xEF).contains(q), p >= 0xF0 { return true }
        return p < q
    }

    /// A string in double quotes, escaped as ECMAScript `JSON.stringify` does (RFC 8785 §3.2.2.2).
    static func appendString(_ s: String, to out: inout [UInt8]) {
        var s = s
        s.withUTF8 { utf8 in
            out.append(UInt8(ascii: "\""))
            var run = 0  // start of the bytes not yet copied
            for i in 0..<utf8.count {
                let byte = utf8[i]
                guard byte < 0x20 || byte == 0x22 || byte == 0x5C else { continue }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[run..<i]))
                run = i + 1
                out.append(0x5C)
                switch byte {
                case 0x22: out.append(0x22)                    // \"
                case 0x5C: out.append(0x5C)                    // \\
                case 0x08: out.append(UInt8(ascii: "b"))
                case 0x0C: out.append(UInt8(ascii: "f"))
                case 0x0A: out.append(UInt8(ascii: "n"))
                case 0x0D: out.append(UInt8(ascii: "r"))
                case 0x09: out.append(UInt8(ascii: "t"))
                default:                                       // \u00xx, lowercase hex
                    out.append(contentsOf: "u00".utf8)
                    out.append(hexDigits[Int(byte >> 4)])
                    out.append(hexDigits[Int(byte & 0x0F)])
                }
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[run...]))
            out.append(UInt8(ascii: "\""))
        }
    }

    /// An integer in plain decimal, as ECMAScript prints an integral double.
    static func appendInteger(_ i: Int64, to out: inout [UInt8]) {
        if i < 0 { out.append(UInt8(ascii: "-")) }
        let first = out.count
        var magnitude = i.magnitude
        repeat {
            out.append(UInt8(ascii: "0") + UInt8(magnitude % 10))
            magnitude /= 10
        } while magnitude > 0
        out[first...].reverse()
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)
}
