import CWorkbookParts
import Foundation

/// Where libxlsxwriter writes the parts of a workbook while it zips them.
///
/// libxlsxwriter writes each XML part of a workbook to a temporary file of its own (created
/// and unlinked at once) and reads it back into the zip: some fifteen files a workbook, and a
/// close writes hundreds of workbooks. So the parts are made in memory (``inMemory``: this
/// program defines libxlsxwriter's `lxw_tmpfile` again, ``CWorkbookParts``), which costs no
/// file at all: a 500-workbook close spent most of its kernel time on those files, even on a
/// tmpfs. Where that definition is not the one libxlsxwriter calls, the parts go to files as
/// before: in the machine's shared-memory folder, a tmpfs on Linux, when it is a folder we may
/// write with room to spare (on a disk's file system their cost depends on the state of its
/// inode allocator: once seen, 3–4 s of a 500-workbook close on ext4 against 0.6–0.9 s on
/// tmpfs), else libxlsxwriter's own choice (`$TMPDIR`, else `/tmp`). A `TMPDIR` someone set
/// is theirs to decide: it is left to libxlsxwriter, parts in files there. Only intermediate
/// data goes there: a workbook's bytes are the same wherever its parts were assembled, and
/// nothing is left behind after a crash.
public enum ScratchFolder {
    /// Free space the shared-memory folder must have before it is used: a workbook's largest
    /// part (a year's margin summary) is a few megabytes, two workbooks are assembled at once,
    /// and a container's small default (64 MB) is left to what it was made for.
    static let roomNeeded: UInt64 = 256 << 20

    /// The folder workbooks are assembled in (``inMemory`` for none), or nil for libxlsxwriter's
    /// default. Chosen once.
    public static let preferred: String? = choose(environment: ProcessInfo.processInfo.environment)

    /// The parts made in memory, given where a folder is: a name no folder can have, which
    /// only this program's `lxw_tmpfile` reads as "in memory".
    public static let inMemory = String(cString: recon_parts_in_memory_folder())

    /// Whether libxlsxwriter's calls for a part reach this program's `lxw_tmpfile`.
    static let canMakePartsInMemory = recon_parts_in_memory_active() != 0

    /// How many parts this process has made in memory.
    static var partsMadeInMemory: UInt { recon_parts_made_in_memory() }

    /// Where libxlsxwriter puts the parts when given no folder: `$TMPDIR`, else `/tmp`.
    static let libraryDefault = setTemporaryFolder(ProcessInfo.processInfo.environment) ?? "/tmp"

    /// Memory, else `/dev/shm` when usable, when no `TMPDIR` is set.
    static func choose(environment: [String: String]) -> String? {
        if setTemporaryFolder(environment) != nil { return nil }
        if canMakePartsInMemory { return inMemory }
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
