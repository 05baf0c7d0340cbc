/// A strict reader for the part of TOML that `recon.toml` uses: `key = value` with basic
/// ("…", with escapes) and literal ('…') strings, integers, booleans, floats (read only so
/// a float where an integer is wanted gets a clear error) and arrays (which may span
/// lines); `[table]` and `[[array of tables]]` headers; `#` comments.
///
/// Anything else — a duplicate key or table, an inline table, a dotted key, a multi-line
/// string, text after a value — is an error naming the line. Every value keeps its line so
/// the schema (``SiteConfig``) can name it too.
public enum TOML {
    public enum Value: Equatable, Sendable {
        case string(String)
        case integer(Int64)
        case float(Double)
        case bool(Bool)
        case array([Value])

        /// The value's type as an error message names it.
        public var typeName: String {
            switch self {
            case .string: return "a string"
            case .integer: return "an integer"
            case .float: return "a float"
            case .bool: return "a boolean"
            case .array: return "an array"
            }
        }
    }

    /// A value and the line its key is on.
    public struct Entry: Equatable, Sendable {
        public let value: Value
        public let line: Int
    }

    /// One table's keys, in the order written, and the line of its header (0 for the root).
    public struct Table: Sendable {
        public var line: Int
        public var entries: [String: Entry] = [:]
        public var keys: [String] = []

        /// The value of `key`, if set.
        public subscript(key: String) -> Value? { entries[key]?.value }
    }

    public struct Document: Sendable {
        public var root = Table(line: 0)
        public var tables: [String: Table] = [:]
        public var arrays: [String: [Table]] = [:]
    }

    public struct Problem: Error, CustomStringConvertible {
        public let line: Int?
        public let message: String
        public init(line: Int?, message: String) {
            self.line = line
            self.message = message
        }
        public var description: String { (line.map { "recon.toml line \($0): " } ?? "recon.toml: ") + message }
    }

    /// The first line of `bytes` that is not UTF-8, as a problem: TOML is UTF-8, and text read
    /// past a bad byte (a Latin-1 `é`) would reach issued documents as U+FFFD, never noticed.
    public static func notUTF8(_ bytes: [UInt8]) -> Problem? {
        for (i, line) in bytes.split(separator: 10, omittingEmptySubsequences: false).enumerated()
        where String(bytes: line, encoding: .utf8) == nil {
            return Problem(line: i + 1, message: "this line is not UTF-8 text (a byte such as a Latin-1 accented letter); "
                + "save recon.toml as UTF-8")
        }
        return nil
    }

    /// The string as a TOML basic string, escaped so it reads back the same.
    public static func quoted(_ s: String) -> String {
        var out = "\""
        for ch in s.unicodeScalars {
            switch ch {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if ch.value < 0x20 || ch.value == 0x7F {
                    let h = String(ch.value, radix: 16, uppercase: true)
                    out += "\\u" + String(repeating: "0", count: 4 - h.count) + h
                } else {
                    out.unicodeScalars.append(ch)
                }
            }
        }
        return out + "\""
    }

    public static func parse(_ text: String) throws -> Document {
        var reader = TOMLReader(text)
        return try reader.document()
    }
}

/// The scanner behind ``TOML/parse(_:)``: one pass over the text's scalars, counting lines.
struct TOMLReader {
    private let s: [Unicode.Scalar]
    private var i = 0
    private var line = 1
    /// How many arrays the reader is inside.
    private var depth = 0
    static let deepestArray = 8

    /// A leading byte order mark (Windows editors write one) is not part of the text.
    init(_ text: String) {
        var scalars = Array(text.unicodeScalars)
        if scalars.first == "\u{FEFF}" { scalars.removeFirst() }
        s = scalars
    }

    private var current: Unicode.Scalar? { i < s.count ? s[i] : nil }

    private func fail(_ message: String) -> TOML.Problem { TOML.Problem(line: line, message: message) }

