import Foundation
import ReconKit

/// Making the folder ready: a new site, or a previous demo rebuilt, never anything else.
extension DemoSite {
    /// Files the demo never removes from `Inbox/`, `Outbox/` and `Ledger/`: the writer's lock
    /// file too, which a running command holds (one removed lets a second writer in).
    static let kept: Set<String> = ["README.md", ".gitkeep", "writer.lock"]

    /// Refuses a folder that holds another site (or files a site would own); clears a previous demo.
    func prepare() throws {
        let rebuild = "`recon demo` builds into an empty folder, a folder without a site, or a previous demo; "
            + "pass --site with a new folder (e.g. --site /tmp/recon-demo)"
        let place = site.root == "." ? "the current folder" : site.root
        if site.isInitialised && !site.initWasInterrupted {
            guard let name = DemoSite.siteName(inLedger: site.ledgerFile) else {
                throw ReconFailure.refused("\(site.ledgerFile) does not start with a readable site.init entry, so it is not known to be a demo; "
                    + "nothing was touched. " + rebuild)
            }
            guard name == DemoData.siteName else {
                throw ReconFailure.refused("\(place) holds the site \"\(name)\", not a demo; nothing was touched. " + rebuild)
            }
            // The name alone is anyone's to take (`recon init --name recon-demo`): a demo is also
            // initialised at its history's first moment, and holds nothing after its last.
            let timeline = DemoEvent.timeline
            let first = timeline.first.map { SiteClock.text($0.at) } ?? "", last = timeline.last.map { SiteClock.text($0.at) } ?? ""
            let initAt = DemoSite.initAt(inLedger: site.ledgerFile), lastAt = LedgerFile.lastEntryAt(of: site)
            guard initAt == first else {
                throw ReconFailure.refused("\(place) holds a site named \"\(name)\" initialised at \(initAt ?? "an unreadable time"), "
                    + "not one `recon demo` built (at \(first)); nothing was touched. " + rebuild)
            }
            // Before its last moment (a demo interrupted), or ending as the demo ends: its operator
            // removed at that moment. An entry a person appended at that very second comes after.
            guard let lastAt, lastAt < last || (lastAt == last && DemoSite.endsAsTheDemoEnds(site)) else {
                throw ReconFailure.refused("\(place) holds a demo worked on since (its last entry at \(lastAt ?? "an unreadable time"), after "
                    + "the demo's history, which ends at \(last)); nothing was touched. " + rebuild)
            }
            // Cleared under the site's writer lock: a command at work on the old demo finishes
            // first (or the demo says the site is busy), and none appends to the new one's ledger.
            let writer = try SiteLock(path: site.lockFile, timeout: SiteSession.lockTimeout)
            defer { withExtendedLifetime(writer) {} }
            guard LedgerFile.lastEntryAt(of: site) == lastAt else {
                throw ReconFailure.refused("\(place) was written to while `recon demo` waited for it; nothing was touched. " + rebuild)
            }
            try clear()
            return
        }
        if FileIO.exists(site.configFile) {
            let text = String(decoding: (try? FileIO.read(site.configFile)) ?? [], as: UTF8.self)
            guard let config = try? SiteConfig.parse(text), config.site == DemoData.siteName else {
                throw ReconFailure.refused("\(site.configFile) belongs to another site; nothing was touched. " + rebuild)
            }
            // A demo interrupted before its ledger was written.
            try clear()
            return
        }
        // A demo stopped in its first moments, in its init: a site key named as the demo's (and
        // the public half being written), no ledger yet. Refused, it could only be rebuilt by
        // hand. The key is kept, as `recon init` keeps an interrupted init's (whose it is cannot
        // be told: never deleted); the demo's init signs with it. Its unfinished writes go.
        if isInterruptedDemoInit() {
            for name in FileIO.list(site.keys) where name.hasPrefix(".") && name.hasSuffix(".tmp") { FileIO.remove(site.keys + "/" + name) }
            try FileIO.makeDirectory(site.root)
            return
        }
        for dir in [site.inbox, site.outbox, site.ledgerDir] {
            // Empty folders are what a demo killed as it began leaves (`Inbox/held`, `Ledger/drops`…): nothing to keep.
            let extra = FileIO.list(dir).filter { !DemoSite.kept.contains($0) && !Self.holdsNoFile(dir + "/" + $0) }
            if !extra.isEmpty {
                throw ReconFailure.refused("\(dir) holds \(extra.prefix(3).joined(separator: ", "))\(extra.count > 3 ? ", …" : "") "
                    + "but the folder has no ledger; nothing was touched. " + rebuild)
            }
        }
        try FileIO.makeDirectory(site.root)
    }

