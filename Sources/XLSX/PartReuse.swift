import CWorkbookParts
import Foundation

/// A part a workbook shares byte for byte with one written before is not deflated again.
///
/// Of a close's 500 workbooks, each holds some fourteen parts, half of them the same bytes in
/// every workbook of its kind (the theme, the content types, the relationships): zlib was a
/// sixth of a close's processor time, most of it starting and ending a stream a part. A part
/// met for the second time is learned from the finished workbook (its deflated bytes, size
/// and CRC-32, as minizip wrote them); from the third on it is written as those bytes
/// (``CWorkbookParts``, part_reuse.c). A part is matched on its bytes, the pieces they were
/// written in and its deflate settings, so a workbook is byte for byte what it would be
/// without: an issued document still regenerates to its recorded SHA-256.
enum PartReuse {
    /// Whether this program's definitions of minizip's write and close are the ones
    /// libxlsxwriter calls; if not, every part is deflated as before.
    static let isActive = recon_part_reuse_active() != 0 && PartDeflate.canChoose

    /// How many parts this thread has written from learned bytes.
    static var reusedOnThisThread: UInt { recon_parts_reused_on_this_thread() }

    /// Learns what the workbook just finished on this thread had to teach: the deflated bytes,
    /// CRC-32 and attributes of the parts it met for the second time, as its zip directory
    /// (``AssembledParts/centralDirectory(_:)``) gives them.
    static func learn(from zip: Data) {
        guard recon_part_reuse_pending() > 0 else { return }
        zip.withUnsafeBytes { raw in
            let bytes = raw.bindMemory(to: UInt8.self)
            for entry in AssembledParts.centralDirectory(bytes) ?? [] where entry.method == 8 {
                guard let stored = AssembledParts.storedBytes(of: entry, in: bytes) else { continue }
                recon_part_reuse_offer(entry.name, stored.baseAddress, stored.count, entry.size, UInt(entry.crc32),
                                       UInt(entry.internalAttributes))
            }
        }
        recon_part_reuse_learned()
    }
}