    mutating func document() throws -> TOML.Document {
        var doc = TOML.Document()
        enum Target { case root, table(String), array(String) }
        var target = Target.root
        var headers: Set<String> = []
        while true {
            skipBlank()
            guard let c = current else { break }
            if c == "\r" {
                guard i + 1 < s.count, s[i + 1] == "\n" else { throw fail(Self.bareCR) }
                i += 1
                continue
            }
            if c == "\n" {
                i += 1
                line += 1
                continue
            }
            if c == "#" {
                skipComment()
                continue
            }
            if c == "[" {
                let isArray = i + 1 < s.count && s[i + 1] == "["
                i += isArray ? 2 : 1
                skipBlank()
                let name = try key()
                skipBlank()
                guard current == "]", !isArray || (i + 1 < s.count && s[i + 1] == "]") else {
                    throw fail("a table header is [name] or [[name]] with a plain name (e.g. [seller])")
                }
                i += isArray ? 2 : 1
                try endOfLine()
                if isArray {
                    guard doc.tables[name] == nil else { throw fail("[[\(name)]] repeats the table [\(name)]") }
                    doc.arrays[name, default: []].append(TOML.Table(line: line))
                    target = .array(name)
                } else {
                    guard !headers.contains(name), doc.arrays[name] == nil else {
                        throw fail("the table [\(name)] appears twice; keep one")
                    }
                    headers.insert(name)
                    doc.tables[name] = TOML.Table(line: line)
                    target = .table(name)
                }
                continue
            }
            let keyLine = line
            let name = try key()
            skipBlank()
            guard current == "=" else {
                throw fail("expected key = value after \(name) (e.g. site = \"example-site\")")
            }
            i += 1
            skipBlank()
            let v = try value()
            try endOfLine()
            func add(_ table: inout TOML.Table) throws {
                if let earlier = table.entries[name] {
                    throw TOML.Problem(line: keyLine, message: "\(name) is set twice (also on line \(earlier.line)); keep one")
                }
                table.entries[name] = TOML.Entry(value: v, line: keyLine)
                table.keys.append(name)
            }
            switch target {
            case .root: try add(&doc.root)
            case .table(let t): try add(&doc.tables[t]!)
            case .array(let a):
                var tables = doc.arrays[a]!
                try add(&tables[tables.count - 1])
                doc.arrays[a] = tables
            }
        }
        return doc
    }

    private mutating func skipBlank() {
        while let c = current, c == " " || c == "\t" { i += 1 }
    }

    static let bareCR = "a carriage return (CR) without its line feed ends the line: save recon.toml with LF or CR LF line ends"

    /// To the end of the line: a bare CR ends it too, for `endOfLine` to name (the rest of a
    /// file saved with CR line ends was otherwise read as one comment, [seller] and all).
    private mutating func skipComment() {
        while let c = current, c != "\n", c != "\r" { i += 1 }
    }

    /// Spaces, an optional comment, then the end of the line or of the text.
    private mutating func endOfLine() throws {
        skipBlank()
        if current == "#" { skipComment() }
        if current == "\r", i + 1 < s.count, s[i + 1] == "\n" { i += 1 }
        if current == "\r" {
            // Invisible in an editor: old Mac line ends, or CR LF converted once more (CR CR LF).
            throw fail(Self.bareCR)
        }
        guard current == nil || current == "\n" else {
            throw fail("unexpected text after the value; put one key = value on each line")
        }
    }

    private mutating func key() throws -> String {
        if current == "\"" {
            let k = try basicString()
            return try notDotted(k)
        }
        if current == "'" {  // a literal-quoted key, as TOML allows: 'site' = "hq"
            let k = try literalString()
            return try notDotted(k)
        }
        var k = ""
        while let c = current, c.properties.isASCIIHexDigit || ("a"..."z").contains(c) || ("A"..."Z").contains(c) || c == "_" || c == "-" {
            k.unicodeScalars.append(c)
            i += 1
        }
        guard !k.isEmpty else {
            if current == "." { throw fail("dotted keys are not used in recon.toml; write a [table] instead") }
            throw fail("expected a key name of A-Z a-z 0-9 _ - (e.g. site)")
        }
        return try notDotted(k)
    }

    private mutating func notDotted(_ k: String) throws -> String {
        skipBlank()
        if current == "." { throw fail("dotted keys are not used in recon.toml; write a [table] instead") }
        return k
    }

    private mutating func value() throws -> TOML.Value {
        guard let c = current else { throw fail("a value is missing after =") }
        switch c {
        case "\"":
            if i + 2 < s.count, s[i + 1] == "\"", s[i + 2] == "\"" {
                throw fail("multi-line strings are not used in recon.toml; write \"…\" on one line (its text holds no line break: separate the parts with commas)")
            }
            return .string(try basicString())
        case "'":
            if i + 2 < s.count, s[i + 1] == "'", s[i + 2] == "'" {
                throw fail("multi-line strings are not used in recon.toml; write '…' on one line (its text holds no line break: separate the parts with commas)")
            }
            return .string(try literalString())
        case "[":
            return try array()
        case "{":
            throw fail("inline tables are not used in recon.toml; write a [table] instead")
        default:
            var word = ""
            while let c = current, c != " ", c != "\t", c != "\n", c != "\r", c != "#", c != ",", c != "]" {
                word.unicodeScalars.append(c)
                i += 1
            }
            return try scalar(word)
        }
    }

