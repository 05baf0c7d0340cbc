import Foundation

/// Where a workbook is assembled before it is renamed into place.
///
/// XLSX stands below ReconKit and cannot use its `FileIO`; these are the only two path
/// questions a workbook asks, so they live here rather than in a file layer of its own.
enum PartialFile {
    /// The folder part of a path, `.` when there is none.
    static func folder(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// A hidden, unique name next to `path`: `folder/.NAME.1A2B3C4D.partial`.
    static func path(for path: String) -> String {
        let slash = path.lastIndex(of: "/")
        let folder = slash.map { String(path[...$0]) } ?? ""
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        return "\(folder).\(name).\(UUID().uuidString.prefix(8)).partial"
    }
}
