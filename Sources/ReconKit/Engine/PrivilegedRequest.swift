import Foundation

/// A privileged command (`rerun`, `credit`) signed by a listed operator's Ed25519 key.
///
/// The request — command, its arguments, site and ledger head — is put in JCS form and
/// signed; the entry carries the request, the operator's name and verifier key and the
/// signature, so an auditor can check who asked for what against which ledger state.
public struct PrivilegedRequest {
    public let operatorName: String
    public let operatorKey: String
    public let request: [String: JSONValue]
    public let signature: String

    /// Signs `request` with the key in `keyFile`, which must belong to an operator of `config`.
    /// Refuses (exit 3) otherwise, before anything is written.
    public static func sign(_ request: [String: JSONValue], keyFile: String, config: SiteConfig) throws -> PrivilegedRequest {
        let key: SigningKey
        do {
            let text = String(decoding: try FileIO.read(keyFile), as: UTF8.self)
            key = try SigningKey(text: text.trimmingSpaces.trimmingCharacters(in: .newlines))
        } catch {
            throw ReconFailure.refused("cannot use \(keyFile) as an operator key: \(error); `recon keygen NAME` writes one")
        }
        guard let op = config.operators.first(where: { $0.publicKey == key.verifierKey.text }) else {
            throw ReconFailure.refused("the key in \(keyFile) (\(key.verifierKey.text)) belongs to no [[operator]] in recon.toml; this command needs a listed operator's key")
        }
        let message = JCS.canonical(.object(request))
        return PrivilegedRequest(operatorName: op.name, operatorKey: op.publicKey, request: request,
                                 signature: try key.signature(for: message))
    }

    /// The members a privileged entry carries.
    public var bodyMembers: [String: JSONValue] {
        ["operator": .string(operatorName), "operator_key": .string(operatorKey), "request": .object(request),
         "signature": .string(signature)]
    }

    /// Whether an entry body's signature is the named key's signature over its request.
    public static func isValid(body: [String: JSONValue]) -> Bool {
        guard let keyText = body["operator_key"]?.stringValue, let key = try? VerifierKey(text: keyText),
            let request = body["request"]?.objectValue, let signature = body["signature"]?.stringValue
        else { return false }
        return key.isValidSignature(signature, for: JCS.canonical(.object(request)))
    }
}
