/// Parsers for the SPEC §2 field types. Each returns the value or a message that says what
/// was wrong and what a valid value looks like; the drop parser adds line, column and name.
public enum FieldValue {
    public struct Invalid: Error {
        public let message: String
        /// A well-formed date or timestamp outside ``years`` (not a malformed one).
        public let outsideYears: Bool
        init(_ message: String, outsideYears: Bool = false) {
            self.message = message
            self.outsideYears = outsideYears
        }
    }

    /// The value as a message quotes it: at most 40 characters, control characters escaped,
    /// so a problem stays on one line of the errors file and the log.
    static func shown(_ text: Substring) -> String {
        let cut = text.unicodeScalars.count > 40 ? Substring(text.unicodeScalars.prefix(40)) : text
        return "\"" + SafeText.visible(cut) + (cut.endIndex < text.endIndex ? "…" : "") + "\""
    }

    /// ``shown(_:)``, and the first character of `text` outside ASCII named with where it is,
    /// for a field of ASCII words or codes: a look-alike letter (Cyrillic `С` in `CT`) or one
    /// nobody sees (a zero-width space) was printed as it is, and the value read as valid.
    static func shownNamingOdd(_ text: Substring) -> String { shown(text) + oddCharacter(text) }

    /// " (it holds U+200B (ZERO WIDTH SPACE) at character 3)" for the first character outside
    /// ASCII in `text`; empty when there is none.
    static func oddCharacter(_ text: Substring) -> String {
        guard let (at, scalar) = text.unicodeScalars.enumerated().first(where: { !$0.element.isASCII }) else { return "" }
        return " (it holds \(SafeText.named(scalar)) at character \(at + 1))"
    }

    /// **id**: 1–64 of `A-Z a-z 0-9 . _ -`, not starting with `.` or `-` (ids become file names
    /// and command-line arguments: no hidden files, no options).
    public static func id(_ text: Substring) throws -> String {
        if isId(text.utf8) { return String(text) }
        if text.isEmpty { throw Invalid("empty; an id is 1–64 characters of A-Z a-z 0-9 . _ - (e.g. C-0042)") }
        // Copied from a rate card, where it means any value: here one value is named.
        if text == "*" { throw Invalid("\"*\" is a rate card's wildcard (any value), not a value; name one here: 1–64 characters of A-Z a-z 0-9 . _ - (e.g. C-0042)") }
        // A character no id holds is told first: the id is wrong at any length, and only once
        // every character is allowed (one byte each) is the byte count its length.
        let bad = text.utf8.first { !isIdByte($0) }
        if let b = bad, b >= 128, let (at, scalar) = text.unicodeScalars.enumerated().first(where: { !$0.element.isASCII }) {
            // Named, with where it is: it may be one nobody sees (a zero-width space, a byte order mark).
            throw Invalid("\(shown(text)) holds \(SafeText.named(scalar)) at character \(at + 1); an id uses only A-Z a-z 0-9 . _ - (e.g. C-0042)")
        }
        if let b = bad {
            throw Invalid("\(shown(text)) holds \(describe(byte: b)); an id uses only A-Z a-z 0-9 . _ - (e.g. C-0042)")
        }
        if text.utf8.count > 64 {
            throw Invalid("\(shown(text)) is \(text.utf8.count) characters long; an id has at most 64 (e.g. C-0042)")
        }
        let first = text.utf8.first ?? 0
        throw Invalid("\(shown(text)) starts with \"\(Character(Unicode.Scalar(first)))\"; an id starts with a letter, digit or _ (e.g. C-0042)")
    }

    /// Whether UTF-8 bytes are an **id** (``id(_:)`` says what is wrong when they are not).
    static func isId<C: Collection>(_ u: C) -> Bool where C.Element == UInt8 {
        guard let first = u.first, first != 46, first != 45 else { return false }
        var count = 0
        for b in u {
            count += 1
            guard isIdByte(b) else { return false }
        }
        return count <= 64
    }

