#if canImport(Glibc)
import Glibc
#endif

/// A folder entry whose name is not UTF-8 (`usage-caf\xE9.csv` written by a Latin-1 system).
///
/// Such a name cannot be a Swift string, so a path built from it names nothing: the entry is
/// listed, shown and moved by its bytes. It is never a drop (SPEC §2 names kinds in UTF-8): it is
/// rejected with a reason to rename it, and kept under a UTF-8 name.
public struct UndecodableName: Hashable, Sendable {
    /// The name as the folder holds it.
    public let bytes: [UInt8]

    /// The name of `bytes`, or nil when they are UTF-8 (an ordinary name).
    public init?(_ bytes: [UInt8]) {
        guard String(validating: bytes, as: UTF8.self) == nil else { return nil }
        self.bytes = bytes
    }

    /// The name for people: its UTF-8 parts as ``SafeText/escaped(_:)`` shows them, each other
    /// byte as `\xHH`, so the original bytes can be read back (`usage-caf\xE9.csv`).
    public var escaped: String {
        var out = ""
        var text = ""
        var offset = 0
        var iterator = bytes.makeIterator()
        var parser = Unicode.UTF8.ForwardParser()
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded):
                text.unicodeScalars.append(Unicode.UTF8.decode(encoded))
                offset += encoded.count
            case .error(let length):
                out += SafeText.escaped(text)
                text = ""
                for byte in bytes[offset..<offset + length] { out += "\\x" + String(byte, radix: 16, uppercase: true) }
                offset += length
            case .emptyInput:
                return out + SafeText.escaped(text)
            }
        }
    }

    /// The name with each byte that is not UTF-8 replaced by U+FFFD: what it is kept as.
    public var replaced: String { String(decoding: bytes, as: UTF8.self) }

    /// Whether `folder` still holds the entry (`lstat`: a link is not followed).
    public func exists(in folder: String) -> Bool {
        var info = stat()
        return path(in: folder).withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { lstat($0.baseAddress!, &info) == 0 }
        }
    }

    /// The entry's path in `folder`, NUL-terminated, for the system calls.
    private func path(in folder: String) -> [UInt8] { Array(folder.utf8) + [UInt8(ascii: "/")] + bytes + [0] }

    /// Moves the entry from `folder` to `target` as it is, durably.
    ///
    /// - Throws: `FileIO.Failure` (`ENOENT` when it is gone meanwhile).
    public func move(from folder: String, to target: String) throws {
        let moved = path(in: folder).withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { rename($0.baseAddress!, target) }
        }
        guard moved == 0 else { throw FileIO.Failure(path: target, action: "rename \(folder)/\(escaped) to", code: errno) }
        try FileIO.syncDirectory(FileIO.parent(of: target))
        try FileIO.syncDirectory(folder)
    }
}
