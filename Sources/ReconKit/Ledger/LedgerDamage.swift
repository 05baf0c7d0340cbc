/// The first thing wrong with a ledger, a drop archive or a document: verification fails (exit 4).
public struct LedgerDamage: Error, CustomStringConvertible {
    public let seq: Int?
    public let message: String

    public init(seq: Int?, _ message: String) {
        self.seq = seq
        self.message = message
    }

    public var description: String { (seq.map { "seq \($0): " } ?? "") + message }
}

extension LedgerDamage {
    /// Reads the file `relative` an entry (`seq`) vouches for through `read`: a folder, FIFO or
    /// other non-file in its place, or a symbolic link on the way to it (``VouchedPlaces``), is
    /// damage that names the entry, as changed bytes are, never an internal error.
    static func reading<T>(_ what: String, _ relative: String, seq: Int?, in site: Site, _ read: () throws -> T) throws -> T {
        if let linked = VouchedPlaces.damage(what, relative, seq: seq, in: site) { throw linked }
        // recon archives no drop and issues no document over 1 GiB: a larger file there is not
        // the one recorded, said at once (hashing a sparse 8 TB file in its place took hours).
        if what == "archived drop" || what == "document", let size = FileStatus.of(site.path(relative))?.size,
           size > DropFile.largestBytes {
            throw LedgerDamage(seq: seq, "\(what) \(relative) is \(size) bytes, larger than any \(what) recon writes (1 GiB at most): "
                + "it is not the file recorded")
        }
        do {
            return try read()
        } catch let failure as FileIO.Failure where failure.isNotARegularFile {
            // A document is reproducible from its entry: taking the thing away is all it needs.
            let remedy = what == "document" ? " — remove it, and the next writing command puts the document back from its entry, byte for byte" : ""
            throw LedgerDamage(seq: seq, "\(what) \(relative) is not a regular file: something else is in its place\(remedy)")
        }
    }
}

