import Crypto
import Foundation


/// A named Ed25519 private key in the Go `golang.org/x/mod/sumdb/note` format.
///
/// The site key signs checkpoints; operator keys sign privileged requests. The private
/// key text is `PRIVATE+KEY+NAME+HASH+BASE64`, where BASE64 encodes the algorithm byte
/// `0x01` followed by the 32-byte Ed25519 seed and HASH is the key hash of the public
/// half (see ``VerifierKey``). `description` never shows the secret.
///
/// ```swift
/// let key = try SigningKey.generate(name: "example-site")
/// try key.write(to: "Ledger/keys/site.key")          // mode 0600 from the start
/// print(key.verifierKey.text)                          // example-site+1a2b3c4d+AQ…
/// ```
public struct SigningKey: Sendable, CustomStringConvertible {
    /// The key's name: for the site key, the site name.
    public let name: String
    /// The public half, with the same name.
    public let verifierKey: VerifierKey
    /// The 32-byte Ed25519 seed: the secret.
    private let seed: [UInt8]

    /// A new random key named `name`.
    ///
    /// - Throws: ``NoteKeyError/invalidName(_:)`` when `name` is empty or holds `+`,
    ///   whitespace or control characters.
    public static func generate(name: String) throws -> SigningKey {
        try SigningKey(name: name, privateKey: Curve25519.Signing.PrivateKey())
    }

    /// The key named `name` whose Ed25519 seed is `seed` (32 bytes).
    ///
    /// - Throws: ``NoteKeyError`` for an invalid name or a seed that is not 32 bytes.
    public init(name: String, seed: [UInt8]) throws {
        guard seed.count == 32 else {
            throw NoteKeyError.malformedPrivateKey("an Ed25519 seed is 32 bytes, not \(seed.count)")
        }
        let key: Curve25519.Signing.PrivateKey
        do {
            key = try Curve25519.Signing.PrivateKey(rawRepresentation: seed)
        } catch {
            throw NoteKeyError.malformedPrivateKey("the seed is not a usable Ed25519 key (\(error))")
        }
        try self.init(name: name, privateKey: key)
    }

    /// Parses `PRIVATE+KEY+NAME+HASH+BASE64` and checks that the hash matches.
    ///
    /// Whitespace around the text (a file's final newline) is ignored.
    /// - Throws: ``NoteKeyError`` saying which part is wrong.
    public init(text: String) throws {
        let trimmed = VerifierKey.trimmingWhitespace(text)
        let parts = trimmed.split(separator: "+", maxSplits: 4, omittingEmptySubsequences: false)
        guard parts.count == 5, parts[0] == "PRIVATE", parts[1] == "KEY" else {
            throw NoteKeyError.malformedPrivateKey("it does not start with PRIVATE+KEY+NAME+HASH+")
        }
        let name = String(parts[2])
        guard VerifierKey.isValidName(name) else { throw NoteKeyError.invalidName(name) }
        guard parts[3].utf8.count == 8, let written = UInt32(parts[3], radix: 16) else {
            throw NoteKeyError.malformedPrivateKey("the key hash is not eight hex digits")
        }
        guard let typed = NoteBase64.decode(parts[4]) else {
            throw NoteKeyError.malformedPrivateKey("the key is not valid base64")
        }
        guard typed.first == VerifierKey.ed25519Algorithm else {
            throw NoteKeyError.malformedPrivateKey("the key is not an Ed25519 key (its first byte is not 0x01)")
        }
        try self.init(name: name, seed: Array(typed.dropFirst()))
        guard keyHash == written else {
            throw NoteKeyError.keyHashMismatch(name: name, written: written, computed: keyHash)
        }
    }

    private init(name: String, privateKey: Curve25519.Signing.PrivateKey) throws {
        self.name = name
        self.seed = Array(privateKey.rawRepresentation)
        self.verifierKey = try VerifierKey(name: name, publicKey: Array(privateKey.publicKey.rawRepresentation))
    }

    /// The key hash that signatures carry to name this key.
    public var keyHash: UInt32 { verifierKey.keyHash }

