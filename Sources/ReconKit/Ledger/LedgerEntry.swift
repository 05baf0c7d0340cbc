import Crypto

/// One line of `Ledger/ledger.jsonl` (SPEC §6).
public struct LedgerEntry: Sendable {
    public let seq: Int
    /// RFC 3339 UTC time of the append.
    public let at: String
    public let kind: String
    public let body: [String: JSONValue]
    public let prev: String
    public let hash: String

    public static let zeroHash = String(repeating: "0", count: 64)

    /// A new entry after `prev`, with its hash computed.
    public init(seq: Int, at: String, kind: String, body: [String: JSONValue], prev: String) {
        self.seq = seq
        self.at = at
        self.kind = kind
        self.body = body
        self.prev = prev
        self.hash = LedgerEntry.hash(seq: seq, at: at, kind: kind, body: body, prev: prev)
    }

    init(seq: Int, at: String, kind: String, body: [String: JSONValue], prev: String, hash: String) {
        self.seq = seq
        self.at = at
        self.kind = kind
        self.body = body
        self.prev = prev
        self.hash = hash
    }

    /// SHA-256 (lowercase hex) of the JCS form of the entry without its `hash` member.
    public static func hash(seq: Int, at: String, kind: String, body: [String: JSONValue], prev: String) -> String {
        let object: JSONValue = .object([
            "seq": .int(Int64(seq)), "at": .string(at), "kind": .string(kind), "body": .object(body), "prev": .string(prev),
        ])
        return Hex.string(SHA256.hash(data: JCS.canonical(object)))
    }

    /// The line as written: the JCS form of the whole entry, then a newline.
    public var line: [UInt8] {
        let object: JSONValue = .object([
            "seq": .int(Int64(seq)), "at": .string(at), "kind": .string(kind), "body": .object(body),
            "prev": .string(prev), "hash": .string(hash),
        ])
        return JCS.canonical(object) + [10]
    }

    public func string(_ key: String) -> String? { body[key]?.stringValue }
}
