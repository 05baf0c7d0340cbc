import Crypto

/// Puts back final documents whose entries were appended by a command that was interrupted
/// before it renamed them into place: from the temporary file when it is intact, else by
/// regenerating the workbook from the entry (documents are reproducible byte for byte).
public struct DocumentRepair {
    let session: SiteSession

    public init(session: SiteSession) { self.session = session }

    /// Returns the documents put back.
    @discardableResult
    public func run() throws -> [String] {
        var repaired: [String] = []
        for e in session.ledger.entries where e.kind.hasSuffix(".issued") {
            guard let file = e.string("file"), let sha = e.string("sha256") else { continue }
            let final = session.site.path(file)
            if FileIO.exists(final) { continue }
            let dir = FileIO.parent(of: final), name = FileIO.baseName(final)
            var restored = false
            for candidate in FileIO.list(dir) where candidate.hasPrefix("." + name + ".") && candidate.hasSuffix(".tmp") {
                let path = dir + "/" + candidate
                if let bytes = try? FileIO.read(path), Hex.string(SHA256.hash(data: bytes)) == sha {
                    try FileIO.renameDurably(path, to: final)
                    restored = true
                    break
                }
            }
            if !restored {
                let record = try DocumentRecord(entry: e)
                try FileIO.makeDirectory(dir)
                let temp = FileIO.temporaryName(for: final)
                try DocumentWorkbook.write(record, at: e.at, to: temp)
                let bytes = try FileIO.read(temp)
                guard Hex.string(SHA256.hash(data: bytes)) == sha else {
                    FileIO.remove(temp)
                    throw ReconFailure.verification("seq \(e.seq): \(file) is missing and regenerating it does not give its recorded SHA-256")
                }
                try FileIO.syncFile(temp)
                try FileIO.renameDurably(temp, to: final)
            }
            session.log.warning("put back \(file) (seq \(e.seq)), left out by an interrupted command")
            repaired.append(file)
        }
        return repaired
    }
}