    /// `A-Z a-z 0-9 . _ -`.
    private static func isIdByte(_ b: UInt8) -> Bool {
        (b >= 65 && b <= 90) || (b >= 97 && b <= 122) || (b >= 48 && b <= 57) || b == 46 || b == 95 || b == 45
    }

    /// An id or the wildcard `*` (nil).
    public static func idOrWildcard(_ text: Substring) throws -> String? {
        text == "*" ? nil : try id(text)
    }

    /// **code**: 1–8 of `A-Z 0-9`.
    public static func code(_ text: Substring) throws -> String {
        guard isCode(text.utf8) else { throw Invalid("\(shownNamingOdd(text)) is not a code; a code is 1–8 of A-Z 0-9 (e.g. CT, MR, XR)") }
        return String(text)
    }

    /// Whether UTF-8 bytes are a **code**.
    static func isCode<C: Collection>(_ u: C) -> Bool where C.Element == UInt8 {
        var count = 0
        for b in u {
            count += 1
            guard (b >= 65 && b <= 90) || (b >= 48 && b <= 57) else { return false }
        }
        return count >= 1 && count <= 8
    }

    public static func codeOrWildcard(_ text: Substring) throws -> String? {
        text == "*" ? nil : try code(text)
    }

    /// **date**: `YYYY-MM-DD`, a real calendar date.
    public static func date(_ text: Substring) throws -> LocalDate {
        guard let d = LocalDate(text) else {
            if let why = LocalDate.calendarProblem(text) {
                throw Invalid("\(shown(text)) is not a calendar date: \(why) (e.g. 2026-02-28)")
            }
            throw Invalid("\(shown(text)) is not a calendar date; write YYYY-MM-DD (e.g. 2026-02-28)")
        }
        try inYears(d, text)
        return d
    }

    /// Dates and timestamps lie in the years 1970–2199 (SPEC §2).
    public static let years = 1970...2199

    /// The first and last day of ``years``: a date is compared by its day number, which every
    /// timestamp of a drop is read into, not turned back into a year (some 20 ms of a 1M drop's
    /// processor time).
    private static let yearDays = (first: LocalDate(year: years.lowerBound, month: 1, day: 1)!.dayNumber,
                                   last: LocalDate(year: years.upperBound, month: 12, day: 31)!.dayNumber)

    private static func inYears(_ d: LocalDate, _ text: @autoclosure () -> Substring) throws {
        guard d.dayNumber < yearDays.first || d.dayNumber > yearDays.last else { return }
        let year = d.components.year
        guard years.contains(year) else {
            throw Invalid("\(shown(text())) is in the year \(year); dates and timestamps lie in the years \(years.lowerBound)–\(years.upperBound) (e.g. 2026-02-28)",
                          outsideYears: true)
        }
    }

    /// An integer ≥ `minimum`, plain digits.
    public static func integer(_ text: Substring, minimum: Int) throws -> Int {
        let example = minimum == 0 ? "0, 3, 12" : "1, 3, 12"
        if text.first == "-" {
            throw Invalid("\(shown(text)) is negative; a whole number ≥ \(minimum) is expected (e.g. \(example))")
        }
        guard let v = wholeNumber(text.utf8) else {
            if text.contains(".") {
                throw Invalid("\(shown(text)) is fractional; a whole number ≥ \(minimum) is expected (e.g. \(example))")
            }
            throw Invalid("\(shown(text)) is not a whole number ≥ \(minimum) (e.g. \(example)); at most 9 digits, leading zeros aside")
        }
        guard v >= minimum else { throw Invalid("\(v) is below \(minimum); a whole number ≥ \(minimum) is expected") }
        return v
    }

