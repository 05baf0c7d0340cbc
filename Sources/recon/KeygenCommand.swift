import ArgumentParser
import Foundation
import ReconKit

struct Keygen: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write an operator key pair (NAME.key, owner-only, and NAME.pub) for privileged commands.",
        discussion: "Add the printed [[operator]] lines to recon.toml to allow the key to run `recon rerun` and `recon credit`.")

    @Argument(help: "Operator name (no spaces or '+').")
    var name: String

    @Option(help: "Folder to write the key files in.")
    var out: String = "."

    func run() throws {
        try runReporting {
            let key: SigningKey
            do { key = try SigningKey.generate(name: name) } catch { throw ReconFailure.usage("\(error)") }
            let privatePath = out + "/" + name + ".key", publicPath = out + "/" + name + ".pub"
            do { try key.write(to: privatePath) } catch { throw ReconFailure.refused("\(error)") }
            try FileIO.writeAtomically(publicPath, Array((key.verifierKey.text + "\n").utf8))
            print("wrote \(privatePath) (private, mode 0600) and \(publicPath)")
            print("add to recon.toml:\n\n[[operator]]\nname = \"\(name)\"\npublic_key = \"\(key.verifierKey.text)\"")
            return 0
        }
    }
}
