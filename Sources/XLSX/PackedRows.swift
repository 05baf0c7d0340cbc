import CZlib

/// Rows of a sheet's XML already deflated, to be put into a later workbook's block without
/// being built or deflated again (``SheetRows/pack()``, ``SheetRows/append(_:)``): the
/// closed months of a summary that is rewritten on every command, say.
///
/// The bytes are raw deflate ending on a byte boundary in a block that is not the last (a
/// sync flush), with no reference to anything before them, so they can stand anywhere in
/// a part's deflate stream (``RawDeflate``).
public struct PackedRows: Equatable, Sendable {
    public let deflated: [UInt8]
    /// CRC-32 and length of the XML they hold.
    public let crc: UInt32
    public let size: Int
    /// The rows and columns they hold, counted from 0.
    public let rows: ClosedRange<Int>
    public let columns: ClosedRange<Int>

    public init(deflated: [UInt8], crc: UInt32, size: Int, rows: ClosedRange<Int>, columns: ClosedRange<Int>) {
        self.deflated = deflated
        self.crc = crc
        self.size = size
        self.rows = rows
        self.columns = columns
    }

    /// The XML they hold; nil when the bytes do not inflate to `size` bytes with that CRC-32.
    public func inflated() -> [UInt8]? {
        // An empty last block (fixed codes, end of block at once) makes the stream whole.
        let whole = deflated + [0x03, 0x00]
        var xml: [UInt8] = []
        xml.reserveCapacity(size)
        let read = whole.withUnsafeBufferPointer { AssembledParts.inflate($0, into: { xml += $0 }) }
        guard read, xml.count == size else { return nil }
        let check = xml.withUnsafeBufferPointer { $0.isEmpty ? 0 : crc32(0, $0.baseAddress, uInt($0.count)) }
        return UInt32(check) == crc ? xml : nil
    }
}
