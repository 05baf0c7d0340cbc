import Foundation

/// `recon init`: the folders, the site key pair, `recon.toml` and the `site.init` entry.
public enum SiteInitializer {
    /// - Parameter keyDir: with `recon init --key-dir DIR`, the site's private key is written
    ///   to `DIR/NAME.key` (never inside the site) and `recon.toml`'s `site_key` names it.
    public static func initialise(_ site: Site, name: String, baseCurrency: String, timezone: String,
                                  keyDir: String? = nil, clock: SiteClock) throws -> LedgerEntry {
        if site.isInitialised {
            throw ReconFailure.refused("\(site.root) already holds a ledger; a site is initialised once")
        }
        guard !name.isEmpty, !name.contains("+"), !name.contains(where: \.isWhitespace) else {
            throw ReconFailure.usage("--name \"\(name)\": a site name is non-empty, without spaces or '+' (it signs checkpoints)")
        }
        guard Currency(code: baseCurrency) != nil else {
            throw ReconFailure.usage("--base-currency \(baseCurrency) is not an ISO 4217 code (e.g. INR, USD, EUR)")
        }
        guard SiteTimeZone(identifier: timezone) != nil else {
            throw ReconFailure.usage("--timezone \(timezone) is not an IANA time zone name (e.g. UTC, Asia/Kolkata, Europe/Paris)")
        }
        // A recon.toml prepared before init (the seller, the paper…) is kept, never replaced;
        // what it says of the values fixed at init must be these.
        let prepared = try preparedConfig(site)
        if let prepared {
            var mismatches: [String] = []
            if !prepared.site.isEmpty && prepared.site != name { mismatches.append("site = \"\(prepared.site)\", not \"\(name)\"") }
            if !prepared.baseCurrency.isEmpty && prepared.baseCurrency != baseCurrency {
                mismatches.append("base_currency = \"\(prepared.baseCurrency)\", not \"\(baseCurrency)\"")
            }
            if !prepared.timezone.isEmpty && prepared.timezone != timezone {
                mismatches.append("timezone = \"\(prepared.timezone)\", not \"\(timezone)\"")
            }
            if !mismatches.isEmpty {
                throw ReconFailure.refused("\(site.configFile) was prepared with " + mismatches.joined(separator: ", ")
                    + "; nothing was created — give init the same values (or none), or edit recon.toml")
            }
        }
        let externalKey = try keyDir.map { try SiteKeyDirectory.prepare($0, site: site, name: name) }
        for dir in [site.inbox, site.rejected, site.held, site.outbox, site.drops, site.checkpoints] {
            try FileIO.makeDirectory(dir)
        }
        try FileIO.makeDirectory(site.keys)
        chmod(site.keys, 0o700)
        var config = prepared ?? SiteConfig(site: name, baseCurrency: baseCurrency, timezone: timezone)
        (config.site, config.baseCurrency, config.timezone) = (name, baseCurrency, timezone)
        let privateKeyFile: String
        if let externalKey {
            privateKeyFile = externalKey
            config.siteKey = privateKeyFile
            let key = try SigningKey.generate(name: name)
            do { try key.write(to: privateKeyFile) } catch { throw ReconFailure.refused("\(error); a site key is never overwritten") }
            try FileIO.writeAtomically(FileIO.parent(of: privateKeyFile) + "/\(name).pub", Array((key.verifierKey.text + "\n").utf8))
        } else {
            privateKeyFile = site.privateKeyFile
            if !FileIO.exists(privateKeyFile) { try SigningKey.generate(name: name).write(to: privateKeyFile) }
        }
        let stored = try OperatorKeyFile.load(privateKeyFile, role: "the site key")
        try FileIO.writeAtomically(site.publicKeyFile, Array((stored.verifierKey.text + "\n").utf8))
        // A prepared file stays as it was written, comments and all, unless it must now name the key.
        if prepared == nil || externalKey != nil { try FileIO.writeAtomically(site.configFile, Array(config.text.utf8)) }
        let lock = try SiteLock(path: site.lockFile, timeout: SiteSession.lockTimeout)
        defer { withExtendedLifetime(lock) {} }
        let ledger = LedgerFile(path: site.ledgerFile)
        let initial = LedgerEvent.siteInit(.init(site: name, baseCurrency: baseCurrency, timezone: timezone,
                                                  publicKey: stored.verifierKey.text))
        return try ledger.append([initial.item], at: SiteClock.text(clock.now()))[0]
    }

    /// A `recon.toml` in the folder before its first init, read strictly; nil when there is none.
    public static func preparedConfig(_ site: Site) throws -> SiteConfig? {
        guard !site.isInitialised, FileIO.exists(site.configFile) else { return nil }
        let bytes: [UInt8]
        do {
            bytes = try FileIO.read(site.configFile)
        } catch {
            throw ReconFailure.refused("cannot read \(site.configFile): \(error)")
        }
        do {
            return try SiteConfig.parse(String(decoding: bytes, as: UTF8.self))
        } catch let refusal as SiteConfig.OperatorTablesRefused {
            throw ReconFailure.refused("\(refusal)")
        } catch {
            throw ReconFailure.usage("\(error)")
        }
    }
}
