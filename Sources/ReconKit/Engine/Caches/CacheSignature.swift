/// The site key's word for a usage drop's cache: a signature over the drop's SHA-256, the
/// cache's format and the cache's SHA-256, made by the ingest that encoded the cache from the
/// parsed drop and recorded in its `drop.accepted` (`cache_signature`).
///
/// An entry no checkpoint covers yet is as unsigned as its cache file: both rewritten together
/// billed reports no archived drop held. A close, rerun or credit takes such a cache's rows
/// only when this signature verifies against the key `site.init` records (no one without the
/// site key can make one for other bytes); otherwise it parses the drop and compares.
enum CacheSignature {
    static func message(sha256: String, format: String, cacheSha256: String) -> [UInt8] {
        Array("recon cache\n\(sha256)\n\(format)\n\(cacheSha256)\n".utf8)
    }

    /// The signature, or nil without the site key (kept outside the site and not at hand): the
    /// cache is then confirmed by parsing, only slower.
    static func sign(sha256: String, format: String, cacheSha256: String, with key: SigningKey?) -> String? {
        try? key?.signature(for: message(sha256: sha256, format: format, cacheSha256: cacheSha256))
    }

    /// Whether `drop`'s cache signature is the site key's over its drop and cache.
    static func holds(_ drop: LedgerEvent.DropAccepted, siteKey: VerifierKey?) -> Bool {
        guard let siteKey, let signature = drop.cacheSignature, let format = drop.cacheFormat, let cache = drop.cacheSha256 else {
            return false
        }
        return siteKey.isValidSignature(signature, for: message(sha256: drop.sha256, format: format, cacheSha256: cache))
    }
}
