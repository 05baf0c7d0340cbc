/// Loads a private key file for signing (an operator's `NAME.key`, or the site key).
///
/// Every key a command signs with comes through here, so a key file its group or others
/// can read is refused everywhere (exit 3, with the `chmod 600` that fixes it): a key
/// others could copy proves nothing about who signed.
public enum OperatorKeyFile {
    /// - Parameter remedy: what puts it right, said after why it could not be used.
    public static func load(_ path: String, role: String = "an operator key",
                            remedy: String = "`recon keygen NAME` writes an operator key") throws -> SigningKey {
        do {
            return try SigningKey.read(from: path)
        } catch let e as NoteKeyError {
            if case .exposedKeyFile = e { throw ReconFailure.refused("\(e)") }
            throw ReconFailure.refused("cannot use \(path) as \(role): \(e); \(remedy)")
        } catch {
            throw ReconFailure.refused("cannot use \(path) as \(role): \(error)")
        }
    }

    /// Refuses a key folder inside a site's own folders (`Inbox/`, `Outbox/`, `Ledger/`,
    /// `.recon/`), as `init --key-dir` does: the site's next ingest took a key from its Inbox
    /// to `rejected/` as a drop, readable by everyone.
    public static func refuseSiteFolder(_ dir: String) throws {
        if let (site, folder) = SiteInitializer.enclosingSite(of: FileIO.resolvedPath(dir)) {
            throw ReconFailure.refused("--dir \(dir) lies inside the site \(site) (its \(folder)/ folder), which is that site's own "
                + "(its next ingest takes what is in its Inbox); an operator's key belongs to the operator: keep it outside the site's folders")
        }
    }
}
