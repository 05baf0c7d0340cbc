import ArgumentParser
import Foundation
import Logging
import ReconKit

/// `recon`: the billing reconciler's command line. Each subcommand checks its arguments and
/// hands the work to ReconKit.
@main
struct Recon: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recon",
        abstract: "Offline billing reconciler: drops in, invoices and payout statements out, on a signed ledger.",
        discussion: "Exit codes: 0 done; 1 bad usage or internal error; 2 input rejected; 3 refused; 4 verification failed.",
        subcommands: [
            Init.self, Ingest.self, Watch.self, Status.self, Decide.self, Close.self, Rerun.self, Credit.self,
            Statement.self, Verify.self, Keygen.self, Outliers.self, Demo.self,
        ]
    )

    /// Parses and runs, mapping every failure onto SPEC §8's exit codes: bad usage is 1
    /// (ArgumentParser's own default would be 64), codes chosen by a command pass through.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let code as ExitCode {
            Foundation.exit(code.rawValue)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                print(fullMessage(for: error))
                Foundation.exit(0)
            }
            FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
            Foundation.exit(code == .validationFailure || code.rawValue == 64 ? 1 : code.rawValue)
        }
    }
}

/// Options every site command takes.
struct SiteOptions: ParsableArguments {
    @Option(name: .long, help: "The site folder.")
    var site: String = "."

    @Option(name: .long, help: "Log lines as text or json.")
    var logFormat: ConsoleLog.Format = .text

    var siteValue: Site { Site(root: site) }
    var log: Logger { ConsoleLog.logger(logFormat) }
}

extension ConsoleLog.Format: ExpressibleByArgument {}

/// Runs a command body, turning failures into their message and exit code (SPEC §8).
func runReporting(_ body: () throws -> Int32) throws {
    let code: Int32
    do {
        code = try body()
    } catch {
        FileHandle.standardError.write(Data("Error: \(error)\n".utf8))
        code = ReconFailure.exitCode(for: error)  // the one mapping of errors to SPEC §8 codes
    }
    if code != 0 { throw ExitCode(code) }
}

func printJSON(_ value: JSONValue) {
    print(String(decoding: JCS.canonical(value), as: UTF8.self))
}
