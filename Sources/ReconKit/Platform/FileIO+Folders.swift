import Glibc

extension FileIO {
    /// The names in `folder` (not `.` or `..`), in the order the file system gives them, as
    /// their bytes: a name need not be UTF-8 (``UndecodableName``).
    ///
    /// Unlike ``list(_:)`` it says why a folder cannot be listed. Wraps `opendir`/`readdir`.
    /// - Throws: ``Failure`` with the `errno` of `opendir`.
    public static func rawNames(in folder: String) throws -> [[UInt8]] {
        guard let directory = opendir(folder) else {
            throw Failure(path: folder, action: "list the folder", code: errno)
        }
        defer { closedir(directory) }
        var names: [[UInt8]] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { Array($0.prefix { $0 != 0 }) }
            if name != [0x2E] && name != [0x2E, 0x2E] { names.append(name) }
        }
        return names
    }

    /// The names in `folder` that start with a dot (not `.` or `..`), sorted; none when it
    /// cannot be listed. Only those names are made into strings: the sweep for temporary files
    /// looks through every period's documents, six thousand names after a year, on every command.
    public static func hiddenNames(in folder: String) -> [String] {
        guard let directory = opendir(folder) else { return [] }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            withUnsafeBytes(of: entry.pointee.d_name) { raw in
                guard raw[0] == 0x2E else { return }
                let bytes = raw.prefix { $0 != 0 }
                if bytes.count > 2 || (bytes.count == 2 && bytes[1] != 0x2E) { names.append(String(decoding: bytes, as: UTF8.self)) }
            }
        }
        return names.sorted()
    }

    /// Cuts a file to its first `length` bytes and flushes it to disk (`truncate`, `fsync`).
    public static func truncateDurably(_ path: String, toLength length: Int) throws {
        guard truncate(path, off_t(length)) == 0 else {
            throw Failure(path: path, action: "cut", code: errno)
        }
        try syncFile(path)
    }
}
