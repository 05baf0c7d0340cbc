import Glibc

/// A drop's bytes from the moment they are parsed until the drop lands where it ends: the
/// archive, `Inbox/held/` or `Inbox/rejected/`.
///
/// A large drop's bytes (216 MB for 4M reports) are not held while its rows are checked and
/// its cache encoded: ``stage(sha:site:)`` writes them once, durably, to a hidden temporary file
/// in `Ledger/staging/` (beside the archives' folder) and lets go of them, and ``place(at:)`` renames that file into place.
/// It is the very bytes hashed and parsed, never a second read of the Inbox file. A command
/// killed in between leaves only the hidden file, which the next writer sweeps.
final class DropBytes {
    private var bytes: [UInt8]
    /// The hidden file holding the bytes once staged.
    private var staged: String?
    /// That file as its descriptor knew it when written: what is renamed into place must be it.
    private var stagedIdentity: FileIO.Identity?

    /// The permissions of the file read, which a held or rejected drop keeps: an owner-only file
    /// dropped in the Inbox (a private key put there by mistake) was kept readable by everyone.
    let permissions: mode_t

    init(_ bytes: [UInt8], permissions: mode_t = 0o644) {
        self.bytes = bytes
        self.permissions = permissions
    }

    /// Writes the bytes beside the drop's archive and lets go of them.
    func stage(sha: String, site: Site) throws {
        try FileIO.makeDirectory(site.drops)
        if FileIO.exists(site.staging) && !FileIO.isDirectory(site.staging) {
            // Said as what it is: as a write failure it read as a full disk.
            throw ReconFailure.refused("Ledger/staging is not a folder (something else stands in its place), and a drop's bytes wait "
                + "there before they are archived; nothing was recorded — move it aside, then run the command again")
        }
        try FileIO.makeDirectory(site.staging)
        let temp = FileIO.temporaryName(for: site.staging + "/" + FileIO.baseName(Site.dropPath(sha256: sha)))
        stagedIdentity = try FileIO.writeSynced(temp, bytes)
        staged = temp
        bytes = []
    }

    /// Puts the drop's bytes at `target`, durably. Bytes not staged yet are staged first when
    /// `site` is given (an archive): a command killed meanwhile leaves its hidden file in
    /// `Ledger/staging/`, never in `Ledger/drops/`, where an auditor's verifier reads any file
    /// no entry names as a ledger whose end was cut.
    /// An archive (`site` given) is the ledger's, readable as the ledger is; a drop kept in
    /// `held/` or `rejected/` is still the finance team's file, with its own permissions.
    func place(at target: String, stagingIn site: Site? = nil, sha: String = "") throws {
        if staged == nil, let site { try stage(sha: sha, site: site) }
        if let staged {
            // Exactly the drop's (the umask narrowed what a new file was made with).
            if site == nil { guard chmod(staged, permissions) == 0 else { throw FileIO.Failure(path: staged, action: "set the mode of", code: errno) } }
            var copied = false
            do {
                try FileIO.renameDurably(staged, to: target)
            } catch let failure as FileIO.Failure where failure.code == EXDEV && site == nil {
                // The Inbox on a file system of its own (a mounted share): no rename reaches `held/` or
                // `rejected/` from `Ledger/staging/`, and no drop could be held or rejected (exit 1, said
                // as a full disk). The staged bytes, still the file written, are copied there instead.
                try copyStaged(staged, to: target)
                copied = true
            }
            self.staged = nil
            // A file swapped in for the staged one (anyone may write the site folder) was archived
            // under the drop's hash and the drop accepted over it, its original removed.
            // So was one put through a link swapped in for `Ledger/drops` (an archive outside the site).
            let linked = site.flatMap { VouchedPlaces.link(on: "Ledger/drops/" + FileIO.baseName(target), in: $0) }
            if let linked, let site {
                unlink(target)
                throw ReconFailure.verification("\(linked.path) was replaced by a symbolic link (to \(linked.target)) while this command "
                    + "ran, so the archive of the drop went outside the site; it was taken back, nothing was recorded, and the drop "
                    + "waits where it was — put the real folder back at \(site.path(linked.path)), then run the command again")
            }
            if !copied, let identity = stagedIdentity, FileIO.Identity(at: target) != identity {
                if site != nil { unlink(target) }
                throw ReconFailure.verification("\(staged) was replaced while this command ran (something other than recon writes "
                    + "in the site folder), so what it would have put at \(target) is not the drop it read; nothing was recorded, and "
                    + "the drop waits where it was — find out what wrote there, then run the command again")
            }
        } else {
            try FileIO.writeAtomically(target, bytes, mode: site == nil ? permissions : 0o644, exactMode: site == nil)
        }
    }

    /// ``place(at:stagingIn:sha:)`` across file systems: the staged file's bytes (only while it is
    /// the file written) written anew at `target` with the drop's permissions, then the staged file removed.
    private func copyStaged(_ staged: String, to target: String) throws {
        guard let identity = stagedIdentity, FileIO.Identity(at: staged) == identity else {
            throw ReconFailure.verification("\(staged) was replaced while this command ran (something other than recon writes in "
                + "the site folder), so it is not the drop it read; nothing was recorded, and the drop waits where it was")
        }
        try FileIO.writeAtomically(target, try FileIO.read(staged), mode: permissions, exactMode: true)
        FileIO.remove(staged)
    }

    /// Removes the staged file when the drop went nowhere (a dry run, a held drop already in `held/`, an error).
    func discard() {
        if let staged { FileIO.remove(staged) }
        staged = nil
    }
}
