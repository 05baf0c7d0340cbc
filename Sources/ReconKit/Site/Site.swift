import Foundation

/// A site folder: `Inbox/`, `Outbox/`, `Ledger/` and `recon.toml` (SPEC §1).
public struct Site: Sendable {
    public let root: String

    public init(root: String) {
        var r = root
        while r.count > 1 && r.hasSuffix("/") { r.removeLast() }
        self.root = r
    }

    public func path(_ relative: String) -> String { root == "." ? relative : root + "/" + relative }
    /// `path`, made by ``path(_:)``, relative to the site again (unchanged when it is not the site's).
    public func relative(_ path: String) -> String {
        root != "." && path.hasPrefix(root + "/") ? String(path.dropFirst(root.count + 1)) : path
    }

    public var inbox: String { path("Inbox") }
    public var rejected: String { path("Inbox/rejected") }
    public var held: String { path("Inbox/held") }
    public var outbox: String { path("Outbox") }
    public var ledgerDir: String { path("Ledger") }
    public var ledgerFile: String { path("Ledger/ledger.jsonl") }
    public var drops: String { path("Ledger/drops") }
    /// Where a drop's bytes wait, in a hidden file, until they are archived or kept (``DropBytes``).
    public var staging: String { path("Ledger/staging") }
    public var keys: String { path("Ledger/keys") }
    public var checkpoints: String { path("Ledger/checkpoints") }
    public var lockFile: String { path("Ledger/writer.lock") }
    public var configFile: String { path("recon.toml") }
    public var privateKeyFile: String { path("Ledger/keys/site.key") }
    public var publicKeyFile: String { path(Self.publicKeyRelativePath) }
    /// The site's public key, as messages and the files a command stamps name it.
    public static let publicKeyRelativePath = "Ledger/keys/site.pub"
    /// Parsed drops kept for speed; derived from `Ledger/drops`, safe to delete.
    public var cache: String { path(".recon/cache") }

    /// Relative path of an archived drop (as `drop.accepted` names it).
    public static func dropPath(sha256: String) -> String { "Ledger/drops/\(sha256).csv" }

    /// Relative path of a final document.
    public static func documentPath(kind: DocumentKind, period: Period, number: String) -> String {
        // Appended rather than interpolated: a replay makes one for each of a year's six thousand documents.
        var path = "Outbox/"
        path.reserveCapacity(32 + number.utf8.count)
        path += period.description
        path += "/"
        path += kind.folder
        path += "/"
        path += number
        path += ".xlsx"
        return path
    }

    public var isInitialised: Bool { FileIO.exists(ledgerFile) }

    /// Whether `recon init` was killed in its one append: the ledger file is there but holds not
    /// one complete line (empty, or the start of `site.init`), so it holds no entry to lose, and
    /// the folder no other file a ledger leaves (``filesOfALedger``).
    public var initWasInterrupted: Bool {
        guard let stamp = FileStamp.of(ledgerFile), stamp.size <= 64 << 10, let bytes = try? FileIO.read(ledgerFile) else { return false }
        return !bytes.contains(10) && filesOfALedger.isEmpty
    }

    /// What a command says of a site whose init was interrupted (``initWasInterrupted``).
    public var interruptedInit: ReconFailure {
        ReconFailure.usage("\(ledgerFile) holds no entry yet: `recon init` was interrupted before it wrote site.init; "
            + "run `recon init --site \(root)` again (with the same name, base currency and time zone)")
    }

    /// What a site's ledger leaves behind besides itself — archived drops, checkpoints, issued
    /// months — in words (`3 archived drops`); empty for a new folder. Without the ledger, such a
    /// folder is a site whose ledger was lost: never one to start again over.
    public var filesOfALedger: [String] {
        let drops = FileIO.list(self.drops).filter { $0.hasSuffix(".csv") && !$0.hasPrefix(".") }.count
        let checkpoints = FileIO.list(self.checkpoints).filter { $0.hasSuffix(".txt") && !$0.hasPrefix(".") }.count
        let months = FileIO.list(outbox).filter { Period($0) != nil }.count
        return [(drops, "archived drop", "archived drops"), (checkpoints, "checkpoint", "checkpoints"),
                (months, "month's folder in Outbox/", "months' folders in Outbox/")]
            .filter { $0.0 > 0 }.map { "\($0.0) \($0.0 == 1 ? $0.1 : $0.2)" }
    }
}

extension Site {
    /// The most a path of the site's own adds to its root: `/Ledger/staging/.SHA256.csv.PID.tmp`,
    /// `/Outbox/YYYY-MM/credit-notes/.CN-YYYY-NNNNNN.xlsx.PID.tmp`, and room to spare.
    static let longestOwnPath = 160

    /// A site named by a path so long that its own files' paths pass Linux's 4,095 bytes: every
    /// command read a drop there as missing (ENAMETOOLONG) and refused the site with advice to
    /// restore a backup, while the same site verified from inside. Nil when the path leaves room.
    public var pathTooLong: ReconFailure? {
        let length = root.utf8.count
        guard length + Self.longestOwnPath > 4_095 else { return nil }
        return ReconFailure.usage("the site's path has \(length) bytes, which leaves no room for the files recon keeps in it "
            + "(Linux allows 4,095 bytes a path, and the site's own add up to \(Self.longestOwnPath)): run recon from inside the "
            + "site (`cd SITE && recon COMMAND`, its site then `.`) or move it to a shorter path")
    }
}
