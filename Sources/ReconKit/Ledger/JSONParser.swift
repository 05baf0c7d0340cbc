/// A strict RFC 8259 JSON parser for ledger lines.
///
/// Stricter than RFC 8259 where the ledger needs it, and never looser:
/// - an object naming a member twice is refused (RFC 8259 leaves it open; the ledger
///   would be ambiguous, and RFC 8785 forbids it);
/// - numbers must be integers within ±2^53: the ledger holds money, rates and scores as
///   decimal strings, so a fraction or exponent is refused and said so;
/// - the text must be UTF-8, strings may not hold lone surrogates (`"\ud800"`), and
///   nothing but whitespace may follow the value.
///
/// Member names are Swift `String`s, so two names that are canonically equivalent
/// Unicode (`"\u00e9"` and `"e\u0301"`) count as the same member.
///
/// ```swift
/// let entry = try JSONParser.parse(#"{"seq":1,"kind":"site.init"}"#)
/// entry["seq"]?.intValue   // 1
/// ```
public struct JSONParser {
    /// How deeply arrays and objects may nest; ledger bodies use a handful of levels.
    public static let maxDepth = 128

    private let bytes: UnsafeBufferPointer<UInt8>
    private var pos = 0
    /// Whether the text read so far is exactly the JCS form of what it holds (see ``parseNotingCanonical(_:)``).
    private var canonical = true
    /// Whether the last string read held an escape (so its bytes differ from its text).
    private var stringHadEscape = false

    private init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    // MARK: Entry points

    /// Parses one JSON value from UTF-8 bytes.
    ///
    /// - Throws: ``JSONParseError`` with the byte offset of the first problem.
    public static func parse(_ bytes: [UInt8]) throws -> JSONValue {
        try bytes.withUnsafeBufferPointer { try parse(buffer: $0) }
    }

    /// Parses one JSON value from UTF-8 bytes held in any collection (`ArraySlice`, `Data`, …).
    ///
    /// - Throws: ``JSONParseError`` with the byte offset of the first problem.
    public static func parse(_ bytes: some Collection<UInt8>) throws -> JSONValue {
        if let value = try bytes.withContiguousStorageIfAvailable({ try parse(buffer: $0) }) {
            return value
        }
        return try parse(Array(bytes))
    }

    /// Parses one JSON value from a string.
    ///
    /// - Throws: ``JSONParseError``; its offset counts UTF-8 bytes.
    public static func parse(_ text: String) throws -> JSONValue {
        var text = text
        return try text.withUTF8 { try parse(buffer: $0) }
    }

    /// Parses one JSON value from part of a string, such as one line of the ledger.
    ///
    /// - Throws: ``JSONParseError``; its offset counts UTF-8 bytes from the start of `text`.
    public static func parse(_ text: Substring) throws -> JSONValue {
        var text = text
        return try text.withUTF8 { try parse(buffer: $0) }
    }

    /// Parses one JSON value from UTF-8 bytes and tells whether the bytes are already its
    /// JCS form, so that `JCS.canonical(value)` would give back exactly `bytes`.
    ///
    /// The text is canonical when it has no whitespace outside strings, object members in
    /// ``JCS`` order, no `-0`, and strings escaped only as JCS escapes them (`\"` `\\`
    /// `\b` `\f` `\n` `\r` `\t`, other characters below U+0020 as `\u00xx` in lowercase
    /// hex). Everything else the parser accepts — integers, literals, raw UTF-8 — JCS
    /// writes back byte for byte.
    ///
    /// - Throws: ``JSONParseError``, exactly as ``parse(_:)-([UInt8])`` does.
    static func parseNotingCanonical(_ bytes: UnsafeBufferPointer<UInt8>) throws -> (value: JSONValue, isCanonical: Bool) {
        var parser = JSONParser(bytes)
        let value = try parser.parseWhole()
        return (value, parser.canonical)
    }

    /// Parses one JSON value from UTF-8 bytes without copying them.
    static func parse(buffer: UnsafeBufferPointer<UInt8>) throws -> JSONValue {
        var parser = JSONParser(buffer)
        return try parser.parseWhole()
    }

