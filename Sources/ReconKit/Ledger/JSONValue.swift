/// A JSON value as the ledger holds it.
///
/// The ledger stores no fractional or exponent numbers — money, rates and scores are
/// decimal strings — so the only number case is `int`, an integer that JCS (RFC 8785)
/// can represent exactly: within ±2^53 (see ``JSONValue/maxExactInteger``).
/// Objects are unordered; ``JCS`` fixes the order when a value is written.
///
/// Build bodies with literals:
///
/// ```swift
/// let body: JSONValue = ["name": "usage-2026-10.csv", "rows": 120, "lines": [], "note": nil]
/// ```
///
/// Arrays and objects already hold their elements out of line, so the enum needs no
/// `indirect` boxes: a value is a plain 24-byte enum, cheap to build by the hundred thousand.
public enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    case int(Int64)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// The largest magnitude an integer may have in the ledger: 2^53.
    ///
    /// JCS serialises numbers as IEEE-754 doubles, which hold every integer up to 2^53
    /// exactly; the auditor's verifier refuses anything larger.
    public static let maxExactInteger: Int64 = 9_007_199_254_740_992

    /// The member named `key` when this is an object holding it; otherwise `nil`.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members[key]
    }

    /// The element at `index` when this is an array long enough; otherwise `nil`.
    public subscript(index: Int) -> JSONValue? {
        guard case .array(let elements) = self, elements.indices.contains(index) else { return nil }
        return elements[index]
    }

    /// The string when this is `.string`; otherwise `nil`.
    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// The integer when this is `.int`; otherwise `nil`.
    public var intValue: Int64? {
        if case .int(let i) = self { return i }
        return nil
    }

    /// The Boolean when this is `.bool`; otherwise `nil`.
    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    /// The elements when this is `.array`; otherwise `nil`.
    public var arrayValue: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    /// The members when this is `.object`; otherwise `nil`.
    public var objectValue: [String: JSONValue]? {
        if case .object(let o) = self { return o }
        return nil
    }

    /// Whether this is `.null`.
    public var isNull: Bool { self == .null }

    /// A JSON value from an integer of any width.
    ///
    /// Returns `nil` when the integer lies beyond ±2^53 and so cannot be held exactly.
    public static func integer(_ value: some BinaryInteger) -> JSONValue? {
        guard let i = Int64(exactly: value), i.magnitude <= maxExactInteger.magnitude else { return nil }
        return .int(i)
    }
}

extension JSONValue: CustomStringConvertible {
    /// The canonical (RFC 8785) JSON text of the value.
    public var description: String { JCS.canonicalString(self) }
}

extension JSONValue: ExpressibleByNilLiteral {
    public init(nilLiteral: ()) { self = .null }
}

extension JSONValue: ExpressibleByBooleanLiteral {
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}

extension JSONValue: ExpressibleByIntegerLiteral {
    public init(integerLiteral value: Int64) { self = .int(value) }
}

extension JSONValue: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
}

extension JSONValue: ExpressibleByArrayLiteral {
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
}

extension JSONValue: ExpressibleByDictionaryLiteral {
    /// An object from a literal; as with `Dictionary`, a key written twice is a
    /// programming error and traps.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(Dictionary(uniqueKeysWithValues: elements))
    }
}
