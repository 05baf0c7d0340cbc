import ArgumentParser
import Foundation
import ReconKit

struct Keygen: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen",
        abstract: "Write an operator key pair (NAME.key, owner-only, and NAME.pub) for privileged commands.",
        discussion: """
            Then `recon operator add NAME NAME.pub` lists it in the ledger. Existing key files are never overwritten.
            It touches no site: an operator's key belongs to the operator, not to a site folder (key files are never written
            into a site's Inbox, Outbox, Ledger or .recon). --site is accepted, as every command takes it (SPEC §1), and changes nothing.
            """)

    @Argument(help: "Operator name: 1–64 of A-Z a-z 0-9 . _ -, not starting with . or - (a plain file name, never a path).")
    var name: String

    @Option(name: [.customLong("dir"), .customLong("out")], help: "Folder to write the key files in (default: the current folder).")
    var dir: String = "."

    /// Taken so that a script giving every command the site's folder runs this one too.
    @Option(name: .long, help: "Accepted as by every command; keygen writes nothing in a site (see --dir).")
    var site: String?

    @Flag(help: "Say what was written as one JSON object (also when refused).")
    var json = false

    @OptionGroup var logOptions: LogOptions

    func run() throws {
        try runReporting(logOptions.logFormat, json: json) {
            guard OperatorName.isPlainId(name) else {
                throw ReconFailure.usage("\"\(name)\" is not an operator name: 1–64 of A-Z a-z 0-9 . _ -, not starting with . or - "
                    + "(no '/'); the key files go into --dir")
            }
            try OperatorKeyFile.refuseSiteFolder(dir)
            // A folder not there yet is made, owner-only, as `init --key-dir` makes its own.
            if FileStatus.of(dir) == nil {
                do { try FileIO.makePrivateDirectory(dir) } catch { throw ReconFailure.usage("--dir \(dir) could not be made: \(error)") }
            }
            guard FileIO.isDirectory(dir) else { throw ReconFailure.usage("--dir \(dir) is not a folder") }
            let privatePath = dir + "/" + name + ".key", publicPath = dir + "/" + name + ".pub"
            let tidied = OperatorKeyFile.tidyInterruptedKeygen(in: dir, name: name)
            if !tidied.isEmpty {
                let message = "removed what an interrupted keygen left: \(tidied.joined(separator: ", "))"
                ConsoleLog.logger(logOptions.logFormat).notice("\(message)")
            }
            // A keygen killed between the two files left the key without its public half, and a
            // retry was refused: the pair is finished from the key itself (nothing new is made).
            if FileIO.isRegularFile(privatePath), (try? FileManager.default.attributesOfItem(atPath: publicPath)) == nil {
                let key: SigningKey
                do {
                    key = try SigningKey.read(from: privatePath)
                } catch {
                    throw ReconFailure.refused("\(privatePath) is there without \(publicPath), but it cannot finish the pair: \(error) — "
                        + "move it away (or fix it), or choose another name or --dir")
                }
                guard key.name == name else {
                    throw ReconFailure.refused("\(privatePath) is there without \(publicPath), but it holds the key of \"\(key.name)\", "
                        + "not of \(name); a key file is never overwritten — choose another name or --dir")
                }
                try writePublicHalf(of: key, privatePath: privatePath, publicPath: publicPath,
                                    said: "\(privatePath) was there without its public key (a keygen interrupted): wrote \(publicPath) from it")
                return 0
            }
            for path in [privatePath, publicPath] where (try? FileManager.default.attributesOfItem(atPath: path)) != nil {  // a dangling link too
                throw ReconFailure.refused("\(path) already exists; a key file is never overwritten — choose another name or --dir")
            }
            let key = try SigningKey.generate(name: name)
            // A key file there already (made meanwhile) is a refusal; a disk that failed the
            // write is an error (SPEC §8: 1), not a refusal a script would read as policy.
            do { try key.write(to: privatePath) } catch let failure as NoteKeyError {
                if case .fileExists = failure { throw ReconFailure.refused("\(failure)") }
                throw ReconFailure.usage("\(failure)")
            }
            try writePublicHalf(of: key, privatePath: privatePath, publicPath: publicPath,
                                said: "wrote \(privatePath) (private, mode 0600) and \(publicPath)")
            return 0
        }
    }

    /// Writes `key`'s public half to `publicPath` and says what was written (`said`), with how
    /// to list the operator; as one JSON object with `--json`.
    private func writePublicHalf(of key: SigningKey, privatePath: String, publicPath: String, said: String) throws {
        try FileIO.writeAtomically(publicPath, Array((key.verifierKey.text + "\n").utf8))
        CommandOutcome.madeFiles = true  // made: run again, it would refuse the names
        if json {
            printJSON(.object(["ok": .bool(true), "name": .string(name), "private_key_file": .string(privatePath), "public_key_file": .string(publicPath),
                               "public_key": .string(key.verifierKey.text)]))
        } else {
            print(said)
            print("to let it sign privileged commands: recon operator add \(name) \(Self.shellWord(publicPath))")
        }
    }

    /// `path` as one word a shell reads back as it is: quoted when it holds anything but
    /// letters, digits and `/._-+:@,` (the hint is meant to be copied).
    static func shellWord(_ path: String) -> String {
        let plain = path.unicodeScalars.allSatisfy { ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) || "/._-+:@,".unicodeScalars.contains($0) }
        return plain && !path.isEmpty ? path : "'" + path.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
