import Foundation

/// `recon init`: the folders, the site key pair, `recon.toml` and the `site.init` entry.
public enum SiteInitializer {
    public static func initialise(_ site: Site, name: String, baseCurrency: String, timezone: String) throws -> LedgerEntry {
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
        for dir in [site.inbox, site.rejected, site.held, site.outbox, site.drops, site.checkpoints] {
            try FileIO.makeDirectory(dir)
        }
        try FileIO.makeDirectory(site.keys)
        chmod(site.keys, 0o700)
        let key = try SigningKey.generate(name: name)
        if !FileIO.exists(site.privateKeyFile) {
            try key.write(to: site.privateKeyFile)
        }
        let stored = try Checkpointer(site: site).loadSiteKey()
        try FileIO.writeAtomically(site.publicKeyFile, Array((stored.verifierKey.text + "\n").utf8))
        var config = SiteConfig(site: name, baseCurrency: baseCurrency, timezone: timezone)
        if FileIO.exists(site.configFile), let old = try? SiteConfig.parse(String(decoding: try FileIO.read(site.configFile), as: UTF8.self)) {
            config.operators = old.operators
        }
        try FileIO.writeAtomically(site.configFile, Array(config.text.utf8))
        let lock = try SiteLock(path: site.lockFile, timeout: SiteSession.lockTimeout)
        defer { withExtendedLifetime(lock) {} }
        let ledger = LedgerFile(path: site.ledgerFile)
        let initial = LedgerEvent.siteInit(.init(site: name, baseCurrency: baseCurrency, timezone: timezone,
                                                  publicKey: stored.verifierKey.text))
        return try ledger.append([initial.item], at: SiteClock.text(SiteClock.now()))[0]
    }
}
