/// Waits, in async tests, until `condition` holds, looking every 10 ms for at most `limit`;
/// returns whether it held. The async twin of ``ProcessRunner/wait(upTo:until:)``: a wait on
/// the condition itself, never a pause standing for it.
public func eventually(within limit: Duration = .seconds(5), _ condition: () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + limit
    while ContinuousClock.now < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return condition()
}
