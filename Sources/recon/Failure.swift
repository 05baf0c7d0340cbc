import ArgumentParser
import Foundation
import ReconKit

/// How a failed command tells people and machines: the error line on stderr (text, or one JSON
/// object under `--log-format json`) and, when `--json` was asked for, the failure as the
/// command's JSON answer on stdout, so a script never gets an empty answer.
enum Failure {
    static func report(_ message: String, exit: Int32, format: ConsoleLog.Format, json: Bool) {
        ConsoleLog.writeError(message, exit: exit, format: format)
        if json { printJSON(ErrorReport(message: message, exit: exit).answer) }
    }
}

/// Runs a command body, turning failures into their message and exit code (SPEC §8).
///
/// `log` is the command's `--log-format`; `json` its `--json` flag, if it has one.
func runReporting(_ log: ConsoleLog.Format = .text, json: Bool = false, _ body: () throws -> Int32) throws {
    var code: Int32
    do {
        code = try body()
    } catch {
        let (message, exit) = failure(error)
        Failure.report(message, exit: exit, format: log, json: json)
        code = exit
    }
    // A read's answer is its product: a standard output that took no write (a full disk under
    // `> report.json`) must not pass for an empty answer. A command that recorded something
    // keeps its outcome (nothing is undone) and says its answer was lost.
    if fflush(stdout) != 0 || ferror(stdout) != 0 {
        let reason = String(cString: strerror(errno))
        if LedgerFile.appendedByThisProcess || CommandOutcome.madeFiles {
            let message = "what the command printed could not be written to standard output (\(reason)); its work is done "
                + (LedgerFile.appendedByThisProcess ? "and recorded (`recon status` shows the site)" : "(its files are written)")
            ConsoleLog.logger(log).warning("\(message)")
        } else if code == 0 {
            Failure.report(CommandOutcome.lostAnswer(reason), exit: 1, format: log, json: false)
            code = 1
        } else {
            // Its failure is said above and its exit code stands; its JSON answer did not reach anyone.
            ConsoleLog.logger(log).warning("\(CommandOutcome.lostAnswer(reason))")
        }
    }
    if let stages = Stages.shared.line { Terminal.writeBestEffort(stages + "\n", to: Terminal.standardError) }
    if let memory = Stages.shared.memoryLine { Terminal.writeBestEffort(memory + "\n", to: Terminal.standardError) }
    if code != 0 { throw ExitCode(code) }
}

/// The message and exit code of an error thrown by ReconKit: the one mapping of errors to
/// SPEC §8 codes lives in ReconKit (`ReconFailure.exitCode(for:)`).
func failure(_ error: Error) -> (String, Int32) {
    if let f = error as? ReconFailure { return (f.message, f.code.rawValue) }
    return ("\(error)", ReconFailure.exitCode(for: error))
}

func printJSON(_ value: JSONValue) {
    print(SafeText.lineSafeJSON(String(decoding: JCS.canonical(value), as: UTF8.self)))
}
