import CWorkbookParts

/// How the parts of a workbook are deflated in its zip.
///
/// libxlsxwriter asks minizip for zlib's default level (6) for every part; this program can
/// pass another (``CWorkbookParts``, as it makes the parts in memory). Level 1 deflates a
/// workbook's XML some three times faster, a few percent larger: a close's 500 documents
/// spent more time deflating than anything else.
public enum PartDeflate: Sendable {
    /// zlib's level 1, where this program can ask for it (``canChoose``), else the library's.
    case fast
    /// libxlsxwriter's own, zlib's default: what issued documents of layout 4 and before were
    /// written with, so they regenerate byte for byte.
    case libraryDefault

    /// Whether the level libxlsxwriter's parts are deflated at is this program's to set.
    public static let canChoose = recon_part_deflate_level_active() != 0

    /// The level to ask for, -1 for the library's own.
    var zlibLevel: Int32 { self == .fast && Self.canChoose ? 1 : -1 }
}
