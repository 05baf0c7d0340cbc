import Foundation

/// Whether the file at an issued document's name is the workbook the ledger issued, once it
/// has been renamed there from its temporary file. Anyone may write to the site folder: a file
/// swapped in at the temporary name between its write and the rename, or bytes written into it,
/// stood at the final name as the document, and the command said it had issued it; a folder of
/// the path replaced by a link put the document outside the site.
enum PlacedWorkbook {
    /// What stands at the document's name once renamed there.
    enum Outcome: Equatable {
        case issued
        /// Not the workbook written: taken away (the document is missing, and the next writer
        /// writes it from its entry).
        case takenAway
        /// Something that cannot be taken away (a folder): said, for a person to remove.
        case standing(String)
    }

    /// Checks `relative` (the document's site-relative path) after its rename: the issued bytes
    /// (`sha256`), a regular file, in the site's own folders. Otherwise what stands there is taken
    /// away, so no document's name holds bytes the ledger did not issue (a link itself, never what
    /// it names; a file only while it is still the one read).
    static func check(_ relative: String, in site: Site, sha256: String) -> Outcome {
        let path = site.path(relative)
        // Through a link swapped in for one of its folders the workbook went outside the site: it
        // is taken back from there (it is this command's own file) and owed.
        if VouchedPlaces.link(on: relative, in: site) != nil {
            if FileStatus.of(path)?.kind != .folder { unlink(path) }  // the file (or a link at its own name) only
            return .takenAway
        }
        do {
            let read = try DropFile.readIdentified(path)
            if read.sha256 == sha256 { return .issued }
            DropFile.removeIfStill(path, read.identity)
        } catch is DropFile.NotRegular {
            if FileStatus.of(path)?.kind == .folder {
                return .standing("a folder was moved into \(relative) in its place (put at its temporary name while this command ran)")
            }
            unlink(path)
        } catch {}
        return .takenAway
    }

    /// What a command says of a document whose temporary file was changed before it was put in place.
    static func foreign(_ file: String, temp: String) -> String {
        "the file moved into \(file) was not the workbook written for it: something replaced or wrote into its temporary "
            + "file \(FileIO.baseName(temp)) (or a folder on its way) while this command ran, and it was taken away"
    }
}
