import CZlib
import Foundation

/// Replaces parts of a zip libxlsxwriter wrote with changed contents: every other part is
/// copied as it is, byte for byte, and the directory is written anew with the new offsets.
///
/// A changed part is deflated at zlib's level 1: it is a sheet's block of many thousands of
/// rows (``SheetRows``), which compresses about as well as at level 6 in a third of the time.
enum ZipPartRewrite {
    /// `zip` with each named part's contents passed through its `change`.
    /// A change gives the new contents as pieces, deflated in turn as one part (``RawDeflate``).
    static func rewriting(_ zip: Data, path: String, _ changes: [(part: String, change: ([UInt8]) throws -> [RawDeflate.Piece])]) throws -> Data {
        func damaged(_ what: String) -> XLSXError {
            XLSXError(code: .saveFailed, path: path, message: "the workbook libxlsxwriter assembled could not be rewritten: \(what)",
                      remedy: "run the command again; if it fails the same way, report it with the workbook's name")
        }
        return try zip.withUnsafeBytes { raw -> Data in
            let zip = raw.bindMemory(to: UInt8.self)
            guard let entries = AssembledParts.centralDirectory(zip), let endRecord = AssembledParts.endRecord(zip) else {
                throw damaged("its zip directory could not be read")
            }
            for change in changes where !entries.contains(where: { $0.name == change.part }) {
                throw damaged("it has no part \(change.part)")
            }
            func stored(_ entry: AssembledParts.Entry) throws -> (at: Int, named: Int, data: Int, flags: UInt16) {
                let at = entry.localHeader
                guard at + 30 <= zip.count, zip.uint32(at: at) == 0x0403_4B50 else { throw damaged("the part \(entry.name) has no header") }
                let named = at + 30 + Int(zip.uint16(at: at + 26))
                let data = named + Int(zip.uint16(at: at + 28))
                guard data + entry.compressedSize <= zip.count else { throw damaged("the part \(entry.name) is cut short") }
                return (at, named, data, zip.uint16(at: at + 6))
            }
            // The changed parts are made first, so that the new zip is made at its size: a sheet
            // of a year's margins is a megabyte deflated, and growing to it was copies of it.
            var made: [String: (bytes: [UInt8], crc: UInt32, size: Int)] = [:]
            for entry in entries {
                guard let change = changes.first(where: { $0.part == entry.name }) else { continue }
                let data = try stored(entry).data
                let stored = UnsafeBufferPointer(rebasing: zip[data..<(data + entry.compressedSize)])
                guard let contents = entry.method == 0 ? Array(stored) : entry.method == 8 ? inflated(stored, size: entry.size) : nil else {
                    throw damaged("the part \(entry.name) could not be read")
                }
                made[entry.name] = RawDeflate.deflate(try change.change(contents), final: true)
            }
            var out = Data(capacity: zip.count + made.values.reduce(0) { $0 + $1.bytes.count })
            var directory: [UInt8] = []
            for entry in entries {
                let (at, named, data, flags) = try stored(entry)
                var record = Array(zip[entry.record])
                record.put32(UInt32(out.count), at: 42)
                if let (packed, crc, size) = made[entry.name] {
                    guard size < 1 << 32, packed.count < 1 << 32 else { throw damaged("the part \(entry.name) is too large") }
                    // The sizes and checksum go in the header (no data descriptor follows) and in
                    // the directory, whose record has the same fields 2 bytes further on.
                    func describe(_ block: inout [UInt8], from base: Int) {
                        block.put16(flags & ~0x0008, at: base + 6)
                        block.put16(8, at: base + 8)
                        block.put32(crc, at: base + 14)
                        block.put32(UInt32(packed.count), at: base + 18)
                        block.put32(UInt32(size), at: base + 22)
                    }
                    var header = Array(zip[at..<named])
                    describe(&header, from: 0)
                    describe(&record, from: 2)
                    header.put16(0, at: 28)  // no extra field
                    out.append(contentsOf: header)
                    out.append(contentsOf: packed)
                } else {
                    var end = data + entry.compressedSize
                    if flags & 0x0008 != 0 { end += end + 4 <= zip.count && zip.uint32(at: end) == 0x0807_4B50 ? 16 : 12 }
                    guard end <= zip.count else { throw damaged("the part \(entry.name) is cut short") }
                    out.append(UnsafeBufferPointer(rebasing: zip[at..<end]))
                }
                directory += record
            }
            let directoryAt = out.count
            out.append(contentsOf: directory)
            var end = Array(zip[endRecord...])
            end.put32(UInt32(directory.count), at: 12)
            end.put32(UInt32(directoryAt), at: 16)
            out.append(contentsOf: end)
            return out
        }
    }

    /// Raw deflate, as zip stores it, inflated whole; nil when damaged or not of `size` bytes.
    private static func inflated(_ input: UnsafeBufferPointer<UInt8>, size: Int) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(size)
        guard AssembledParts.inflate(input, into: { out += $0 }), out.count == size else { return nil }
        return out
    }
}

extension [UInt8] {
    /// Little-endian, as zip stores its numbers.
    fileprivate mutating func put16(_ value: UInt16, at i: Int) {
        self[i] = UInt8(value & 0xFF)
        self[i + 1] = UInt8(value >> 8)
    }

    fileprivate mutating func put32(_ value: UInt32, at i: Int) {
        put16(UInt16(value & 0xFFFF), at: i)
        put16(UInt16(value >> 16), at: i + 2)
    }
}
