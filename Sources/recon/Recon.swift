import ArgumentParser
import Foundation
import Logging
import ReconKit

/// `recon`: the billing reconciler's command line. Each subcommand checks its arguments and
/// hands the work to ReconKit.
///
/// Every command names itself (`commandName`): without it ArgumentParser makes each name from
/// `String(describing:)` of the command's type, whose casts have the Swift runtime look
/// through every protocol conformance of the (statically linked) binary, a few milliseconds
/// at every start.
@main
struct Recon: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recon",
        abstract: "Offline billing reconciler: drops in, invoices and payout statements out, on a signed ledger.",
        discussion: "Exit codes: 0 done; 1 bad usage or internal error; 2 input rejected; 3 refused; 4 verification failed.",
        version: ReconVersion.text,
        subcommands: [
            Init.self, Ingest.self, Watch.self, Status.self, Decide.self, Close.self, Rerun.self, Credit.self,
            Statement.self, Verify.self, Keygen.self, Operator.self, Outliers.self, Demo.self,
        ]
    )

    /// `recon` with no command: bad usage (exit 1), the commands listed on standard error. A
    /// script that lost its subcommand must not read the help text as a command done.
    func run() throws {
        Terminal.writeBestEffort("recon: no command given\n\n" + Recon.helpMessage() + "\n", to: Terminal.standardError)
        throw ExitCode(1)
    }

    /// Parses and runs, mapping every failure onto SPEC §8's exit codes: bad usage is 1
    /// (ArgumentParser's own default would be 64), codes chosen by a command pass through.
    static func main() {
        // A write past a file-size limit (RLIMIT_FSIZE) then fails with EFBIG, like a full disk,
        // and is handled as one; left at its default, SIGXFSZ would kill recon mid-command.
        signal(SIGXFSZ, SIG_IGN)
        // Standard error or output sent into a pipe whose reader has gone (a `| logger` that
        // died) fails each write with EPIPE instead: left at its default, SIGPIPE killed recon
        // after it had committed, half through a batch or a rerun.
        signal(SIGPIPE, SIG_IGN)
        HeapGrowth.setUp()
        TransientErrors.raiseOpenFileLimit()
        StandardStreams.openClosedOnes()
        var words = Array(CommandLine.arguments.dropFirst())
        // `recon operator help add` read "help" as an operator command: the help one level down,
        // as `recon help operator add` gives it.
        if words.count >= 2, words[0] == "operator", words[1] == "help" { words = ["help", "operator"] + words.dropFirst(2) }
        // The lock's wait and a stop signal's end said as the log is (one JSON object a line under
        // --log-format json); under --json a stop is answered on standard output too, as every
        // failure is (a script read nothing there and could not tell the command had ended).
        let logFormat = RawArgument.logFormat(words), answersJSON = RawArgument.wantsJSON(words)
        if logFormat == .json {
            let log = ConsoleLog.logger(.json)
            SiteLock.sayWaiting = { log.notice("\($0)") }
        }
        if logFormat == .json || answersJSON {
            SignalHold.sayStopped = { message, exit in
                if logFormat == .json { ConsoleLog.writeError(message, exit: exit, format: .json) }
                else { Terminal.writeBestEffort("recon: \(message)\n", to: Terminal.standardError) }
                if answersJSON {
                    let answer = ErrorReport(message: message, exit: exit).answer
                    Terminal.writeBestEffort(SafeText.lineSafeJSON(JCS.canonicalString(answer)) + "\n", to: STDOUT_FILENO)
                }
            }
        }
        // Options are read from the raw words when parsing fails or is not reached: a machine
        // that asked for JSON gets JSON even when it misspelt something else.
        func fail(_ message: String, exit: Int32) -> Never {
            Failure.report(message, exit: exit, format: RawArgument.logFormat(words), json: RawArgument.wantsJSON(words))
            Foundation.exit(exit)
        }
        // `recon help NAME` for a command there is none of printed the whole help and exited 0 (a
        // mistyped name read as help given), and a mistyped command (`recon stauts --site hq`) was
        // told "Unknown option '--site'": bad usage, naming the commands, as JSON if asked for.
        let named = words.count >= 2 && words[0] == "help" ? words[1] : words.first ?? "help"
        let names = configuration.subcommands.compactMap { $0.configuration.commandName }
        if !named.hasPrefix("-"), !names.contains(named), named != "help" {
            fail("there is no command \"\(SafeText.escaped(named))\"; the commands are " + names.joined(separator: ", ")
                + " (`recon help COMMAND`)", exit: 1)
        }
        // The same one level down: `recon operator lst --site hq` was told "Unknown option '--site'".
        // And `recon help operator lst` printed the operator help, exit 0, as if it were one.
        let verbAt = words.first == "help" ? 2 : 1
        if named == "operator", words.count > verbAt, !words[verbAt].hasPrefix("-") {
            let verbs = Operator.configuration.subcommands.compactMap { $0.configuration.commandName }
            if !verbs.contains(words[verbAt]) {
                fail("there is no operator command \"\(SafeText.escaped(words[verbAt]))\"; use " + verbs.joined(separator: ", ")
                    + " (`recon operator --help`)", exit: 1)
            }
        }
        // `recon operator --site hq` (an option, no operator command) was told "Unknown option
        // '--site'", though every command takes it: told the operator command is missing.
        if named == "operator", words.count > verbAt, words[verbAt].hasPrefix("-"), !["-h", "--help"].contains(words[verbAt]) {
            fail("no operator command given before \(SafeText.escaped(words[verbAt])); use add, remove or list "
                + "(`recon operator list --site DIR`; `recon help operator`)", exit: 1)
        }
        // An option given twice took its last value without a word, even a signed credit's
        // --amount: bad usage, named, before anything runs.
        if let twice = RawArgument.optionGivenTwice(words) {
            let values = twice.values.count > 1 ? " (\(twice.values.joined(separator: ", then ")))" : ""
            fail("\(twice.name) is given twice\(values); give each option once", exit: 1)
        }
        if let undecodable = RawArgument.undecodableText() { fail(undecodable, exit: 1) }
        do {
            var command = try parseAsRoot(words)
            try command.run()
        } catch let code as ExitCode {
            Foundation.exit(code.rawValue)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                // `--version` or `--help`: the answer is all it does, so one lost (`> /dev/full`) fails.
                print(fullMessage(for: error))
                if fflush(stdout) != 0 || ferror(stdout) != 0 {
                    fail(CommandOutcome.lostAnswer(String(cString: strerror(errno))), exit: 1)
                }
                Foundation.exit(0)
            }
            let exit: Int32 = code == .validationFailure || code.rawValue == 64 ? 1 : code.rawValue
            var message = fullMessage(for: error)
            if message.hasPrefix("Error: ") { message.removeFirst("Error: ".count) }
            // The hint goes at the end of the message's first line, before ArgumentParser's usage lines.
            message.insert(contentsOf: RawArgument.dashValueHint(message, words), at: message.firstIndex(of: "\n") ?? message.endIndex)
            fail(message, exit: exit)
        }
    }
}