    /// The value of plain digits, at most 9 of them after any leading zeros (`0000000005` is 5,
    /// as `00000000083.5` is a decimal: an export padding its numbers was refused), or nil.
    static func wholeNumber<C: Collection>(_ u: C) -> Int? where C.Element == UInt8 {
        var v = 0
        var count = 0, significant = 0
        for b in u {
            count += 1
            guard b >= 48 && b <= 57 else { return nil }
            if significant > 0 || b != 48 { significant += 1 }
            guard significant <= 9 else { return nil }
            v = v * 10 + Int(b - 48)
        }
        return count == 0 ? nil : v
    }

    /// **decimal**: `-?digits[.digits]`, at most 6 digits after the point, no exponent or separators.
    public static func decimal(_ text: Substring) throws -> ExactDecimal {
        func bad() -> Invalid {
            Invalid("\(shown(text)) is not a decimal; write digits with an optional point and at most 6 decimals (e.g. 12.50)")
        }
        var u = text.utf8[...]
        var negative = false
        if u.first == 45 {
            negative = true
            u = u.dropFirst()
        }
        guard let first = u.first, first >= 48 && first <= 57 else { throw bad() }
        var mantissa: Int128 = 0
        var scale = 0
        var seenPoint = false
        var intDigits = 0
        for b in u {
            if b == 46 {
                guard !seenPoint else { throw bad() }
                seenPoint = true
                continue
            }
            guard b >= 48 && b <= 57 else { throw bad() }
            // Leading zeros add no digit to the value (`00005` is 5, as in a spreadsheet's export).
            if seenPoint { scale += 1 } else if intDigits > 0 || b != 48 { intDigits += 1 }
            // Past the limits checked below the value is refused anyway: never let it overflow.
            if intDigits <= 15 && scale <= 6 { mantissa = mantissa * 10 + Int128(b - 48) }
        }
        guard u.last != 46 else { throw bad() }
        guard scale <= 6 else {
            throw Invalid("\(shown(text)) has \(scale) digits after the point; at most 6 are allowed (e.g. 0.123456)")
        }
        guard intDigits <= 15 else { throw Invalid("\(shown(text)) is too large; at most 15 digits before the point") }
        return ExactDecimal(mantissa: negative ? -mantissa : mantissa, scale: scale)
    }

    /// A decimal that must be ≥ 0 (or > 0 when `positive`).
    public static func decimal(_ text: Substring, positive: Bool) throws -> ExactDecimal {
        let v = try decimal(text)
        if v.isNegative || (positive && v.isZero) {
            throw Invalid("\(shown(text)) must be \(positive ? "greater than 0" : "0 or more") (e.g. 12.50)")
        }
        return v
    }

    /// **currency**: a known ISO 4217 code.
    public static func currency(_ text: Substring) throws -> Currency {
        guard let c = Currency(code: String(text)) else {
            if ISO4217.withoutMinorUnit.contains(String(text)) {
                throw Invalid("\(shown(text)) is an ISO 4217 code without a minor unit (a metal, a unit of account or a "
                    + "test code), not a currency money is invoiced in (e.g. USD, EUR, INR, JPY, KWD)")
            }
            throw Invalid("\(shownNamingOdd(text)) is not an ISO 4217 currency code (e.g. USD, EUR, INR, JPY, KWD)")
        }
        return c
    }

    /// `routine` or `stat`.
    public static func urgency(_ text: Substring) throws -> Urgency {
        guard let u = Urgency(rawValue: String(text)) else {
            throw Invalid("\(shownNamingOdd(text)) is not an urgency; write routine or stat")
        }
        return u
    }

    public static func urgencyOrWildcard(_ text: Substring) throws -> Urgency? {
        text == "*" ? nil : try urgency(text)
    }

    /// **timestamp**: `YYYY-MM-DDTHH:MM[:SS[.fraction]][Z|±HH:MM]`; without offset it is site time.
    public static func timestamp(_ text: Substring, zone: SiteTimeZone) throws -> Timestamp {
        // Read in place: a million rows need no copy of each timestamp's bytes.
        if let parsed = try text.utf8.withContiguousStorageIfAvailable({
            try timestamp(utf8: UnsafeRawBufferPointer($0), zone: zone, text: text)
        }) {
            return parsed
        }
        return try Array(text.utf8).withUnsafeBytes { try timestamp(utf8: $0, zone: zone, text: text) }
    }

