import CZlib
import Foundation

/// Reads back a workbook libxlsxwriter has just assembled and says whether every XML part
/// in it is whole.
///
/// libxlsxwriter writes each part to a temporary file and copies that file into the zip.
/// When the temporary folder fills up, the writes fail unnoticed and `workbook_close`
/// still reports success: the zip is well formed and holds the part cut short, or missing
/// 4 KB stretches where room came back between writes (seen with libxlsxwriter 1.1.4 and a
/// full tmpfs). A cut document must never be issued, its SHA-256
/// recorded and its file left to fail every later regeneration, so each part is inflated
/// here and read as XML (``XMLShape``): cut short, or missing a stretch in the middle, it
/// is refused. Reading the XML costs little beside writing and deflating it.
enum AssembledParts {
    /// The first part found cut short or unreadable, described for an error; nil when all are whole.
    static func problem(inWorkbook data: Data) -> String? {
        data.withUnsafeBytes { problem(in: $0.bindMemory(to: UInt8.self)) }
    }

    /// The same over a workbook's bytes.
    static func problem(in zip: UnsafeBufferPointer<UInt8>) -> String? {
        guard let entries = centralDirectory(zip) else { return "its zip directory could not be read" }
        // One stream and one buffer for the workbook's parts (a close reads some 7,000).
        guard let inflater = Inflater() else { return "its parts could not be inflated (zlib could not start)" }
        for entry in entries where entry.name.hasSuffix(".xml") || entry.name.hasSuffix(".rels") {
            guard let part = PartReader(entry, in: zip, inflater: inflater) else { return "the part \(entry.name) could not be read" }
            if let problem = part.problem { return "the part \(entry.name) \(problem)" }
        }
        return nil
    }

    /// One file of the zip, as its central directory lists it.
    struct Entry {
        let name: String
        let method: UInt16
        let compressedSize: Int
        let size: Int
        let localHeader: Int
        /// Its record in the central directory, name and extras included.
        let record: Range<Int>
        let crc32: UInt32
        /// Bit 0: the writer took its bytes for text.
        let internalAttributes: UInt16
    }

    /// The stored (for method 8, deflated) bytes of `entry`, found through its local header;
    /// nil when that header is not where the directory says or the bytes run past the end.
    static func storedBytes(of entry: Entry, in zip: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8>? {
        let at = entry.localHeader
        guard at + 30 <= zip.count, zip.uint32(at: at) == 0x0403_4B50 else { return nil }
        let data = at + 30 + Int(zip.uint16(at: at + 26)) + Int(zip.uint16(at: at + 28))
        guard data + entry.compressedSize <= zip.count else { return nil }
        return UnsafeBufferPointer(rebasing: zip[data..<(data + entry.compressedSize)])
    }

    /// Where the end-of-central-directory record starts, or nil when there is none.
    static func endRecord(_ zip: UnsafeBufferPointer<UInt8>) -> Int? {
        // The end record is 22 bytes and may be followed by a comment (libxlsxwriter writes none).
        guard zip.count >= 22 else { return nil }
        var end = zip.count - 22
        let lowest = max(0, zip.count - 22 - 0xFFFF)
        while end >= lowest, zip.uint32(at: end) != 0x0605_4B50 { end -= 1 }
        return end >= lowest ? end : nil
    }

    /// The central directory's entries, or nil when it cannot be found or read.
    static func centralDirectory(_ zip: UnsafeBufferPointer<UInt8>) -> [Entry]? {
        guard let end = endRecord(zip) else { return nil }
        let count = Int(zip.uint16(at: end + 10)), start = Int(zip.uint32(at: end + 16))
        var entries: [Entry] = []
        var at = start
        for _ in 0..<count {
            guard at + 46 <= zip.count, zip.uint32(at: at) == 0x0201_4B50 else { return nil }
            let nameLength = Int(zip.uint16(at: at + 28))
            let skip = nameLength + Int(zip.uint16(at: at + 30)) + Int(zip.uint16(at: at + 32))
            guard at + 46 + skip <= zip.count else { return nil }
            let name = String(decoding: UnsafeBufferPointer(rebasing: zip[(at + 46)..<(at + 46 + nameLength)]), as: UTF8.self)
            entries.append(Entry(name: name, method: zip.uint16(at: at + 10), compressedSize: Int(zip.uint32(at: at + 20)),
                                 size: Int(zip.uint32(at: at + 24)), localHeader: Int(zip.uint32(at: at + 42)),
                                 record: at..<(at + 46 + skip), crc32: zip.uint32(at: at + 16),
                                 internalAttributes: zip.uint16(at: at + 36)))
            at += 46 + skip
        }
        return entries
    }
}

/// One XML part, inflated in pieces and read through an ``XMLShape`` (never held whole).
private struct PartReader {
    var shape = XMLShape()

