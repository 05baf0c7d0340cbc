/// Why the Inbox cannot be watched at all.
///
/// A bad drop never produces one of these: drops are the processing closure's
/// business, and the watcher goes on whatever happens to them.
public enum InboxWatchError: Error, CustomStringConvertible, Equatable {
    /// The Inbox folder does not exist or is not a folder.
    case inboxNotFound(path: String)

    public var description: String {
        switch self {
        case .inboxNotFound(let path):
            return "The Inbox folder \(path) does not exist or is not a folder. On a site whose ledger is there, make the "
                + "folder again (`mkdir Inbox`) and drop the files into it; a folder that is no site is made one with `recon init`, "
                + "and another site is named with --site DIR."
        }
    }
}
