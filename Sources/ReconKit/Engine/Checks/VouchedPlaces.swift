import Glibc

/// The files the ledger vouches for — archived drops, checkpoints, issued documents — must be
/// the site's own files in the site's own folders. A symbolic link in place of one, or of
/// `Ledger/drops` or a month's `Outbox` folder, puts what an auditor checks (and what the next
/// writer makes) outside the site, where its lock and its owner's permissions do not reach
/// (SPEC §2: archived as a file of its own, never a link). Such a link is damage: `recon
/// verify` and every writer's checks say so (exit 4), naming the link and where it points.
enum VouchedPlaces {
    /// The first symbolic link on the way from the site's `Ledger` or `Outbox` to `relative`
    /// (each folder below, then the thing itself), as a path relative to the site, with where
    /// it points; nil when none. Those two may themselves be links — where a site keeps its
    /// ledger and documents is its own choice — but recon makes everything below them itself,
    /// never as a link.
    static func link(on relative: String, in site: Site) -> (path: String, target: String)? {
        let parts = relative.split(separator: "/")
        var prefix = parts.first.map(String.init) ?? ""
        for part in parts.dropFirst() {
            prefix += "/" + part
            if FileIO.isSymbolicLink(site.path(prefix)) { return (prefix, target(of: site.path(prefix))) }
        }
        return nil
    }

    /// Damage when `relative` (a file an entry names, `what` it is) is reached through a link.
    static func damage(_ what: String, _ relative: String, seq: Int?, in site: Site) -> LedgerDamage? {
        guard let (link, target) = link(on: relative, in: site) else { return nil }
        return damage(what, relative, link: link, target: target, seq: seq)
    }

    /// The folders every vouched file lives in, and the ledger itself: `Ledger/drops`,
    /// `Ledger/checkpoints`, `Ledger/ledger.jsonl`, and each month's folder under `Outbox` with
    /// its documents' folders. A writer checks them before it appends, so none of its new files
    /// lands outside the site either; a few dozen `lstat`s, whatever the number of documents.
    static func folderDamage(in site: Site) -> LedgerDamage? {
        // `Ledger/staging`: where a drop's bytes wait for their archive, renamed from there into it.
        // `Ledger/keys` and the public key an auditor pins: through a linked folder the site key
        // was read and `site.pub` written outside the site. (The private key itself may be a link,
        // to a mounted secret: it is judged by the key's own mode.)
        var places = ["Ledger/ledger.jsonl", "Ledger/drops", "Ledger/checkpoints", "Ledger/staging",
                      "Ledger/keys", "Ledger/keys/site.pub"]
        for month in FileIO.list(site.outbox) where Period(month) != nil {
            places.append("Outbox/" + month)
            for folder in Set(DocumentKind.allCases.map(\.folder)).sorted() { places.append("Outbox/\(month)/\(folder)") }
        }
        for place in places where FileIO.isSymbolicLink(site.path(place)) {
            let what = place.hasPrefix("Ledger/keys/") || place.hasSuffix(".jsonl") ? "file" : "folder"
            return LedgerDamage(seq: nil, "\(place) is a symbolic link (to \(target(of: site.path(place)))), not the site's own "
                + "\(what): the ledger vouches only for files kept in the site, and a writer would put new ones there — move the "
                + "real \(what) back to \(place)")
        }
        return nil
    }

    private static func damage(_ what: String, _ relative: String, link: String, target: String, seq: Int?) -> LedgerDamage {
        let which = link == relative ? "it is a symbolic link" : "\(link) is a symbolic link"
        return LedgerDamage(seq: seq, "\(what) \(relative) is not the site's own: \(which) (to \(target)); the ledger vouches "
            + "only for files kept in the site — move the real \(link == relative ? "file" : "folder") back to \(link)")
    }

    private static func target(of path: String) -> String {
        var buffer = [CChar](repeating: 0, count: 4097)
        let n = readlink(path, &buffer, 4096)
        guard n > 0 else { return "somewhere unreadable" }
        return SafeText.visible(String(decoding: buffer[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self))
    }
}
