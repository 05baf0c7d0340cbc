/// Why a benchmark stopped: a command that failed, or a site not in the state it must be
/// in for the numbers to mean anything.
struct BenchFailure: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
