import Crypto
import Foundation

/// The public half of a named Ed25519 key, in the Go `golang.org/x/mod/sumdb/note` format.
///
/// Its text is `NAME+HASH+BASE64`: the key name, the key hash as eight lowercase hex
/// digits, and base64 of the algorithm byte `0x01` followed by the 32-byte public key.
/// The key hash is the first four bytes (big-endian) of
/// SHA-256(name ‖ "\n" ‖ 0x01 ‖ public key); it names the key inside signatures.
///
/// ```swift
/// let key = try VerifierKey(text: "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")
/// key.name      // "PeterNeumann"
/// key.keyHash   // 0xc74f20a3
/// ```
public struct VerifierKey: Hashable, Sendable, CustomStringConvertible {
    /// The key's name: for the site key, the site name.
    public let name: String
    /// The raw 32-byte Ed25519 public key.
    public let publicKey: [UInt8]
    /// The key hash that signatures carry to name this key.
    public let keyHash: UInt32

    /// The algorithm byte of Ed25519 in the note formats.
    static let ed25519Algorithm: UInt8 = 0x01

    /// A verifier key from a name and a raw 32-byte Ed25519 public key.
    ///
    /// - Throws: ``NoteKeyError/invalidName(_:)``, or ``NoteKeyError/malformedVerifierKey(_:)``
    ///   when the key is not 32 bytes.
    public init(name: String, publicKey: [UInt8]) throws {
        guard Self.isValidName(name) else { throw NoteKeyError.invalidName(name) }
        guard publicKey.count == 32 else {
            throw NoteKeyError.malformedVerifierKey("an Ed25519 public key is 32 bytes, not \(publicKey.count)")
        }
        self.name = name
        self.publicKey = publicKey
        self.keyHash = Self.keyHash(name: name, publicKey: publicKey)
    }

    /// Whether `text` is a private key's (`PRIVATE+KEY+…`, in any letter case).
    public static func isPrivateKeyText<S: StringProtocol>(_ text: S) -> Bool { text.uppercased().hasPrefix("PRIVATE+KEY+") }

    /// A key argument as a message may show it: a file's path as it is, a key's text never (a
    /// private key's text pasted where a public key goes, whatever its case or with its prefix
    /// cut off, would otherwise reach the terminal and the logs).
    public static func shown(_ text: String) -> String {
        text.contains("+") && !FileManager.default.fileExists(atPath: text) ? "(the key text given, not shown)" : text
    }

    /// Parses `NAME+HASH+BASE64` and checks that the hash matches the name and key.
    ///
    /// Whitespace around the text (a file's final newline) is ignored.
    /// - Throws: ``NoteKeyError`` saying which part is wrong.
    public init(text: String) throws {
        let trimmed = Self.trimmingWhitespace(text)
        guard !Self.isPrivateKeyText(trimmed) else {
            throw NoteKeyError.malformedVerifierKey("this is a private key (PRIVATE+KEY+…), which stays with its owner; "
                + "give the public key, NAME.pub as `recon keygen` writes it")
        }
        let parts = trimmed.split(separator: "+", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3 else {
            throw NoteKeyError.malformedVerifierKey("it has \(parts.count) '+'-separated parts, not 3")
        }
        let name = String(parts[0])
        guard Self.isValidName(name) else { throw NoteKeyError.invalidName(name) }
        guard parts[1].utf8.count == 8, let written = UInt32(parts[1], radix: 16) else {
            // Not echoed: text pasted here may be a private key's.
            throw NoteKeyError.malformedVerifierKey("its second part, the key hash, is not eight hex digits")
        }
        guard let typed = NoteBase64.decode(parts[2]) else {
            throw NoteKeyError.malformedVerifierKey("the key is not valid base64")
        }
        guard typed.first == Self.ed25519Algorithm else {
            throw NoteKeyError.malformedVerifierKey("the key is not an Ed25519 key (its first byte is not 0x01)")
        }
        try self.init(name: name, publicKey: Array(typed.dropFirst()))
        guard keyHash == written else {
            throw NoteKeyError.keyHashMismatch(name: name, written: written, computed: keyHash)
        }
    }

    /// The key as `NAME+HASH+BASE64`, for `recon.toml` and `site.init`.
    public var text: String {
        "\(name)+\(NoteKeyError.hex(keyHash))+\(NoteBase64.encode([Self.ed25519Algorithm] + publicKey))"
    }

    public var description: String { text }

    /// Whether `base64` is a valid Ed25519 signature of `message` by this key.
    ///
    /// The signature is the plain 64-byte Ed25519 signature in standard base64, as
    /// ``SigningKey/signature(for:)`` makes it; anything else is simply not valid.
    public func isValidSignature(_ base64: String, for message: [UInt8]) -> Bool {
        guard let signature = NoteBase64.decode(base64), signature.count == 64 else { return false }
        return isValidRawSignature(signature, for: message)
    }

    /// Whether `signature` (64 raw bytes) is a valid Ed25519 signature of `message`.
    func isValidRawSignature(_ signature: [UInt8], for message: some DataProtocol) -> Bool {
        guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: publicKey) else { return false }
        return key.isValidSignature(signature, for: message)
    }

    /// Whether `name` may name a key: not empty, no `+`, no whitespace, no control characters.
    ///
    /// The Go note package refuses empty names, `+` and Unicode white space; control
    /// characters are refused too, because other readers count some of them as spaces.
    public static func isValidName(_ name: String) -> Bool {
        !name.isEmpty
            && name.unicodeScalars.allSatisfy { scalar in
                scalar != "+" && !scalar.properties.isWhitespace
                    && !(scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value))
            }
    }

    /// `text` without leading and trailing white space (spaces, tabs, line breaks).
    static func trimmingWhitespace(_ text: String) -> Substring {
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return Substring(scalars[first...last])
    }

    /// First four bytes, big-endian, of SHA-256(name ‖ "\n" ‖ 0x01 ‖ publicKey).
    static func keyHash(name: String, publicKey: [UInt8]) -> UInt32 {
        var hasher = SHA256()
        hasher.update(data: Array(name.utf8) + [0x0A, ed25519Algorithm] + publicKey)
        let digest = Array(hasher.finalize())
        return UInt32(digest[0]) << 24 | UInt32(digest[1]) << 16 | UInt32(digest[2]) << 8 | UInt32(digest[3])
    }
}
