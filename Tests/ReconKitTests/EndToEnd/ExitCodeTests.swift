import Testing

@testable import ReconKit

/// SPEC §8: every error a command can end with maps to its exit code in one place
/// (`ReconFailure.exitCode(for:)`), so none exits 1 by accident.
@Suite("Exit codes — one mapping from errors to SPEC §8")
struct ExitCodeTests {
    struct Unknown: Error {}

    @Test func eachErrorHasItsCode() {
        let table: [(any Error, Int32)] = [
        (ReconFailure.rejected("x"), 2),
        (ReconFailure.refused("x"), 3),
        (ReconFailure.verification("x"), 4),
        (LedgerDamage(seq: 3, "x"), 4),
        (ArithmeticOverflow(), 3),
        (FileIO.Failure(path: "/x", action: "open", code: 2), 1),
        (Unknown(), 1),
        ]
        for (error, code) in table { #expect(ReconFailure.exitCode(for: error) == code, "\(error)") }
    }
}
