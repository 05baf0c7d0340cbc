#if canImport(Glibc)
import Glibc
#endif

/// The name a held or rejected drop is kept under in `Inbox/held/` or `Inbox/rejected/` (SPEC §2).
///
/// Nothing there is overwritten: a taken name gets `-2`, `-3`, … before its extension. And every
/// name written beside a kept drop must fit the file system's 255 bytes, the longest being its
/// errors file's temporary name `.NAME.errors.txt.PID.tmp`: a drop whose name Linux allows but
/// leaves no room for those is kept under its name shortened, so it can never stay in the Inbox
/// and block the drops after it.
public enum KeptName {
    /// The most bytes a file name may have (NAME_MAX on Linux file systems).
    static let fileNameLimit = 255
    /// The most a name written beside a kept drop adds to it: `.` `.errors.txt` `.PID` `.tmp`,
    /// with a process id of up to 7 digits (Linux's highest is 4194304).
    static let longestAddition = 1 + ".errors.txt".utf8.count + 1 + 7 + ".tmp".utf8.count
    /// The most bytes a kept drop's name may have.
    public static let limit = fileNameLimit - longestAddition
    /// A longer tail after the last dot is part of the name, not an extension to keep.
    static let longestExtension = 16

    /// Whether `name` may be kept as it is, length aside from a taken name.
    public static func fits(_ name: String) -> Bool { name.utf8.count <= limit }

    /// A name in `dir` that holds nothing yet, nor an errors file as its `.errors.txt`: `NAME`,
    /// else `-2`, `-3`, … before the extension (`usage-late-2.csv`), each cut to ``limit`` bytes
    /// when longer. An errors file without its drop (a rejection killed before it moved the
    /// drop, or a clerk's notes on a drop taken out) is never written over (SPEC §2).
    public static func free(in dir: String, for name: String) -> String {
        func exists(_ n: String) -> Bool {
            var st = stat()
            return lstat(dir + "/" + n, &st) == 0
        }
        func taken(_ n: String) -> Bool {
            exists(n) || exists(n + ".errors.txt")
        }
        let dot = name.lastIndex(of: ".").flatMap { $0 == name.startIndex ? nil : $0 }
            .flatMap { name.utf8[$0...].count <= longestExtension ? $0 : nil }
        let stem = dot.map { String(name[..<$0]) } ?? name
        let ext = dot.map { String(name[$0...]) } ?? ""
        let first = fitted(stem: stem, suffix: "", ext: ext)
        if !taken(first) { return first }
        var n = 2
        while taken(fitted(stem: stem, suffix: "-\(n)", ext: ext)) { n += 1 }
        return fitted(stem: stem, suffix: "-\(n)", ext: ext)
    }

    /// `stem + suffix + ext`, the stem cut at a character boundary so the whole fits ``limit``.
    static func fitted(stem: String, suffix: String, ext: String) -> String {
        let room = limit - suffix.utf8.count - ext.utf8.count
        guard stem.utf8.count > room else { return stem + suffix + ext }
        var cut = ""
        var used = 0
        for scalar in stem.unicodeScalars {
            let size = String(scalar).utf8.count
            if used + size > room { break }
            cut.unicodeScalars.append(scalar)
            used += size
        }
        return cut + suffix + ext
    }
}
