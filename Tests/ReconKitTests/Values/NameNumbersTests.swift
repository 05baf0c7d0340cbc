import Testing
@testable import ReconKit

/// The pricer and the closed-period index number client, radiologist and modality ids with
/// `NameNumbers`, which finds a name it saw last by the 16 bytes of the `String` value. These
/// check that those bytes never stand for another name.
@Suite("NameNumbers — names numbered in order of arrival")
struct NameNumbersTests {
    /// Long names (their bytes point to heap storage) made afresh and let go each time: the
    /// allocator hands the same address to the next one, with other text. Were the storage
    /// not kept alive by the entry that remembers its address, a name would get the number
    /// of the one freed before it.
    @Test func aFreedLongNameNeverLendsItsNumberToTheNextOneAtItsAddress() {
        var numbers = NameNumbers()
        var model: [String: UInt32] = [:]
        for i in 0..<20_000 {
            let name = "radiologist-with-a-long-id-\(i % 97)-\(i % 3 == 0 ? "night" : "day")"
            let expected = model[name] ?? UInt32(model.count)
            model[name] = expected
            #expect(numbers.number(name) == expected, "name \(i): \(name)")
        }
        #expect(numbers.table.entries.count == model.count)
    }

    /// Short names held inline and long ones on the heap, the same text built in different
    /// ways: one number a name, in order of arrival.
    @Test func equalNamesGetOneNumberHoweverTheyWereBuilt() {
        var numbers = NameNumbers()
        let ct = numbers.number("CT")
        #expect(numbers.number(String("xCT".dropFirst())) == ct)
        #expect(numbers.number(["C", "T"].joined()) == ct)
        #expect(numbers.number("MR") == ct + 1)
        let long = numbers.number(String(repeating: "x", count: 40))
        #expect(long == ct + 2)
        #expect(numbers.number(String(repeating: "x", count: 39) + "x") == long)
        #expect(numbers.number("CT") == ct)
        #expect(numbers.table.entries.map(\.id) == ["CT", "MR", String(repeating: "x", count: 40)])
    }
}