    /// true, false, an integer or a float; anything else is an error.
    private func scalar(_ word: String) throws -> TOML.Value {
        if word == "true" { return .bool(true) }
        if word == "false" { return .bool(false) }
        let hint = "use \"text\", true/false, a whole number or [\"a\", \"b\"]"
        guard !word.isEmpty else { throw fail("a value is missing; \(hint)") }
        let body = word.first == "+" || word.first == "-" ? word.dropFirst() : Substring(word)
        if body == "inf" { return .float(word.first == "-" ? -.infinity : .infinity) }
        if body == "nan" { return .float(.nan) }
        // Underscores only between digits, as TOML allows (1_000).
        let parts = body.split(separator: "_", omittingEmptySubsequences: false)
        let digitsOnly = parts.allSatisfy { !$0.isEmpty && $0.unicodeScalars.allSatisfy { ("0"..."9").contains($0) } }
        if digitsOnly {
            let plain = String(word.first == "-" ? "-" : "") + parts.joined()
            if body.count > 1 && body.first == "0" { throw fail("\(word) has a leading zero; write a whole number such as 5") }
            guard let n = Int64(plain) else { throw fail("\(word) is too large for a whole number") }
            return .integer(n)
        }
        // An underscore anywhere else (10_, 1__0) makes no number, whole or not.
        let scalars = Array(body.unicodeScalars)
        for (k, u) in scalars.enumerated() where u == "_" {
            guard k > 0, k + 1 < scalars.count, ("0"..."9").contains(scalars[k - 1]), ("0"..."9").contains(scalars[k + 1]) else {
                throw fail("\(SafeText.escaped(word)) is not a number: an underscore stands only between two digits (1_000)")
            }
        }
        let floatChars = body.unicodeScalars.allSatisfy { ("0"..."9").contains($0) || $0 == "." || $0 == "e" || $0 == "E" || $0 == "+" || $0 == "-" || $0 == "_" }
        if floatChars, body.first.map({ ("0"..."9").contains($0) }) == true, let d = Double(word.replacingOccurrences(of: "_", with: "")) {
            return .float(d)
        }
        throw fail("cannot read the value \(SafeText.escaped(word)); \(hint)")
    }

    private mutating func array() throws -> TOML.Value {
        // recon.toml holds arrays of text (an address's lines); one nested deeper than any
        // setting needs is refused here, before reading it would exhaust the stack.
        guard depth < Self.deepestArray else {
            throw fail("arrays nested more than \(Self.deepestArray) deep are not used in recon.toml; write [\"a\", \"b\"]")
        }
        depth += 1
        defer { depth -= 1 }
        i += 1  // [
        var items: [TOML.Value] = []
        while true {
            try skipInsideArray()
            guard let c = current else { throw fail("the array is not closed; end it with ]") }
            if c == "]" {
                i += 1
                return .array(items)
            }
            items.append(try value())
            try skipInsideArray()
            if current == "," {
                i += 1
            } else if current != "]" {
                throw fail("array items are separated by commas (e.g. [\"12 MG Road\", \"Bengaluru\"])")
            }
        }
    }

    /// Spaces, newlines and comments between array items.
    private mutating func skipInsideArray() throws {
        while let c = current {
            if c == "\r", !(i + 1 < s.count && s[i + 1] == "\n") {
                throw fail(Self.bareCR)
            } else if c == " " || c == "\t" || c == "\r" {
                i += 1
            } else if c == "\n" {
                i += 1
                line += 1
            } else if c == "#" {
                skipComment()
            } else {
                return
            }
        }
    }

    private mutating func basicString() throws -> String {
        i += 1  // opening quote
        var out = ""
        while true {
            guard let c = current, c != "\n" else { throw fail("the string is not closed; end it with \" on the same line") }
            i += 1
            if c == "\"" { return out }
            if c == "\\" {
                guard let e = current else { throw fail("the string is not closed; end it with \"") }
                i += 1
                switch e {
                case "n": out += "\n"
                case "t": out += "\t"
                case "r": out += "\r"
                case "b": out += "\u{8}"
                case "f": out += "\u{C}"
                case "\"": out += "\""
                case "\\": out += "\\"
                case "u", "U":
                    let n = e == "u" ? 4 : 8
                    guard i + n <= s.count, let v = UInt32(String(String.UnicodeScalarView(s[i..<(i + n)])), radix: 16),
                        let scalar = Unicode.Scalar(v)
                    else { throw fail("\\\(e) takes \(n) hex digits of a Unicode scalar (e.g. \\u00E9)") }
                    out.unicodeScalars.append(scalar)
                    i += n
                default:
                    throw fail("\\\(SafeText.escaped(String(e))) is not an escape; use \\\\, \\\", \\n, \\t or \\uXXXX")
                }
                continue
            }
            if (c.value < 0x20 && c != "\t") || c.value == 0x7F {
                throw fail("the string holds a control character; write it as an escape such as \\n")
            }
            out.unicodeScalars.append(c)
        }
    }

    private mutating func literalString() throws -> String {
        i += 1
        var out = ""
        while true {
            guard let c = current, c != "\n" else { throw fail("the string is not closed; end it with ' on the same line") }
            i += 1
            if c == "'" { return out }
            out.unicodeScalars.append(c)
        }
    }
}