    init?(_ entry: AssembledParts.Entry, in zip: UnsafeBufferPointer<UInt8>, inflater: AssembledParts.Inflater) {
        guard let stored = AssembledParts.storedBytes(of: entry, in: zip) else { return nil }
        switch entry.method {
        case 0: shape.feed(stored)
        case 8: guard inflater.inflate(stored, into: { shape.feed($0) }) else { return nil }
        default: return nil
        }
        guard shape.problem != nil || shape.length == entry.size else { return nil }
    }

    /// Why the part is not one whole XML document, or nil when it is.
    var problem: String? {
        shape.problem.map { $0 + " (the folder libxlsxwriter assembles parts in may have filled up)" }
    }

}

extension AssembledParts {
    /// Raw deflate, as zip stores it, inflated and handed to `sink` 64 KB at a time (a part
    /// is never held whole here); false when the stream is damaged or does not end.
    static func inflate(_ input: UnsafeBufferPointer<UInt8>, into sink: (UnsafeBufferPointer<UInt8>) -> Void) -> Bool {
        Inflater()?.inflate(input, into: sink) ?? false
    }

    /// A raw-deflate stream and its 64 KB of output, reset between the streams it reads:
    /// a workbook's parts are read with one, not with a stream and a zeroed buffer each.
    final class Inflater {
        /// On the heap: zlib's state points back at its stream, which must never move.
        private let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        private let out = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: 64 << 10)

        init?() {
            stream.initialize(to: z_stream())
            guard inflateInit2_(stream, -15, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
                stream.deallocate()
                out.deallocate()
                return nil
            }
        }

        deinit {
            inflateEnd(stream)
            stream.deallocate()
            out.deallocate()
        }

        /// As ``AssembledParts/inflate(_:into:)``; the stream is ready for the next one after.
        /// `then`: bytes that follow `input` in the stream, read after it without joining the two.
        func inflate(_ input: UnsafeBufferPointer<UInt8>, then more: [UInt8] = [],
                     into sink: (UnsafeBufferPointer<UInt8>) -> Void) -> Bool {
            defer { inflateReset(stream) }
            return more.withUnsafeBufferPointer { more in
                var pending = more.isEmpty ? nil : more
                stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
                stream.pointee.avail_in = uInt(input.count)
                while true {
                    if stream.pointee.avail_in == 0, let next = pending {
                        stream.pointee.next_in = UnsafeMutablePointer(mutating: next.baseAddress)
                        stream.pointee.avail_in = uInt(next.count)
                        pending = nil
                    }
                    stream.pointee.next_out = out.baseAddress
                    stream.pointee.avail_out = uInt(out.count)
                    let status = CZlib.inflate(stream, Z_NO_FLUSH)
                    let produced = out.count - Int(stream.pointee.avail_out)
                    sink(UnsafeBufferPointer(rebasing: out[0..<produced]))
                    if status == Z_STREAM_END { return true }
                    // zlib says it is stuck (`Z_BUF_ERROR`) when its input ran out: more may follow.
                    let goesOn = stream.pointee.avail_in > 0 || pending != nil
                    guard status == Z_OK || (status == Z_BUF_ERROR && pending != nil), produced > 0 || goesOn else { return false }
                }
            }
        }
    }
}

extension UnsafeBufferPointer<UInt8> {
    /// Little-endian, as zip stores its numbers.
    func uint16(at i: Int) -> UInt16 { UInt16(self[i]) | UInt16(self[i + 1]) << 8 }
    func uint32(at i: Int) -> UInt32 { UInt32(uint16(at: i)) | UInt32(uint16(at: i + 2)) << 16 }
}
