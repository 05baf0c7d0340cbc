import Crypto

/// `recon.toml` as every command that opens a site reads it (SPEC §1). It is optional:
/// without it — or without one of the values fixed at init — `site.init`'s values stand. It
/// is read strictly (a typo, an unknown key, a wrong type: exit 1, naming the line), and
/// what it says of the site's name, base currency and time zone must agree with `site.init`
/// (exit 3, naming both values).
public enum SiteConfigFile {
    /// The file's bytes; none when the site has no `recon.toml`.
    public static func bytes(_ site: Site) throws -> [UInt8] {
        FileIO.exists(site.configFile) ? try FileIO.read(site.configFile) : []
    }

    /// The settings, and the SHA-256 of the bytes they were read from (``StatusCache`` is keyed by it).
    public static func load(_ site: Site, initial: LedgerEvent.SiteInit) throws -> (config: SiteConfig, sha256: String) {
        let bytes: [UInt8]
        do {
            bytes = try Self.bytes(site)
        } catch {
            throw ReconFailure.refused("cannot read \(site.configFile): \(error)")
        }
        let fixed = SiteConfig(site: initial.site, baseCurrency: initial.baseCurrency, timezone: initial.timezone)
        let config: SiteConfig
        do {
            config = try SiteConfig.parse(String(decoding: bytes, as: UTF8.self), fixed: fixed)
        } catch let refusal as SiteConfig.OperatorTablesRefused {
            throw ReconFailure.refused("\(refusal)")
        } catch {
            throw ReconFailure.usage("\(error)")
        }
        var mismatches: [String] = []
        if config.site != initial.site { mismatches.append("site is \"\(config.site)\" but the ledger says \"\(initial.site)\"") }
        if config.baseCurrency != initial.baseCurrency {
            mismatches.append("base_currency is \(config.baseCurrency) but the ledger says \(initial.baseCurrency)")
        }
        if config.timezone != initial.timezone {
            mismatches.append("timezone is \(config.timezone) but the ledger says \(initial.timezone)")
        }
        if !mismatches.isEmpty {
            throw ReconFailure.refused("recon.toml disagrees with site.init (fixed at init): " + mismatches.joined(separator: "; ")
                + ". Put back the values from site.init.")
        }
        return (config, Hex.string(SHA256.hash(data: bytes)))
    }

    /// Checks the site's `recon.toml` against its `site.init`, read on its own (`recon verify`,
    /// which opens no session). Nothing to check when that first line cannot be read: the
    /// ledger's verification names that damage.
    public static func check(_ site: Site) throws {
        guard let initial = LedgerFile.siteInit(of: site) else { return }
        _ = try load(site, initial: initial)
    }
}