/// Options every site command takes.
struct SiteOptions: ParsableArguments {
    @Option(name: .long, help: "The site folder.")
    var site: String = "."

    @Option(name: .long, help: "Log lines on stderr as text or json (one object a line, errors included).")
    var logFormat: ConsoleLog.Format = .text

    var siteValue: Site { Site(root: site) }
    var log: Logger { ConsoleLog.logger(logFormat) }
    /// The site clock, read once from `RECON_NOW` (unset: the system clock; checked by ``validate()``);
    /// without an offset, a time of the site's zone.
    /// A value whose day in the site's zone lies outside the years entries may carry is refused
    /// here (its UTC day passed ``validate()``): left at the system clock, it stamped entries with today.
    var clock: SiteClock { get throws { try .fromEnvironment(zone: SiteClock.zone(of: siteValue)) } }

    /// An unreadable `RECON_NOW` is bad usage (exit 1), refused before anything is read or written;
    /// so is an empty `--site` (`--site "$SITE"` with SITE unset), which the file system reads
    /// as its root.
    func validate() throws {
        guard !site.isEmpty else {
            throw ValidationError("--site is empty: name the site folder (`--site .` for this one, or leave the option out)")
        }
        _ = try SiteClock.fromEnvironment()
        // Read by every site command, also those that wait for no lock this time (`status` from
        // its cache, `statement`): a mistyped value was bad usage only on the day one waited.
        _ = try SiteSession.lockTimeout
    }
}

extension ConsoleLog.Format: ExpressibleByArgument {}

/// The log option alone, for commands that touch no site.
struct LogOptions: ParsableArguments {
    @Option(name: .long, help: "Log lines on stderr as text or json (one object a line, errors included).")
    var logFormat: ConsoleLog.Format = .text
}
