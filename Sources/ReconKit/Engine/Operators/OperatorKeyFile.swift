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

    /// What a `recon keygen NAME` killed part way left in `dir`, taken away so the next one
    /// finishes: its temporary files (`.NAME.pub.PID.tmp`, of a process no longer running),
    /// and an empty `NAME.key` without its `NAME.pub` (killed between creating the key file and
    /// writing it: it holds no key, and a retry was refused as "not a private key"). Returns
    /// what it removed, for the message.
    public static func tidyInterruptedKeygen(in dir: String, name: String) -> [String] {
        var removed: [String] = []
        for hidden in FileIO.hiddenNames(in: dir) where hidden.hasPrefix(".\(name).key.") || hidden.hasPrefix(".\(name).pub.") {
            guard let pid = DocumentRepair.writerProcess(ofTemporary: hidden), !WriterProcess.isRunning(pid),
                  (try? FileIO.removeChecked(dir + "/" + hidden)) != nil else { continue }
            removed.append(dir + "/" + hidden)
        }
        let key = dir + "/" + name + ".key", pub = dir + "/" + name + ".pub"
        if let info = FileStatus.of(key), info.kind == .regularFile, info.size == 0, FileStatus.of(pub) == nil,
           (try? FileIO.removeChecked(key)) != nil {
            removed.append(key + " (empty)")
        }
        return removed
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
