/// Text and numbers as a sheet's XML spells them, appended to the bytes being built.
enum XMLText {
    /// `&`, `<` and `>` as entities; a control character other than tab and line feed (which XML cannot hold, or reads back changed) as Excel's
    /// `_xHHHH_`, and a `_x` that would read as one as `_x005F_x`, so the cell shows exactly
    /// the text given.
    ///
    /// `opening` goes first, or `preserving` when the text starts or ends with a space, tab or
    /// line break (which an XML reader would otherwise drop): `<t>` or `<t xml:space="preserve">`.
    /// `from`: how many bytes of the text to leave out first (a formula's `=`).
    static func escape(_ text: String, into xml: inout [UInt8], opening: [UInt8] = [], preserving: [UInt8] = [], from: Int = 0) {
        func isSpace(_ b: UInt8?) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D }
        var text = text
        text.withUTF8 { whole in
            let bytes = UnsafeBufferPointer(rebasing: whole[min(from, whole.count)...])
            xml += isSpace(bytes.first) || isSpace(bytes.last) ? preserving : opening
            var i = 0
            while i < bytes.count {
                let b = bytes[i]
                switch b {
                case UInt8(ascii: "&"): xml += amp
                case UInt8(ascii: "<"): xml += lt
                case UInt8(ascii: ">"): xml += gt
                case 0x09, 0x0A: xml.append(b)
                case 0x00..<0x20: hexEscaped(b, into: &xml)
                case UInt8(ascii: "_") where readsAsEscape(bytes, at: i): xml += Array("_x005F_".utf8)
                default: xml.append(b)
                }
                i += 1
            }
        }
    }

    /// `text` with `_x005F_` before every `_xHHHH_` in it, which a reader of the file would
    /// otherwise take for one character (the escape ``escape(_:into:opening:preserving:from:)``
    /// writes, for text libxlsxwriter escapes itself; it leaves those codes as they are).
    static func literalCharacterCodes(_ text: String) -> String {
        guard text.utf8.contains(UInt8(ascii: "_")), text.contains("_x") else { return text }
        var out: [UInt8] = []
        var text = text
        text.withUTF8 { bytes in
            out.reserveCapacity(bytes.count + 7)
            for i in bytes.indices {
                if bytes[i] == UInt8(ascii: "_"), readsAsEscape(bytes, at: i) { out += Array("_x005F".utf8) }
                out.append(bytes[i])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Whether `_xHHHH_` starts at `i`.
    private static func readsAsEscape(_ bytes: UnsafeBufferPointer<UInt8>, at i: Int) -> Bool {
        guard i + 6 < bytes.count, bytes[i + 1] == UInt8(ascii: "x"), bytes[i + 6] == UInt8(ascii: "_") else { return false }
        return bytes[(i + 2)...(i + 5)].allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 | 0x20 >= 97 && $0 | 0x20 <= 102) }
    }

    private static func hexEscaped(_ b: UInt8, into xml: inout [UInt8]) {
        let hex = Array("0123456789ABCDEF".utf8)
        xml += Array("_x00".utf8)
        xml.append(hex[Int(b >> 4)])
        xml.append(hex[Int(b & 0xF)])
        xml.append(UInt8(ascii: "_"))
    }

    /// A finite number, exactly: whole numbers as integers, others as the shortest decimal
    /// that reads back as the same `Double` (`0.1`, `1.5e-07`).
    static func number(_ value: Double, into xml: inout [UInt8]) {
        if value == value.rounded(), abs(value) < 1e15 {
            digits(Int(value), into: &xml)
        } else {
            xml += Array(value.description.utf8)
        }
    }

    /// A whole number in decimal digits, `-` first when negative.
    static func digits(_ value: Int, into xml: inout [UInt8]) {
        if value < 0 { xml.append(UInt8(ascii: "-")) }
        var n = value.magnitude
        var buffer: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &buffer) { raw in
            var i = raw.count
            repeat {
                i -= 1
                raw[i] = UInt8(truncatingIfNeeded: 48 + n % 10)
                n /= 10
            } while n > 0
            xml.append(contentsOf: raw[i...])
        }
    }

    private static let amp = Array("&amp;".utf8), lt = Array("&lt;".utf8), gt = Array("&gt;".utf8)
}
