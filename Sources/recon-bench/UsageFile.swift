import Foundation

/// Writes generated usage rows straight to a file in bounded chunks, so a month of
/// millions of reports never sits in memory whole.
///
/// The rows are a pure function of the first report number: the same call writes the same
/// bytes. Report ids are `R` and eight digits, so months given disjoint ranges of numbers
/// never collide.
struct UsageFile {
    static let header = "report_id,reported_at,client_id,radiologist_id,modality,image_count,urgency\n"
    private static let chunkBytes = 4 << 20

    /// Writes `count` reports numbered from `first`, spread over `month`, to `path`.
    static func write(_ path: String, count: Int, first: Int, month: BenchMonth) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil) else {
            throw BenchFailure("cannot create \(path)")
        }
        let file = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? file.close() }
        var out = [UInt8]()
        out.reserveCapacity(chunkBytes + 128)
        out += Array(header.utf8)
        var rng: UInt64 = 0x9E37_79B9_7F4A_7C15 &+ UInt64(first)
        func next() -> UInt64 {
            rng &+= 0x9E37_79B9_7F4A_7C15
            var z = rng
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        func digits(_ value: Int, _ width: Int) {
            var divisor = 1
            for _ in 1..<width { divisor *= 10 }
            var v = value
            if v >= divisor * 10 {  // wider than asked: write it whole
                out += Array(String(v).utf8)
                return
            }
            while divisor > 0 {
                out.append(UInt8(ascii: "0") + UInt8(v / divisor))
                v %= divisor
                divisor /= 10
            }
        }
        let monthPrefix = Array("\(month)-".utf8)
        let modalities = BenchData.modalities.map { Array($0.utf8) }
        let clientStart = Array("Z,C".utf8), radiologistStart = Array(",D".utf8)
        let stat = Array(",stat\n".utf8), routine = Array(",routine\n".utf8)
        for i in first..<(first + count) {
            let second = Int(next() % UInt64(month.days * 86_400))
            out.append(UInt8(ascii: "R"))
            digits(i, 8)
            out.append(UInt8(ascii: ","))
            out += monthPrefix
            digits(second / 86_400 + 1, 2)
            out.append(UInt8(ascii: "T"))
            digits(second / 3600 % 24, 2)
            out.append(UInt8(ascii: ":"))
            digits(second / 60 % 60, 2)
            out.append(UInt8(ascii: ":"))
            digits(second % 60, 2)
            out += clientStart
            digits(Int(next() % 200), 3)
            out += radiologistStart
            digits(Int(next() % 300), 3)
            out.append(UInt8(ascii: ","))
            out += modalities[Int(next() % 5)]
            out.append(UInt8(ascii: ","))
            digits(Int(1 + next() % 8), 1)
            out += next() % 10 == 0 ? stat : routine
            if out.count >= chunkBytes {
                try file.write(contentsOf: out)
                out.removeAll(keepingCapacity: true)
            }
        }
        try file.write(contentsOf: out)
    }
}
