import Foundation

/// What a workbook says about itself in `docProps/core.xml`, `app.xml` and `custom.xml`.
///
/// `created` is written as both the creation and the modification time, so a document
/// regenerated from the ledger with the same `created` has the same bytes as the one
/// first issued. Pass the ledger time the document was issued at, never the clock.
/// Custom properties keep their order; documents carry, for example, the ledger
/// checkpoint they were issued under:
///
/// ```swift
/// DocumentProperties(
///     title: "Invoice INV-2026-000001", author: "recon", created: issuedAt,
///     custom: [(name: "checkpoint", value: "1042")])
/// ```
public struct DocumentProperties: Sendable {
    /// The document title, shown by Excel under File › Info.
    public var title: String
    /// The document subject.
    public var subject: String
    /// The author, e.g. the site name.
    public var author: String
    /// The company issuing the document.
    public var company: String
    /// A free comment.
    public var comments: String
    /// When the document was issued; whole seconds are written, in UTC.
    public var created: Date
    /// Extra text properties, written in order to `docProps/custom.xml`.
    public var custom: [(name: String, value: String)]

    /// Creates properties; empty strings are left out of the file.
    public init(
        title: String = "", subject: String = "", author: String = "", company: String = "",
        comments: String = "", created: Date, custom: [(name: String, value: String)] = []
    ) {
        self.title = title
        self.subject = subject
        self.author = author
        self.company = company
        self.comments = comments
        self.created = created
        self.custom = custom
    }

    /// The creation time as whole seconds since 1970, as libxlsxwriter takes it.
    ///
    /// libxlsxwriter reads 0 as "now", which would make the bytes depend on the clock,
    /// so only times after 1970-01-01T00:00:00Z and before the year 10000 are accepted.
    func creationSeconds(path: String) throws -> Int {
        let seconds = created.timeIntervalSince1970.rounded(.down)
        guard seconds >= 1, seconds < 253_402_300_800 else {
            throw XLSXError(
                code: .invalidProperty, path: path, location: "document properties",
                message: "creation time \(created) cannot be written",
                remedy: "pass the time the document was issued, between 1970 and 9999")
        }
        return Int(seconds)
    }

    /// Checks the custom properties against Excel's limits before anything is written.
    func validateCustom(path: String) throws {
        var seen = Set<String>()
        for (name, value) in custom {
            let location = "custom property \"\(name)\""
            guard !name.isEmpty, name.count <= 255, value.count <= 255 else {
                throw XLSXError(
                    code: .invalidProperty, path: path, location: location,
                    message: "name or value is empty or longer than 255 characters",
                    remedy: "use a name of 1–255 characters and a value of at most 255")
            }
            guard seen.insert(name.lowercased()).inserted else {
                throw XLSXError(
                    code: .invalidProperty, path: path, location: location,
                    message: "the name is used twice", remedy: "give each custom property its own name")
            }
        }
    }
}
