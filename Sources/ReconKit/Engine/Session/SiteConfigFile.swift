import Foundation
import Crypto

/// `recon.toml` as every command that opens a site reads it (SPEC §1). It is optional:
/// without it — or without one of the values fixed at init — `site.init`'s values stand. It
/// is read strictly (a typo, an unknown key, a wrong type: exit 1, naming the line), and
/// what it says of the site's name, base currency and time zone must agree with `site.init`
/// (exit 3, naming both values).
public enum SiteConfigFile {
    /// The file's bytes; none when the site has no `recon.toml`.
    /// A symbolic link whose target is gone is not "no file": the settings it stood for (the
    /// seller, the paper, block_on_soft) would silently fall back to their defaults.
    public static func bytes(_ site: Site) throws -> [UInt8] {
        guard FileIO.exists(site.configFile) || FileIO.isSymbolicLink(site.configFile) else { return [] }
        return try FileIO.read(site.configFile)
    }

    /// The settings, and the SHA-256 of the bytes they were read from (``StatusCache`` is keyed by it).
    public static func load(_ site: Site, initial: LedgerEvent.SiteInit) throws -> (config: SiteConfig, sha256: String) {
        let fixed = SiteConfig(site: initial.site, baseCurrency: initial.baseCurrency, timezone: initial.timezone)
        let read = try Self.read(site, fixed: fixed)
        let mismatches = disagreements(read.config, fixed).map { d in
            // The name is quoted, as recon.toml writes it; codes and zone names read plainly.
            let shown = { (value: String) in d.key == "site" ? "\"\(value)\"" : value }
            return "\(d.key) is \(shown(d.said)) but the ledger says \(shown(d.fixed))"
        }
        if !mismatches.isEmpty {
            throw ReconFailure.refused("recon.toml disagrees with site.init (fixed at init): " + mismatches.joined(separator: "; ")
                + ". Put back the values from site.init.")
        }
        return read
    }

    /// The file read strictly (a typo: exit 1; `[[operator]]` tables: exit 3); the values fixed
    /// at init it leaves out are `fixed`'s (empty without it).
    static func read(_ site: Site, fixed: SiteConfig? = nil) throws -> (config: SiteConfig, sha256: String) {
        let bytes: [UInt8]
        do {
            bytes = try Self.bytes(site)
        } catch let failure as FileIO.Failure {
            if FileIO.isSymbolicLink(site.configFile), !FileIO.exists(site.configFile) {
                let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: site.configFile)) ?? "?"
                throw ReconFailure.refused("\(site.configFile) is a symbolic link to \(SafeText.escaped(target)), which is not there: "
                    + "the site's settings cannot be read, and none are taken for them — mount or restore it, or put the file in its place")
            }
            throw ReconFailure.refused("\(failure)")  // names the file and what failed
        } catch {
            throw ReconFailure.refused("cannot read \(site.configFile): \(error)")
        }
        if let problem = TOML.notUTF8(bytes) { throw ReconFailure.usage("\(problem)") }
        do {
            return (try SiteConfig.parse(String(decoding: bytes, as: UTF8.self), fixed: fixed), Hex.string(SHA256.hash(data: bytes)))
        } catch let refusal as SiteConfig.OperatorTablesRefused {
            throw ReconFailure.refused("\(refusal)")
        } catch {
            throw ReconFailure.usage("\(error)")
        }
    }

    /// The values fixed at init that `config` gives otherwise than `fixed`: (key, said, fixed).
    static func disagreements(_ config: SiteConfig, _ fixed: SiteConfig) -> [(key: String, said: String, fixed: String)] {
        [("site", config.site, fixed.site), ("base_currency", config.baseCurrency, fixed.baseCurrency),
         ("timezone", config.timezone, fixed.timezone)].filter { $0.1 != $0.2 }
    }

    /// Checks the site's `recon.toml` against its `site.init`, read on its own (`recon verify`,
    /// which opens no session). Nothing to check when that first line cannot be read: the
    /// ledger's verification names that damage.
    public static func check(_ site: Site) throws {
        guard let initial = LedgerFile.siteInit(of: site) else { return }
        _ = try load(site, initial: initial)
    }
}