    /// Whether the folder holds what a demo stopped in its init leaves, and nothing else: under
    /// `Ledger/keys/` the site key named as the demo's site (`site.pub`, and hidden unfinished
    /// writes, beside it), no ledger and no `recon.toml`; `Inbox/`, `Outbox/` and the rest of
    /// `Ledger/` without a file.
    func isInterruptedDemoInit() -> Bool {
        let keyFile = SiteKeyFile.path(for: site)
        guard !FileIO.exists(site.ledgerFile), !FileIO.exists(site.configFile),
              let key = try? OperatorKeyFile.load(keyFile, role: "the site key"), key.name == DemoData.siteName,
              FileIO.list(site.keys).allSatisfy({ $0 == "site.key" || $0 == "site.pub" || $0.hasPrefix(".") })
        else { return false }
        for dir in [site.inbox, site.outbox, site.ledgerDir] {
            let extra = FileIO.list(dir).filter { !DemoSite.kept.contains($0) && !Self.holdsNoFile(dir + "/" + $0) && dir + "/" + $0 != site.keys }
            if !extra.isEmpty { return false }
        }
        return true
    }

    /// Whether `path` is a folder with no file anywhere below it (a link or any other entry counts as a file).
    static func holdsNoFile(_ path: String) -> Bool {
        guard !FileIO.isSymbolicLink(path), FileIO.isDirectory(path) else { return false }
        return FileIO.list(path).allSatisfy { holdsNoFile(path + "/" + $0) }
    }

    /// Removes a previous demo: the contents of `Inbox/`, `Outbox/` and `Ledger/` (their
    /// `README.md` files stay), `recon.toml` and what the previous run kept in `.recon/` (its
    /// caches and the document seal its key signed). Nothing else in the folder is touched.
    func clear() throws {
        // A folder of the site that is a link (`Outbox` kept on a share): emptying it emptied the
        // folder it points to, the user's own files there with the demo's. Refused, nothing touched.
        for dir in [site.inbox, site.outbox, site.ledgerDir] where FileIO.isSymbolicLink(dir) {
            let target = (try? FileIO.realPath(dir)).map { "a link to \($0)" } ?? "a link"
            throw ReconFailure.refused("\(dir) is \(target): `recon demo` rebuilds a previous demo by emptying its folders, and "
                + "empties no folder elsewhere; nothing was touched. Remove the link (the demo makes a folder of its own), or pass "
                + "--site with a new folder (e.g. --site /tmp/recon-demo)")
        }
        // The new site's key did not sign the old seal: left, every command would warn about it.
        let kept = site.path(".recon")
        if FileIO.isDirectory(kept) {
            do {
                try FileManager.default.removeItem(atPath: kept)
            } catch {
                throw ReconFailure.usage("cannot remove \(kept) of the previous demo: \(error)")
            }
        }
        for dir in [site.inbox, site.outbox, site.ledgerDir] {
            for name in FileIO.list(dir) where !DemoSite.kept.contains(name) {
                do {
                    try FileManager.default.removeItem(atPath: dir + "/" + name)
                } catch {
                    throw ReconFailure.usage("cannot remove \(dir)/\(name) of the previous demo: \(error)")
                }
            }
        }
        FileIO.remove(site.configFile)
    }

    /// The `site` member of the ledger's first entry when it is a `site.init`, else nil.
    static func siteName(inLedger path: String) -> String? {
        siteInit(inLedger: path)?["body"]?.objectValue?["site"]?.stringValue
    }

    /// Whether the ledger's last entry is the demo's own last: the removal of its operator.
    static func endsAsTheDemoEnds(_ site: Site) -> Bool {
        guard let line = LedgerFile.lastLine(of: site), let entry = (try? JSONParser.parse(Array(line)))?.objectValue else { return false }
        return entry["kind"]?.stringValue == LedgerEvent.Kind.operatorRemoved.rawValue
            && entry["body"]?.objectValue?["name"]?.stringValue == DemoSite.operatorName
    }

    /// The `at` of the ledger's first entry when it is a `site.init`, else nil.
    static func initAt(inLedger path: String) -> String? {
        siteInit(inLedger: path)?["at"]?.stringValue
    }

    /// The ledger's first entry, as JSON members, when it is a `site.init`.
    private static func siteInit(inLedger path: String) -> [String: JSONValue]? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        let head = [UInt8](handle.readData(ofLength: 1 << 16))
        guard let newline = head.firstIndex(of: 10), let value = try? JSONParser.parse(Array(head[..<newline])),
            let entry = value.objectValue, entry["kind"]?.stringValue == LedgerEvent.Kind.siteInit.rawValue
        else { return nil }
        return entry
    }
}
