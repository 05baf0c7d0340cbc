import Foundation

/// Checking a value without building it: the skipped member of
/// ``JSONParser/parseNotingCanonical(_:skipping:of:)``.
///
/// Each function here mirrors its building twin in JSONParser.swift check for check and in
/// the same order, so a text fails at the same offset with the same error whether its value
/// is built or skipped, and `canonical` ends the same. Nothing is allocated for the value:
/// member names are compared on their bytes, and decoded into `String`s only where an escape
/// or a non-ASCII byte keeps bytes from standing for the name (`"K"` and `"\u212a"`, the
/// Kelvin sign, are the same name to the building parser).
extension JSONParser {
    /// A member name of an object being skipped: where its quoted text lies.
    struct SkippedName {
        /// The offset of its opening quote, where a duplicate is reported.
        let quote: Int
        /// The offset of its closing quote.
        let end: Int
        let hadEscape: Bool
        let isASCII: Bool
        /// Whether its bytes are its text and no other text is the same name.
        var isPlain: Bool { isASCII && !hadEscape }
    }

    /// Checks the value at `pos` as ``parseValue(depth:)`` reads it.
    mutating func skipValue(depth: Int) throws {
        guard pos < bytes.count else {
            throw endBeforeValue()
        }
        switch bytes[pos] {
        case UInt8(ascii: "{"): try skipObject(depth: depth + 1)
        case UInt8(ascii: "["): _ = try skipArray(depth: depth + 1)
        case UInt8(ascii: "\""): _ = try skipString()
        case UInt8(ascii: "t"): try expectWord("true")
        case UInt8(ascii: "f"): try expectWord("false")
        case UInt8(ascii: "n"): try expectWord("null")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try parseNumber()  // an integer allocates nothing
        case let byte:
            throw notAValue(byte)
        }
    }

