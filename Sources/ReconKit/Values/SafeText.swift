/// Text that reaches a workbook or a log line: what cannot go there, and an escaped form
/// that keeps a log line one line (a file name with a newline cannot forge a second line).
public enum SafeText {
    /// Why `scalar` cannot be written into a workbook (XML 1.0 forbids it), or nil.
    public static func forbidden(_ scalar: Unicode.Scalar) -> String? {
        switch scalar.value {
        case 0: return "a NUL character (U+0000)"
        case 0x01...0x1F, 0x7F: return "a control character (U+\(hex4(scalar.value)))"
        case 0xFFFE, 0xFFFF: return "the non-character U+\(hex4(scalar.value))"
        default: return nil
        }
    }

    /// A C1 control or a line or paragraph separator: a line break to some readers.
    static func breaksLines(_ scalar: Unicode.Scalar) -> Bool {
        (0x80...0x9F).contains(scalar.value) || scalar.value == 0x2028 || scalar.value == 0x2029
    }

    /// A line of JSON (a log line, a command's answer) with the characters some readers break
    /// lines at written as escapes (`\u2028`): JCS writes them as they are, and a file name
    /// holding one split a JSON log line in two for such a reader. Only inside strings can
    /// they occur, where the escape is the same JSON value.
    public static func lineSafeJSON(_ json: String) -> String {
        guard json.unicodeScalars.contains(where: breaksLines) else { return json }
        var out = String.UnicodeScalarView()
        for scalar in json.unicodeScalars {
            if breaksLines(scalar) { out.append(contentsOf: "\\u\(hex4(scalar.value).lowercased())".unicodeScalars) } else { out.append(scalar) }
        }
        return String(out)
    }

    /// Whether the text holds nothing a workbook cannot hold.
    public static func isClean<S: StringProtocol>(_ text: S) -> Bool {
        text.unicodeScalars.allSatisfy { forbidden($0) == nil }
    }

    /// The text with control characters and U+FFFE/U+FFFF escaped (`\n`, `\t`, `\r`,
    /// `\u{1B}`): printable and one line. A backslash stays one: a name shown is the name to
    /// type, and `usage-back\slash.csv` printed `usage-back\\slash.csv`, which names no file.
    /// C1 controls (U+0080–U+009F, NEL among them) and the line and paragraph separators
    /// (U+2028, U+2029) are escaped too: a log reader splits lines at them (`splitlines()`),
    /// and a file named with one forged a line of its own.
    /// A log line's message may hold names escaped already: with a backslash left as it is,
    /// an escaped name is not escaped twice (`\\u{2028}`); what could break the line is escaped
    /// all the same.
    public static func escaped<S: StringProtocol>(_ text: S) -> String {
        guard text.unicodeScalars.contains(where: { forbidden($0) != nil || breaksLines($0) }) else { return String(text) }
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if forbidden(scalar) != nil || breaksLines(scalar) {
                    out += "\\u{\(hex4(scalar.value))}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }

    /// Whether `scalar` shows as nothing, or as a plain space, where a person reads it: format
    /// characters (zero-width space, a byte order mark), spaces other than U+0020, line and
    /// paragraph separators.
    public static func isInvisible(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .format, .lineSeparator, .paragraphSeparator: return true
        case .spaceSeparator: return scalar != " "
        default:
            // Drawn as nothing though not formats: Unicode's default-ignorable code points (the
            // variation selectors, Mongolian ones too, the combining grapheme joiner, the Hangul
            // fillers, unassigned ones kept for such use), the braille blank, the Khmer inherent vowels.
            if scalar.properties.isDefaultIgnorableCodePoint { return true }
            switch scalar.value {
            case 0xFE00...0xFE0F, 0xE0100...0xE01EF, 0x034F, 0x115F, 0x1160, 0x3164, 0xFFA0, 0x2800, 0x17B4, 0x17B5: return true
            default: return false
            }
        }
    }

    /// ``escaped(_:)`` with invisible characters escaped too (`"C1\u{200B}"`): for messages
    /// that quote a value a person must find and fix.
    public static func visible<S: StringProtocol>(_ text: S) -> String {
        guard text.unicodeScalars.contains(where: isInvisible) else { return escaped(text) }
        var out = ""
        for scalar in text.unicodeScalars {
            if isInvisible(scalar) { out += "\\u{\(hex4(scalar.value))}" } else { out += escaped(String(scalar)) }
        }
        return out
    }

    /// Why `text`, required, says nothing: it is only spaces of other scripts (a no-break
    /// space, U+3000) or characters nobody sees (a zero-width space), which trimming leaves.
    /// Nil when it holds something to read.
    public static func blankness(of text: String) -> String? {
        guard let first = text.unicodeScalars.first,
              text.unicodeScalars.allSatisfy({ $0.properties.isWhitespace || isInvisible($0) }) else { return nil }
        return "holds nothing to read, only \(named(first))\(text.unicodeScalars.count > 1 ? " and the like" : ""); a value is required "
            + "(e.g. Asha Rao)"
    }

    /// `U+200B (ZERO WIDTH SPACE)`: a character named for a person.
    public static func named(_ scalar: Unicode.Scalar) -> String {
        let name = scalar.properties.name ?? scalar.properties.nameAlias
        let mark = scalar == "\u{FEFF}" ? ", a byte order mark" : ""
        return "U+\(hex4(scalar.value))" + (name.map { " (\($0)\(mark))" } ?? "")
    }

    private static func hex4(_ v: UInt32) -> String {
        let h = String(v, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - h.count)) + h
    }
}
