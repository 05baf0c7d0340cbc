/// Why a signed note (a checkpoint) could not be made, opened or read.
public enum SignedNoteError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The text to sign breaks the note rules (see ``SignedNote/sign(text:with:)``).
    case invalidText(String)
    /// The note is not in the note format; says what is wrong.
    case malformed(String)
    /// The note carries no signature by the expected key (`NAME+HASH`).
    case noSignature(key: String)
    /// A signature by the expected key (`NAME+HASH`) does not match the text.
    case invalidSignature(key: String)
    /// The signed text is not a checkpoint (origin, count, head hash); says what is wrong.
    case invalidCheckpoint(String)

    public var description: String {
        switch self {
        case .invalidText(let why):
            return "cannot sign this text: \(why)"
        case .malformed(let why):
            return "malformed note: \(why)"
        case .noSignature(let key):
            return "the note has no signature by the key \(key); it was signed by another key, or not at all"
        case .invalidSignature(let key):
            return "invalid signature by the key \(key): the text was changed after it was signed"
        case .invalidCheckpoint(let why):
            return "not a checkpoint: \(why)"
        }
    }
}
