import Foundation
import Testing

@testable import ReconKit

/// A vouched folder this user may open files in but not list (`chmod 311`): the stray archive
/// of a cut ledger, or an invoice no entry issued, was never looked for there, and `recon
/// verify` said ok (a writer signed over it). The folder is said, with the permission that
/// mends it. Run as `nobody` through setpriv (root lists every folder), which needs root.
struct UnlistedFolderTests {
    @Test(.enabled(if: getuid() == 0 && ProcessRunner.executable(named: "setpriv") != nil, "needs root and setpriv to verify as another user"),
          arguments: ["Ledger/drops", "Outbox/2026-03/invoices"])
    func aFolderThatCannotBeListedIsSaidNotPassedOver(folder: String) throws {
        let site = try TestSite.closedMarchSite()
        let binary = site.path("recon-copy")
        try FileManager.default.copyItem(atPath: TestSite.binary, toPath: binary)
        #expect(chmod(binary, 0o755) == 0 && chmod(site.root, 0o755) == 0)
        // What no entry names, put where only a listing finds it.
        let names = try FileManager.default.contentsOfDirectory(atPath: site.path(folder)).filter { !$0.hasPrefix(".") }.sorted()
        let stray = folder == "Ledger/drops" ? String(repeating: "a", count: 64) + ".csv" : "INV-2026-000009.xlsx"
        try FileManager.default.copyItem(atPath: site.path(folder + "/" + names[0]), toPath: site.path(folder + "/" + stray))
        let asNobody = { try ProcessRunner.runAsNobody(binary, ["verify", "--site", site.root]) }
        let listed = try asNobody()
        #expect(listed.code == 4 && listed.out.contains(stray), "\(listed.out)\(listed.err)")
        #expect(chmod(site.path(folder), 0o311) == 0)
        let unlisted = try asNobody()
        // Nothing found damaged, and nothing there can be judged: exit 1, as a file this user may not read.
        #expect(unlisted.code == 1 && unlisted.err.contains("\(folder) cannot be listed by this user (mode 311")
                && unlisted.err.contains("chmod u+rx \(folder)"), "\(unlisted.out)\(unlisted.err)")
        #expect(chmod(site.path(folder), 0o755) == 0)
    }
}

/// `Ledger/` made read-only for the site's user: an ingest said "free some disk space" of a
/// write the system refused for its permissions. It names the permission. (As `nobody`, which
/// needs root and setpriv: root writes whatever the mode.)
struct ReadOnlyLedgerFolderTests {
    @Test(.enabled(if: getuid() == 0 && ProcessRunner.executable(named: "setpriv") != nil, "needs root and setpriv to run as another user"))
    func aLedgerFolderWithoutWritePermissionIsSaidAsThat() throws {
        let site = try TestSite.marchSite()
        let binary = site.path("recon-copy")
        try FileManager.default.copyItem(atPath: TestSite.binary, toPath: binary)
        try site.drop("usage-late.csv", "report_id,reported_at,client_id,radiologist_id,modality,image_count\n"
            + "L1,2026-03-10T10:00:00Z,C1,D1,CT,1\n")
        #expect(try ProcessRunner.run("/bin/chown", ["-R", "65534:65534", site.root]).code == 0)
        #expect(chmod(binary, 0o755) == 0 && chmod(site.path("Ledger"), 0o555) == 0)
        let before = try site.ledgerBytes()
        let run = try ProcessRunner.runAsNobody(binary, ["ingest", "--site", site.root], environment: TestSite.closeDay)
        #expect(run.code != 0 && run.err.contains("Permission denied") && !run.err.contains("free some disk space"), "\(run.out)\(run.err)")
        #expect(run.err.contains("write permission") || run.err.contains("writable"), "\(run.err)")
        #expect(try site.ledgerBytes() == before && site.exists("Inbox/usage-late.csv"))
        #expect(chmod(site.path("Ledger"), 0o755) == 0)
    }
}

