/// Why a text is not a JSON value the ledger accepts, and where.
///
/// `offset` counts bytes from the start of the parsed text (0 = first byte); a caller
/// reading `Ledger/ledger.jsonl` adds the line number.
public struct JSONParseError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The kind of problem, for callers that react to it.
    public enum Reason: Equatable, Sendable {
        /// The text ended inside a value, or held no value at all.
        case unexpectedEnd
        /// A byte that cannot start or continue a value here.
        case unexpectedCharacter
        /// A number with a fraction or an exponent.
        case nonIntegerNumber
        /// An integer beyond ±2^53.
        case integerOutOfRange
        /// A number written with a leading zero, such as `007`.
        case leadingZero
        /// An object naming the same member twice.
        case duplicateMember(String)
        /// Bytes that are not valid UTF-8.
        case invalidUTF8
        /// A `\u` escape of half a UTF-16 surrogate pair.
        case loneSurrogate
        /// A raw control character (below U+0020) inside a string.
        case controlCharacterInString
        /// A backslash escape JSON does not define.
        case invalidEscape
        /// More text after the value.
        case trailingData
        /// Arrays and objects nested deeper than the parser allows.
        case tooDeep
    }

    /// The kind of problem.
    public let reason: Reason
    /// Byte offset of the problem from the start of the text.
    public let offset: Int
    /// What is wrong and what a valid value looks like.
    public let message: String

    /// A parse error of `reason` at byte `offset`, described by `message`.
    public init(_ reason: Reason, at offset: Int, _ message: String) {
        self.reason = reason
        self.offset = offset
        self.message = message
    }

    public var description: String { "invalid JSON at byte \(offset): \(message)" }
}