    /// The timestamp written in the UTF-8 bytes `u`; `text` is the field as a message quotes
    /// it, made only when the bytes are not a valid timestamp.
    static func timestamp(utf8 u: UnsafeRawBufferPointer, zone: SiteTimeZone, text: @autoclosure () -> Substring) throws -> Timestamp {
        func bad() -> Invalid {
            // A day the calendar does not have is named as such: the shape is right, the date is not.
            let why = LocalDate.calendarProblem(text()).map { ": \($0)" } ?? ""
            return Invalid("\(shown(text())) is not a timestamp\(why); write YYYY-MM-DDTHH:MM[:SS[.fraction]][Z|±HH:MM] (e.g. 2026-03-01T10:00:00Z)")
        }
        guard u.count >= 16, let date = LocalDate(utf8: UnsafeRawBufferPointer(rebasing: u[0..<10])), u[10] == 84 || u[10] == 116,
            let hh = Digits.value(u[11..<13]), u[13] == 58, let mm = Digits.value(u[14..<16])
        else { throw bad() }
        // Checked before any arithmetic: nanoseconds since 1970 in Int64 end in 2262.
        try inYears(date, text())
        var i = 16
        var ss = 0
        var nanos: Int64 = 0
        if i < u.count && u[i] == 58 {
            guard i + 3 <= u.count, let s = Digits.value(u[(i + 1)..<(i + 3)]) else { throw bad() }
            ss = s
            i += 3
            if i < u.count && u[i] == 46 {
                i += 1
                var digits = 0
                while i < u.count, u[i] >= 48 && u[i] <= 57 {
                    digits += 1
                    guard digits <= 9 else {
                        throw Invalid("\(shown(text())) has more than 9 fractional second digits; use at most nanoseconds")
                    }
                    nanos = nanos * 10 + Int64(u[i] - 48)
                    i += 1
                }
                guard digits > 0 else { throw bad() }
                for _ in digits..<9 { nanos *= 10 }
            }
        }
        guard hh <= 23, mm <= 59, ss <= 59 else {
            throw Invalid("\(shown(text())) has a time out of range; hours 00–23, minutes and seconds 00–59")
        }
        let localSecond = Int64(date.dayNumber) * 86_400 + Int64(hh * 3600 + mm * 60 + ss)
        let utcSecond: Int64
        if i == u.count {
            utcSecond = zone.utcSecond(ofLocalSecond: localSecond)
        } else if u[i] == 90 || u[i] == 122, i + 1 == u.count {
            utcSecond = localSecond
        } else if u[i] == 43 || u[i] == 45, i + 6 == u.count, u[i + 3] == 58,
            let oh = Digits.value(u[(i + 1)..<(i + 3)]), let om = Digits.value(u[(i + 4)..<(i + 6)]), oh <= 23, om <= 59
        {
            let offset = Int64(oh * 3600 + om * 60)
            utcSecond = u[i] == 43 ? localSecond - offset : localSecond + offset
        } else {
            throw bad()
        }
        let instant = Timestamp(nanoseconds: utcSecond * 1_000_000_000 + nanos)
        // The date in site time decides the period: it lies in the years too (1970-01-01T00:00-05:00
        // is 1969-12-31 in UTC, a period no card can price and no close can name). The written
        // offset (up to ±23:59) and the site's (−12 to +14 hours) move the date by at most two
        // days, so only the first two and last two days of the years need the look.
        if date.dayNumber < edgeDays.first || date.dayNumber > edgeDays.last {
            let local = zone.localDate(of: instant)
            guard years.contains(local.components.year) else {
                throw Invalid("\(shown(text())) falls on \(local) in site time (\(zone.identifier)); dates and timestamps "
                    + "lie in the years \(years.lowerBound)–\(years.upperBound), in site time too (e.g. 2026-03-01T10:00:00Z)", outsideYears: true)
            }
        }
        return instant
    }

