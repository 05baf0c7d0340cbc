import Foundation

/// Where libxlsxwriter writes the parts of a workbook while it zips them.
///
/// libxlsxwriter writes each XML part of a workbook to a temporary file of its own (created
/// and unlinked at once) and reads it back into the zip: some fifteen files a workbook, and a
/// close writes hundreds of workbooks. On a disk's file system their cost depends on the state
/// of its inode allocator (once seen: 3–4 s of a 500-workbook close on ext4, against 0.6–0.9 s
/// on tmpfs; usually no difference). The machine's shared-memory folder is a tmpfs on Linux, so the
/// parts are assembled there when it is a folder we may write with room to spare; otherwise
/// libxlsxwriter's own choice (`$TMPDIR`, else `/tmp`). A `TMPDIR` someone set is theirs to
/// decide: it is left to libxlsxwriter. Only intermediate files go there: a workbook's bytes
/// are the same wherever its parts were assembled, and nothing is left there after a crash.
public enum ScratchFolder {
    /// Free space the shared-memory folder must have before it is used: a workbook's largest
    /// part (a year's margin summary) is a few megabytes, two workbooks are assembled at once,
    /// and a container's small default (64 MB) is left to what it was made for.
    static let roomNeeded: UInt64 = 256 << 20

    /// The folder workbooks are assembled in, or nil for libxlsxwriter's default. Chosen once.
    public static let preferred: String? = choose(environment: ProcessInfo.processInfo.environment)

    /// Where libxlsxwriter puts the parts when given no folder: `$TMPDIR`, else `/tmp`.
    static let libraryDefault = setTemporaryFolder(ProcessInfo.processInfo.environment) ?? "/tmp"

    /// `/dev/shm` when usable and no `TMPDIR` is set.
    static func choose(environment: [String: String]) -> String? {
        if setTemporaryFolder(environment) != nil { return nil }
        return usable("/dev/shm") ? "/dev/shm" : nil
    }

    /// The `TMPDIR` someone set (an empty one is not set).
    private static func setTemporaryFolder(_ environment: [String: String]) -> String? {
        environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Whether `path` is a folder this process can create files in, with ``roomNeeded`` free.
    static func usable(_ path: String) -> Bool {
        var info = stat()
        guard stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR, access(path, W_OK | X_OK) == 0 else { return false }
        var space = statvfs()
        guard statvfs(path, &space) == 0 else { return false }
        return UInt64(space.f_bavail) * UInt64(space.f_frsize) >= roomNeeded
    }
}
