import Foundation

/// Whether the file at an issued document's name is the workbook the ledger issued, once it
/// has been renamed there from its temporary file. Anyone may write to the site folder: a file
/// swapped in at the temporary name between its write and the rename, or bytes written into it,
/// stood at the final name as the document, and the command said it had issued it.
enum PlacedWorkbook {
    /// True when `path` is a regular file whose SHA-256 is `sha256`. Otherwise what stands
    /// there is taken away, so no document's name holds bytes the ledger did not issue (a link
    /// itself, never what it names; a file only while it is still the one read), and false is
    /// returned: the document is then missing, and the next writer writes it from its entry.
    static func isIssued(_ path: String, sha256: String) -> Bool {
        do {
            let read = try DropFile.readIdentified(path)
            if read.sha256 == sha256 { return true }
            DropFile.removeIfStill(path, read.identity)
        } catch is DropFile.NotRegular {
            if FileStatus.of(path)?.kind != .folder { unlink(path) }
        } catch {}
        return false
    }

    /// What a command says of a document whose temporary file was changed before it was put in place.
    static func foreign(_ file: String, temp: String) -> String {
        "the file moved into \(file) was not the workbook written for it: something replaced or wrote into its temporary "
            + "file \(FileIO.baseName(temp)) while this command ran, and it was taken away"
    }
}
