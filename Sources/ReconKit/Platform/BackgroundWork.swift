import Dispatch

/// A value worked out on another core while the caller goes on: an archived drop hashed
/// while its cache is decoded, a ledger hashed whole while its lines are parsed.
final class BackgroundWork<Value>: @unchecked Sendable {
    private let done = DispatchGroup()
    private var value: Value?

    init(_ work: @escaping () -> Value) {
        DispatchQueue.global().async(group: done) { self.value = work() }
    }

    /// The value, once it is worked out.
    func wait() -> Value {
        done.wait()
        return value!
    }
}
