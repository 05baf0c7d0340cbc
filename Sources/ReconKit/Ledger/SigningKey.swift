import Crypto
import Foundation

#if canImport(Glibc)
import Glibc
private let posixRead = Glibc.read
private let posixWrite = Glibc.write
#elseif canImport(Musl)
import Musl
private let posixRead = Musl.read
private let posixWrite = Musl.write
#elseif canImport(Darwin)
import Darwin
private let posixRead = Darwin.read
private let posixWrite = Darwin.write
#endif

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
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            let code = errno
            if code == EEXIST { throw NoteKeyError.fileExists(path: path) }
            throw Self.systemError(path, "creating the key file", code)
        }
        var closed = false
        do {
            defer { if !closed { close(fd) } }
            // The umask can only narrow 0600; make the mode exactly 0600 all the same.
            guard fchmod(fd, 0o600) == 0 else { throw Self.systemError(path, "setting mode 0600", errno) }
            let bytes = Array((privateKeyText + "\n").utf8)
            var written = 0
            while written < bytes.count {
                let n = bytes[written...].withUnsafeBytes { posixWrite(fd, $0.baseAddress, $0.count) }
                if n < 0 {
                    if errno == EINTR { continue }
                    throw Self.systemError(path, "writing the key", errno)
                }
                written += n
            }
            guard fsync(fd) == 0 else { throw Self.systemError(path, "flushing the key to disk", errno) }
            closed = true
            guard close(fd) == 0 else { throw Self.systemError(path, "closing the key file", errno) }
        } catch {
            unlink(path)
            throw error
        }
        Self.syncDirectory(containing: path)
    }

    /// Reads a private key file written by ``write(to:)`` (or by Go's note tools).
    ///
    /// Refuses a file that its group or others may read or write, as ssh does: a
    /// private key that others could copy no longer proves anything.
    /// - Throws: ``NoteKeyError/exposedKeyFile(path:mode:)``, a file system error, or a
    ///   parse error from ``init(text:)``.
    public static func read(from path: String) throws -> SigningKey {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw systemError(path, "opening the key file", errno) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw systemError(path, "reading the file's mode", errno) }
        let mode = UInt32(info.st_mode)
        if mode & 0o077 != 0 { throw NoteKeyError.exposedKeyFile(path: path, mode: mode) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = chunk.withUnsafeMutableBytes { posixRead(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw systemError(path, "reading the key", errno)
            }
            if n == 0 { break }
            bytes.append(contentsOf: chunk[..<n])
            if bytes.count > 64 * 1024 {
                throw NoteKeyError.malformedPrivateKey("\(path) is far larger than a key")
            }
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw NoteKeyError.malformedPrivateKey("\(path) is not UTF-8 text")
        }
        return try SigningKey(text: text)
    }

    private static func systemError(_ path: String, _ operation: String, _ code: Int32) -> NoteKeyError {
        .fileSystem(path: path, operation: operation, message: String(cString: strerror(code)))
    }

    /// Makes the new directory entry durable too; a failure here loses nothing already written.
    private static func syncDirectory(containing path: String) {
        let directory = (path as NSString).deletingLastPathComponent
        let fd = open(directory.isEmpty ? "." : directory, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = fsync(fd)
        close(fd)
    }
}
