import Foundation

/// `recon init`: the folders, the site key pair, `recon.toml` and the `site.init` entry.
public enum SiteInitializer {
    /// The site whose own folder (`Inbox/`, `Outbox/`, `Ledger/`, `.recon/`) holds `path`, and
    /// that folder's name; nil when none does. What lies there is that site's to move: its
    /// next ingest took a folder in its Inbox to rejected/, a private key and all.
    static func enclosingSite(of path: String) -> (site: String, folder: String)? {
        var above = FileIO.parent(of: FileIO.resolvedPath(path)), below = FileIO.baseName(FileIO.resolvedPath(path))
        while above != "/" && !above.isEmpty {
            if ["Inbox", "Outbox", "Ledger", ".recon"].contains(below), FileIO.exists(above + "/Ledger/ledger.jsonl") {
                return (above, below)
            }
            below = FileIO.baseName(above)
            above = FileIO.parent(of: above)
        }
        return nil
    }

    /// - Parameters:
    ///   - name, baseCurrency, timezone: the values fixed at init; one not given is a prepared
    ///     `recon.toml`'s, else SPEC §1's default (`example-site`, `INR`, `UTC`).
    ///   - keyDir: with `recon init --key-dir DIR`, the site's private key is written to
    ///     `DIR/NAME.key` (never inside the site) and `recon.toml`'s `site_key` names it.
    public static func initialise(_ site: Site, name given: String? = nil, baseCurrency givenBase: String? = nil,
                                  timezone givenZone: String? = nil, keyDir: String? = nil, clock: SiteClock) throws -> LedgerEntry {
        if let tooLong = site.pathTooLong { throw tooLong }
        if site.isInitialised && !site.initWasInterrupted {
            throw ReconFailure.refused("\(site.root) already holds a ledger; a site is initialised once")
        }
        if FileIO.exists(site.root) && !FileIO.isDirectory(site.root) {
            throw ReconFailure.usage("\(site.root) is a file, not a folder; init makes a site in a folder that is empty or not there yet")
        }
        // A folder of the site that is a link leading nowhere, or a file where the Inbox goes:
        // init failed part way on it ("File exists") and left a half-made site.
        if let unmounted = UnlistedFolders.unmountedRefusal(in: site) { throw unmounted }
        if let inbox = UnlistedFolders.notAFolder("Inbox", site.inbox) {
            throw ReconFailure.refused("\(inbox): init makes Inbox/ a folder; nothing was made")
        }
        // Inside another site's own folders, the new site would be that site's to move: its next
        // ingest took the folder from its Inbox to rejected/, private key and all.
        if let (above, below) = enclosingSite(of: site.root) {
            throw ReconFailure.refused("\(site.root) lies inside the site \(above) (its \(below)/ folder), which is that site's "
                + "own: make this site outside it")
        }
        let left = site.filesOfALedger
        if !left.isEmpty, let linked = UnlistedFolders.emptyLedgerLink(in: site, holding: left) { throw linked }
        guard left.isEmpty else {
            throw ReconFailure.refused("\(site.root) has no Ledger/ledger.jsonl but holds a site's files (\(left.joined(separator: ", "))): "
                + "its ledger is lost, and a new one would stand beside that history — restore Ledger/ledger.jsonl from a backup, "
                + "or init a site in an empty folder")
        }
        // A recon.toml prepared before init (the seller, the paper…) is read strictly and kept,
        // never replaced; the values fixed at init it names must be these.
        let prepared = FileIO.exists(site.configFile) || FileIO.isSymbolicLink(site.configFile) ? try SiteConfigFile.read(site).config : nil
        func value(_ given: String?, _ said: String?, _ fallback: String) -> String {
            given ?? said.flatMap { $0.isEmpty ? nil : $0 } ?? fallback
        }
        let name = value(given, prepared?.site, "example-site")
        let baseCurrency = value(givenBase, prepared?.baseCurrency, "INR")
        let timezone = value(givenZone, prepared?.timezone, "UTC")
        // As strict as recon.toml's `site` is read later: a name init took and every command then
        // refused would leave a site nothing can open.
        // No '/' either: the name is the key file's (`NAME.key` in --key-dir), which must not land elsewhere.
        guard !name.contains("+"), !name.contains("/"), !name.contains(where: \.isWhitespace),
              (try? FieldValue.text(Substring(name), limit: 200)) != nil else {
            // Said where it came from: --name, or the prepared file's `site`.
            let shown = "\"\(SafeText.escaped(String(name.prefix(80))))\"\(name.count > 80 ? "…" : "")"
            throw ReconFailure.usage((given != nil ? "--name \(shown)" : "recon.toml site = \(shown)") + ": a site name is "
                + "1–200 characters without spaces, '+', '/', control characters or U+FFFE/U+FFFF (it signs checkpoints, names the "
                + "site key's file and heads every document), e.g. hq-site")
        }
        guard Currency(code: baseCurrency) != nil else {
            throw ReconFailure.usage("--base-currency \(baseCurrency) is not an ISO 4217 code (e.g. INR, USD, EUR)")
        }
        guard !SiteTimeZone.isOffsetName(timezone), SiteTimeZone(identifier: timezone) != nil else {
            let said = givenZone != nil ? "--timezone \(timezone)" : "recon.toml timezone = \(TOML.quoted(timezone))"
            throw ReconFailure.usage("\(said): " + SiteTimeZone.whatIsValid(timezone))
        }
        if let prepared {
            let mismatches = SiteConfigFile.disagreements(prepared, SiteConfig(site: name, baseCurrency: baseCurrency, timezone: timezone))
                .filter { !$0.said.isEmpty }  // a value the file leaves out agrees
            if !mismatches.isEmpty {
                throw ReconFailure.refused("\(site.configFile) was prepared with "
                    + mismatches.map { "\($0.key) = \"\($0.said)\", not \"\($0.fixed)\"" }.joined(separator: ", ")
                    + "; nothing was created — give init the same values (or none), or edit recon.toml")
            }
        }
        let named = prepared?.siteKey != nil ? SiteKeyFile.path(for: site) : nil
        if let named, keyDir == nil { try SiteKeyDirectory.requireOutsideTheSite(named, site: site) }
        let externalKey = try keyDir.map { try SiteKeyDirectory.prepare($0, site: site, name: name, named: named) }
        // Two places for one key: the prepared file's, and --key-dir's. The same file is an init
        // interrupted after it wrote both (resumed); another is a mistake, not to be settled by
        // rewriting what the administrator prepared.
        if let named, let externalKey, FileIO.resolvedPath(named) != FileIO.resolvedPath(externalKey) {
            throw ReconFailure.refused("\(site.configFile) names site_key = \(TOML.quoted(prepared?.siteKey ?? named)), and --key-dir would "
                + "keep the key at \(externalKey); nothing was created — give one of them (drop --key-dir, or site_key from recon.toml)")
        }
        // From here init makes files: one init of a folder at a time, under the writer lock. Two
        // run at once each wrote the key and recon.toml (the second's name over the first's),
        // and the second then found the first's ledger under its append (exit 4, damage).
        try FileIO.makeDirectory(site.ledgerDir)
        let lock = try SiteLock(path: site.lockFile, timeout: SiteSession.lockTimeout)
        defer { withExtendedLifetime(lock) {} }
        if site.isInitialised {
            guard site.initWasInterrupted else {
                throw ReconFailure.refused("\(site.root) already holds a ledger (another `recon init` made it meanwhile); a site is "
                    + "initialised once")
            }
            // An init killed before its entry was whole: done again (its key, if written, is kept).
            FileIO.remove(site.ledgerFile)
            FileIO.remove(site.ledgerFile + ".intent")
        }
        for dir in [site.inbox, site.rejected, site.held, site.outbox, site.drops, site.checkpoints] {
            try FileIO.makeDirectory(dir)
        }
        try FileIO.makePrivateDirectory(site.keys)
        var config = prepared ?? SiteConfig(site: name, baseCurrency: baseCurrency, timezone: timezone)
        (config.site, config.baseCurrency, config.timezone) = (name, baseCurrency, timezone)
        // `--key-dir`'s file, else the one a prepared recon.toml's `site_key` names, else
        // `Ledger/keys/site.key`: used if there (an interrupted init's, or one prepared), made
        // there if not (a key made elsewhere would not be the one every later command reads).
        let privateKeyFile = externalKey ?? SiteKeyFile.path(for: site)
        if externalKey != nil { config.siteKey = privateKeyFile }
        if !FileIO.exists(privateKeyFile) {
            do { try SigningKey.generate(name: name).write(to: privateKeyFile) } catch {
                throw ReconFailure.refused("\(error): the site key cannot be made at \(privateKeyFile); nothing was created beyond "
                    + "the folders — make its folder, or name another place (--key-dir, or site_key in recon.toml)")
            }
        }
        let stored = try OperatorKeyFile.load(privateKeyFile, role: "the site key")
        // Checkpoints are signed under the site's name (SPEC §6): a key made for another name would sign none that verifies.
        guard stored.name == name else {
            throw ReconFailure.refused("\(privateKeyFile) holds a key named \(stored.name), not \(name): a site key signs checkpoints "
                + "under the site's name — name another file with site_key (init makes the key there), or init with --name \(stored.name)")
        }
        try FileIO.writeAtomically(site.publicKeyFile, Array((stored.verifierKey.text + "\n").utf8))
        if let externalKey {
            try FileIO.writeAtomically(FileIO.parent(of: externalKey) + "/\(name).pub", Array((stored.verifierKey.text + "\n").utf8))
        }
        // A prepared file stays as it was written, comments and all; one that must now name the
        // key gets its `site_key` line first (a top-level key before any table), nothing else.
        if prepared == nil {
            try FileIO.writeAtomically(site.configFile, Array(config.text.utf8))
        } else if let externalKey, prepared?.siteKey == nil {
            var bytes = try FileIO.read(site.configFile)
            let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
            let at = bytes.starts(with: bom) ? bom.count : 0
            let newline = bytes.firstIndex(of: 10).map { $0 > 0 && bytes[$0 - 1] == 13 } == true ? "\r\n" : "\n"
            bytes.insert(contentsOf: Array("site_key = \(TOML.quoted(externalKey))\(newline)".utf8), at: at)
            try FileIO.writeAtomically(site.configFile, bytes)
        }
        let ledger = LedgerFile(path: site.ledgerFile)
        let initial = LedgerEvent.siteInit(.init(site: name, baseCurrency: baseCurrency, timezone: timezone,
                                                  publicKey: stored.verifierKey.text))
        return try ledger.append([initial.item], at: SiteClock.text(clock.now()))[0]
    }
}
