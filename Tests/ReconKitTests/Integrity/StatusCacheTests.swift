import Foundation
import Testing

@testable import ReconKit

/// `recon status` shows its figures from `.recon/status.cache` when the cache describes the
/// site as it is (`StatusCache`). These tests check that what it shows then is what the
/// ledger gives, and try to get it shown for a site that changed, or from a cache the site
/// key did not sign. Each runs the real `recon` on a real site.
@Suite("The status cache: shown only for the site it describes")
struct StatusCacheTests {
    static let day = TestSite.closeDay
    static let nextDay = ["RECON_NOW": "2026-04-03T09:00:00Z"]
    static let marker = "MARKED: figures from the cache\n"

    /// March open with its usage, then a decision's drafts: the writer leaves a cache.
    static func site() throws -> TestSite {
        let site = try TestSite.marchSite()
        #expect(site.exists(StatusCache.relativePath))
        return site
    }

    func run(_ site: TestSite, _ args: [String], env: [String: String] = StatusCacheTests.day) throws -> TestSite.Run {
        let r = try site.recon(args, env: env)
        #expect(r.code == 0, "\(args): \(r.out)\(r.err)")
        return r
    }

    /// The cache on disk, read under the site key.
    func cache(_ site: TestSite) throws -> StatusCache {
        let s = Site(root: site.root)
        return try #require(try StatusCache.read(s, verifier: try SiteKeyFile.load(s).verifierKey))
    }

    /// The site's cache with a line no computed status has, signed again with the site key:
    /// `status` shows the line only when it uses the cache.
    func plantMarker(_ site: TestSite) throws {
        var planted = try cache(site)
        planted.settled.textAfterCheckpoint = Self.marker + planted.settled.textAfterCheckpoint
        try planted.write(Site(root: site.root), key: try SiteKeyFile.load(Site(root: site.root)))
    }

    /// The writer's cache gives, byte for byte, the text and JSON that computing them gives;
    /// a status that had to compute them keeps them, and `recon verify` accepts the cache.
    @Test func statusFromTheCacheIsStatusFromTheLedger() throws {
        let site = try Self.site()
        let cachedText = try run(site, ["status"]).out
        let cachedJSON = try run(site, ["status", "--json"]).out
        #expect(try run(site, ["verify"]).code == 0)
        try FileManager.default.removeItem(atPath: site.path(StatusCache.relativePath))
        #expect(try run(site, ["status"]).out == cachedText)
        #expect(site.exists(StatusCache.relativePath))
        try FileManager.default.removeItem(atPath: site.path(StatusCache.relativePath))
        #expect(try run(site, ["status", "--json"]).out == cachedJSON)
        #expect(cachedText.contains("open 2026-03 (draft): 4 billable reports"), "\(cachedText)")
        // The folders are read each time: a drop waiting in the Inbox is listed from the cache too.
        try site.drop("usage-2026-04.csv", TestSite.april)
        #expect(try run(site, ["status"]).out.contains("inbox: 1 waiting (usage-2026-04.csv)"))
    }

