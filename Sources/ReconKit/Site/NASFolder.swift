/// Folders a NAS or a file system keeps beside the files of a folder it shares or indexes
/// (Synology's `@eaDir` and `#recycle`, QNAP's `@Recycle`, Windows' `$RECYCLE.BIN`,
/// `lost+found`): no drop. In `Inbox/` each was moved to `rejected/` as a folder dropped there
/// (SPEC §2), made again by the NAS, and moved again — `@eaDir-2`, `-3`, … — every watch pass
/// exiting 2. They are passed over, as in `Outbox/` and `Inbox/held/`.
enum NASFolder {
    static let names: Set<String> = ["@eaDir", "#recycle", "#snapshot", "@Recycle", "@Recently-Snapshot", "$RECYCLE.BIN",
                                     "System Volume Information", "lost+found"]

    /// Whether the entry `name` at `path` is such a folder.
    static func isMetadata(_ name: String, at path: String) -> Bool {
        names.contains(name) && FileStatus.of(path)?.kind == .folder
    }
}
