import Foundation
import Testing

@testable import ReconKit

/// Something other than a file where the site keeps one: a FIFO is refused, never waited on
/// (a command that hung would hold a watcher's unit or an auditor's `recon verify` forever),
/// and a folder in place of an archived drop or an issued document is damage the ledger
/// names (exit 4, its seq), as a changed file is.
@Suite("Non-files in a site's places", .serialized)
struct NonFileInPlaceTests {
    /// Runs recon; a run still going after 30 s is killed and recorded as a hang.
    func runOrHang(_ site: TestSite, _ args: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> ProcessOutput? {
        let (run, killed) = try site.reconOrKill(args, env: TestSite.rerunDay, seconds: 30)
        if killed { Issue.record("recon \(args.joined(separator: " ")) still waits after 30 s", sourceLocation: sourceLocation) }
        return killed ? nil : run
    }

    @Test func aFIFOInPlaceOfReconTomlIsRefusedNotWaitedOn() throws {
        let site = try TestSite.closedMarchSite()
        try FileManager.default.removeItem(atPath: site.path("recon.toml"))
        #expect(mkfifo(site.path("recon.toml"), 0o644) == 0)
        let before = try site.ledgerBytes()
        for args in [["verify"], ["status"], ["ingest"]] {
            guard let r = try runOrHang(site, args) else { continue }
            #expect(r.code != 0, "\(args): \(r.out)\(r.err)")
            #expect((r.out + r.err).contains("recon.toml"), "\(args): \(r.out)\(r.err)")
        }
        #expect(try site.ledgerBytes() == before)
    }

    /// A FIFO or a folder in the lock's place: every command refuses alike (exit 3, naming it);
    /// a writer used to stop on a folder with exit 1, "cannot open the lock". A link there, to a
    /// file outside the site: a writer made that file through it, then read the lock as one
    /// replaced while it ran ("let it finish, then run this command again", forever), and
    /// `verify` took the lock through it; both refuse it as what it is, creating nothing.
    @Test(arguments: ["FIFO", "folder", "link"])
    func aNonFileInPlaceOfTheLockIsRefusedNotWaitedOn(what: String) throws {
        let site = try TestSite.closedMarchSite()
        try FileManager.default.removeItem(atPath: site.path("Ledger/writer.lock"))
        let outside = site.path("outside-lock")
        if what == "FIFO" {
            #expect(mkfifo(site.path("Ledger/writer.lock"), 0o644) == 0)
        } else if what == "link" {
            try FileManager.default.createSymbolicLink(atPath: site.path("Ledger/writer.lock"), withDestinationPath: outside)
        } else {
            try FileManager.default.createDirectory(atPath: site.path("Ledger/writer.lock"), withIntermediateDirectories: false)
        }
        for args in [["verify"], ["ingest"]] {
            guard let r = try runOrHang(site, args) else { continue }
            #expect(r.code == 3, "\(args): \(r.out)\(r.err)")
            #expect((r.out + r.err).contains("Ledger/writer.lock is not a regular file"), "\(args): \(r.out)\(r.err)")
        }
        #expect(!FileManager.default.fileExists(atPath: outside), "a lock file was made through the link")
    }

    /// A file where a credit's or statement's folder goes, a folder where the note a credit
    /// writes before its entries goes: each failed with a bare system error ("cannot create the
    /// folder …: File exists", exit 1). Refused (exit 3) naming the place and what to do,
    /// appending nothing, as a close's own folders are.
    @Test(arguments: ["credit-notes", "checkpoint.owed", "statements", "statement"])
    func somethingElseWhereACreditOrStatementWritesIsRefused(place: String) throws {
        let site = try TestSite.closedMarchSite()
        let key = try site.operatorKey("asha", listed: true)
        let relative = ["credit-notes": "Outbox/2026-03/credit-notes", "checkpoint.owed": "Ledger/checkpoint.owed",
                        "statements": "Outbox/statements", "statement": "Outbox/statements/C1.xlsx"][place]!
        try? FileManager.default.removeItem(atPath: site.path(relative))
        // A folder in the statement workbook's own place failed its rename with a bare system error (exit 1).
        if place == "checkpoint.owed" || place == "statement" {
            try FileManager.default.createDirectory(atPath: site.path(relative), withIntermediateDirectories: true)
        } else {
            try "not a folder".write(toFile: site.path(relative), atomically: true, encoding: .utf8)
        }
        let before = try site.ledgerBytes()
        let run = place.hasPrefix("statement") ? try site.recon(["statement", "C1"], env: TestSite.rerunDay)
            : try site.recon(["credit", "INV-2026-000001", "--amount", "10.00", "--reason", "goodwill", "--key", key], env: TestSite.rerunDay)
        #expect(run.code == 3, "\(place): \(run.out)\(run.err)")
        #expect(run.err.contains(relative) && run.err.contains("then run the command again"), "\(place): \(run.err)")
        #expect(try site.ledgerBytes() == before)
        if place == "checkpoint.owed" {
            // What every writer that owes a checkpoint refuses, status names among what blocks
            // the open month's close (an ingest owes none, and goes on).
            try site.drop("usage-2026-04.csv", TestSite.april)
            #expect(try site.recon(["ingest"], env: TestSite.aprilLater).code == 0)
            let status = try site.recon(["status"], env: TestSite.aprilLater)
            #expect(status.out.contains("Ledger/checkpoint.owed is not a regular file"), "\(status.out)")
            // A close refused so leaves nothing behind: its note of the workbooks it would owe
            // after its entries had the next writer rewrite them, saying they were missing.
            let close = try site.recon(["close", "2026-04"], env: ["RECON_NOW": "2026-05-02T09:00:00Z"])
            #expect(close.code == 3 && close.err.contains("Ledger/checkpoint.owed is not a regular file"), "\(close.err)")
            #expect(!site.exists(".recon/derived.pending"))
        }
    }

    /// A folder in place of the archived fx drop or of the first invoice: `recon verify` names
    /// the entry, and a writer refuses with exit 4 as for a changed file, appending nothing.
    @Test(arguments: ["archived drop", "document"])
    func aFolderInPlaceOfAVouchedFileIsDamage(what: String) throws {
        let site = try TestSite.closedMarchSite()
        let entries = try site.entries()
        let (seq, file): (Int, String)
        if what == "document" {
            let e = try #require(entries.first { ($0["body"] as? [String: Any])?["number"] as? String == "INV-2026-000001" })
            (seq, file) = (e["seq"] as? Int ?? 0, try #require((e["body"] as? [String: Any])?["file"] as? String))
        } else {
            let e = try #require(entries.first { ($0["body"] as? [String: Any])?["kind"] as? String == "clients" })
            (seq, file) = (e["seq"] as? Int ?? 0, "Ledger/drops/\(try #require((e["body"] as? [String: Any])?["sha256"] as? String)).csv")
        }
        try FileManager.default.removeItem(atPath: site.path(file))
        try FileManager.default.createDirectory(atPath: site.path(file), withIntermediateDirectories: false)
        let verify = try site.recon(["verify"])
        #expect(verify.code == 4, "\(verify.out)\(verify.err)")
        #expect(verify.out.hasPrefix("seq \(seq): \(what) \(file) is not a regular file"), "\(verify.out)")
        let before = try site.ledgerBytes()
        let decide = try site.recon(["decide", "R5", "approve", "--by", "Asha"], env: TestSite.rerunDay)
        #expect(decide.code == 4, "\(decide.err)")
        #expect(decide.err.contains("seq \(seq): \(what) \(file) is not a regular file"), "\(decide.err)")
        #expect(try site.ledgerBytes() == before)
        // A document is put back from its entry once the folder is gone: said so (it was told
        // only to restore the site from a backup).
        #expect(decide.err.contains("remove it, and the next writing command puts the document back") == (what == "document"),
                "\(decide.err)")
        if what == "document" {
            try FileManager.default.removeItem(atPath: site.path(file))
            #expect(try site.recon(["watch", "--once", "--stable", "0.2"], env: TestSite.rerunDay).code == 0)
            #expect(FileIO.isRegularFile(site.path(file)))
        }
    }

    /// A symbolic link on the way to a vouched file — in place of an archived drop, an issued
    /// document or a checkpoint, or of the folder holding them — puts what the ledger vouches
    /// for outside the site: the same bytes there passed every check. Now `recon verify` names
    /// the link (exit 4), and a writer refuses (exit 4) and appends nothing, also for a month's
    /// folder planted as a link before any document was issued into it.
    @Test(arguments: ["archived drop", "document", "checkpoint", "Ledger/drops", "Outbox/2026-03", "Outbox/2026-04"])
    func aSymbolicLinkOnTheWayToAVouchedFileIsDamage(place: String) throws {
        let site = try TestSite.closedMarchSite()
        let outside = site.root + "-outside"
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: outside) }
        let body = { (e: [String: Any]) in e["body"] as? [String: Any] ?? [:] }
        let entries = try site.entries()
        let linked: String
        switch place {
        case "archived drop":
            let e = try #require(entries.first { body($0)["kind"] as? String == "clients" })
            linked = "Ledger/drops/\(try #require(body(e)["sha256"] as? String)).csv"
        case "document":
            let e = try #require(entries.first { body($0)["number"] as? String == "INV-2026-000001" })
            linked = try #require(body(e)["file"] as? String)
        case "checkpoint":
            linked = try #require(FileIO.list(site.path("Ledger/checkpoints")).first.map { "Ledger/checkpoints/" + $0 })
        default:
            linked = place
        }
        // The real thing moved out, byte for byte, and a link left in its place.
        let target = outside + "/moved"
        if FileManager.default.fileExists(atPath: site.path(linked)) {
            try FileManager.default.moveItem(atPath: site.path(linked), toPath: target)
        } else {
            try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: false)
        }
        try FileManager.default.createSymbolicLink(atPath: site.path(linked), withDestinationPath: target)

        let verify = try site.recon(["verify"])
        #expect(verify.code == 4, "\(verify.out)\(verify.err)")
        #expect(verify.out.contains("\(linked) is a symbolic link (to \(target))") || verify.out.contains("it is a symbolic link (to \(target))"),
                "\(verify.out)")
        #expect(verify.out.contains(linked), "\(verify.out)")
        let before = try site.ledgerBytes()
        let decide = try site.recon(["decide", "R5", "approve", "--by", "Asha"], env: TestSite.rerunDay)
        #expect(decide.code == 4, "\(decide.out)\(decide.err)")
        #expect(decide.err.contains("symbolic link (to \(target))"), "\(decide.err)")
        #expect(try site.ledgerBytes() == before)
    }

    /// A FIFO in place of a closed period's index or of a drop's cache file is called what it
    /// is, not a file whose bytes "do not match", and nothing waits on it: `recon verify` names
    /// it (exit 4); `status`, which refuses what a writer refuses, names the settled month's
    /// cache the writers check through the seal (exit 4), and reads around the index (warning).
    @Test func aFIFOInPlaceOfAnIndexOrCacheIsCalledWhatItIs() throws {
        let site = try TestSite.closedMarchSite()
        let index = ".recon/closed/2026-03.idx"
        let cache = try #require(FileIO.list(site.path(".recon/cache")).first { $0.hasSuffix(".bin") })
        for file in [index, ".recon/cache/" + cache] {
            try FileManager.default.removeItem(atPath: site.path(file))
            #expect(mkfifo(site.path(file), 0o644) == 0)
        }
        if let status = try runOrHang(site, ["status"]) {
            #expect(status.code == 4, "\(status.err)")
            #expect(status.err.contains("the cache file .recon/cache/\(cache) is a FIFO (named pipe), not the cache its "
                + "drop.accepted records"), "\(status.err)")
        }
        if let verify = try runOrHang(site, ["verify"]) {
            #expect(verify.code == 4, "\(verify.out)\(verify.err)")
            #expect(verify.out.contains("the cache file .recon/cache/\(cache) is a FIFO (named pipe), not a regular file: not the "
                + "file the cache_sha256 its drop.accepted records"), "\(verify.out)")
        }
        // The index alone: named with its seq and what to do (it said "cannot read … Invalid argument").
        try FileManager.default.removeItem(atPath: site.path(".recon/cache/" + cache))
        if let status = try runOrHang(site, ["status"]) {
            #expect(status.code == 0, "\(status.err)")
            #expect(status.err.contains("the closed-period index \(index) is a FIFO (named pipe), not a regular file: not the file "
                + "the report_index_sha256 of seq"), "\(status.err)")
        }
        if let verify = try runOrHang(site, ["verify"]) {
            #expect(verify.code == 4 && verify.out.contains("the closed-period index \(index) is a FIFO (named pipe), not a regular file; "
                + "delete it") && verify.out.hasPrefix("seq "), "\(verify.out)")
        }
    }

    /// `site_key` in `recon.toml` naming a FIFO: nothing waits on it. `status` runs without
    /// signing its cache; a close refuses (the key cannot be read), appending nothing.
    /// A folder in place of a cache file no command then reads (`status.cache`, the margin
    /// summary's kept rows, the writers' document seal): `recon verify` exited 4 ("Is a
    /// directory") while every writer went on without it and signed checkpoints over a site
    /// its own verify refused. It is noted, as the writers and readers treat it.
    @Test(arguments: [".recon/status.cache", ".recon/margin-detail.cache", ".recon/documents.seal"])
    func aFolderInPlaceOfACacheFileIsNotedNotDamage(place: String) throws {
        let site = try TestSite.trustSite()
        try? FileManager.default.removeItem(atPath: site.path(place))
        try FileManager.default.createDirectory(atPath: site.path(place), withIntermediateDirectories: true)
        let verify = try site.recon(["verify"])
        #expect(verify.code == 0 && verify.err.contains("\(place) is a folder, not a cache file"), "\(verify.out)\(verify.err)")
        try site.drop("usage-2026-04-b.csv", "report_id,reported_at,client_id,radiologist_id,modality,image_count\nR9,2026-04-05T10:00:00Z,C1,D1,CT,1\n")
        #expect(try site.recon(["ingest"], env: TestSite.aprilLater).code == 0)
        #expect(try site.recon(["verify"]).code == 0)
        site.expectAuditorAccepts()
    }

    /// The same in place of the ledger prefix, which every command passes by for the whole
    /// ledger: verify, status and every writer refused the site ("restore it from a backup"),
    /// the close that would write it anew too. The next close puts the prefix in its place.
    @Test(arguments: ["folder", "FIFO", "link"])
    func somethingElseInPlaceOfTheLedgerPrefixIsNotedNotDamage(what: String) throws {
        let site = try TestSite.trustSite()
        let place = site.path(LedgerPrefix.relativePath)
        #expect(site.exists(LedgerPrefix.relativePath))
        switch what {
        case "folder":
            try FileManager.default.removeItem(atPath: place)
            try FileManager.default.createDirectory(atPath: place, withIntermediateDirectories: false)
        case "FIFO":
            try FileManager.default.removeItem(atPath: place)
            #expect(mkfifo(place, 0o600) == 0)
        default:  // the file moved out and linked to: there is no real file to move back
            try FileManager.default.moveItem(atPath: place, toPath: site.path("prefix-copy.jsonl"))
            try FileManager.default.createSymbolicLink(atPath: place, withDestinationPath: site.path("prefix-copy.jsonl"))
        }
        let kind = ["folder": "a folder", "FIFO": "a FIFO (named pipe)", "link": "a symbolic link"][what]!
        let verify = try site.recon(["verify"])
        #expect(verify.code == 0 && verify.err.contains("\(LedgerPrefix.relativePath) is \(kind), not the ledger prefix: not read"),
                "\(verify.out)\(verify.err)")
        #expect(try site.recon(["status"], env: TestSite.aprilLater).code == 0)
        try site.drop("usage-2026-04-b.csv", "report_id,reported_at,client_id,radiologist_id,modality,image_count\nR9,2026-04-05T10:00:00Z,C1,D1,CT,1\n")
        #expect(try site.recon(["ingest"], env: TestSite.aprilLater).code == 0)
        let close = try site.recon(["close", "2026-04"], env: ["RECON_NOW": "2026-05-02T09:00:00Z"])
        #expect(close.code == 0, "\(close.out)\(close.err)")
        #expect(FileIO.isRegularFile(place), "the close did not write the prefix anew")
        let again = try site.recon(["verify"])
        #expect(again.code == 0 && !again.err.contains("not the ledger prefix"), "\(again.err)")
        site.expectAuditorAccepts()
    }

    @Test func aFIFONamedAsTheSiteKeyIsNotWaitedOn() throws {
        let site = try TestSite.marchSite()
        #expect(mkfifo(site.path("key.fifo"), 0o600) == 0)
        try (try site.read("recon.toml") + "site_key = \"\(site.path("key.fifo"))\"\n")
            .write(toFile: site.path("recon.toml"), atomically: true, encoding: .utf8)
        let before = try site.ledgerBytes()
        if let status = try runOrHang(site, ["status"]) { #expect(status.code == 0, "\(status.err)") }
        if let close = try runOrHang(site, ["close", "2026-03"]) {
            #expect(close.code == 3, "\(close.out)\(close.err)")
            #expect(close.err.contains("key.fifo"), "\(close.err)")
        }
        #expect(try site.ledgerBytes() == before)
    }

    /// A folder in place of the ledger, or of the intent record an append writes first: every
    /// command that opens the site says what is in the way (exit 4), as `recon verify` does.
    @Test(arguments: ["Ledger/ledger.jsonl", "Ledger/ledger.jsonl.intent"])
    func aFolderInPlaceOfALedgerFileStopsEveryCommand(file: String) throws {
        let site = try TestSite.closedMarchSite()
        try? FileManager.default.removeItem(atPath: site.path(file))
        try FileManager.default.createDirectory(atPath: site.path(file), withIntermediateDirectories: false)
        try site.drop("usage-2026-04.csv", TestSite.april)
        let archived = FileIO.list(site.path("Ledger/drops")).count
        for args in [["verify"], ["ingest"], ["decide", "R6", "approve", "--by", "Asha"]] {
            guard let r = try runOrHang(site, args) else { continue }
            #expect(r.code == 4, "\(args): \(r.out)\(r.err)")
            #expect((r.out + r.err).contains(file), "\(args): \(r.out)\(r.err)")
        }
        #expect(FileIO.list(site.path("Ledger/drops")).count == archived, "no drop archived")
    }

    /// A folder where a command notes the workbooks it owes (`.recon/derived.pending`): the note
    /// only speeds crash recovery, so the drop is still taken, with a warning.
    @Test func aFolderInPlaceOfTheWorkbookNoteCostsOnlyTheNote() throws {
        let site = try TestSite.closedMarchSite()
        try FileManager.default.createDirectory(atPath: site.path(".recon/derived.pending"), withIntermediateDirectories: true)
        try site.drop("usage-2026-04.csv", TestSite.april)
        let ingest = try site.recon(["ingest"], env: TestSite.aprilLater)
        #expect(ingest.code == 0, "\(ingest.err)")
        #expect(ingest.err.contains("could not note the workbooks this command owes in .recon/derived.pending"), "\(ingest.err)")
        #expect(site.exists("Outbox/2026-04/drafts/invoices.xlsx"))
        site.expectAuditorAccepts()
    }

    /// `recon watch --once` with nothing to take still opens the site as a writer: it refuses a
    /// site that does not verify (exit 4) and puts back what an interrupted command left.
    @Test func watchOnceWithNothingToTakeChecksAndRepairs() throws {
        let site = try TestSite.trustSite()
        let note = "Outbox/2026-03/credit-notes/CN-2026-000002.xlsx"
        let bytes = try Data(contentsOf: URL(fileURLWithPath: site.path(note)))
        try FileManager.default.removeItem(atPath: site.path(note))
        let repaired = try site.recon(["watch", "--once", "--stable", "0.2"], env: TestSite.aprilLater)
        #expect(repaired.code == 0, "\(repaired.err)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: site.path(note))) == bytes)
        try FileManager.default.removeItem(atPath: site.path("Ledger/checkpoints/20.txt"))
        let refused = try site.recon(["watch", "--once", "--stable", "0.2"], env: TestSite.aprilLater)
        #expect(refused.code == 4, "\(refused.err)")
        #expect(refused.err.contains("checkpoint 20.txt"), "\(refused.err)")
    }
}

