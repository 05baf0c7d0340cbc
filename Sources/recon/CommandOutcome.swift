/// What a command did beyond the ledger, for what is said when its answer is lost.
enum CommandOutcome {
    /// Files made that a second run refuses to make again (`recon keygen`'s key pair).
    nonisolated(unsafe) static var madeFiles = false

    static func lostAnswer(_ reason: String) -> String {
        "the command's answer could not be written to standard output (\(reason)): run it again with standard output "
            + "where it can be written"
    }
}