    /// The secret text `PRIVATE+KEY+NAME+HASH+BASE64(0x01 ‖ seed)`; keep it private.
    public var privateKeyText: String {
        let typed = [VerifierKey.ed25519Algorithm] + seed
        return "PRIVATE+KEY+\(name)+\(NoteKeyError.hex(keyHash))+\(NoteBase64.encode(typed))"
    }

    public var description: String { "SigningKey(\(verifierKey.text))" }

    // MARK: Signing

    /// A detached Ed25519 signature of `message`: 64 bytes in standard base64.
    ///
    /// Privileged requests carry it; ``VerifierKey/isValidSignature(_:for:)`` checks it.
    /// - Throws: ``NoteKeyError/signingFailed(_:)`` if the cryptographic library fails.
    public func signature(for message: [UInt8]) throws -> String {
        NoteBase64.encode(try rawSignature(for: message))
    }

    /// The raw 64-byte Ed25519 signature of `message`.
    func rawSignature(for message: [UInt8]) throws -> [UInt8] {
        do {
            let privateKey = try Curve25519.Signing.PrivateKey(rawRepresentation: seed)
            return Array(try privateKey.signature(for: message))
        } catch {
            throw NoteKeyError.signingFailed("\(error)")
        }
    }

    // MARK: Files

    /// Writes the private key text and a newline to a new file at `path`, mode 0600.
    ///
    /// The file is created with mode 0600 by the same call that creates it
    /// (`open(2)` with `O_CREAT | O_EXCL`), so it is never readable by others, not even
    /// for a moment; it is flushed to disk (`fsync(2)`) before this returns. An existing
    /// file is never overwritten. On failure no partial file is left behind.
    /// - Throws: ``NoteKeyError/fileExists(path:)`` or ``NoteKeyError/fileSystem(path:operation:message:)``.
    public func write(to path: String) throws {
        do {
            try FileIO.createPrivately(path, Array((privateKeyText + "\n").utf8))
        } catch let failure as FileIO.Failure {
            if FileIO.isAlreadyThere(failure) { throw NoteKeyError.fileExists(path: path) }
            throw Self.systemError(failure)
        }
    }

    /// Reads a private key file written by ``write(to:)`` (or by Go's note tools).
    ///
    /// Refuses a file that its group or others may read or write, as ssh does: a
    /// private key that others could copy no longer proves anything.
    /// - Throws: ``NoteKeyError/exposedKeyFile(path:mode:)``, a file system error, or a
    ///   parse error from ``init(text:)``.
    public static func read(from path: String) throws -> SigningKey {
        let file: (mode: UInt32, bytes: [UInt8])
        do {
            file = try FileIO.readSmall(path, limit: 64 * 1024)
        } catch let failure as FileIO.Failure {
            throw systemError(failure)
        }
        let mode = file.mode
        let bytes = file.bytes
        // A public key given for the private one is said first: `chmod 600` would not make it one.
        if bytes.count <= 4096, let text = String(validating: bytes, as: UTF8.self),
           (try? VerifierKey(text: text.trimmingCharacters(in: .whitespacesAndNewlines))) != nil {
            throw NoteKeyError.malformedPrivateKey("\(path) holds a public key (as NAME.pub does), not a private one; give the "
                + "NAME.key file `recon keygen` wrote beside it")
        }
        // A device (`--key /dev/null`) is no key file: `chmod 600` on it would break it for everyone.
        if [UInt32(S_IFCHR), UInt32(S_IFBLK)].contains(mode & UInt32(S_IFMT)) {
            throw NoteKeyError.malformedPrivateKey("\(path) is a device, not a key file; give the NAME.key file `recon keygen` wrote")
        }
        if mode & 0o077 != 0 { throw NoteKeyError.exposedKeyFile(path: path, mode: mode) }
        if bytes.count > 64 * 1024 {
            throw NoteKeyError.malformedPrivateKey("\(path) is far larger than a key")
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw NoteKeyError.malformedPrivateKey("\(path) is not UTF-8 text")
        }
        return try SigningKey(text: text)
    }

    private static func systemError(_ failure: FileIO.Failure) -> NoteKeyError {
        .fileSystem(path: failure.path, operation: failure.action, message: failure.reason)
    }
}
