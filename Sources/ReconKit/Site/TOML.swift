import Foundation

/// The small part of TOML that `recon.toml` uses: `key = value` (strings, booleans, numbers),
/// `[table]` and `[[array-of-tables]]`, and `#` comments.
public enum TOML {
    public enum Value: Equatable, Sendable {
        case string(String)
        case bool(Bool)
        case number(Double)
        case strings([String])
    }

    public struct Document {
        public var root: [String: Value] = [:]
        public var tables: [String: [String: Value]] = [:]
        public var arrays: [String: [[String: Value]]] = [:]
    }

    public struct Problem: Error, CustomStringConvertible {
        public let line: Int?
        public let message: String
        public var description: String { (line.map { "recon.toml line \($0): " } ?? "") + message }
    }

    public static func quoted(_ s: String) -> String {
        var out = "\""
        for ch in s.unicodeScalars {
            switch ch {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default: out.unicodeScalars.append(ch)
            }
        }
        return out + "\""
    }

    public static func parse(_ text: String) throws -> Document {
        var doc = Document()
        enum Target { case root, table(String), array(String) }
        var target = Target.root
        for (n, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = stripComment(rawLine).trimmedSpaces
            if line.isEmpty { continue }
            if line.hasPrefix("[[") && line.hasSuffix("]]") {
                let name = String(line.dropFirst(2).dropLast(2)).trimmingSpaces
                doc.arrays[name, default: []].append([:])
                target = .array(name)
                continue
            }
            if line.hasPrefix("[") && line.hasSuffix("]") {
                let name = String(line.dropFirst().dropLast()).trimmingSpaces
                doc.tables[name] = doc.tables[name] ?? [:]
                target = .table(name)
                continue
            }
            guard let eq = line.firstIndex(of: "=") else {
                throw Problem(line: n + 1, message: "expected key = value, found \"\(line)\"")
            }
            let key = String(line[..<eq]).trimmingSpaces
            let value = try parseValue(line[line.index(after: eq)...].trimmedSpaces, line: n + 1)
            switch target {
            case .root: doc.root[key] = value
            case .table(let t): doc.tables[t]![key] = value
            case .array(let a): doc.arrays[a]![doc.arrays[a]!.count - 1][key] = value
            }
        }
        return doc
    }

    private static func stripComment(_ line: Substring) -> Substring {
        var inString = false
        var escaped = false
        for i in line.indices {
            let c = line[i]
            if inString {
                if escaped { escaped = false } else if c == "\\" { escaped = true } else if c == "\"" { inString = false }
            } else if c == "\"" {
                inString = true
            } else if c == "#" {
                return line[..<i]
            }
        }
        return line
    }

    private static func parseValue(_ v: Substring, line: Int) throws -> Value {
        if v == "true" { return .bool(true) }
        if v == "false" { return .bool(false) }
        if v.hasPrefix("\""), v.hasSuffix("\""), v.count >= 2 {
            var out = ""
            var escaped = false
            for ch in v.dropFirst().dropLast() {
                if escaped {
                    switch ch {
                    case "n": out.append("\n")
                    case "t": out.append("\t")
                    default: out.append(ch)
                    }
                    escaped = false
                } else if ch == "\\" {
                    escaped = true
                } else {
                    out.append(ch)
                }
            }
            return .string(out)
        }
        if v.hasPrefix("["), v.hasSuffix("]") { return .strings(try parseStrings(v.dropFirst().dropLast(), line: line)) }
        if let d = Double(v.replacingOccurrences(of: "_", with: "")) { return .number(d) }
        throw Problem(line: line, message: "cannot read the value \(v); use \"text\", true/false or a number")
    }

    /// `"a", "b"`: an array of strings on one line (the seller's address lines).
    private static func parseStrings(_ inner: Substring, line: Int) throws -> [String] {
        var out: [String] = []
        var rest = inner.trimmedSpaces
        while !rest.isEmpty {
            guard rest.first == "\"" else {
                throw Problem(line: line, message: "an array holds \"text\" items separated by commas, e.g. [\"12 MG Road\", \"Bengaluru\"]")
            }
            var end = rest.index(after: rest.startIndex)
            var escaped = false
            while end < rest.endIndex, escaped || rest[end] != "\"" {
                escaped = !escaped && rest[end] == "\\"
                end = rest.index(after: end)
            }
            guard end < rest.endIndex, case .string(let item) = try parseValue(rest[...end], line: line) else {
                throw Problem(line: line, message: "an array item lacks its closing quote")
            }
            out.append(item)
            rest = rest[rest.index(after: end)...].trimmedSpaces
            if rest.first == "," { rest = rest.dropFirst().trimmedSpaces }
        }
        return out
    }
}