    /// After a close, a rerun, a credit note and an April ingest, the writer's cache holds the
    /// closed period's documents as the status JSON has always shown them, in canonical form
    /// (they are written straight into bytes), and the figures `status` computes.
    @Test func closedPeriodsAreKeptCanonicalAndAsComputed() throws {
        let site = try TestSite.trustSite()
        let s = Site(root: site.root)
        let text = try #require(try SignedNote.openCacheBytes(StatusCache.relativePath, of: s, verifier: try SiteKeyFile.load(s).verifierKey))
        let body = Array(text.dropFirst(StatusCache.header.utf8.count + 1).dropLast())
        let parsed = try body.withUnsafeBufferPointer { try JSONParser.parse(buffer: $0) }
        #expect(JCS.canonical(parsed) == body, "the cache's text is not in canonical form")
        let closedBytes = Array(try Data(contentsOf: URL(fileURLWithPath: site.path(StatusCache.closedRelativePath))))
        let closedParsed = try closedBytes.withUnsafeBufferPointer { try JSONParser.parse(buffer: $0) }
        #expect(JCS.canonical(closedParsed) == closedBytes, "the closed periods' part is not in canonical form")

        let kept = try cache(site).settled.json
        let session = try SiteSession(site: s, writing: false, log: ConsoleLog.logger(.text), clock: try SiteClock.fromEnvironment(TestSite.aprilLater))
        let state = session.state
        // What each closed period shows, built here from the state's documents as SPEC §8's `status --json` lists them.
        let expected: [JSONValue] = state.closedPeriods.sorted { $0.key < $1.key }.map { period, seq in
            .object([
                "period": .string(period.description), "seq": .int(Int64(seq)),
                "documents": .array(state.issued.filter { $0.period == period }.map { d in
                    .object(["number": .string(d.number), "kind": .string(d.kind.rawValue), "party_id": .string(d.partyId),
                             "currency": .string(d.currency.code), "total": .string(d.total.description), "seq": .int(Int64(d.seq))])
                }),
                "awaiting_rerun": .array((state.awaitingRerun[period] ?? []).map { .string($0) }),
                "undecided_hard_flags": .array([]),
            ])
        }
        #expect(kept["closed_periods"] == .array(expected))
        // Invoices, payout statements, the credit note and the rerun's payout adjustments of March.
        guard case .array(let periods)? = kept["closed_periods"], case .array(let docs)? = periods.first?["documents"] else {
            Issue.record("no closed period kept")
            return
        }
        #expect(Set(docs.compactMap { $0["kind"]?.stringValue }) == ["invoice", "payout", "credit_note", "payout_adjustment"])
        #expect(try StatusReport.settled(session: session) == (try cache(site).settled))
    }

    /// A planted line shows that the cache is used; a new day, an edited `recon.toml`, a
    /// missing drop cache or a new entry each make `status` compute the figures instead.
    @Test func aCacheIsShownOnlyForTheSiteAsItIs() throws {
        let site = try Self.site()
        try plantMarker(site)
        #expect(try run(site, ["status"]).out.contains(Self.marker))
        // `recon verify` computes the figures of a cache status would use, and finds the planted line.
        let verify = try site.recon(["verify"], env: Self.day)
        #expect(verify.code == 4, "\(verify.out)")
        #expect(verify.out.contains("status.cache shows other figures than the ledger gives"), "\(verify.out)")

        #expect(!(try run(site, ["status"], env: Self.nextDay).out.contains(Self.marker)))

        try plantMarker(site)
        let toml = try site.read("recon.toml")
        try (toml + "\n# a comment\n").write(toFile: site.path("recon.toml"), atomically: true, encoding: .utf8)
        #expect(!(try run(site, ["status"]).out.contains(Self.marker)))
        try toml.write(toFile: site.path("recon.toml"), atomically: true, encoding: .utf8)

        try plantMarker(site)
        let cacheFile = try #require(FileIO.list(site.path(".recon/cache")).first { $0.hasSuffix(".bin") })
        try FileManager.default.removeItem(atPath: site.path(".recon/cache/" + cacheFile))
        #expect(!(try run(site, ["status"]).out.contains(Self.marker)))
        #expect(site.exists(".recon/cache/" + cacheFile), "the long way puts a missing drop cache back")

        try plantMarker(site)
        try site.drop("usage-2026-03-more.csv", """
            report_id,reported_at,client_id,radiologist_id,modality,image_count
            R9,2026-03-09T10:00:00Z,C2,D2,XR,1
            """)
        #expect(try run(site, ["ingest"]).code == 0)
        let after = try run(site, ["status"]).out
        #expect(!after.contains(Self.marker))
        #expect(after.contains("open 2026-03 (draft): 5 billable reports"), "\(after)")
    }

    /// A byte of `relative` flipped in place, its modification time put back to the nanosecond
    /// (`touch -r`): only its status-change time tells.
    func flipKeepingTimes(_ site: TestSite, _ relative: String, at offset: Int) throws {
        let path = site.path(relative)
        var was = stat()
        #expect(lstat(path, &was) == 0)
        let fd = open(path, O_RDWR)
        #expect(fd >= 0)
        var byte: UInt8 = 0
        #expect(pread(fd, &byte, 1, off_t(offset)) == 1)
        byte ^= 0x01
        #expect(pwrite(fd, &byte, 1, off_t(offset)) == 1)
        close(fd)
        var times = [was.st_atim, was.st_mtim]
        #expect(utimensat(AT_FDCWD, path, &times, 0) == 0)
    }

