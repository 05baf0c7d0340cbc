import Foundation
import Testing

/// Drops whose names are as long as the file system allows (255 bytes): a rejected or held one
/// is kept under a shortened name that fits beside its errors file, and never blocks the drops
/// after it (SPEC §2, §8).
@Suite("Inbox — long drop names", .serialized)
struct InboxLongNameTests {
    static let env = InboxHardeningTests.env
    static let usageHeader = InboxHardeningTests.usageHeader
    /// 243 bytes: a name Linux allows, too long to have `.errors.txt` added.
    static let longName = "usage-" + String(repeating: "東京中央病院放射線科読影報告書", count: 5) + "-2026-03.csv"

    /// A site with C1/D1 and cards for March 2026, and one report (R1) in March.
    func preparedSite() throws -> TestSite { try InboxHardeningTests().preparedSite() }

    func names(_ site: TestSite, _ dir: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: site.path(dir))) ?? []).filter { !$0.hasPrefix(".") }.sorted()
    }

    /// A rejected drop with a 243-byte name stopped every run (exit 1, "free some disk space") and
    /// every drop after it; now it is rejected under a shortened name and the others go on.
    @Test(arguments: [["ingest"], ["watch", "--once", "--stable", "0.2"]])
    func aLongNamedBadDropIsRejectedAndTheOthersGoOn(args: [String]) throws {
        #expect(Self.longName.utf8.count == 243)
        let site = try preparedSite()
        try site.drop(Self.longName, "report_id\nX\n")
        try site.drop(Self.longName.replacingOccurrences(of: "usage-", with: "usage-a"), "report_id\nY\n")
        try site.drop("usage-z.csv", Self.usageHeader + "R2,2026-03-05T10:00:00Z,C1,D1,CT,2,\n")
        let (r, killed) = try site.reconOrKill(args, env: Self.env)
        #expect(!killed && r.code == 2, "\(r.out)\(r.err)")
        #expect(names(site, "Inbox") == ["held", "rejected"], "\(r.err)")
        #expect(try site.read("Ledger/ledger.jsonl").contains("usage-z.csv"))
        let kept = names(site, "Inbox/rejected")
        #expect(kept.count == 4, "\(kept)")
        for name in kept {
            #expect(name.utf8.count <= (name.hasSuffix(".errors.txt") ? 242 : 231), "\(name)")
            #expect(name.hasPrefix("usage-") && (name.hasSuffix(".csv") || name.hasSuffix(".csv.errors.txt")), "\(name)")
        }
        let errors = try kept.filter { $0.hasSuffix(".errors.txt") }.map { try site.read("Inbox/rejected/" + $0) }
        #expect(errors.contains { $0.contains("\"\(Self.longName)\"") }, "\(errors)")
        #expect(errors.count == 2 && errors.allSatisfy { $0.hasPrefix("the header lacks reported_at") }, "\(errors)")
        #expect(r.err.contains("\(Self.longName): kept as Inbox/rejected/"), "\(r.err)")
        #expect(try site.recon(["verify"], env: Self.env).code == 0)
    }

    /// The same long name rejected twice, and held twice: each kept, none overwritten (`-2`).
    @Test func longNamesKeepTheNoOverwriteRule() throws {
        let site = try preparedSite()
        for text in ["report_id\nX\n", "report_id\nY\n"] {
            try site.drop(Self.longName, text)
            #expect(try site.recon(["ingest"], env: Self.env).code == 2)
        }
        let rejected = names(site, "Inbox/rejected").filter { !$0.hasSuffix(".errors.txt") }
        #expect(rejected.count == 2 && rejected.allSatisfy { $0.utf8.count <= 231 }, "\(rejected)")
        #expect(rejected.contains { $0.hasSuffix("-2.csv") }, "\(rejected)")
        #expect(Set(try rejected.map { try site.read("Inbox/rejected/" + $0) }) == ["report_id\nX\n", "report_id\nY\n"])
        // The line naming the file is no problem of its own.
        let status = try site.recon(["status"], env: Self.env)
        #expect(status.out.components(separatedBy: ": 1 problem\n").count == 3, "\(status.out)")

        #expect(try site.recon(["close", "2026-03"], env: Self.env).code == 0)
        for id in ["R10", "R11"] {
            try site.drop(Self.longName, Self.usageHeader + "\(id),2026-03-20T10:00:00Z,C1,D1,CT,1,\n")
            let held = try site.recon(["ingest"], env: Self.env)
            #expect(held.code == 3, "\(held.out)\(held.err)")
            #expect(held.err.contains("\(Self.longName): kept as Inbox/held/"), "\(held.err)")
        }
        let held = names(site, "Inbox/held")
        #expect(held.count == 2 && held.allSatisfy { $0.utf8.count <= 231 && $0.hasSuffix(".csv") }, "\(held)")
        #expect(names(site, "Inbox") == ["held", "rejected"])
        // The rerun applies them from their shortened names.
        let key = try site.operatorKey("asha", listed: true, env: Self.env)
        let rerun = try site.recon(["rerun", "2026-03", "--reason", "late reports", "--key", key], env: Self.env)
        #expect(rerun.code == 0, "\(rerun.out)\(rerun.err)")
        #expect(names(site, "Inbox/held").isEmpty)
    }
}
