#if canImport(Glibc)
import Glibc
#endif
import ReconKit

/// The bytes of a command-line argument: the arguments as strings hold a name that is not UTF-8
/// only with U+FFFD in place of its odd bytes, which names no file.
enum RawArgument {
    /// The folder and entry `file` names when its name is not UTF-8 and the entry is there.
    static func undecodableFile(named file: String) -> (folder: String, name: UndecodableName)? {
        for i in 1..<Int(CommandLine.argc) {
            guard let pointer = CommandLine.unsafeArgv[i] else { continue }
            let raw = Array(UnsafeRawBufferPointer(start: pointer, count: strlen(pointer)))
            guard String(decoding: raw, as: UTF8.self) == file else { continue }
            let slash = raw.lastIndex(of: UInt8(ascii: "/"))
            let nameBytes = Array(slash.map { raw[($0 + 1)...] } ?? raw[...])
            let folderBytes = slash.map { raw[..<$0] } ?? []
            guard let name = UndecodableName(nameBytes),
                  let folder = slash == nil ? "." : folderBytes.isEmpty ? "/" : String(validating: folderBytes, as: UTF8.self),
                  name.exists(in: folder)
            else { continue }
            return (folder, name)
        }
        return nil
    }
}