    /// Damage the long way refuses or warns about, made where the cache's key did not look: an
    /// archived clients drop or a drop cache edited with its time put back, another site's public key
    /// in `site.pub`, `Ledger/drops` swapped for a link. `status` answered from the cache, exit 0,
    /// with no word of it; it computes the figures now, and finds what is wrong.
    @Test(arguments: ["archived drop", "drop cache", "site.pub", "drops folder"])
    func damageTheCacheDidNotLookAtSendsStatusTheLongWay(damage: String) throws {
        let site = try Self.site()
        try plantMarker(site)
        #expect(try run(site, ["status"]).out.contains(Self.marker))
        switch damage {
        case "archived drop":
            // The clients drop, which every command reads again (a usage drop's vouched cache is read instead).
            let sha = try #require(try site.bodies("drop.accepted").first { $0["kind"] as? String == "clients" }?["sha256"] as? String)
            try flipKeepingTimes(site, "Ledger/drops/\(sha).csv", at: 40)
        case "drop cache":
            let file = try #require(FileIO.list(site.path(".recon/cache")).first { $0.hasSuffix(".bin") })
            try flipKeepingTimes(site, ".recon/cache/" + file, at: 100)
        case "site.pub":
            let other = try TestSite()
            #expect(try other.recon(["init", "--name", "other-site", "--base-currency", "INR", "--timezone", "UTC"], env: Self.day).code == 0)
            try FileManager.default.removeItem(atPath: site.path("Ledger/keys/site.pub"))
            try FileManager.default.copyItem(atPath: other.path("Ledger/keys/site.pub"), toPath: site.path("Ledger/keys/site.pub"))
        default:
            try FileManager.default.moveItem(atPath: site.path("Ledger/drops"), toPath: site.path("drops-elsewhere"))
            try FileManager.default.createSymbolicLink(atPath: site.path("Ledger/drops"), withDestinationPath: site.path("drops-elsewhere"))
        }
        let status = try site.recon(["status"], env: Self.day)
        #expect(!status.out.contains(Self.marker), "\(damage): shown from the cache")
        // The long way: refused (exit 4), or a cache it does not read named.
        #expect(status.code == 4 || status.err.contains("does not match"), "\(damage): \(status.code) \(status.out)\(status.err)")
    }

    /// One byte of the ledger changed in place: `status` finds the damage, as it always has,
    /// rather than showing the figures kept for the ledger as it was.
    @Test func aChangedLedgerIsNeverShownFromTheCache() throws {
        let site = try Self.site()
        try plantMarker(site)
        let ledger = site.path("Ledger/ledger.jsonl")
        var bytes = try Data(contentsOf: URL(fileURLWithPath: ledger))
        // The March usage drop's row count, 4, recorded as 5: same length, same place.
        let at = try #require(bytes.range(of: Data(#""rows":4"#.utf8))).upperBound - 1
        bytes[at] = UInt8(ascii: "5")
        try bytes.write(to: URL(fileURLWithPath: ledger))
        let status = try site.recon(["status"], env: Self.day)
        #expect(status.code == 4, "\(status.out)\(status.err)")
        #expect(!status.out.contains(Self.marker))
    }

    /// `recon verify` computes a current cache's figures again without writing anything,
    /// even where reading the site the usual way would put a missing drop cache back: here
    /// a cache made (and signed with the site key) while the drop cache was gone.
    @Test func verifyChecksACurrentCacheWritingNothing() throws {
        let site = try Self.site()
        let cacheFile = try #require(FileIO.list(site.path(".recon/cache")).first { $0.hasSuffix(".bin") })
        try FileManager.default.removeItem(atPath: site.path(".recon/cache/" + cacheFile))
        var current = try cache(site)
        current.key.files[".recon/cache/" + cacheFile] = nil
        try current.write(Site(root: site.root), key: try SiteKeyFile.load(Site(root: site.root)))
        let verify = try site.recon(["verify"], env: Self.day)
        #expect(verify.code == 0, "\(verify.out)")
        #expect(!site.exists(".recon/cache/" + cacheFile), "verify wrote the drop cache back")
        // The cache is the one status would show: planted figures are found.
        try plantMarker(site)
        #expect(try site.recon(["verify"], env: Self.day).code == 4)
        #expect(!site.exists(".recon/cache/" + cacheFile))
    }

