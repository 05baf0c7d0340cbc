import CZlib

/// Raw deflate (as zip stores a part) at zlib's level 1, of XML given in pieces, some of them
/// deflated already (``PackedRows``): those are copied in as they are, the stream flushed to
/// a byte boundary before them and started afresh after, so nothing refers across them.
enum RawDeflate {
    enum Piece {
        case xml(ArraySlice<UInt8>)
        case packed(PackedRows)
    }

    /// The pieces as one stream, its CRC-32 and the length of what it holds, the output
    /// gathered a window at a time (a part's megabytes are never held twice). `final`: the
    /// stream ends (a zip part); otherwise it stops on a byte boundary with a sync flush, and
    /// more may follow (``PackedRows``).
    static func deflate(_ pieces: [Piece], final: Bool) -> (bytes: [UInt8], crc: UInt32, size: Int) {
        var stream = z_stream()
        _ = deflateInit2_(&stream, 1, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        defer { deflateEnd(&stream) }
        var out: [UInt8] = [], crc: uLong = 0, size = 0
        var window = [UInt8](repeating: 0, count: 256 << 10)
        /// Deflates what is in `stream.next_in` with `flush`, gathering the output.
        func run(_ flush: Int32) {
            var status = Z_OK
            repeat {
                window.withUnsafeMutableBufferPointer { target in
                    stream.next_out = target.baseAddress
                    stream.avail_out = uInt(target.count)
                    status = CZlib.deflate(&stream, flush)
                    out += target[0..<(target.count - Int(stream.avail_out))]
                }
                // Until the input is taken and the flush done (room left over) or, to finish, the stream ends.
            } while status == Z_OK && (stream.avail_out == 0 || flush == Z_FINISH)
        }
        var fed = false
        for piece in pieces {
            switch piece {
            case .xml(let xml):
                guard !xml.isEmpty else { continue }
                xml.withUnsafeBufferPointer { source in
                    crc = crc32(crc, source.baseAddress, uInt(source.count))
                    size += source.count
                    stream.next_in = UnsafeMutablePointer(mutating: source.baseAddress)
                    stream.avail_in = uInt(source.count)
                    run(Z_NO_FLUSH)
                }
                fed = true
            case .packed(let packed):
                if fed {
                    stream.next_in = nil
                    stream.avail_in = 0
                    run(Z_SYNC_FLUSH)
                    // Nothing after the packed bytes may refer back past them.
                    deflateReset(&stream)
                    fed = false
                }
                out += packed.deflated
                crc = crc32_combine(crc, uLong(packed.crc), off_t(packed.size))
                size += packed.size
            }
        }
        stream.next_in = nil
        stream.avail_in = 0
        run(final ? Z_FINISH : Z_SYNC_FLUSH)
        return (out, UInt32(crc), size)
    }
}
