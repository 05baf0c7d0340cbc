import Foundation
import Glibc

/// The folders whose listing a check relies on: what no entry names (an archive, a document, a
/// checkpoint over entries since cut away) is found only by listing them. One this user may
/// open files in but not list (`chmod 300`, `311`) hid a stray archive of a cut ledger, or an
/// invoice no entry issued, and `recon verify` said ok, a close signed over it. Such a folder is
/// said before anything is judged, with the permission that mends it: exit 1, as a file this
/// user may not read — nothing found damaged, and nothing here can be judged (it said 4,
/// "verification failed", of a folder root's after a command run as root).
public enum UnlistedFolders {
    static func damage(in site: Site) -> ReconFailure? {
        var places = ["Ledger/drops", "Ledger/checkpoints", "Outbox", ".recon", ".recon/cache", ".recon/closed"]
        // An Outbox that cannot be listed has no months to look at: said first.
        if isFolder(site.outbox), access(site.outbox, R_OK | X_OK) == 0 {
            for month in FileIO.list(site.outbox) where Period(month) != nil {
                places.append("Outbox/" + month)
                for folder in Set(DocumentKind.allCases.map(\.folder)).sorted() { places.append("Outbox/\(month)/\(folder)") }
            }
        }
        for place in places where isFolder(site.path(place)) && access(site.path(place), R_OK | X_OK) != 0 {
            return ReconFailure.usage("\(place) cannot be listed by this user\(owner(of: site.path(place))): what it holds that no "
                + "entry names cannot be looked for, so nothing here can be checked against the ledger (no damage was found; nothing "
                + "was written) — give it back read and search permission (`chmod u+rx \(place)`, or `a+rx` for an auditor's "
                + "account), or run recon as the user who owns the site, and run the command again")
        }
        return nil
    }

    /// The Inbox's folders a writer lists for its drops: one this user cannot list hid a drop
    /// waiting there, and the close went ahead without it (or a signed rerun applied none of its
    /// held drops, its request then spent). Refused (exit 3) with the permission that mends it;
    /// `verify`, which reads no drop waiting, does not ask.
    static func inboxRefusal(in site: Site) -> ReconFailure? {
        // The Inbox may be a link (to a share finance drops files on); one that leads nowhere,
        // the share offline, was read as an empty Inbox: the close went ahead without the drops
        // waiting on it, and `ingest` said to `mkdir Inbox`, which fails on the link.
        for (place, path) in [("Inbox", site.inbox), ("Inbox/held", site.held), ("Inbox/rejected", site.rejected)] {
            guard let notAFolder = notAFolder(place, path) else { continue }
            let mend = FileIO.isSymbolicLink(path) ? "mount it, or point the link at the folder the drops are in" : "make it a folder"
            return ReconFailure.refused("\(notAFolder): the drops waiting there cannot be seen, and a close or rerun would go on "
                + "without them; nothing was written — \(mend), and run the command again")
        }
        for (place, path) in [("Inbox", site.inbox), ("Inbox/held", site.held), ("Inbox/rejected", site.rejected)]
        where FileIO.isDirectory(path) && access(path, R_OK | X_OK) != 0 {
            let mode = permissions(of: path).map { " (mode " + String($0, radix: 8) + ")" } ?? ""
            return ReconFailure.refused("\(place) cannot be listed by this user\(mode): the drops waiting there cannot be seen, and a "
                + "close or rerun would go on without them; nothing was written — give it back read and search permission "
                + "(`chmod u+rx \(place)`, or make the user recon runs as one who may) and run the command again")
        }
        return nil
    }

    /// `place` (at `path`) as something there that is no folder — a link leading nowhere, or to
    /// a file; a file (`cp usage.csv Inbox` with no Inbox made one) — said; nil when it is a
    /// folder or nothing is there.
    static func notAFolder(_ place: String, _ path: String) -> String? {
        guard FileStatus.of(path) != nil, !FileIO.isDirectory(path) else { return nil }
        guard FileIO.isSymbolicLink(path) else {
            return "\(place) is \(DropFile.nonRegularKind(path) ?? "a file"), not a folder (a drop copied to that name with no "
                + "\(place)/ to go into?) — move it aside and make \(place)/ a folder again"
        }
        return "\(place) is a link\(linkTarget(path).map { " to \($0)" } ?? ""), which leads to no folder (a share or disk offline or "
            + "not mounted?)"
    }

