/// Which part of a file the bytes handed to ``CSVReader`` are: a large file may be cut at
/// line ends outside quoted fields and its parts read at once on several cores.
public enum CSVPart: Sendable {
    /// The file from its start: a leading byte order mark is dropped, the first record is
    /// the header (a structural problem in it ends the read) and no record at all is a problem.
    case fileStart
    /// Lines after the file's header, from a line end outside any quoted field: read as the
    /// whole file is read there. A byte order mark at their start is content (only the file's
    /// first bytes can be one), a structural problem in their first record skips that record
    /// only, and lines that hold no record are no problem.
    case afterHeader
}
