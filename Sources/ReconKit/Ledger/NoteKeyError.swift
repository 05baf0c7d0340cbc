/// Why a signing or verifier key could not be made, read or written.
public enum NoteKeyError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A key name that is empty or holds `+`, whitespace or control characters.
    case invalidName(String)
    /// Text that is not a private key `PRIVATE+KEY+NAME+HASH+BASE64`; says what is wrong.
    case malformedPrivateKey(String)
    /// Text that is not a verifier key `NAME+HASH+BASE64`; says what is wrong.
    case malformedVerifierKey(String)
    /// The key hash written in a key does not match its name and key.
    case keyHashMismatch(name: String, written: UInt32, computed: UInt32)
    /// A key file already exists where a new one was to be written.
    case fileExists(path: String)
    /// A private key file that others than its owner may read.
    case exposedKeyFile(path: String, mode: UInt32)
    /// A system call on a key file failed.
    case fileSystem(path: String, operation: String, message: String)
    /// The cryptographic library refused to sign.
    case signingFailed(String)

    public var description: String {
        switch self {
        case .invalidName(let name):
            return "key name \"\(name)\" is not valid: a name is not empty and holds no '+', whitespace or control characters"
        case .malformedPrivateKey(let why):
            return "not a private key (expected PRIVATE+KEY+NAME+HASH+BASE64, as `recon keygen` writes it): \(why)"
        case .malformedVerifierKey(let why):
            return "not a verifier key (expected NAME+HASH+BASE64, as `recon keygen` prints it): \(why)"
        case .keyHashMismatch(let name, let written, let computed):
            return "key \"\(name)\" says hash \(Self.hex(written)) but its key hashes to \(Self.hex(computed)); "
                + "the key text was altered or cut — copy it again from its source"
        case .fileExists(let path):
            return "\(path) already exists; a key file is never overwritten — move it away first if it is to be replaced"
        case .exposedKeyFile(let path, let mode):
            return "\(path) can be read by others than its owner (mode \(String(mode & 0o777, radix: 8))); "
                + "a private key must be private: run `chmod 600 \(path)`"
        case .fileSystem(let path, let operation, let message):
            return "\(path): \(operation) failed: \(message)"
        case .signingFailed(let why):
            return "signing failed: \(why)"
        }
    }

    /// A key hash as eight lowercase hex digits, as it appears in key texts.
    static func hex(_ hash: UInt32) -> String {
        let digits = String(hash, radix: 16)
        return String(repeating: "0", count: 8 - digits.count) + digits
    }
}
