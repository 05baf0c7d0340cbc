import Testing

@testable import ReconKit

/// Every entry's `at` is a UTC second as recon writes it, none before the one it follows
/// (`EntryTimes`): a close stamps its thousands of entries with one time, read once.
struct EntryTimesTests {
    static func entries(_ times: [String]) -> [LedgerEntry] {
        times.enumerated().map { LedgerEntry(seq: $0.offset + 1, at: $0.element, kind: "flag.raised", body: [:], prev: LedgerEntry.zeroHash) }
    }

    static func damage(_ times: [String]) -> LedgerDamage? {
        do {
            try EntryTimes.check(entries(times))
            return nil
        } catch {
            return error as? LedgerDamage
        }
    }

    @Test func timesInOrderPassAndOneTimeRepeatedIsOneTime() {
        #expect(Self.damage(["2026-03-01T09:00:00Z"] + Array(repeating: "2026-04-02T09:00:00Z", count: 500) + ["2026-04-02T09:00:01Z"]) == nil)
        #expect(Self.damage([]) == nil)
    }

    @Test(arguments: [
        (["2026-03-01T09:00:00Z", "2026-02-30T09:00:00Z"], 2, "is not a UTC time"),  // no such day
        (["2026-03-01T09:00:00Z", "2026-03-01T09:00:00Z", "2026-03-01T09:00:00+00:00"], 3, "is not a UTC time"),
        (["2026-03-01T09:00:00Z", "2026-03-01T24:00:00Z"], 2, "is not a UTC time"),
        (["2026-03-01 09:00:00Z"], 1, "is not a UTC time"),
        (["2026-03-01T09:00:00Z", "2026-03-01T09:00:00Z", "2026-03-01T08:59:59Z"], 3, "is before that of the entry it follows"),
        (["2026-03-01T09:00:00Z", "2025-12-31T23:59:59Z", "2025-12-31T23:59:59Z"], 2, "is before that of the entry it follows"),
    ] as [([String], Int, String)])
    func aTimeThatIsNoneOrOutOfOrderIsDamage(times: [String], seq: Int, says: String) throws {
        let damage = try #require(Self.damage(times))
        #expect(damage.seq == seq)
        #expect(damage.message.contains(says), "\(damage)")
    }
}
