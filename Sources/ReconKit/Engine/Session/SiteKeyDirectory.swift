import Foundation

/// The folder `recon init --key-dir DIR` keeps the site's private key in: outside the site,
/// so that someone who can write the site folder cannot also sign checkpoints over it.
enum SiteKeyDirectory {
    /// Makes `dir` (owner-only) if needed and returns the absolute path of `NAME.key` in it.
    /// Refuses a folder inside the site (exit 1) and an existing key (exit 3: never overwritten).
    /// `named`: the key file a prepared `recon.toml`'s `site_key` names (an init interrupted
    /// after writing its key and recon.toml): that file, already there, is the key to keep.
    static func prepare(_ dir: String, site: Site, name: String, named: String? = nil) throws -> String {
        // The folders are made to be compared as real paths; a refusal takes them away again,
        // with every parent made for them (init creates nothing when it refuses: a folder left
        // in the site's Inbox was the first ingest's to reject). `rmdir` removes only an empty one.
        let made = (missingFolders(dir) + missingFolders(site.root)).sorted { $0.count > $1.count }
        let madeDir = !FileIO.exists(dir)
        var refused = true
        defer {
            if refused { for folder in made { rmdir(folder) } }
        }
        try FileIO.makeDirectory(site.root)
        if madeDir { try FileIO.makePrivateDirectory(dir) }
        guard FileIO.isDirectory(dir) else { throw ReconFailure.usage("--key-dir \(dir) is not a folder") }
        let real = try FileIO.realPath(dir), siteReal = try FileIO.realPath(site.root)
        guard !isWithin(real, siteReal) else {
            throw ReconFailure.usage("--key-dir \(dir) is inside the site \(site.root); keep the site key where the site's writers cannot reach it")
        }
        // Nor in another site's own folders: that site's next ingest took a folder in its
        // Inbox to rejected/, the key with it, and the new site could sign nothing.
        if let (other, folder) = SiteInitializer.enclosingSite(of: real) {
            throw ReconFailure.refused("--key-dir \(dir) lies inside the site \(other) (its \(folder)/ folder), which is that site's "
                + "own; keep the site key outside every site")
        }
        let file = real + "/" + name + ".key"
        // recon.toml's site_key names it, read by the same text rule: a path it could not hold
        // (a tab, a newline, bytes that are not UTF-8 and were read as U+FFFD) is refused now,
        // not written into a recon.toml every later command refuses.
        guard !file.unicodeScalars.contains("\u{FFFD}"), (try? FieldValue.text(Substring(file), limit: 200)) != nil else {
            throw ReconFailure.usage("--key-dir \(SafeText.escaped(dir)): the key's path \(SafeText.escaped(file)) holds a control character, "
                + "bytes that are not UTF-8, or more than 200 characters, which recon.toml's site_key cannot name; give a folder whose "
                + "path is plain text")
        }
        let kept = named.flatMap { try? FileIO.realPath($0) } == file
        guard kept || !FileIO.exists(file) else {
            throw ReconFailure.refused("\(file) already exists; a site key is never overwritten — give another --key-dir (if an "
                + "init of this very site was interrupted before it wrote recon.toml, that key has signed nothing: remove it and its "
                + ".pub, and run init again)")
        }
        refused = false
        return file
    }

    /// A prepared `recon.toml`'s `site_key` must name a file outside the site, or in its own
    /// `Ledger/keys/`: in `Inbox/` the next ingest takes the key for a drop and moves it to
    /// `rejected/`; in `Outbox/` it sits among the documents sent out. Refused (exit 1).
    static func requireOutsideTheSite(_ keyFile: String, site: Site) throws {
        guard let siteReal = try? FileIO.realPath(site.root) else { return }
        let parentReal = FileIO.resolvedPath(FileIO.parent(of: keyFile))
        guard isWithin(parentReal, siteReal), parentReal != FileIO.resolvedPath(site.keys) else { return }
        throw ReconFailure.usage("recon.toml's site_key \(SafeText.escaped(keyFile)) is inside the site \(site.root) but not in its "
            + "Ledger/keys/; keep the site key outside the site (or leave site_key out: init makes it in Ledger/keys/)")
    }

    /// `path` and those of its parents that are not there yet, deepest first.
    private static func missingFolders(_ path: String) -> [String] {
        var missing: [String] = [], folder = path
        while !folder.isEmpty, folder != "/", folder != ".", !FileIO.exists(folder), !FileIO.isSymbolicLink(folder) {
            missing.append(folder)
            folder = FileIO.parent(of: folder)
        }
        return missing
    }

    /// Whether the real path `path` is the folder `root` (a real path too) or inside it.
    private static func isWithin(_ path: String, _ root: String) -> Bool {
        path == root || path.hasPrefix(root == "/" ? "/" : root + "/")
    }
}