    /// Where the link at `path` points, as a message shows it; nil when it is none.
    private static func linkTarget(_ path: String) -> String? {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: path)).map(SafeText.escaped)
    }

    /// `Ledger/` or `Outbox/` kept on another disk through a link (a site's choice) while that
    /// disk is not there: refused as what it is (exit 3, mount it). It read as a ledger lost —
    /// "restore it from a backup", exit 4 — or an Outbox to move away, and following either split
    /// the site in two.
    static func unmountedRefusal(in site: Site) -> ReconFailure? {
        for place in ["Ledger", "Outbox"] {
            let path = site.path(place)
            guard FileIO.isSymbolicLink(path), let dangling = notAFolder(place, path) else { continue }
            return ReconFailure.refused("\(dangling): nothing was read or written — mount the disk it is on (or point the link at "
                + "where \(place)/ is now), and run the command again")
        }
        return nil
    }

    /// `Ledger/` a link (kept on another disk) to a folder without a ledger: most likely the
    /// disk's empty mount point, the disk not mounted. Said before any loss (refused, exit 3):
    /// "not a recon site, run `recon init`" made a second ledger there, and "the ledger was lost,
    /// restore it from a backup" would split the site. `left`: what of a ledger the site holds.
    static func emptyLedgerLink(in site: Site, holding left: [String]) -> ReconFailure? {
        let path = site.path("Ledger")
        guard FileIO.isSymbolicLink(path), let target = linkTarget(path) else { return nil }
        return ReconFailure.refused("Ledger is a link to \(target), which holds no ledger (a disk not mounted there?): "
            + "nothing was read or written — mount the disk it is on and run the command again"
            + (left.isEmpty ? "; if this is a new site, `recon init` makes its ledger there"
                : "; if it is mounted, the ledger was lost (the site holds \(left.joined(separator: ", "))): restore it from a backup"))
    }

    /// `Outbox/` a link (kept on another disk) where not one issued document is, though some
    /// were issued: the disk's empty mount point, the disk not mounted. Refused (exit 3) by
    /// every command that would put them back or call them missing. `entries`: the ledger's, as
    /// the caller read them; read here when not given (`recon verify`, mid-way through its own).
    public static func emptyOutboxLink(in site: Site, entries given: [LedgerEntry]? = nil) -> ReconFailure? {
        guard FileIO.isSymbolicLink(site.outbox), FileIO.isDirectory(site.outbox) else { return nil }
        let entries = given ?? {
            let ledger = LedgerFile(path: site.ledgerFile)
            return (try? ledger.load()) != nil ? ledger.entries : []
        }()
        let files = entries.compactMap { $0.eventKind?.document != nil ? $0.string("file") : nil }
        guard !files.isEmpty, !files.contains(where: { FileIO.exists(site.path($0)) }) else { return nil }
        return ReconFailure.refused("Outbox is a link to \(linkTarget(site.outbox) ?? "?"), where none of the \(files.count) documents the "
            + "ledger issued is (a disk not mounted there?): nothing was written — mount the disk it is on, and run the command again "
            + "(if they were all lost, replace the link with a folder of the site's own, `mkdir Outbox`: each is put back from its "
            + "entry, byte for byte)")
    }

    /// Why the Inbox's drops cannot be seen at all (a link leading nowhere, or no Inbox), for
    /// what reports it (`status`, an ingest that found nothing); nil when it is a folder.
    public static func inboxUnseen(in site: Site) -> String? {
        if let dangling = notAFolder("Inbox", site.inbox) { return dangling + (FileIO.isSymbolicLink(site.inbox) ? " — mount it" : "") }
        return FileStatus.of(site.inbox) == nil ? "the site has no Inbox/ folder — make it again (`mkdir Inbox`)" : nil
    }

    private static func isFolder(_ path: String) -> Bool { FileStatus.of(path)?.kind == .folder }

    /// " (mode 700, it belongs to uid 0; this command runs as uid 65534)", the owner only when it is another user.
    private static func owner(of path: String) -> String {
        var info = stat()
        guard lstat(path, &info) == 0 else { return "" }
        let mode = "mode " + String(info.st_mode & 0o7777, radix: 8)
        guard info.st_uid != geteuid() else { return " (\(mode))" }
        return " (\(mode), it belongs to uid \(info.st_uid); this command runs as uid \(geteuid()))"
    }

    private static func permissions(of path: String) -> mode_t? {
        var info = stat()
        return lstat(path, &info) == 0 ? info.st_mode & 0o7777 : nil
    }
}