    /// A cache signed by another key is not used (a warning says so) and `recon verify`
    /// reports it; the next status writes a good one.
    @Test func aCacheSignedByAnotherKeyIsIgnoredAndReported() throws {
        let site = try Self.site()
        var planted = try cache(site)
        planted.settled.textAfterCheckpoint = Self.marker + planted.settled.textAfterCheckpoint
        try planted.write(Site(root: site.root), key: try SigningKey.generate(name: "trust-site"))
        let status = try run(site, ["status"])
        #expect(!status.out.contains(Self.marker))
        #expect(status.err.contains("ignored .recon/status.cache"), "\(status.err)")
        // That status kept a good cache: plant the stranger's again for verify.
        try planted.write(Site(root: site.root), key: try SigningKey.generate(name: "trust-site"))
        let verify = try site.recon(["verify"], env: Self.day)
        #expect(verify.code == 4, "\(verify.out)")
        #expect(verify.out.contains(".recon/status.cache"), "\(verify.out)")
        #expect(try run(site, ["status"]).code == 0)
        #expect(try run(site, ["verify"]).code == 0)
    }

    /// The closed periods' part is a file of its own: a drop into the open month names it again
    /// without writing it; after a credit note on the closed month the next writer writes it
    /// anew; either way `status` from the cache is `status` computed.
    @Test func aDropIntoTheOpenMonthLeavesTheClosedPartAsItIs() throws {
        let site = try TestSite.trustSite()
        let closed = site.path(StatusCache.closedRelativePath)
        let before = try #require(FileStamp.of(closed))
        let note = try site.read(StatusCache.relativePath)
        try site.drop("usage-2026-04-more.csv", """
            report_id,reported_at,client_id,radiologist_id,modality,image_count
            R21,2026-04-06T10:00:00Z,C1,D1,CT,1
            """)
        #expect(try run(site, ["ingest"], env: TestSite.aprilLater).code == 0)
        #expect(FileStamp.of(closed) == before, "the closed periods' part was written again")
        #expect(try site.read(StatusCache.relativePath) != note, "the drop's cache was not written")
        try expectCacheIsComputed(site)

        // A second credit note on March, then a drop: the part holds the new document.
        let credit = try site.recon(["credit", "INV-2026-000003", "--amount", "10.00", "--reason", "late fee waived",
                                     "--key", site.path("operator-keys/asha.key")], env: TestSite.aprilLater)
        #expect(credit.code == 0, "\(credit.err)")
        try site.drop("usage-2026-04-last.csv", """
            report_id,reported_at,client_id,radiologist_id,modality,image_count
            R22,2026-04-07T10:00:00Z,C1,D1,CT,1
            """)
        #expect(try run(site, ["ingest"], env: TestSite.aprilLater).code == 0)
        #expect(FileStamp.of(closed) != before, "a credit note on a closed month left its part as it was")
        #expect(try site.read(StatusCache.closedRelativePath).contains("CN-2026-000002"))
        try expectCacheIsComputed(site)
    }

    /// `status --json` from the cache is what it computes once the cache is gone.
    func expectCacheIsComputed(_ site: TestSite) throws {
        let cached = try run(site, ["status", "--json"], env: TestSite.aprilLater).out
        try FileManager.default.removeItem(atPath: site.path(StatusCache.relativePath))
        #expect(try run(site, ["status", "--json"], env: TestSite.aprilLater).out == cached)
        #expect(site.exists(StatusCache.relativePath) && site.exists(StatusCache.closedRelativePath))
    }

