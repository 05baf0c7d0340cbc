import Foundation
import Testing

@testable import CSV

/// The CSV parser's own field buffers, against a model kept in Swift arrays, and the reader
/// over them against rows written out by hand-made rules.
@Suite struct FieldStoreTests {
    /// A model: the fields as arrays of bytes.
    private func contents(_ store: FieldStore) -> [[UInt8]] {
        store.withBuffers { bytes, starts in
            starts.indices.map { i in
                let end = i + 1 < starts.count ? starts[i + 1] : bytes.count
                return Array(bytes[starts[i]..<end])
            }
        }
    }

    private func append(_ field: [UInt8], to store: FieldStore) {
        field.withUnsafeBytes { store.append($0.baseAddress, count: $0.count) }
    }

    @Test func fieldsGrowPastTheRoomTheyStartWithAndKeepTheirBytes() {
        let store = FieldStore(bytes: 16, fields: 16)
        var model: [[UInt8]] = []
        var random = SystemRandomNumberGenerator()
        for n in 0..<3_000 {
            // Empty fields, short ones, and some longer than every room before them.
            let length = n % 500 == 7 ? 9_000 + n : Int.random(in: 0...24, using: &random)
            let field = (0..<length).map { UInt8(truncatingIfNeeded: n &* 31 &+ $0) }
            append(field, to: store)
            model.append(field)
        }
        #expect(store.fieldCount == model.count)
        #expect(store.byteCount == model.reduce(0) { $0 + $1.count })
        #expect(contents(store) == model)
    }

    @Test func removingTheFirstFieldsMovesTheRestToTheFrontWithTheirStarts() {
        let store = FieldStore(bytes: 16, fields: 16)
        var model: [[UInt8]] = []
        for n in 0..<200 {
            let field = [UInt8](repeating: UInt8(n), count: n % 7)
            append(field, to: store)
            model.append(field)
        }
        let bytes = model[..<150].reduce(0) { $0 + $1.count }
        store.removeFirst(fields: 150, bytes: bytes)
        model.removeFirst(150)
        #expect(contents(store) == model)
        // Fields appended after the move follow the ones kept.
        append([1, 2, 3], to: store)
        model.append([1, 2, 3])
        #expect(contents(store) == model)
        // More bytes kept than removed: where they go overlaps where they were.
        let long = (0..<300).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        append(long, to: store)
        model.append(long)
        store.removeFirst(fields: 1, bytes: model[0].count)
        model.removeFirst()
        #expect(contents(store) == model)
    }

    @Test func removingFieldsFromOneOnForgetsThemAndTheirBytes() {
        let store = FieldStore()
        for field: [UInt8] in [[65], [66, 66], [], [67, 67, 67]] { append(field, to: store) }
        store.removeFields(from: 1, bytesFrom: 1)
        #expect(contents(store) == [[65]])
        append([68], to: store)
        #expect(contents(store) == [[65], [68]])
        store.removeAll()
        #expect(store.fieldCount == 0 && store.byteCount == 0)
        #expect(contents(store).isEmpty)
    }

    /// Rows written as CSV by the rules of RFC 4180 (a field with a comma, quote or line break
    /// quoted, its quotes doubled) read back as the same rows, on the lines they start on,
    /// over more records than one hand-over and with fields longer than the buffer's first room.
    @Test func rowsWrittenByHandReadBackAsTheSameRows() {
        var random = SystemRandomNumberGenerator()
        let pieces = ["a", "b1", "x y", "", "q\"q", "c,d", "line\nbreak", "é", String(repeating: "z", count: 5_000)]
        var rows: [[String]] = [], text = "", line = 1, startLines: [Int] = []
        for _ in 0..<400 {
            var row = (0..<4).map { _ in pieces[Int.random(in: 0..<pieces.count, using: &random)] }
            // A row of empty fields is written `,,,`, a blank line the reader skips (SPEC §2).
            if row.allSatisfy(\.isEmpty) { row[0] = "a" }
            rows.append(row)
            startLines.append(line)
            text += row.map { field in
                field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" })
                    ? "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : field
            }.joined(separator: ",") + "\n"
            line += 1 + row.reduce(0) { $0 + $1.filter { $0 == "\n" }.count }
        }
        var read: [[String]] = [], lines: [Int] = []
        let problems = Array(text.utf8).withUnsafeBytes { buffer in
            CSVReader.read(buffer, maxFieldBytes: 65_536) { line, fields in
                read.append(fields)
                lines.append(line)
            }
        }
        #expect(problems.isEmpty)
        #expect(read == rows)
        #expect(lines == startLines)
    }
}
