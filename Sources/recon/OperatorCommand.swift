import ArgumentParser
import Foundation
import ReconKit

/// `recon operator add|remove|list` (SPEC §6): who may sign privileged requests, in the ledger.
struct Operator: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "operator",
        abstract: "Add, remove or list the operators allowed to sign privileged commands (recorded in the ledger).",
        subcommands: [Add.self, Remove.self, List.self])

    /// `recon operator` with no subcommand: bad usage (exit 1), as `recon` alone is.
    func run() throws {
        Terminal.writeBestEffort("recon operator: no subcommand given (add, remove or list)\n\n" + Recon.helpMessage(for: Operator.self) + "\n",
                                 to: Terminal.standardError)
        throw ExitCode(1)
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add",
            abstract: "Append operator.added, signed by a listed operator (--key) or, for the first one only, by the site key.")

        @OptionGroup var options: SiteOptions

        @Argument(help: "Operator name (letters, digits, . _ -; not the site's name).")
        var name: String

        @Argument(help: "The operator's public key (NAME+HASH+BASE64, as in NAME.pub) or the NAME.pub file.")
        var publicKey: String

        @Option(help: "A listed operator's private key file; without it the site key signs (only while no operator is listed).")
        var key: String?

        @Flag(help: "Print the result as JSON.")
        var json = false

        func run() throws {
            try runReporting(options.logFormat, json: json) {
                let session = try SiteSession(site: options.siteValue, writing: true, log: options.log, clock: options.clock)
                try session.repair()
                let r = try OperatorAdmin(session: session).add(name: name, publicKey: publicKey, keyFile: key)
                report(r, json: json, verb: "added")
                return 0
            }
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "remove", abstract: "Append operator.removed, signed by a listed operator.")

        @OptionGroup var options: SiteOptions

        @Argument(help: "The operator to remove.")
        var name: String

        @Option(help: "A listed operator's private key file (required).")
        var key: String?

        @Flag(help: "Print the result as JSON.")
        var json = false

        func run() throws {
            try runReporting(options.logFormat, json: json) {
                guard let key else {
                    throw ReconFailure.refused("removing an operator is privileged: give --key FILE, the private key of a listed operator")
                }
                let session = try SiteSession(site: options.siteValue, writing: true, log: options.log, clock: options.clock)
                try session.repair()
                let r = try OperatorAdmin(session: session).remove(name: name, keyFile: key)
                report(r, json: json, verb: "removed")
                return 0
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the operators the ledger holds now.")

        @OptionGroup var options: SiteOptions

        @Flag(help: "Print the result as JSON.")
        var json = false

        func run() throws {
            try runReporting(options.logFormat, json: json) {
                let session = try SiteSession.openedChecking(options.siteValue) {
                    try SiteSession(site: options.siteValue, writing: false, log: options.log, clock: options.clock)
                }
                let operators = try session.operatorRoster().operators.values.sorted { $0.name < $1.name }
                if json {
                    printJSON(.object(["ok": true, "operators": .array(operators.map {
                        .object(["name": .string($0.name), "public_key": .string($0.publicKey), "added_seq": .int(Int64($0.addedAt))])
                    })]))
                } else if operators.isEmpty {
                    print("no operators; `recon operator add NAME NAME.pub` adds the first with the site key")
                } else {
                    for op in operators { print("\(op.name) \(op.publicKey) (added at seq \(op.addedAt))") }
                }
                return 0
            }
        }
    }
}

private func report(_ r: OperatorAdmin.Result, json: Bool, verb: String) {
    let name = r.entry.string("name") ?? ""
    if json {
        printJSON(.object(["ok": true, "kind": .string(r.entry.kind), "name": .string(name), "seq": .int(Int64(r.entry.seq)),
                           "signed_by": .string(r.signedBy), "checkpoint": CheckpointWords.json(r.checkpoint)]))
    } else {
        print("\(verb) operator \(name) at seq \(r.entry.seq), signed by \(r.signedBy)")
        print(CheckpointWords.text(r.checkpoint))
    }
}