    private mutating func parseWhole() throws -> JSONValue {
        skipWhitespace()
        let value = try parseValue(depth: 0)
        skipWhitespace()
        if pos < bytes.count {
            throw JSONParseError(
                .trailingData, at: pos,
                "\(Self.describe(bytes[pos])) after the end of the value; one line holds exactly one JSON value")
        }
        return value
    }

    // MARK: Values

    private mutating func parseValue(depth: Int) throws -> JSONValue {
        guard pos < bytes.count else {
            throw JSONParseError(.unexpectedEnd, at: pos, "the text ends where a value should start")
        }
        switch bytes[pos] {
        case UInt8(ascii: "{"): return try parseObject(depth: depth + 1)
        case UInt8(ascii: "["): return try parseArray(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectWord("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectWord("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectWord("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        case let byte:
            throw JSONParseError(
                .unexpectedCharacter, at: pos,
                "expected a value (object, array, string, integer, true, false or null), found \(Self.describe(byte))")
        }
    }

    private mutating func parseObject(depth: Int) throws -> JSONValue {
        try checkDepth(depth)
        pos += 1  // {
        skipWhitespace()
        if pos < bytes.count, bytes[pos] == UInt8(ascii: "}") {
            pos += 1
            return .object([:])
        }
        // Members are gathered first so the dictionary is sized once, not regrown.
        var pairs: [(key: String, value: JSONValue, offset: Int)] = []
        pairs.reserveCapacity(8)
        // The previous member's name and, when it held no escape, its bytes: JCS order is checked as names are read.
        var previousKey: (name: String, raw: UnsafeBufferPointer<UInt8>?)?
        while true {
            guard pos < bytes.count else {
                throw JSONParseError(.unexpectedEnd, at: pos, "the text ends inside an object")
            }
            guard bytes[pos] == UInt8(ascii: "\"") else {
                throw JSONParseError(
                    .unexpectedCharacter, at: pos,
                    "expected a member name in double quotes, found \(Self.describe(bytes[pos]))")
            }
            let keyOffset = pos
            let key = try parseString()
            if canonical {
                let raw = stringHadEscape ? nil : UnsafeBufferPointer(rebasing: bytes[(keyOffset + 1)..<(pos - 1)])
                if let previousKey, !Self.inJCSOrder(previousKey, (key, raw)) { canonical = false }
                previousKey = (key, raw)
            }
            skipWhitespace()
            try expect(UInt8(ascii: ":"), "after the member name \"\(key)\"")
            skipWhitespace()
            pairs.append((key, try parseValue(depth: depth), keyOffset))
            skipWhitespace()
            guard pos < bytes.count else {
                throw JSONParseError(.unexpectedEnd, at: pos, "the text ends inside an object")
            }
            switch bytes[pos] {
            case UInt8(ascii: ","):
                pos += 1
                skipWhitespace()
            case UInt8(ascii: "}"):
                pos += 1
                return .object(try Self.members(pairs))
            case let byte:
                throw JSONParseError(
                    .unexpectedCharacter, at: pos,
                    "expected ',' or '}' after the member \"\(key)\", found \(Self.describe(byte))")
            }
        }
    }

    /// Whether member name `a` comes before `b` in JCS order, comparing the raw bytes of
    /// unescaped names (their text) without touching the strings.
    private static func inJCSOrder(_ a: (name: String, raw: UnsafeBufferPointer<UInt8>?),
                                   _ b: (name: String, raw: UnsafeBufferPointer<UInt8>?)) -> Bool {
        if let x = a.raw, let y = b.raw { return JCS.precedesInUTF16(x, y) }
        return JCS.precedesInUTF16(a.name, b.name)
    }

    /// The object holding `pairs`; a name given twice is refused at its second place.
    private static func members(_ pairs: [(key: String, value: JSONValue, offset: Int)]) throws -> [String: JSONValue] {
        var members = [String: JSONValue](minimumCapacity: pairs.count)
        for (key, value, offset) in pairs {
            if members.updateValue(value, forKey: key) != nil {
                throw JSONParseError(
                    .duplicateMember(key), at: offset,
                    "the object names member \"\(key)\" twice; each member may appear once")
            }
        }
        return members
    }

    private mutating func parseArray(depth: Int) throws -> JSONValue {
        try checkDepth(depth)
        pos += 1  // [
        skipWhitespace()
        var elements: [JSONValue] = []
        if pos < bytes.count, bytes[pos] == UInt8(ascii: "]") {
            pos += 1
            return .array(elements)
        }
        while true {
            elements.append(try parseValue(depth: depth))
            skipWhitespace()
            guard pos < bytes.count else {
                throw JSONParseError(.unexpectedEnd, at: pos, "the text ends inside an array")
            }
            switch bytes[pos] {
            case UInt8(ascii: ","):
                pos += 1
                skipWhitespace()
            case UInt8(ascii: "]"):
                pos += 1
                return .array(elements)
            case let byte:
                throw JSONParseError(
                    .unexpectedCharacter, at: pos,
                    "expected ',' or ']' after an array element, found \(Self.describe(byte))")
            }
        }
    }

    private mutating func parseNumber() throws -> JSONValue {
        let start = pos
        let negative = bytes[pos] == UInt8(ascii: "-")
        if negative { pos += 1 }
        guard pos < bytes.count, Self.isDigit(bytes[pos]) else {
            throw JSONParseError(.unexpectedCharacter, at: start, "a '-' must be followed by digits")
        }
        let digitsStart = pos
        if bytes[pos] == UInt8(ascii: "0") {
            pos += 1
            if pos < bytes.count, Self.isDigit(bytes[pos]) {
                throw JSONParseError(
                    .leadingZero, at: start, "the number \(numberText(from: start)) has a leading zero")
            }
        } else {
            while pos < bytes.count, Self.isDigit(bytes[pos]) { pos += 1 }
        }
        let digitsEnd = pos
        if pos < bytes.count,
           bytes[pos] == UInt8(ascii: ".") || bytes[pos] == UInt8(ascii: "e") || bytes[pos] == UInt8(ascii: "E") {
            throw JSONParseError(
                .nonIntegerNumber, at: start,
                "the number \(numberText(from: start)) is not an integer; the ledger holds no fractional "
                    + "or exponent numbers (money, rates and scores are decimal strings such as \"12.50\")")
        }
        // 2^53 = 9007199254740992 has 16 digits.
        var magnitude: UInt64 = 0
        let limit = UInt64(JSONValue.maxExactInteger)
        if digitsEnd - digitsStart <= 16 {
            for i in digitsStart..<digitsEnd {
                magnitude = magnitude * 10 + UInt64(bytes[i] &- UInt8(ascii: "0"))
            }
        }
        guard digitsEnd - digitsStart <= 16, magnitude <= limit else {
            throw JSONParseError(
                .integerOutOfRange, at: start,
                "the integer \(numberText(from: start)) is beyond ±2^53 (±9007199254740992), "
                    + "the range JCS represents exactly; write such a value as a string")
        }
        let value = Int64(magnitude)
        if negative && value == 0 { canonical = false }  // JCS writes zero as "0"
        return .int(negative ? -value : value)
    }

    // MARK: Strings

    private mutating func parseString() throws -> String {
        let quote = pos
        pos += 1
        let start = pos
        stringHadEscape = false
        // Fast path: no escapes, the string is a slice of the input.
        while pos < bytes.count {
            let byte = bytes[pos]
            if byte == UInt8(ascii: "\"") {
                let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<pos]), as: UTF8.self)
                pos += 1
                return text
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 { throw controlCharacter(byte) }
            if byte < 0x80 { pos += 1 } else { try skipUTF8Sequence() }
        }
        guard pos < bytes.count else { throw unclosedString(from: quote) }

        stringHadEscape = true
        var scratch: [UInt8] = []
        scratch.reserveCapacity(pos - start + 16)
        scratch.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<pos]))
        while pos < bytes.count {
            let byte = bytes[pos]
            if byte == UInt8(ascii: "\"") {
                pos += 1
                return String(decoding: scratch, as: UTF8.self)
            } else if byte == UInt8(ascii: "\\") {
                try parseEscape(into: &scratch)
            } else if byte < 0x20 {
                throw controlCharacter(byte)
            } else if byte < 0x80 {
                scratch.append(byte)
                pos += 1
            } else {
                let sequenceStart = pos
                try skipUTF8Sequence()
                scratch.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[sequenceStart..<pos]))
            }
        }
        throw unclosedString(from: quote)
    }

    private mutating func parseEscape(into scratch: inout [UInt8]) throws {
        let escapeStart = pos
        pos += 1  // backslash
        guard pos < bytes.count else {
            throw JSONParseError(.unexpectedEnd, at: escapeStart, "the text ends inside an escape")
        }
        let byte = bytes[pos]
        pos += 1
        switch byte {
        case UInt8(ascii: "\""): scratch.append(0x22)
        case UInt8(ascii: "\\"): scratch.append(0x5C)
        case UInt8(ascii: "/"): scratch.append(0x2F); canonical = false  // JCS writes "/" bare
        case UInt8(ascii: "b"): scratch.append(0x08)
        case UInt8(ascii: "f"): scratch.append(0x0C)
        case UInt8(ascii: "n"): scratch.append(0x0A)
        case UInt8(ascii: "r"): scratch.append(0x0D)
        case UInt8(ascii: "t"): scratch.append(0x09)
        case UInt8(ascii: "u"):
            let unit = try hex4(escapeStart: escapeStart)
            // JCS writes `\u00xx` (lowercase) only for controls without a short escape.
            if unit >= 0x20 || [0x08, 0x09, 0x0A, 0x0C, 0x0D].contains(unit)
                || (pos - 4..<pos).contains(where: { (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(bytes[$0]) }) {
                canonical = false
            }
            var scalarValue = UInt32(unit)
            if (0xDC00...0xDFFF).contains(unit) {
                throw loneSurrogate(unit, at: escapeStart)
            }
            if (0xD800...0xDBFF).contains(unit) {
                guard pos + 1 < bytes.count, bytes[pos] == UInt8(ascii: "\\"), bytes[pos + 1] == UInt8(ascii: "u")
                else { throw loneSurrogate(unit, at: escapeStart) }
                let lowStart = pos
                pos += 2
                let low = try hex4(escapeStart: lowStart)
                guard (0xDC00...0xDFFF).contains(low) else { throw loneSurrogate(unit, at: escapeStart) }
                scalarValue = 0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(low) - 0xDC00)
            }
            // Every value left is a Unicode scalar: surrogates were handled above.
            if let scalar = Unicode.Scalar(scalarValue) {
                UTF8.encode(scalar) { scratch.append($0) }
            }
        default:
            throw JSONParseError(
                .invalidEscape, at: escapeStart,
                "\\\(Self.describeBare(byte)) is not a JSON escape; valid ones are \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX")
        }
    }

    /// Reads the four hex digits of a `\u` escape whose backslash is at `escapeStart`.
    private mutating func hex4(escapeStart: Int) throws -> UInt16 {
        guard pos + 4 <= bytes.count else {
            throw JSONParseError(.unexpectedEnd, at: escapeStart, "the text ends inside a \\u escape")
        }
        var unit: UInt16 = 0
        for _ in 0..<4 {
            let byte = bytes[pos]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default:
                throw JSONParseError(
                    .invalidEscape, at: escapeStart, "a \\u escape needs four hex digits, found \(Self.describe(byte))")
            }
            unit = unit << 4 | UInt16(digit)
            pos += 1
        }
        return unit
    }

    /// Checks one multi-byte UTF-8 sequence at `pos` (Unicode Table 3-7) and steps over it.
    private mutating func skipUTF8Sequence() throws {
        let lead = bytes[pos]
        let length: Int
        var secondRange: ClosedRange<UInt8> = 0x80...0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; secondRange = 0xA0...0xBF
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; secondRange = 0x80...0x9F
        case 0xF0: length = 4; secondRange = 0x90...0xBF
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; secondRange = 0x80...0x8F
        default: throw invalidUTF8()
        }
        guard pos + length <= bytes.count, secondRange.contains(bytes[pos + 1]) else { throw invalidUTF8() }
        for i in 2..<length where !(0x80...0xBF).contains(bytes[pos + i]) {
            throw invalidUTF8()
        }
        pos += length
    }

    // MARK: Small pieces

    private mutating func skipWhitespace() {
        while pos < bytes.count {
            switch bytes[pos] {
            case 0x20, 0x09, 0x0A, 0x0D: pos += 1; canonical = false  // JCS has no whitespace
            default: return
            }
        }
    }

    private mutating func expect(_ byte: UInt8, _ context: @autoclosure () -> String) throws {
        guard pos < bytes.count else {
            throw JSONParseError(.unexpectedEnd, at: pos, "the text ends where '\(Character(Unicode.Scalar(byte)))' should come \(context())")
        }
        guard bytes[pos] == byte else {
            throw JSONParseError(
                .unexpectedCharacter, at: pos,
                "expected '\(Character(Unicode.Scalar(byte)))' \(context()), found \(Self.describe(bytes[pos]))")
        }
        pos += 1
    }

    private mutating func expectWord(_ word: StaticString) throws {
        let start = pos
        let count = word.utf8CodeUnitCount
        let matches = pos + count <= bytes.count && (0..<count).allSatisfy { bytes[start + $0] == word.utf8Start[$0] }
        guard matches else {
            throw JSONParseError(.unexpectedCharacter, at: start, "expected the literal \(word) here")
        }
        pos += count
    }

    private func checkDepth(_ depth: Int) throws {
        if depth > Self.maxDepth {
            throw JSONParseError(.tooDeep, at: pos, "arrays and objects nest deeper than \(Self.maxDepth) levels")
        }
    }

    /// The number-like text starting at `start`, for messages.
    private func numberText(from start: Int) -> String {
        var end = start
        while end < bytes.count, end - start < 40,
              Self.isDigit(bytes[end]) || [0x2D, 0x2B, 0x2E, 0x65, 0x45].contains(bytes[end]) {
            end += 1
        }
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
    }

    private func controlCharacter(_ byte: UInt8) -> JSONParseError {
        JSONParseError(
            .controlCharacterInString, at: pos,
            "a string holds the raw control character \(Self.describe(byte)); write it escaped, e.g. \\n or \\u001f")
    }

    private func unclosedString(from quote: Int) -> JSONParseError {
        JSONParseError(.unexpectedEnd, at: quote, "the string starting here is not closed by a '\"'")
    }

    private func loneSurrogate(_ unit: UInt16, at offset: Int) -> JSONParseError {
        let hex = String(unit, radix: 16)
        return JSONParseError(
            .loneSurrogate, at: offset,
            "\\u\(hex) is half of a UTF-16 surrogate pair without its other half; the text is not valid Unicode")
    }

    private func invalidUTF8() -> JSONParseError {
        JSONParseError(.invalidUTF8, at: pos, "byte 0x\(String(bytes[pos], radix: 16)) starts no valid UTF-8 sequence here; the ledger is UTF-8")
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    /// A byte as a person reads it: `'x'` for printable ASCII, `byte 0x1f` otherwise.
    private static func describe(_ byte: UInt8) -> String {
        (0x21...0x7E).contains(byte) ? "'\(Character(Unicode.Scalar(byte)))'" : "byte 0x\(String(byte, radix: 16))"
    }

    private static func describeBare(_ byte: UInt8) -> String {
        (0x21...0x7E).contains(byte) ? String(Character(Unicode.Scalar(byte))) : "(byte 0x\(String(byte, radix: 16)))"
    }
}