/// `Inbox/` or `Inbox/held/` this user cannot list: the ingest said "nothing to ingest" and the
/// close went ahead with a drop waiting there; a signed rerun applied none of its held drops, its
/// request then spent. Writers refuse (exit 3), naming the folder and what mends it.
struct UnlistedInboxTests {
    @Test(.enabled(if: getuid() == 0 && ProcessRunner.executable(named: "setpriv") != nil, "needs root and setpriv to run as another user"),
          arguments: ["Inbox", "Inbox/held"])
    func aWriterRefusesAnInboxItCannotList(folder: String) throws {
        let site = try TestSite.closedMarchSite()
        let binary = site.path("recon-copy")
        try FileManager.default.copyItem(atPath: TestSite.binary, toPath: binary)
        try site.drop("usage-extra.csv", "report_id,reported_at,client_id,radiologist_id,modality,image_count\n"
            + "X1,2026-04-02T10:00:00Z,C1,D1,CT,1\n")
        #expect(try ProcessRunner.run("/bin/chown", ["-R", "65534:65534", site.root]).code == 0)
        #expect(chmod(binary, 0o755) == 0 && chmod(site.path(folder), 0o300) == 0)
        let before = try site.ledgerBytes()
        for command in [["ingest"], ["close", "2026-04"]] {
            let run = try ProcessRunner.runAsNobody(binary, command + ["--site", site.root], environment: ["RECON_NOW": "2026-05-02T09:00:00Z"])
            #expect(run.code == 3 && run.err.contains("\(folder) cannot be listed by this user (mode 300)")
                    && run.err.contains("chmod u+rx \(folder)"), "\(command): \(run.out)\(run.err)")
        }
        #expect(try site.ledgerBytes() == before)
        #expect(chmod(site.path(folder), 0o755) == 0)
    }
}

/// An Inbox on a share that is offline (`Inbox/` a link leading nowhere), or no `Inbox/` at all:
/// `status` showed "0 waiting", `ingest` said to `mkdir Inbox` (which fails on the link), and a
/// close issued the month's final invoices while its usage waited on the share. A close refuses
/// (exit 3) and appends nothing; an ingest names the link.
struct UnreachableInboxTests {
    /// April over: its close may run.
    static let mayDay = ["RECON_NOW": "2026-05-02T09:00:00Z"]

    /// April's usage waiting on a share, the share then gone.
    func siteWithInboxOnAShareOffline() throws -> TestSite {
        let site = try TestSite.closedMarchSite()
        try site.drop("usage-2026-04.csv", TestSite.april)
        let share = site.path("share")
        try FileManager.default.moveItem(atPath: site.path("Inbox"), toPath: share)
        try FileManager.default.createSymbolicLink(atPath: site.path("Inbox"), withDestinationPath: share)
        try FileManager.default.moveItem(atPath: share, toPath: site.path("share.offline"))
        return site
    }

