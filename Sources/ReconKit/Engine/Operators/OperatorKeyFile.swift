/// Loads a private key file for signing (an operator's `NAME.key`, or the site key).
///
/// Every key a command signs with comes through here, so a key file its group or others
/// can read is refused everywhere (exit 3, with the `chmod 600` that fixes it): a key
/// others could copy proves nothing about who signed.
public enum OperatorKeyFile {
    /// - Parameter remedy: what puts it right, said after why it could not be used.
    public static func load(_ path: String, role: String = "an operator key",
                            remedy: String = "`recon keygen NAME` writes an operator key") throws -> SigningKey {
        do {
            return try SigningKey.read(from: path)
        } catch let e as NoteKeyError {
            if case .exposedKeyFile = e { throw ReconFailure.refused("\(e)") }
            throw ReconFailure.refused("cannot use \(path) as \(role): \(e); \(remedy)")
        } catch {
            throw ReconFailure.refused("cannot use \(path) as \(role): \(error)")
        }
    }
}