    /// The third day of ``years`` and the third from their end: a timestamp written from one to
    /// the other falls in the years in any time zone, with any offset.
    private static let edgeDays = (first: LocalDate(year: years.lowerBound, month: 1, day: 3)!.dayNumber,
                                   last: LocalDate(year: years.upperBound, month: 12, day: 29)!.dayNumber)

    /// The longest **text** (SPEC §2); a note may hold 1,000 and an address 300.
    public static let textLimit = 200
    public static let noteLimit = 1_000
    public static let addressLimit = 300
    /// Code points a character of text may have: a base and 30 combining marks (UAX #15).
    static let codePointsPerCharacter = 31

    /// Whether text taken from now on fits a workbook cell as a person reads it: one character
    /// of thousands of combining marks is still one of the 200, but a cell holds 32,767 (Excel
    /// counts UTF-16 units), and such a name left an invoice's buyer blank. Unicode's
    /// stream-safe text format (UAX #15) keeps a character to a base and 30 marks; every real
    /// script's characters fit in that. Checked on new input only (``DropParser/newDrop``):
    /// a drop taken before this rule is read as it was taken.
    public static func fitsACell(_ text: String) throws {
        var characters = 0
        for character in text {
            characters += 1
            let points = character.unicodeScalars.count
            if points > codePointsPerCharacter {
                throw Invalid("holds a character made of \(points) code points at character \(characters); a character has at "
                    + "most \(codePointsPerCharacter) (a letter and its accents, e.g. ễ is 3)")
            }
        }
        try fitsACellWhole(text)
    }

    /// Whether `text` fits a workbook cell at all (Excel counts 32,767 UTF-16 units): the one
    /// rule for `recon.toml`'s seller texts, which earlier versions took with any character and
    /// already printed on issued invoices.
    public static func fitsACellWhole(_ text: String) throws {
        let units = text.utf16.count
        guard units <= 32_767 else {
            throw Invalid("is \(units) UTF-16 code units long, more than a workbook cell holds (32,767); shorten it")
        }
    }

    /// **text**: at most `limit` characters once trimmed, with no control character
    /// (U+0000–U+001F, U+007F) and no non-character U+FFFE/U+FFFF — a workbook cannot
    /// hold them (they are not allowed in XML). Required text may not be blank.
    public static func text(_ text: Substring) throws -> String {
        try self.text(text, limit: textLimit)
    }

    public static func text(_ text: Substring, limit: Int) throws -> String {
        let trimmed = text.trimmedSpaces
        guard !trimmed.isEmpty else { throw Invalid("is empty; some text is required") }
        var count = 0
        for scalar in trimmed.unicodeScalars {
            count += 1
            if scalar == "\n" || scalar == "\r" {
                // A line break typed in the cell (Alt+Enter): most often an address's lines.
                throw Invalid("holds a line break at character \(count); a field is one line of text: write an address's lines "
                    + "apart with ` | ` (1 Road | Town), and other text on one line (e.g. Asha Rao)")
            }
            if let what = SafeText.forbidden(scalar) {
                throw Invalid("holds \(what) at character \(count); text may not hold control characters or U+FFFE/U+FFFF (e.g. Asha Rao)")
            }
        }
        // Characters as a person sees and counts them: `ễ` written decomposed (as macOS and some
        // web exports write it) is three code points but one character, and the same name in
        // either form passes or fails alike.
        guard count <= limit || trimmed.count <= limit else {
            throw Invalid("\(shown(trimmed)) is \(trimmed.count) characters long; this text has at most \(limit)")
        }
        return String(trimmed)
    }

    private static func describe(byte b: UInt8) -> String {
        switch b {
        case 47: return "\"/\""
        case 32: return "a space"
        case 0..<32, 127: return "a control character"
        case 128...: return "a non-ASCII character"
        default: return "\"\(Character(Unicode.Scalar(b)))\""
        }
    }
}
