import Foundation
import Testing

/// Runs the auditor's independent verifier, `<repo>/../shared/tools/ledger_verify.py`,
/// so tests can compare the ledger's bytes with what the auditor computes.
///
/// Tests that use it are enabled only when python3 (with the `cryptography` package)
/// and the script are present; otherwise Swift Testing reports them skipped with
/// ``skipReason``.
enum LedgerVerifyPython {
    /// `<repo>/../shared/tools`, found from this file's place in the package.
    static let toolsDirectory: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // EndToEnd
        .deletingLastPathComponent()  // ReconKitTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()  // package root
        .deletingLastPathComponent()
        .appendingPathComponent("shared/tools")

    static let skipReason: Comment =
        "needs python3 with the cryptography package and ../shared/tools/ledger_verify.py beside the package"

    /// Whether the script and a python3 that can import it are here.
    static let isAvailable: Bool = {
        let script = toolsDirectory.appendingPathComponent("ledger_verify.py").path
        guard FileManager.default.fileExists(atPath: script) else {
            print("ledger_verify.py comparisons skipped: \(script) does not exist")
            return false
        }
        guard let result = try? run("import ledger_verify", input: Data()), result.status == 0 else {
            print("ledger_verify.py comparisons skipped: python3 cannot import it (python3 or cryptography missing)")
            return false
        }
        return true
    }()

    /// Runs `code` in python3 with `ledger_verify` imported as `lv`, `arguments` in
    /// `sys.argv[1...]`, and `input` on standard input.
    static func run(_ code: String, arguments: [String] = [], input: Data) throws -> (status: Int32, output: String, errors: String) {
        let prologue = "import sys; sys.path.insert(0, \(pythonString(toolsDirectory.path))); import ledger_verify as lv\n"
        let run = try ProcessRunner.run("/usr/bin/env", ["python3", "-c", prologue + code] + arguments, input: input)
        return (run.code, run.out, run.err)
    }

    /// A Python string literal holding `text` (ASCII paths only).
    private static func pythonString(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'"
    }
}