    /// A closed periods' part changed on disk is never shown: `status` warns and computes the
    /// figures, `recon verify` reports it, and a writer names the part it made, never the
    /// changed one. One that is gone is as a cache that is gone: computed and kept again.
    @Test func aChangedClosedPartIsNeverShownNorSignedOver() throws {
        let site = try TestSite.trustSite()
        let good = try site.read(StatusCache.closedRelativePath)
        let computed = try run(site, ["status", "--json"], env: TestSite.aprilLater).out
        // A document's total, one digit changed: the same length.
        let at = try #require(good.range(of: #""total":""#)).upperBound
        let digit = good[at]
        let changed = good.replacingCharacters(in: at...at, with: digit == "9" ? "8" : "9")
        try changed.write(toFile: site.path(StatusCache.closedRelativePath), atomically: true, encoding: .utf8)

        let status = try run(site, ["status", "--json"], env: TestSite.aprilLater)
        #expect(status.out == computed)
        #expect(status.err.contains("ignored .recon/status-closed.json"), "\(status.err)")
        try changed.write(toFile: site.path(StatusCache.closedRelativePath), atomically: true, encoding: .utf8)
        let verify = try site.recon(["verify"], env: TestSite.aprilLater)
        #expect(verify.code == 4, "\(verify.out)")
        #expect(verify.out.contains(".recon/status-closed.json"), "\(verify.out)")

        try site.drop("usage-2026-04-more.csv", """
            report_id,reported_at,client_id,radiologist_id,modality,image_count
            R21,2026-04-06T10:00:00Z,C1,D1,CT,1
            """)
        #expect(try run(site, ["ingest"], env: TestSite.aprilLater).code == 0)
        #expect(try site.read(StatusCache.closedRelativePath) == changed, "the writer wrote the part again")
        let after = try run(site, ["status", "--json"], env: TestSite.aprilLater)
        #expect(after.err.contains("ignored .recon/status-closed.json"), "the writer signed over the changed part: \(after.err)")
        #expect(try site.read(StatusCache.closedRelativePath) == good, "status kept the part it computed")
        let again = try run(site, ["status", "--json"], env: TestSite.aprilLater)
        #expect(again.out == after.out && !again.err.contains("ignored"), "\(again.err)")
        #expect(try site.recon(["verify"], env: TestSite.aprilLater).code == 0)

        try FileManager.default.removeItem(atPath: site.path(StatusCache.closedRelativePath))
        let gone = try run(site, ["status", "--json"], env: TestSite.aprilLater)
        #expect(gone.out == after.out && gone.err.isEmpty, "\(gone.err)")
        #expect(try site.read(StatusCache.closedRelativePath) == good)
        #expect(try site.recon(["verify"], env: TestSite.aprilLater).code == 0)
    }

    /// A site upgraded from a build whose cache had another form (`recon status cache 1`, the
    /// closed periods inside the note): it is a cache this program does not read, so `status`
    /// computes the figures without a warning and keeps them in its own form, and `recon
    /// verify` finds nothing wrong — an upgrade is not damage.
    @Test func aCacheOfAnEarlierFormIsPassedByQuietly() throws {
        let site = try Self.site()
        let s = Site(root: site.root)
        let key = try SiteKeyFile.load(s)
        let computed = try run(site, ["status", "--json"]).out
        try SignedNote.sign(text: "recon status cache 1\n{\"json\":{},\"site\":\"trust-site\"}\n", with: key)
            .write(toFile: site.path(StatusCache.relativePath), atomically: true, encoding: .utf8)
        let verify = try site.recon(["verify"], env: Self.day)
        #expect(verify.code == 0, "\(verify.out)")
        let status = try run(site, ["status", "--json"])
        #expect(status.out == computed)
        #expect(status.err.isEmpty, "\(status.err)")
        #expect(try site.read(StatusCache.relativePath).hasPrefix("recon status cache 2\n"))
        // A cache of this form that does not read as one is still reported.
        try SignedNote.sign(text: "recon status cache 2\n{\"json\":{}}\n", with: key)
            .write(toFile: site.path(StatusCache.relativePath), atomically: true, encoding: .utf8)
        let broken = try site.recon(["verify"], env: Self.day)
        #expect(broken.code == 4 && broken.out.contains("status.cache"), "\(broken.out)")
    }
}
