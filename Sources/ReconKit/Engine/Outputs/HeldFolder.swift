import Foundation
import XLSX

/// A folder below `Outbox/` held open while a derived workbook (a statement, a draft, a
/// review, the margin summary) is written into it.
///
/// The workbook is made, renamed into place and fsynced through the folder's descriptor
/// (`/proc/self/fd/N/NAME`), never through the folder's path: a link swapped in for the folder
/// while it was written, and swapped out again before a check after it, sent a statement among
/// a closed month's invoices (the command said it wrote it, exit 0; both verifiers refused the
/// site). Through the descriptor a link never receives it; a folder moved away meanwhile is
/// seen afterwards (``requireInPlace(_:)``) and the workbook taken back out of it.
final class HeldFolder {
    /// The folder, relative to the site.
    let relative: String
    /// Where the folder's files are named: through its descriptor, or by path on a system without `/proc`.
    let base: String
    private let site: Site
    private let fd: Int32

    /// Opens `relative` (made when missing), its first folder as it is (`Outbox` may be a
    /// link a site was set up with) and every folder below it without following a link.
    init(_ relative: String, in site: Site) throws {
        let parts = relative.split(separator: "/").map(String.init)
        let top = site.path(parts.first ?? ".")
        // Made when missing, as the folders below it: a site whose Outbox/ was removed had its
        // drafts, review and summary only warned about.
        if !FileIO.isDirectory(top) { try FileIO.makeDirectory(top) }
        var fd = TransientErrors.open(top, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw FileIO.Failure(path: top, action: "open the folder", code: errno) }
        var walked = parts.first ?? ""
        for part in parts.dropFirst() {
            walked += "/" + part
            if mkdirat(fd, part, 0o755) != 0 && errno != EEXIST {
                let code = errno
                close(fd)
                throw FileIO.Failure(path: site.path(walked), action: "create the folder", code: code)
            }
            let next = openat(fd, part, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            let code = errno
            close(fd)
            guard next >= 0 else {
                if code == ELOOP || code == ENOTDIR, FileIO.isSymbolicLink(site.path(walked)) { throw Self.linked(walked, in: site) }
                throw FileIO.Failure(path: site.path(walked), action: "open the folder", code: code)
            }
            fd = next
        }
        self.relative = relative
        self.site = site
        self.fd = fd
        let own = "/proc/self/fd/\(fd)"
        var seen = stat()
        let reachable = stat(own, &seen) == 0 && FileIO.Identity(of: fd).map { $0.inode == UInt64(seen.st_ino) && $0.device == UInt64(seen.st_dev) } == true
        base = reachable ? own : site.path(relative)
    }

    deinit { close(fd) }

    /// A file in the folder, named for the calls that write it.
    func path(_ name: String) -> String { base + "/" + name }

    /// Throws, taking `name` back out of the folder, unless the folder is still where it was
    /// opened, reached without a link: moved away or replaced by a link while `name` was written,
    /// the workbook went with it, to a place recon does not write.
    func requireInPlace(_ name: String) throws {
        let link = VouchedPlaces.link(on: relative, in: site)
        // The first folder, `Outbox`, is taken as it is, a link included (where a site keeps its
        // documents is its own choice): compared with what it leads to. Every writer took a
        // linked Outbox for one replaced and removed the margin summary.
        var there = stat(), held = stat()
        let seen = relative.contains("/") ? lstat(site.path(relative), &there) : stat(site.path(relative), &there)
        let same = seen == 0 && fstat(fd, &held) == 0 && there.st_dev == held.st_dev && there.st_ino == held.st_ino
        guard link != nil || !same else { return }
        unlinkat(fd, name, 0)
        let written = relative + "/" + name
        let replaced = link.map { "\($0.path) was replaced by a symbolic link (to \($0.target))" } ?? "\(relative) was moved or replaced"
        throw ReconFailure.refused("\(replaced) while \(written) was written: the workbook, written into the folder recon held open, "
            + "was taken back out of it; recon writes only into folders of its own below Outbox/ — put the folder back in its place, "
            + "then run the command again")
    }

    /// `error` naming the folder by its place in the site, not by its descriptor.
    func shown(_ error: Error) -> Error {
        guard base != site.path(relative) else { return error }
        let place = site.path(relative)
        if let e = error as? XLSXError { return e.naming(e.path.replacingOccurrences(of: base, with: place)) }
        if let e = error as? FileIO.Failure {
            return FileIO.Failure(path: e.path.replacingOccurrences(of: base, with: place),
                                  action: e.action.replacingOccurrences(of: base, with: place), code: e.code)
        }
        return error
    }

    /// The refusal of a link met on the way to the folder.
    static func linked(_ relative: String, in site: Site) -> ReconFailure {
        .refused("\(relative) is a symbolic link, and recon writes only into folders of its own below Outbox/ (a link would put "
            + "workbooks outside the site); replace it with a folder")
    }
}
