/// Where a drop named outside the Inbox (`recon ingest FILE`) was read from, kept in
/// `Ledger/staging/SHA.named` while its archive is put in place and its entry appended.
///
/// An ingest stopped between the two (Ctrl-C, SIGTERM, SIGKILL) leaves an archive no entry
/// names. One whose drop waits in the Inbox is the next writer's to remove; without this
/// note, one whose drop waits where it was named looked like what a ledger cut with its
/// checkpoints leaves, and held the whole site. The note vouches for nothing: the archive it
/// names is removed (never recorded), whether or not the file it names still holds its bytes
/// (its owner may have corrected it since), and whoever could write such a note could as well
/// have removed the archive.
enum NamedDropMarker {
    static func path(sha: String, site: Site) -> String { site.staging + "/" + sha + ".named" }

    /// Writes the note (synced before the archive is renamed into place); returns its path.
    static func write(sha: String, path named: String, site: Site) throws -> String {
        try FileIO.makeDirectory(site.staging)
        let absolute = FileIO.resolvedPath(named)
        let marker = path(sha: sha, site: site)
        try FileIO.writeAtomically(marker, Array((absolute + "\n").utf8))
        return marker
    }

    /// Whether the file at `named` (a note's) still holds the bytes whose SHA-256 is `sha`: the
    /// drop waits where it was named.
    static func stillHolds(_ named: String, sha: String) -> Bool {
        Ingestor.sha256(ofDrop: named) == sha
    }

    /// Every note's SHA-256 and the path it names, whatever that file holds now: an ingest
    /// stopped before its entry, whose archive is then no trace of a cut ledger (whoever could
    /// write such a note could as well have removed the archive).
    static func stopped(in site: Site) -> [String: String] {
        var out: [String: String] = [:]
        for (sha, note) in notes(in: site) {
            guard let text = try? FileIO.read(note),
                  let named = String(validating: text, as: UTF8.self)?.split(separator: "\n").first.map(String.init) else { continue }
            out[sha] = named
        }
        return out
    }

    /// Removes the notes whose drop is recorded now, or whose archive is gone: what is left of
    /// an ingest stopped before it removed its own.
    static func sweep(in site: Site, isRecorded: (String) -> Bool) {
        for (sha, note) in notes(in: site) where isRecorded(sha) || !FileIO.exists(site.path(Site.dropPath(sha256: sha))) {
            FileIO.remove(note)
        }
    }

    /// The notes in `Ledger/staging/`: the SHA-256 each is named for, and its path.
    private static func notes(in site: Site) -> [(sha: String, path: String)] {
        FileIO.list(site.staging).filter { $0.hasSuffix(".named") }.map { (String($0.dropLast(".named".count)), site.staging + "/" + $0) }
    }
}
