import Glibc

extension FileIO {
    /// The names in `folder` (not `.` or `..`), in the order the file system gives them, as
    /// their bytes: a name need not be UTF-8 (``UndecodableName``).
    ///
    /// Unlike ``list(_:)`` it says why a folder cannot be listed. Wraps `opendir`/`readdir`.
    /// `keep` sees each name's bytes where `readdir` left them: only the names it keeps are copied.
    /// - Throws: ``Failure`` with the `errno` of `opendir`.
    public static func rawNames(in folder: String, where keep: (Slice<UnsafeRawBufferPointer>) -> Bool = { _ in true }) throws -> [[UInt8]] {
        guard let directory = TransientErrors.opendir(folder) else {
            throw Failure(path: folder, action: "list the folder", code: errno)
        }
        defer { closedir(directory) }
        var names: [[UInt8]] = []
        while let entry = readdir(directory) {
            withUnsafeBytes(of: entry.pointee.d_name) { raw in
                let name = raw.prefix { $0 != 0 }
                guard !name.elementsEqual([0x2E]), !name.elementsEqual([0x2E, 0x2E]), keep(name) else { return }
                names.append(Array(name))
            }
        }
        return names
    }

    /// As ``rawNames(in:where:)``, `keep` told too whether each is a folder (the kernel's
    /// `d_type`, or an `lstat` where the file system does not say; a link is not one).
    public static func rawNames(in folder: String, where keep: (Slice<UnsafeRawBufferPointer>, _ isFolder: Bool) -> Bool) throws -> [[UInt8]] {
        guard let directory = TransientErrors.opendir(folder) else {
            throw Failure(path: folder, action: "list the folder", code: errno)
        }
        defer { closedir(directory) }
        var names: [[UInt8]] = []
        while let entry = readdir(directory) {
            let type = entry.pointee.d_type
            withUnsafeBytes(of: entry.pointee.d_name) { raw in
                let name = raw.prefix { $0 != 0 }
                guard !name.elementsEqual([0x2E]), !name.elementsEqual([0x2E, 0x2E]) else { return }
                let isFolder = type == UInt8(DT_DIR)
                    || (type == UInt8(DT_UNKNOWN) && FileStatus.of(folder + "/" + String(decoding: name, as: UTF8.self))?.kind == .folder)
                guard keep(name, isFolder) else { return }
                names.append(Array(name))
            }
        }
        return names
    }

    /// The names in `folder` that start with a dot (not `.` or `..`), sorted; none when it
    /// cannot be listed. Only those names are made into strings: the sweep for temporary files
    /// looks through every period's documents, six thousand names after a year, on every command.
    public static func hiddenNames(in folder: String) -> [String] {
        let names = (try? rawNames(in: folder, where: { $0.first == 0x2E })) ?? []
        return names.map { String(decoding: $0, as: UTF8.self) }.sorted()
    }

    /// Cuts a file to its first `length` bytes and flushes it to disk (`truncate`, `fsync`).
    public static func truncateDurably(_ path: String, toLength length: Int) throws {
        guard truncate(path, off_t(length)) == 0 else {
            throw Failure(path: path, action: "cut", code: errno)
        }
        try syncFile(path)
    }
}
