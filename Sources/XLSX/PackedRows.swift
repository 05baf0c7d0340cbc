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
        var xml: [UInt8] = []
        xml.reserveCapacity(min(size, 64 << 20))
        return inflating { xml += $0 } ? xml : nil
    }

    /// Whether the bytes inflate to `size` bytes with that CRC-32: the check of rows read
    /// from a file before a workbook is made with them, 64 KB held at a time.
    public func holdsWhatItSays() -> Bool {
        inflating { _ in }
    }

    /// Inflates the bytes, handing `sink` what they hold (never more than `size` bytes), and
    /// says whether it is `size` bytes with that CRC-32.
    private func inflating(_ sink: (UnsafeBufferPointer<UInt8>) -> Void) -> Bool {
        var check: uLong = 0, count = 0
        // An empty last block (fixed codes, end of block at once) makes the stream whole; it is
        // read after the bytes, not joined to a copy of them (a year's summary rows: a megabyte).
        let read = deflated.withUnsafeBufferPointer { stream in
            AssembledParts.Inflater()?.inflate(stream, then: [0x03, 0x00]) { piece in
                count += piece.count
                guard count <= size, !piece.isEmpty else { return }
                check = crc32(check, piece.baseAddress, uInt(piece.count))
                sink(piece)
            }
        }
        return read == true && count == size && UInt32(check) == crc
    }
}
