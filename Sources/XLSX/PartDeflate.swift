import CWorkbookParts

/// How the parts of a workbook are deflated in its zip.
///
/// libxlsxwriter asks minizip for zlib's defaults (level 6, a 32 KB window, memLevel 8) for
/// every part; this program can pass others (``CWorkbookParts``, as it makes the parts in
/// memory). Level 1 with a 4 KB window and memLevel 4 deflates a workbook's parts of a few
/// kilobytes several times faster (most of the work was setting up zlib's tables), the file
/// some 7 % larger: a close's 500 documents spent more time deflating than anything else.
public enum PartDeflate: Sendable {
    /// zlib's level 1, window 4 KB, memLevel 4, where this program can ask for them
    /// (``canChoose``), else the library's.
    case fast
    /// libxlsxwriter's own, zlib's default: what issued documents of layout 4 and before were
    /// written with, so they regenerate byte for byte.
    case libraryDefault

    /// Whether the level libxlsxwriter's parts are deflated at is this program's to set.
    public static let canChoose = recon_part_deflate_level_active() != 0

    /// The level to ask for, -1 for the library's own.
    var zlibLevel: Int32 { self == .fast && Self.canChoose ? 1 : -1 }
}