    @Test func aCloseRefusesWhileTheInboxLeadsNowhere() throws {
        let site = try siteWithInboxOnAShareOffline()
        let before = try site.ledgerBytes()
        let close = try site.recon(["close", "2026-04"], env: Self.mayDay)
        #expect(close.code == 3, "\(close.out)\(close.err)")
        #expect(close.err.contains("Inbox is a link to \(site.path("share")), which leads to no folder"), "\(close.err)")
        #expect(try site.ledgerBytes() == before)
        #expect(!site.exists("Outbox/2026-04/invoices"))
        let ingest = try site.recon(["ingest"], env: Self.mayDay)
        #expect(ingest.code == 3 && ingest.err.contains("mount it") && !ingest.err.contains("mkdir Inbox"), "\(ingest.err)")
        let status = try site.recon(["status"], env: Self.mayDay)
        // As a writer refuses it (it said "inbox: 0 waiting").
        #expect(status.code == 3 && status.err.contains("Inbox is a link to \(site.path("share")), which leads to no folder")
                && !status.out.contains("0 waiting"), "\(status.code) \(status.out)\(status.err)")
        // The share back: the drop waiting there holds the close, as it always did.
        try FileManager.default.moveItem(atPath: site.path("share.offline"), toPath: site.path("share"))
        let again = try site.recon(["close", "2026-04"], env: Self.mayDay)
        #expect(again.code == 3 && again.err.contains("usage-2026-04.csv"), "\(again.err)")
    }

    /// No Inbox, and `cp usage.csv site/Inbox` made a file of that name holding the usage: read
    /// as an empty Inbox, the close issued March without it. Refused, as a link leading nowhere.
    @Test func aFileInTheInboxsPlaceIsRefused() throws {
        let site = try TestSite.closedMarchSite()
        try FileManager.default.removeItem(atPath: site.path("Inbox"))
        try TestSite.april.write(toFile: site.path("Inbox"), atomically: false, encoding: .utf8)
        let before = try site.ledgerBytes()
        let close = try site.recon(["close", "2026-04"], env: Self.mayDay)
        #expect(close.code == 3 && close.err.contains("Inbox is a file, not a folder") && close.err.contains("make it a folder"),
                "\(close.err)")
        let ingest = try site.recon(["ingest"], env: Self.mayDay)
        #expect(ingest.code == 3 && ingest.err.contains("Inbox is a file, not a folder"), "\(ingest.err)")
        #expect(try site.ledgerBytes() == before)
    }

    /// `Ledger/` or `Outbox/` kept on another disk through a link, the disk not mounted: every
    /// command said the ledger was lost ("restore it from a backup", exit 4) or to move the
    /// Outbox link away. Said as what it is (exit 3), nothing written; mounted, all is as it was.
    @Test(arguments: ["Ledger", "Outbox"])
    func aLedgerOrOutboxOnADiskNotMountedIsSaidSo(place: String) throws {
        let site = try TestSite.closedMarchSite()
        let disk = site.path("disk")
        try FileManager.default.createDirectory(atPath: disk, withIntermediateDirectories: false)
        #expect(rename(site.path(place), disk + "/" + place) == 0)
        try FileManager.default.createSymbolicLink(atPath: site.path(place), withDestinationPath: disk + "/" + place)
        #expect(rename(disk, disk + ".offline") == 0)
        for args in [["status"], ["verify"], ["ingest"], ["close", "2026-04"]] {
            let run = try site.recon(args, env: Self.mayDay)
            #expect(run.code == 3 && run.err.contains("\(place) is a link to \(disk)/\(place), which leads to no folder")
                    && run.err.contains("mount the disk") && !run.err.contains("backup"), "\(args): \(run.code) \(run.err)")
        }
        #expect(rename(disk + ".offline", disk) == 0)
        #expect(try site.recon(["verify"]).code == 0)
    }

    /// The same disk unmounted with its mount point left in its place, an empty folder: the
    /// Ledger read as "not a recon site, run `recon init`" (which made a second ledger there)
    /// or as lost ("restore it from a backup"), and every issued document was put back onto the
    /// empty mount point. Said as a disk not mounted (exit 3), nothing written.
    @Test(arguments: ["Ledger", "Outbox"])
    func aLedgerOrOutboxLinkedToAnEmptyMountPointIsSaidSo(place: String) throws {
        let site = try TestSite.closedMarchSite()
        let disk = site.path("disk"), mountPoint = site.path("mnt")
        try FileManager.default.createDirectory(atPath: disk, withIntermediateDirectories: false)
        #expect(rename(site.path(place), disk + "/" + place) == 0)
        try FileManager.default.createDirectory(atPath: mountPoint + "/" + place, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: site.path(place), withDestinationPath: mountPoint + "/" + place)
        let commands: [[String]] = [["status"], ["verify"], ["ingest"], ["close", "2026-04"]]
        for args in commands {
            let run = try site.recon(args, env: Self.mayDay)
            let said = place == "Ledger" ? "which holds no ledger (a disk not mounted there?)" : "where none of the 4 documents the ledger issued is"
            #expect(run.code == 3 && run.err.contains("\(place) is a link to \(mountPoint)/\(place)") && run.err.contains(said)
                    && run.err.contains("mount the disk"), "\(args): \(run.code) \(run.err)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: mountPoint + "/" + place).isEmpty)
        guard place == "Outbox" else { return }
        // Lost for good: as the refusal says, a folder of the site's own in the link's place gets
        // every document back from its entry (pointing the link at another empty folder did not).
        try FileManager.default.removeItem(atPath: site.path("Outbox"))
        try FileManager.default.createDirectory(atPath: site.path("Outbox"), withIntermediateDirectories: false)
        let ingest = try site.recon(["ingest"], env: Self.mayDay)
        #expect(ingest.code == 0 && ingest.err.contains("put back"), "\(ingest.err)")
        #expect(try site.recon(["verify"]).code == 0)
    }

    /// init where the Inbox is a file, or Ledger/ a link leading nowhere: it failed part way
    /// ("File exists") and left a half-made site. Refused first, nothing made.
    @Test func initRefusesAnInboxFileOrALedgerLeadingNowhere() throws {
        let site = try TestSite()
        try "usage".write(toFile: site.path("Inbox"), atomically: false, encoding: .utf8)
        let inbox = try site.recon(["init", "--name", "s1"], env: Self.mayDay)
        #expect(inbox.code == 3 && inbox.err.contains("Inbox is a file, not a folder"), "\(inbox.err)")
        #expect(!site.exists("Ledger") && !site.exists("recon.toml"))
        try FileManager.default.removeItem(atPath: site.path("Inbox"))
        try FileManager.default.createSymbolicLink(atPath: site.path("Ledger"), withDestinationPath: site.path("gone"))
        let ledger = try site.recon(["init", "--name", "s1"], env: Self.mayDay)
        #expect(ledger.code == 3 && ledger.err.contains("which leads to no folder"), "\(ledger.err)")
        #expect(!site.exists("Inbox") && !site.exists("recon.toml"))
    }

    @Test func aCloseRefusesWithoutAnInbox() throws {
        let site = try TestSite.closedMarchSite()
        try site.drop("usage-2026-04.csv", TestSite.april)
        #expect(try site.recon(["ingest"], env: Self.mayDay).code == 0)
        try FileManager.default.removeItem(atPath: site.path("Inbox"))
        let before = try site.ledgerBytes()
        let close = try site.recon(["close", "2026-04"], env: Self.mayDay)
        #expect(close.code == 3 && close.err.contains("Inbox/ is missing") && close.err.contains("mkdir Inbox"), "\(close.err)")
        let status = try site.recon(["status"], env: Self.mayDay)
        #expect(status.out.contains("inbox: cannot be seen: the site has no Inbox/ folder"), "\(status.out)")
        #expect(try site.ledgerBytes() == before)
        try FileManager.default.createDirectory(atPath: site.path("Inbox"), withIntermediateDirectories: false)
        let closed = try site.recon(["close", "2026-04"], env: Self.mayDay)
        #expect(closed.code == 0, "\(closed.err)")
    }
}

