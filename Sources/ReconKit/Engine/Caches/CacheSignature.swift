/// The site key's word for a usage drop's cache: a signature over the drop's SHA-256, the
/// cache's format and the cache's SHA-256, made by the ingest that encoded the cache from the
/// parsed drop and recorded in its `drop.accepted` (`cache_signature`).
///
/// An entry no checkpoint covers yet is as unsigned as its cache file: both rewritten together
/// billed reports no archived drop held. A close, rerun or credit takes such a cache's rows
/// only when this signature verifies against the key `site.init` records (no one without the
/// site key can make one for other bytes); otherwise it parses the drop and compares.
///
/// The signature covers the drop's row count too (the second form of its message): an entry
/// whose `rows` was edited by hand then no longer holds, and every writer refuses it, as
/// `recon verify` does — read from its cache, the drop's rows were never counted again.
/// Entries signed before hold under the first form, which names no count.
enum CacheSignature {
    static func message(sha256: String, format: String, cacheSha256: String, rows: Int64?) -> [UInt8] {
        guard let rows else { return Array("recon cache\n\(sha256)\n\(format)\n\(cacheSha256)\n".utf8) }
        return Array("recon cache 2\n\(sha256)\n\(format)\n\(cacheSha256)\nrows \(rows)\n".utf8)
    }

    /// The signature, or nil without the site key (kept outside the site and not at hand): the
    /// cache is then confirmed by parsing, only slower.
    static func sign(sha256: String, format: String, cacheSha256: String, rows: Int64, with key: SigningKey?) -> String? {
        try? key?.signature(for: message(sha256: sha256, format: format, cacheSha256: cacheSha256, rows: rows))
    }

    /// Whether `drop`'s cache signature is the site key's over its drop, cache and row count
    /// (or, made by an earlier build, over its drop and cache).
    static func holds(_ drop: LedgerEvent.DropAccepted, siteKey: VerifierKey?) -> Bool {
        guard let siteKey, let signature = drop.cacheSignature, let format = drop.cacheFormat, let cache = drop.cacheSha256 else {
            return false
        }
        return siteKey.isValidSignature(signature, for: message(sha256: drop.sha256, format: format, cacheSha256: cache, rows: drop.rows))
            || siteKey.isValidSignature(signature, for: message(sha256: drop.sha256, format: format, cacheSha256: cache, rows: nil))
    }
}
