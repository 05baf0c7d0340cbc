import Glibc
import Foundation

/// Where the site's private key lives and how it is read (SPEC §6): `Ledger/keys/site.key`,
/// or, for a site made with `recon init --key-dir DIR`, the file `site_key` in `recon.toml`
/// names, kept outside the site so that whoever can write the site cannot sign for it.
public enum SiteKeyFile {
    /// The private key file: `site_key` (relative to the site folder unless absolute), or
    /// `Ledger/keys/site.key`.
    public static func path(for site: Site) -> String {
        guard let bytes = try? FileIO.read(site.configFile),
            let config = try? SiteConfig.parse(String(decoding: bytes, as: UTF8.self)), let named = config.siteKey
        else { return site.privateKeyFile }
        return named.hasPrefix("/") ? named : site.path(named)
    }

    /// Whether the site key's file is there and its group or others may read or write it.
    public static func isExposed(_ site: Site) -> Bool { othersCanRead(path(for: site)) }

    /// Whether the file at `path` is there and its group or others may read or write it (a
    /// folder in its place is no key whose mode to change).
    static func othersCanRead(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFREG && info.st_mode & 0o077 != 0
    }

    /// Reads the site key, refusing (exit 3) a file others can read or one that is not a key,
    /// and (exit 4) a key that is not the one `site.init` records: what it signed would never
    /// verify, and a checkpoint, once written, is never replaced.
    /// `consequence`: what becomes of the command, said after why the key will not do.
    public static func load(_ site: Site, consequence: String = "nothing is signed or written") throws -> SigningKey {
        let path = path(for: site)
        // Only the site's own key will do: a new one would sign what never verifies.
        let fingerprint = LedgerFile.siteInit(of: site).map { " (\($0.publicKey.split(separator: "+").prefix(2).joined(separator: "+")))" } ?? ""
        let whereFrom = path == site.privateKeyFile ? "" : ", which `site_key` in \(site.configFile) names"
        // A key that is there but that this user may not read (mode 000, 200; another user's)
        // needs its permission, not a backup: the key was told to be restored, intact.
        var info = stat()
        let unreadable = lstat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFREG && access(path, R_OK) != 0
        let remedy = unreadable
            ? "it is there (mode \(String(info.st_mode & 0o7777, radix: 8)), uid \(info.st_uid)) but this user (uid \(geteuid())) may not "
                + "read it: give it back to the site's owner with mode 600 (`chmod 600`, `chown`), or run recon as that user"
            : "put back the site's private key that site.init records\(fingerprint) from its backup, "
                + (whereFrom.isEmpty ? "or name where it is kept with `site_key` in recon.toml" : "or correct `site_key`")
        let key = try OperatorKeyFile.load(path, role: "the site key\(whereFrom)", remedy: remedy)
        if let recorded = LedgerFile.siteInit(of: site)?.publicKey, recorded != key.verifierKey.text {
            throw ReconFailure.verification("\(path) holds the key \(key.verifierKey.text.split(separator: "+").prefix(2).joined(separator: "+")), "
                + "which is not the site key site.init records (\(recorded.split(separator: "+").prefix(2).joined(separator: "+"))); "
                + "\(consequence) — put back the site's own private key (or the `site_key` in recon.toml that names it)")
        }
        return key
    }
}
