/// A regular file in the Inbox that may become a drop, as one look at it saw it.
///
/// Two looks that see equal candidates saw the same file unchanged: same inode,
/// size and modification time. The name rules (which names are never read) and the
/// order in which a batch is handed over live here too.
struct DropCandidate: Equatable {
    /// The file's name inside the Inbox.
    let name: String
    /// The Inbox path joined with `name`.
    let path: String
    let device: UInt64
    let inode: UInt64
    let size: Int64
    let modifiedSeconds: Int64
    let modifiedNanoseconds: Int64

    /// Why a name is never read, or `nil` when it may be a drop.
    ///
    /// Writers put a drop in place by renaming it, so names starting with `.` or
    /// ending in `.part` or `.tmp` (in any case) are files still being written.
    static func reasonToIgnore(name: String) -> String? {
        if name.hasPrefix(".") { return "its name starts with '.'" }
        let lowered = name.lowercased()
        if lowered.hasSuffix(".part") { return "its name ends in .part (still being written)" }
        if lowered.hasSuffix(".tmp") { return "its name ends in .tmp (still being written)" }
        // What Windows and Office leave beside the files a folder shows (`Thumbs.db`, `desktop.ini`,
        // Excel's `~$NAME.csv` while a drop is open): rejected as drops, every cron run exited 2.
        if ViewerFile.matches(name) { return "it is a file Windows or Office keeps beside the files a folder shows" }
        return nil
    }

    /// The position of the name's kind in processing order (``DropKind``): master
    /// data and cards before the usage that needs them, decisions last; names of no
    /// known kind after all of these.
    static func kindRank(of name: String) -> Int {
        DropKind(fileName: name)?.order ?? DropKind.allCases.count
    }

    /// Whether `lhs` is handed over before `rhs` in one batch: by kind, then by
    /// name in byte order.
    static func handsOverBefore(_ lhs: DropCandidate, _ rhs: DropCandidate) -> Bool {
        let lhsRank = kindRank(of: lhs.name)
        let rhsRank = kindRank(of: rhs.name)
        if lhsRank != rhsRank { return lhsRank < rhsRank }
        return lhs.name.utf8.lexicographicallyPrecedes(rhs.name.utf8)
    }
}