/// A command run once as root with umask 077 left files only root can read in a site its user
/// owns: `recon verify` as that user said "verification failed" (exit 4) of an intact ledger, and
/// every command "Permission denied" with no word of whose the file is. Verify says it cannot
/// judge (exit 1), and the message names the owner and what mends it. (As `nobody`, through
/// setpriv: needs root.)
struct ForeignOwnedFileTests {
    @Test(.enabled(if: getuid() == 0 && ProcessRunner.executable(named: "setpriv") != nil, "needs root and setpriv to run as another user"))
    func aFileTheUserCannotReadIsNoDamage() throws {
        let site = try TestSite.closedMarchSite()
        let binary = try site.handedToNobody()
        let drop = try #require(try site.bodies("drop.accepted").first?["path"] as? String)
        #expect(chown(site.path(drop), 0, 0) == 0 && chmod(site.path(drop), 0o600) == 0)
        let verify = try ProcessRunner.runAsNobody(binary, ["verify", "--site", site.root])
        #expect(verify.code == 1, "\(verify.code) \(verify.out)\(verify.err)")
        #expect((verify.out + verify.err).contains("it belongs to uid 0, mode 600; this command runs as uid 65534"),
                "\(verify.out)\(verify.err)")
        #expect(chown(site.path(drop), 65534, 65534) == 0)
        #expect(try ProcessRunner.runAsNobody(binary, ["verify", "--site", site.root]).code == 0)
        // A checkpoint the same: this user cannot judge it, and says whose it is.
        let checkpoint = try #require(FileIO.list(site.path("Ledger/checkpoints")).first { $0.hasSuffix(".txt") })
        let note = site.path("Ledger/checkpoints/" + checkpoint)
        #expect(chown(note, 0, 0) == 0 && chmod(note, 0o600) == 0)
        let unread = try ProcessRunner.runAsNobody(binary, ["verify", "--site", site.root])
        #expect(unread.code == 1 && (unread.out + unread.err).contains("it belongs to uid 0, mode 600"), "\(unread.code) \(unread.out)\(unread.err)")
        #expect(chown(note, 65534, 65534) == 0)
        // site.pub another user's, unreadable: no other key (verify said "not the public key
        // site.init records", exit 4, and writers "restore it from a backup").
        #expect(chown(site.path("Ledger/keys/site.pub"), 0, 0) == 0 && chmod(site.path("Ledger/keys/site.pub"), 0o600) == 0)
        let pub = try ProcessRunner.runAsNobody(binary, ["verify", "--site", site.root])
        #expect(pub.code == 0, "\(pub.out)\(pub.err)")
        #expect(chown(site.path("Ledger/keys/site.pub"), 65534, 65534) == 0)
        // The site key there, intact, at mode 000: its permission, not a backup, mends it.
        #expect(chmod(site.path("Ledger/keys/site.key"), 0o000) == 0)
        try site.drop("usage-2026-04.csv", TestSite.april)
        #expect(try ProcessRunner.run("/bin/chown", ["-R", "65534:65534", site.path("Inbox")]).code == 0)
        let ingest = try ProcessRunner.runAsNobody(binary, ["ingest", "--site", site.root], environment: ["RECON_NOW": "2026-05-02T09:00:00Z"])
        let close = try ProcessRunner.runAsNobody(binary, ["close", "2026-04", "--site", site.root], environment: ["RECON_NOW": "2026-05-02T09:00:00Z"])
        #expect(close.code == 3 && close.err.contains("may not read it") && close.err.contains("chmod 600") && !close.err.contains("backup"),
                "\(ingest.err)\(close.code) \(close.err)")
    }

    /// The caches and indexes under `.recon/`, `.recon/` itself and a documents folder, root's
    /// and private: verify said "verification failed" (4) of each — of a drop's cache and a
    /// closed month's index that they do not match what the ledger records, "find out who changed
    /// it" — and a writer refused the index the same way. Each is said as this user's to mend:
    /// exit 1, the owner named, nothing appended.
    @Test(.enabled(if: getuid() == 0 && ProcessRunner.executable(named: "setpriv") != nil, "needs root and setpriv to run as another user"),
          arguments: ["cache", ".recon/closed/2026-03.idx", ".recon/status.cache", ".recon/status-closed.json", ".recon", "Outbox/2026-03/invoices"])
    func aCacheIndexOrFolderTheUserCannotReadIsNoDamage(place: String) throws {
        let site = try TestSite.closedMarchSite()
        let status = try site.recon(["status"], env: ["RECON_NOW": "2026-05-02T09:00:00Z"])  // its cache written
        #expect(status.code == 0, "\(status.out)\(status.err)")
        let binary = try site.handedToNobody()
        let relative = place == "cache" ? ".recon/cache/" + (try #require(FileIO.list(site.path(".recon/cache")).first { $0.hasSuffix(".bin") })) : place
        #expect(site.exists(relative), "\(relative)")
        let isFolder = FileIO.isDirectory(site.path(relative))
        #expect(chown(site.path(relative), 0, 0) == 0 && chmod(site.path(relative), isFolder ? 0o700 : 0o600) == 0)
        let verify = try ProcessRunner.runAsNobody(binary, ["verify", "--site", site.root])
        #expect(verify.code == 1 && verify.err.contains(isFolder ? "it belongs to uid 0; this command runs as uid 65534"
                                                                 : "it belongs to uid 0, mode 600; this command runs as uid 65534")
                && !verify.err.contains("does not match"), "\(place): \(verify.code) \(verify.out)\(verify.err)")
        try site.drop("usage-2026-04.csv", TestSite.april)
        #expect(try ProcessRunner.run("/bin/chown", ["-R", "65534:65534", site.path("Inbox")]).code == 0)
        let before = try site.ledgerBytes()
        let ingest = try ProcessRunner.runAsNobody(binary, ["ingest", "--site", site.root], environment: ["RECON_NOW": "2026-05-02T09:00:00Z"])
        // A cache `status` passes by may stay unread by a writer that does not need it; none is "damage".
        #expect(ingest.code == 0 || ingest.code == 1, "\(place): \(ingest.code) \(ingest.err)")
        #expect(!ingest.err.contains("does not match") && !ingest.err.contains("find out who changed it"), "\(place): \(ingest.err)")
        if ingest.code == 1 { #expect(try site.ledgerBytes() == before) }
        #expect(try ProcessRunner.run("/bin/chown", ["-R", "65534:65534", site.root]).code == 0)
        #expect(try ProcessRunner.runAsNobody(binary, ["verify", "--site", site.root]).code == 0)
    }
}

extension TestSite {
    /// The site given to `nobody` (65534), with a copy of the built `recon` it may run: the path
    /// of that copy, for ``ProcessRunner/runAsNobody(_:_:environment:)``.
    func handedToNobody() throws -> String {
        let binary = path("recon-copy")
        try FileManager.default.copyItem(atPath: TestSite.binary, toPath: binary)
        #expect(try ProcessRunner.run("/bin/chown", ["-R", "65534:65534", root]).code == 0)
        #expect(chmod(binary, 0o755) == 0 && chmod(root, 0o755) == 0)
        return binary
    }
}
