import Testing
@testable import ReconKit

/// The pricer's and validator's id table agrees with a Dictionary on every lookup.
@Suite("IdTable — ids to values for the per-report loops")
struct IdTableTests {
    @Test func insertKeepsTheFirstValueAndTheOrderOfArrival() {
        var table = IdTable<Int>()
        #expect(table.insert("C-0042", 1) == (position: 0, inserted: true))
        #expect(table.insert("D-7", 2) == (position: 1, inserted: true))
        #expect(table.insert("C-0042", 3) == (position: 0, inserted: false))
        #expect(table["C-0042"] == 1)
        #expect(table["C-0043"] == nil)
        #expect(table.entries.map(\.id) == ["C-0042", "D-7"])
        table.setValue(9, at: 0)
        #expect(table["C-0042"] == 9)
    }

    /// Every byte of an id counts in its hash, wherever it stands: ids that differ in one byte
    /// or in the order of their bytes (every id of one to three characters over a small
    /// alphabet, and ids of nine to fifteen that differ in their last bytes) hash apart, so
    /// lookups stay short. Equal ids hash alike, stored inline or on the heap.
    @Test func everyByteOfAnIdCountsInItsHash() {
        let alphabet = Array("AB09._-z")
        var ids: [String] = alphabet.map { String($0) }
        for a in alphabet { for b in alphabet { ids.append(String([a, b])); for c in alphabet { ids.append(String([a, b, c])) } } }
        for length in 9...15 {
            for a in alphabet { for b in alphabet { ids.append(String(repeating: "R", count: length - 2) + String([a, b])) } }
        }
        let hashes = ids.map { IdTable<Int>.hash($0) }
        #expect(Set(hashes).count == Set(ids).count)
        let heap = String(repeating: "q", count: 40)
        #expect(IdTable<Int>.hash(String(("x" + heap).dropFirst())) == IdTable<Int>.hash(heap))
    }

    /// Ids of every length the SPEC allows (and longer), the same text stored inline and on
    /// the heap, and a hundred thousand seeded ones: the table answers as a Dictionary does.
    @Test func agreesWithADictionary() {
        var generator = SplitMix64(seed: 12)
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-")
        var ids: [String] = ["", "a", "é", "R-00000001", String(repeating: "x", count: 64), String(repeating: "y", count: 200)]
        for _ in 0..<100_000 {
            let length = Int(generator.next() % 24) + 1
            ids.append(String((0..<length).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] }))
        }
        var table = IdTable<Int>(), model: [String: Int] = [:]
        for (k, id) in ids.enumerated() {
            let added = table.insert(id, k)
            #expect(added.inserted == (model[id] == nil))
            if model[id] == nil { model[id] = k }
        }
        #expect(table.count == model.count)
        for (id, value) in model { #expect(table[id] == value) }
        // The same text, one copy sliced out of a longer string (stored apart from the first).
        let long = "prefix-" + ids[3] + "-suffix"
        let sliced = String(long.dropFirst(7).dropLast(7))
        #expect(table[sliced] == model[ids[3]])
        for _ in 0..<1_000 {
            let probe = "Z" + String(generator.next(), radix: 36)
            #expect(table[probe] == model[probe])
        }
    }
}
