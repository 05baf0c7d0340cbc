import Foundation
import Testing

@testable import ReconKit

/// `--site ""` (a script's `--site "$SITE"` with SITE unset) named the file system's root: an
/// init made a whole site at `/`, and every other command worked on it. It is bad usage.
@Suite("An empty --site is bad usage")
struct EmptySiteOptionTests {
    /// Reading commands only: were the check gone, nothing here writes at the root.
    @Test(arguments: [["status"], ["verify"], ["ingest", "--dry-run"], ["status", "--json"]])
    func anEmptySiteIsRefusedBeforeAnythingIsRead(_ command: [String]) throws {
        let r = try TestSite().recon(command + ["--site", ""], site: false)
        #expect(r.code == 1, "\(r.out)\(r.err)")
        #expect((r.out + r.err).contains("--site is empty: name the site folder"), "\(r.out)\(r.err)")
    }

    /// `--site` naming a file: it was "not a recon site … run recon init --site FILE first",
    /// and that init failed with "File exists". Said as a file, by each.
    @Test(arguments: [["status"], ["verify"], ["ingest", "--dry-run"], ["init"]])
    func aSiteThatIsAFileIsSaidToBeOne(_ command: [String]) throws {
        let folder = try TestSite()
        let file = folder.path("afile")
        try "x".write(toFile: file, atomically: true, encoding: .utf8)
        let r = try folder.recon(command + ["--site", file], site: false)
        #expect(r.code == 1 && r.err.contains("\(file) is a file, not a"), "\(r.out)\(r.err)")
    }
}

/// A period argument that looks like the form the help gives but is none (`1969-12`, `2026-13`)
/// was "invalid" with no reason: it says why.
@Suite("A period argument that is none says why")
struct PeriodArgumentTests {
    @Test(arguments: [("1969-12", "1969 is outside the years 1970–2199 dates may take"), ("2026-13", "there is no month 13"), ("26-03", "it is not YYYY-MM")])
    func aPeriodThatIsNoneSaysWhy(_ given: String, _ why: String) throws {
        let site = try TestSite.marchSite()
        for command in [["close", given], ["rerun", given, "--reason", "x", "--key", "k"]] {
            let r = try site.recon(command, env: TestSite.closeDay)
            #expect(r.code == 1 && r.err.contains("\"\(given)\" is not a period: \(why); write YYYY-MM"), "\(command): \(r.err)")
        }
    }
}

/// `--key /dev/null`: told to `chmod 600 /dev/null`, which would break it for every user.
@Suite("A device given as a key")
struct DeviceKeyTests {
    @Test func aDeviceIsNoKeyFile() throws {
        let site = try TestSite.closedMarchSite()
        let r = try site.recon(["credit", "INV-2026-000001", "--amount", "1.00", "--reason", "x", "--key", "/dev/null"],
                               env: TestSite.rerunDay)
        #expect(r.code == 3 && r.err.contains("/dev/null is a device, not a key file") && !r.err.contains("chmod"), "\(r.err)")
    }
}

/// `recon init` inside another site's Inbox: the site's next ingest moved the new site, private
/// key and all, to Inbox/rejected/. Refused (exit 3), nothing made; beside the site's folders, fine.
@Suite("A site inside another site's folders")
struct NestedSiteTests {
    /// `--site` naming a site's own folder: it said to run `recon init` there, which is refused.
    /// It names the site to give instead.
    @Test(arguments: ["Inbox", "Outbox/2026-03", "Ledger"])
    func aFolderOfASiteNamedAsTheSiteNamesTheSite(_ folder: String) throws {
        let site = try TestSite.marchSite()
        let root = try FileIO.realPath(site.root)
        for command in ["status", "verify"] {
            let r = try site.recon([command, "--site", site.path(folder)], site: false, env: TestSite.closeDay)
            #expect(r.code == 1 && (r.err + r.out).contains("is inside the site \(root)") && (r.err + r.out).contains("give --site \(root)")
                    && !(r.err + r.out).contains("recon init"), "\(command): \(r.err)")
        }
    }

    @Test(arguments: ["Inbox/branch", "Outbox/2026-03/branch", "Ledger/branch"])
    func initInsideAnotherSitesFoldersIsRefused(inside: String) throws {
        let site = try TestSite.marchSite()
        let r = try site.recon(["init", "--site", site.path(inside), "--name", "branch"], site: false, env: TestSite.closeDay)
        #expect(r.code == 3 && r.err.contains("lies inside the site"), "\(r.err)")
        #expect(!site.exists(inside))
        let beside = try site.recon(["init", "--site", site.path("branch"), "--name", "branch"], site: false, env: TestSite.closeDay)
        #expect(beside.code == 0, "\(beside.err)")
    }
}