    /// Checks the array at `pos` as ``parseArray(depth:)`` reads it; whether it has elements.
    mutating func skipArray(depth: Int) throws -> Bool {
        try checkDepth(depth)
        pos += 1  // [
        skipWhitespace()
        if pos < bytes.count, bytes[pos] == UInt8(ascii: "]") {
            pos += 1
            return false
        }
        while true {
            try skipValue(depth: depth)
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
                return true
            case let byte:
                throw notAfterElement(byte)
            }
        }
    }

    /// Checks the object at `pos` as ``parseObject(depth:role:)`` reads it: the JCS order of
    /// its names as they come, and a name given twice once the object is closed.
    mutating func skipObject(depth: Int) throws {
        try checkDepth(depth)
        pos += 1  // {
        skipWhitespace()
        if pos < bytes.count, bytes[pos] == UInt8(ascii: "}") {
            pos += 1
            return
        }
        let first = skippedNames.count
        var previous: SkippedName?
        // Plain ASCII names in strictly rising order are distinct: no pairwise duplicate check needed.
        var rising = true
        while true {
            guard pos < bytes.count else {
                throw endInside("an object")
            }
            guard bytes[pos] == UInt8(ascii: "\"") else {
                throw notAMemberName()
            }
            let quote = pos
            let isASCII = try skipString()
            let name = SkippedName(quote: quote, end: pos - 1, hadEscape: stringHadEscape, isASCII: isASCII)
            // `previous` is the name just before, as the building parser's is while the text is canonical.
            if let previous {
                // Names without escapes are ordered by their bytes, compared once for both checks.
                let bytesInOrder = previous.hadEscape || name.hadEscape ? nil : JCS.precedesInUTF16(raw(previous), raw(name))
                if canonical, !(bytesInOrder ?? inJCSOrder(previous, name)) { canonical = false }
                if rising { rising = previous.isPlain && name.isPlain && bytesInOrder == true }
            } else {
                rising = name.isPlain
            }
            previous = name
            skipWhitespace()
            if pos < bytes.count, bytes[pos] == UInt8(ascii: ":") {
                pos += 1
            } else {
                let text = self.text(of: name)
                try expect(UInt8(ascii: ":"), "after the member name \"\(text)\"")  // throws, as it did
            }
            skipWhitespace()
            skippedNames.append(name)
            try skipValue(depth: depth)
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
                if !rising { try checkDuplicates(from: first) }
                skippedNames.removeSubrange(first...)
                return
            case let byte:
                throw notAfterMember(text(of: name), byte)
            }
        }
    }

    /// Checks the string at `pos` as ``parseString()`` reads it; whether it is all ASCII.
    /// Sets `stringHadEscape` as reading it does.
    mutating func skipString() throws -> Bool {
        let quote = pos
        stringHadEscape = false
        var isASCII = true
        // Most of a ledger line is string bytes: they are stepped over a word at a time, and
        // only the bytes that need a look are looked at one by one.
        var i = pos + 1
        while true {
            i = PlainStringBytes.end(in: bytes, from: i)
            guard i < bytes.count else { break }
            let byte = bytes[i]
            if byte == 0x22 {  // "
                pos = i + 1
                return isASCII
            } else if byte == 0x5C {  // backslash
                stringHadEscape = true
                pos = i
                _ = try readEscape()
                i = pos
            } else if byte < 0x20 {
                pos = i
                throw controlCharacter(byte)
            } else {
                isASCII = false
                pos = i
                try skipUTF8Sequence()
                i = pos
            }
        }
        pos = i
        throw unclosedString(from: quote)
    }

    /// The first name from `first` on that an earlier one of the same object repeats is
    /// refused, as ``members(_:)`` refuses it.
    private func checkDuplicates(from first: Int) throws {
        let end = skippedNames.count
        // Pairwise for the handful of members a ledger object has; hashed beyond.
        if end - first <= 32 {
            var i = first + 1
            while i < end {
                var j = first
                while j < i {
                    if sameName(skippedNames[i], skippedNames[j]) { throw duplicate(skippedNames[i]) }
                    j += 1
                }
                i += 1
            }
        } else {
            var seen = Set<String>(minimumCapacity: end - first)
            for i in first..<end where !seen.insert(text(of: skippedNames[i])).inserted {
                throw duplicate(skippedNames[i])
            }
        }
    }

    private func duplicate(_ name: SkippedName) -> JSONParseError {
        Self.duplicateMember(text(of: name), at: name.quote)
    }

    /// Whether `a` and `b` name the same member as `String`s do (Unicode canonical equivalence).
    private func sameName(_ a: SkippedName, _ b: SkippedName) -> Bool {
        if !a.hadEscape, !b.hadEscape {
            let x = raw(a), y = raw(b)
            if x.count == y.count {
                guard let p = x.baseAddress, let q = y.baseAddress else { return true }  // both empty
                if memcmp(p, q, x.count) == 0 { return true }
            }
            if a.isASCII, b.isASCII { return false }
        }
        return text(of: a) == text(of: b)
    }

    /// Whether `a` comes before `b` in JCS order, as the building parser compares them.
    private func inJCSOrder(_ a: SkippedName, _ b: SkippedName) -> Bool {
        if !a.hadEscape, !b.hadEscape { return JCS.precedesInUTF16(raw(a), raw(b)) }
        return JCS.precedesInUTF16(text(of: a), text(of: b))
    }

    /// The bytes between a name's quotes.
    private func raw(_ name: SkippedName) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(rebasing: bytes[(name.quote + 1)..<name.end])
    }

    /// A name as the building parser reads it, for messages and the comparisons bytes cannot settle.
    private func text(of name: SkippedName) -> String {
        if !name.hadEscape { return String(decoding: raw(name), as: UTF8.self) }
        var reader = self
        reader.pos = name.quote
        // The name was read once already, so it reads again.
        return (try? reader.parseString()) ?? ""
    }
}
