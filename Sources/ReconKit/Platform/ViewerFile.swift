/// What a program showing a folder's files leaves beside them: LibreOffice's `.~lock.NAME#`
/// while it has one open, Office's `~$NAME`, macOS's `.DS_Store`, Windows' `Thumbs.db` and
/// `desktop.ini`. No document, drop or archive: an auditor who opened one must not stop the
/// site. Never shaped like an archive (a hidden `.SHA.csv` is one renamed).
enum ViewerFile {
    static func matches(_ name: String) -> Bool {
        if name.hasPrefix(".~lock.") && name.hasSuffix("#") || name.hasPrefix("~$") { return true }
        return [".ds_store", "thumbs.db", "desktop.ini"].contains(name.lowercased())
    }
}
