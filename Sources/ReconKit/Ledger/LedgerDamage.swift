/// The first thing wrong with a ledger, a drop archive or a document: verification fails (exit 4).
public struct LedgerDamage: Error, CustomStringConvertible {
    public let seq: Int?
    public let message: String

    public init(seq: Int?, _ message: String) {
        self.seq = seq
        self.message = message
    }

    public var description: String { (seq.map { "seq \($0): " } ?? "") + message }
}
