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

    // Not private: JSONParser+Skipping.swift reads the same text with the same checks.
    let bytes: UnsafeBufferPointer<UInt8>
    var pos = 0
    /// Whether the text read so far is exactly the JCS form of what it holds (see ``parseNotingCanonical(_:)``).
    var canonical = true
    /// Whether the last string read held an escape (so its bytes differ from its text).
    var stringHadEscape = false
    /// The members checked but not built (see ``parseNotingCanonical(_:skipping:of:)``).
    var skipTarget: (members: SkippedMemberNames, parent: String)?
    /// Those members met and left out of the value, in the order met.
    var skippedMembers: [String] = []
    /// The member names of the objects being skipped, innermost last, for the order and
    /// duplicate checks: one buffer for the whole parse rather than one per object.
    var skippedNames: [SkippedName] = []

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

    /// Parses one JSON value as ``parseNotingCanonical(_:)`` does, but when the root object's
    /// member `parent` is an object, its members named in `members` are only checked, not
    /// built, and left out of the value — all but an empty array, which is kept as it is.
    ///
    /// A skipped value is checked exactly as a full parse checks it — the same errors at the
    /// same offsets, the same canonical bookkeeping — so the outcome differs from
    /// ``parseNotingCanonical(_:)`` only in those members' absence, said by `skipped`. A ledger
    /// line's document `lines` are most of its text, and what only a document's workbook reads
    /// is most of the rest: they are left in the file (``DeferredMembers``).
    static func parseNotingCanonical(_ bytes: UnsafeBufferPointer<UInt8>, skipping members: SkippedMemberNames, of parent: String)
        throws -> (value: JSONValue, isCanonical: Bool, skipped: [String]) {
        var parser = JSONParser(bytes)
        parser.skipTarget = (members, parent)
        let value = try parser.parseWhole()
        return (value, parser.canonical, parser.skippedMembers)
    }

    /// Parses one JSON value from UTF-8 bytes without copying them.
    static func parse(buffer: UnsafeBufferPointer<UInt8>) throws -> JSONValue {
        var parser = JSONParser(buffer)
        return try parser.parseWhole()
    }

    /// How many bytes a whole JSON value at the start of `bytes` (after any whitespace)
    /// takes, whatever follows it; nil when the bytes do not start with one.
    static func leadingValueLength(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        var parser = JSONParser(bytes)
        parser.skipWhitespace()
        guard (try? parser.skipValue(depth: 0)) != nil else { return nil }
        return parser.pos
    }

    private mutating func parseWhole() throws -> JSONValue {
        skipWhitespace()
        let value: JSONValue
        if skipTarget != nil, pos < bytes.count, bytes[pos] == UInt8(ascii: "{") {
            value = try parseObject(depth: 1, role: .root)  // as parseValue(depth: 0) would
        } else {
            value = try parseValue(depth: 0)
        }
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
            throw endBeforeValue()
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
            throw notAValue(byte)
        }
    }

    /// Where an object stands with respect to ``skipTarget``.
    private enum ObjectRole {
        case plain
        /// The root object, whose member `parent` may hold the member to skip.
        case root
        /// The object that is the value of the root's member `parent`.
        case parent
    }

    private mutating func parseObject(depth: Int, role: ObjectRole = .plain) throws -> JSONValue {
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
        // Whether every name so far came after the one before it in JCS order: then no two are the same.
        var rising = true
        // The skipped members' names and their places in `pairs`.
        var skippedHere: [String] = []
        var skippedAt: [Int] = []
        while true {
            guard pos < bytes.count else {
                throw endInside("an object")
            }
            guard bytes[pos] == UInt8(ascii: "\"") else {
                throw notAMemberName()
            }
            let keyOffset = pos
            let key = try parseString()
            let raw = stringHadEscape ? nil : UnsafeBufferPointer(rebasing: bytes[(keyOffset + 1)..<(pos - 1)])
            if canonical {
                if let previousKey, !Self.inJCSOrder(previousKey, (key, raw)) {
                    canonical = false
                    rising = false
                }
                previousKey = (key, raw)
            } else {
                rising = false
            }
            skipWhitespace()
            try expect(UInt8(ascii: ":"), "after the member name \"\(key)\"")
            skipWhitespace()
            if role != .plain, let skipTarget, pos < bytes.count {
                if role == .root, bytes[pos] == UInt8(ascii: "{"), key == skipTarget.parent {
                    pairs.append((key, try parseObject(depth: depth + 1, role: .parent), keyOffset))
                } else if role == .parent, skipTarget.members.contains(key, raw: raw) {
                    // An empty array is kept, as it is; a skipped value keeps its place for the duplicate check.
                    let skipped: Bool
                    if bytes[pos] == UInt8(ascii: "[") {
                        skipped = try skipArray(depth: depth + 1)
                    } else {
                        try skipValue(depth: depth)
                        skipped = true
                    }
                    if skipped {
                        skippedHere.append(key)
                        skippedAt.append(pairs.count)
                    }
                    pairs.append((key, skipped ? .null : .array([]), keyOffset))
                } else {
                    pairs.append((key, try parseValue(depth: depth), keyOffset))
                }
            } else {
                pairs.append((key, try parseValue(depth: depth), keyOffset))
            }
            skipWhitespace()
            guard pos < bytes.count else {
                throw endInside("an object")
            }
            switch bytes[pos] {
            case UInt8(ascii: ","):
                pos += 1
                skipWhitespace()
            case UInt8(ascii: "}"):
                pos += 1
                guard !skippedHere.isEmpty else { return .object(try Self.members(pairs)) }
                skippedMembers += skippedHere
                guard rising else {
                    var members = try Self.members(pairs)
                    for key in skippedHere { members[key] = nil }
                    return .object(members)
                }
                // Distinct names: the skipped ones are left out rather than put in and taken out.
                var members = [String: JSONValue](minimumCapacity: pairs.count - skippedAt.count)
                var next = 0
                for (i, pair) in pairs.enumerated() {
                    if next < skippedAt.count, skippedAt[next] == i {
                        next += 1
                        continue
                    }
                    members[pair.key] = pair.value
                }
                return .object(members)
            case let byte:
                throw notAfterMember(key, byte)
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
                throw Self.duplicateMember(key, at: offset)
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
                throw endInside("an array")
            }
            switch bytes[pos] {
            case UInt8(ascii: ","):
                pos += 1
                skipWhitespace()
            case UInt8(ascii: "]"):
                pos += 1
                return .array(elements)
            case let byte:
                throw notAfterElement(byte)
            }
        }
    }

    @discardableResult
    mutating func parseNumber() throws -> JSONValue {
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

    mutating func parseString() throws -> String {
        let quote = pos
        pos += 1
        let start = pos
        stringHadEscape = false
        // Fast path: no escapes, the string is a slice of the input.
        while true {
            pos = PlainStringBytes.end(in: bytes, from: pos)
            guard pos < bytes.count else { break }
            let byte = bytes[pos]
            if byte == UInt8(ascii: "\"") {
                let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<pos]), as: UTF8.self)
                pos += 1
                return text
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 { throw controlCharacter(byte) }
            try skipUTF8Sequence()
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
                let scalar = try readEscape()
                if scalar < 0x80 { scratch.append(UInt8(scalar)) } else { Self.appendUTF8(scalar, to: &scratch) }
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

    /// Reads the escape at `pos` and gives the Unicode scalar value it stands for.
    mutating func readEscape() throws -> UInt32 {
        let escapeStart = pos
        pos += 1  // backslash
        guard pos < bytes.count else {
            throw JSONParseError(.unexpectedEnd, at: escapeStart, "the text ends inside an escape")
        }
        let byte = bytes[pos]
        pos += 1
        switch byte {
        case UInt8(ascii: "\""): return 0x22
        case UInt8(ascii: "\\"): return 0x5C
        case UInt8(ascii: "/"): canonical = false; return 0x2F  // JCS writes "/" bare
        case UInt8(ascii: "b"): return 0x08
        case UInt8(ascii: "f"): return 0x0C
        case UInt8(ascii: "n"): return 0x0A
        case UInt8(ascii: "r"): return 0x0D
        case UInt8(ascii: "t"): return 0x09
        case UInt8(ascii: "u"):
            let unit = try hex4(escapeStart: escapeStart)
            // JCS writes `\u00xx` (lowercase) only for controls without a short escape.
            if unit >= 0x20 || [0x08, 0x09, 0x0A, 0x0C, 0x0D].contains(unit)
                || (pos - 4..<pos).contains(where: { (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(bytes[$0]) }) {
                canonical = false
            }
            if (0xDC00...0xDFFF).contains(unit) {
                throw loneSurrogate(unit, at: escapeStart)
            }
            guard (0xD800...0xDBFF).contains(unit) else { return UInt32(unit) }
            guard pos + 1 < bytes.count, bytes[pos] == UInt8(ascii: "\\"), bytes[pos + 1] == UInt8(ascii: "u")
            else { throw loneSurrogate(unit, at: escapeStart) }
            let lowStart = pos
            pos += 2
            let low = try hex4(escapeStart: lowStart)
            guard (0xDC00...0xDFFF).contains(low) else { throw loneSurrogate(unit, at: escapeStart) }
            return 0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(low) - 0xDC00)
        default:
            throw JSONParseError(
                .invalidEscape, at: escapeStart,
                "\\\(Self.describeBare(byte)) is not a JSON escape; valid ones are \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX")
        }
    }

    /// Appends the UTF-8 form of `value`, a Unicode scalar value (``readEscape()`` gives no surrogates).
    private static func appendUTF8(_ value: UInt32, to scratch: inout [UInt8]) {
        if let scalar = Unicode.Scalar(value) {
            UTF8.encode(scalar) { scratch.append($0) }
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
    mutating func skipUTF8Sequence() throws {
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

    /// Called between every two tokens, and a ledger line (JCS) has no whitespace: the
    /// common case is one comparison, inlined where it is called.
    @inline(__always)
    mutating func skipWhitespace() {
        guard pos < bytes.count, bytes[pos] <= 0x20 else { return }
        skipWhitespaceFound()
    }

    private mutating func skipWhitespaceFound() {
        while pos < bytes.count {
            switch bytes[pos] {
            case 0x20, 0x09, 0x0A, 0x0D: pos += 1; canonical = false  // JCS has no whitespace
            default: return
            }
        }
    }

    mutating func expect(_ byte: UInt8, _ context: @autoclosure () -> String) throws {
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

    mutating func expectWord(_ word: StaticString) throws {
        let start = pos
        let count = word.utf8CodeUnitCount
        let matches = pos + count <= bytes.count && (0..<count).allSatisfy { bytes[start + $0] == word.utf8Start[$0] }
        guard matches else {
            throw JSONParseError(.unexpectedCharacter, at: start, "expected the literal \(word) here")
        }
        pos += count
    }

    func checkDepth(_ depth: Int) throws {
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

    // The errors the building and the skipping readers both raise, worded once so they stay alike.

    func endBeforeValue() -> JSONParseError {
        JSONParseError(.unexpectedEnd, at: pos, "the text ends where a value should start")
    }

    func notAValue(_ byte: UInt8) -> JSONParseError {
        JSONParseError(
            .unexpectedCharacter, at: pos,
            "expected a value (object, array, string, integer, true, false or null), found \(Self.describe(byte))")
    }

    /// `what`: "an object" or "an array".
    func endInside(_ what: String) -> JSONParseError {
        JSONParseError(.unexpectedEnd, at: pos, "the text ends inside \(what)")
    }

    func notAMemberName() -> JSONParseError {
        JSONParseError(.unexpectedCharacter, at: pos, "expected a member name in double quotes, found \(Self.describe(bytes[pos]))")
    }

    func notAfterElement(_ byte: UInt8) -> JSONParseError {
        JSONParseError(.unexpectedCharacter, at: pos, "expected ',' or ']' after an array element, found \(Self.describe(byte))")
    }

    func notAfterMember(_ name: String, _ byte: UInt8) -> JSONParseError {
        JSONParseError(.unexpectedCharacter, at: pos, "expected ',' or '}' after the member \"\(name)\", found \(Self.describe(byte))")
    }

    static func duplicateMember(_ name: String, at offset: Int) -> JSONParseError {
        JSONParseError(.duplicateMember(name), at: offset, "the object names member \"\(name)\" twice; each member may appear once")
    }

    func controlCharacter(_ byte: UInt8) -> JSONParseError {
        JSONParseError(
            .controlCharacterInString, at: pos,
            "a string holds the raw control character \(Self.describe(byte)); write it escaped, e.g. \\n or \\u001f")
    }

    func unclosedString(from quote: Int) -> JSONParseError {
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

    static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    /// A byte as a person reads it: `'x'` for printable ASCII, `byte 0x1f` otherwise.
    static func describe(_ byte: UInt8) -> String {
        (0x21...0x7E).contains(byte) ? "'\(Character(Unicode.Scalar(byte)))'" : "byte 0x\(String(byte, radix: 16))"
    }

    private static func describeBare(_ byte: UInt8) -> String {
        (0x21...0x7E).contains(byte) ? String(Character(Unicode.Scalar(byte))) : "(byte 0x\(String(byte, radix: 16)))"
    }
}
