import Foundation

/// The date, time and extra-field length of every entry of a zip file, from both the central
/// directory and the local headers (APPNOTE.TXT 4.3.7, 4.3.12, 4.3.16): where a zip keeps times.
struct ZipStamps {
    struct Stamp: Equatable, CustomStringConvertible {
        /// MS-DOS date: (year − 1980) << 9 | month << 5 | day; 0x21 is 1980-01-01.
        var date: UInt16
        /// MS-DOS time: hour << 11 | minute << 5 | second / 2.
        var time: UInt16
        var extraLength: UInt16

        var description: String { "date \(date) time \(time) extra \(extraLength)" }
    }

    struct Malformed: Error {}

    /// One stamp from the central directory and one from the local header, for each entry.
    let all: [Stamp]
    /// How many entries the central directory lists.
    let count: Int

    init(_ zip: Data) throws {
        let bytes = [UInt8](zip)
        func u16(_ at: Int) throws -> UInt16 {
            guard at >= 0, at + 2 <= bytes.count else { throw Malformed() }
            return UInt16(bytes[at]) | UInt16(bytes[at + 1]) << 8
        }
        func u32(_ at: Int) throws -> UInt32 {
            UInt32(try u16(at)) | UInt32(try u16(at + 2)) << 16
        }
        // The end of central directory record: its signature, searched from the end (a comment may follow).
        guard let end = stride(from: bytes.count - 22, through: 0, by: -1).first(where: { (try? u32($0)) == 0x0605_4b50 })
        else { throw Malformed() }
        count = Int(try u16(end + 10))
        var offset = Int(try u32(end + 16))
        var stamps: [Stamp] = []
        for _ in 0..<count {
            guard try u32(offset) == 0x0201_4b50 else { throw Malformed() }
            stamps.append(Stamp(date: try u16(offset + 14), time: try u16(offset + 12), extraLength: try u16(offset + 30)))
            let local = Int(try u32(offset + 42))
            guard try u32(local) == 0x0403_4b50 else { throw Malformed() }
            stamps.append(Stamp(date: try u16(local + 12), time: try u16(local + 10), extraLength: try u16(local + 28)))
            offset += 46 + Int(try u16(offset + 28)) + Int(try u16(offset + 30)) + Int(try u16(offset + 32))
        }
        all = stamps
    }
}
