import Testing

@testable import ReconKit

/// Stepping over a JSON string's plain bytes eight at a time must stop exactly where a byte
/// loop stops, wherever the byte that needs a look sits within or across the words, and the
/// parser built on it must read long strings (every byte after the first eight) as before.
@Suite("A string's plain bytes are stepped over a word at a time")
struct PlainStringBytesTests {
    /// Bytes that need a look (a quote, a backslash, control characters, UTF-8 leads and
    /// continuations) and plain bytes next to them in value.
    static let special: [UInt8] = [0x22, 0x5C, 0x00, 0x01, 0x09, 0x1F, 0x80, 0xA0, 0xC3, 0xE2, 0xFF]
    static let plainNeighbours: [UInt8] = [0x20, 0x21, 0x23, 0x5B, 0x5D, 0x7E, 0x7F, 0x30, 0x61]

    /// Where a byte loop stops.
    static func byByte(_ bytes: [UInt8], from start: Int) -> Int {
        var i = start
        while i < bytes.count {
            let b = bytes[i]
            if b == 0x22 || b == 0x5C || b < 0x20 || b >= 0x80 { return i }
            i += 1
        }
        return i
    }

    static func byWord(_ bytes: [UInt8], from start: Int) -> Int {
        bytes.withUnsafeBufferPointer { PlainStringBytes.end(in: $0, from: start) }
    }

    @Test func everyByteThatNeedsALookIsFoundAtEveryPlaceFromEveryStart() {
        var cases = 0
        for length in 0...40 {
            for filler in Self.plainNeighbours {
                for place in 0..<max(length, 1) where length > 0 {
                    for byte in Self.special {
                        var bytes = [UInt8](repeating: filler, count: length)
                        bytes[place] = byte
                        for start in 0...length {
                            let expected = start <= place ? place : length
                            #expect(Self.byWord(bytes, from: start) == expected,
                                    "length \(length), \(byte) at \(place), from \(start)")
                            #expect(Self.byByte(bytes, from: start) == expected)
                            cases += 1
                        }
                    }
                }
                #expect(Self.byWord([UInt8](repeating: filler, count: length), from: 0) == length)
            }
        }
        #expect(cases > 100_000)
    }

    /// Two bytes that need a look in one word, the later one of a kind whose test borrows
    /// across bytes: the earlier is the one found.
    @Test func theFirstOfTwoIsFound() {
        for first in 0..<16 {
            for second in (first + 1)..<17 {
                for (a, b) in [(UInt8(0x00), UInt8(0x22)), (0x22, 0x00), (0x5C, 0x01), (0x1F, 0x80), (0xC3, 0x5C), (0x01, 0x01)] {
                    var bytes = [UInt8](repeating: 0x41, count: 24)
                    bytes[first] = a
                    bytes[second] = b
                    #expect(Self.byWord(bytes, from: 0) == first, "\(a) at \(first), \(b) at \(second)")
                }
            }
        }
    }

    @Test func randomBytesStopWhereAByteLoopStops() {
        var g = JSONSkippingTests.Generator(state: 2026_12_04)
        for _ in 0..<20_000 {
            let length = g.below(48)
            // Mostly plain, so that runs longer than a word are common.
            let bytes = (0..<length).map { _ in g.chance(6) ? UInt8(truncatingIfNeeded: g.next()) : UInt8(0x20 + g.below(0x5F)) }
            let start = g.below(length + 1)
            #expect(Self.byWord(bytes, from: start) == Self.byByte(bytes, from: start), "\(bytes) from \(start)")
        }
    }

    /// A long string with a byte needing a look at each place: parsed and skipped alike,
    /// with the error at that byte's offset, or the text it stands for.
    @Test func longStringsParseAsTheyRead() throws {
        let plain = Array("0123456789abcdefghijklmnopqrstuvwxyz-CT, routine".utf8)
        for place in 0..<plain.count {
            for (inserted, expected) in [([UInt8(0x01)], nil), ([0x09], nil), (Array("é".utf8), "é"), (Array("—".utf8), "—"),
                                         (Array(#"\""#.utf8), "\""), (Array(#"\u00e9"#.utf8), "é"), ([0xC3, 0x28], nil), ([0xFF], nil)] as [([UInt8], String?)] {
                var inside = plain
                inside.insert(contentsOf: inserted, at: place)
                let text = [UInt8(ascii: "\"")] + inside + [UInt8(ascii: "\"")]
                let parsed = Result { try JSONParser.parse(text) }
                if let expected {
                    var want = plain.map { Character(Unicode.Scalar($0)) }
                    want.insert(contentsOf: expected, at: place)
                    #expect(try parsed.get().stringValue == String(want), "\(expected) at \(place)")
                } else {
                    guard case .failure(let error as JSONParseError) = parsed else {
                        Issue.record("\(inserted) at \(place) was accepted")
                        continue
                    }
                    // The quote is byte 0: the bad byte is at place + 1.
                    #expect(error.offset == place + 1, "\(inserted) at \(place): \(error)")
                }
                // Inside a skipped member, the same verdict.
                let line = Array(#"{"body":{"lines":["#.utf8) + text + Array(#"]}}"#.utf8)
                let built = JSONSkippingTests.building(line), skipped = JSONSkippingTests.skipping(line)
                #expect(skipped == built, "\(inserted) at \(place)")
            }
        }
    }
}
