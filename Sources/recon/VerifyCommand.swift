import ArgumentParser
import Foundation
import ReconKit

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Recompute every hash, the chain, every checkpoint and operator signature, every archived drop and document.",
        discussion: "Prints `ok COUNT HEAD`, or the first thing wrong (seq and what) and exits 4. "
            + "An auditor keeps the site's public key and the latest checkpoint outside the site and passes them here.")

    @OptionGroup var options: SiteOptions

    @Option(help: "A checkpoint file kept elsewhere: check that today's ledger still extends it.")
    var checkpoint: String?

    @Option(help: "The site public key the auditor holds (NAME+HASH+BASE64 or a file): checkpoints are checked against it, not site.init's.")
    var publicKey: String?

    @Option(help: "A workbook someone holds: say whether the ledger issued it (by SHA-256), its number, seq and credit notes.")
    var document: String?

    @Flag(help: "Also refuse (exit 4) what an interrupted command left for the next writing command to finish (a checkpoint owed, an archive or unfinished write no entry names yet), as an auditor's strict verifier does.")
    var strict = false

    @Flag(help: "Print the result as JSON.")
    var json = false

    func run() throws {
        try runReporting(options.logFormat, json: json) {
            if let checkpoint, !FileIO.isRegularFile(checkpoint) {
                throw ReconFailure.usage("--checkpoint \(checkpoint): \(Self.notAFile(checkpoint)); give the checkpoint file you kept")
            }
            if let document, !FileIO.isRegularFile(document) {
                throw ReconFailure.usage("--document \(document): \(Self.notAFile(document)); give the workbook file someone holds")
            }
            let pinned = try publicKey.map(Self.verifierKey)
            if let tooLong = options.siteValue.pathTooLong { throw tooLong }
            do {
                let r = try Verifier(site: options.siteValue).verify(keptCheckpoint: checkpoint, pinnedKey: pinned, clock: options.clock)
                if strict, let first = r.unfinished.first {
                    // Not damage: what the next writing command finishes (`recon watch --once` runs one with nothing to take).
                    throw LedgerDamage(seq: nil, "not finished: \(first) — run a writing command (`recon watch --once --site "
                        + "\(ShellWord.quoted(SafeText.escaped(options.siteValue.root)))` takes nothing new and finishes it), then verify again")
                }
                if strict, let first = r.strictOnly.first {
                    // No writer removes it (a Mac's .DS_Store in Ledger/drops/): what to do is the person's,
                    // where "run a writing command" changed nothing, forever.
                    throw LedgerDamage(seq: nil, "refused in strict mode, as an auditor's verifier refuses it: \(first), then verify again")
                }
                for note in r.notes { options.log.notice("note: \(note)") }
                // The ledger verifies; the site's recon.toml is read as every command reads it (SPEC §1).
                try SiteConfigFile.check(options.siteValue)
                if let document { return try lookUp(document, report: r) }
                if json {
                    printJSON(.object(["ok": .bool(true), "entries": .int(Int64(r.count)), "head": .string(r.head)]))
                } else {
                    print("ok \(r.count) \(r.head)")
                }
                return 0
            } catch let damage as LedgerDamage {
                if json {
                    printJSON(.object(["ok": .bool(false), "exit": .int(4), "seq": damage.seq.map { .int(Int64($0)) } ?? .null,
                                       "problem": .string(damage.message)]))
                } else {
                    print(damage.description)
                }
                return 4
            } catch let failure as FileIO.Failure where failure.isPermission || failure.isMachineFailure {
                // A file this user may not read is no damage to the site: this user cannot judge it
                // (exit 1, and under --json the error form), as an auditor's verifier cannot. It
                // said "verification failed" (4). So for one whose bytes could not be had for a
                // failure of the machine's (an I/O error, no descriptors left), past its tries again.
                throw failure
            } catch let failure as FileIO.Failure {
                let code: Int32 = 4
                // Under --json an answer too (SPEC §8: also when it refuses): it was a bare sentence.
                if json {
                    printJSON(.object(["ok": .bool(false), "exit": .int(Int64(code)), "seq": .null, "problem": .string(failure.description)]))
                } else {
                    print(failure.description)
                }
                return code
            }
        }
    }

    /// Why a path given as a file is not one: missing, or something else there.
    static func notAFile(_ path: String) -> String {
        FileIO.exists(path) ? (FileIO.isDirectory(path) ? "a folder, not a file" : "not a regular file") : "no such file"
    }

    /// The ledger verified; now: did it issue this workbook?
    private func lookUp(_ path: String, report: Verifier.Report) throws -> Int32 {
        let ledger = LedgerFile(path: options.siteValue.ledgerFile)
        try ledger.load()
        let (sha, match) = DocumentLookup.find(try FileIO.read(path), in: ledger.entries)
        guard let match else {
            if json {
                // The shape of every verify failure (`exit`, `seq`: no entry's), plus the document and its hash.
                printJSON(.object(["ok": .bool(false), "exit": .int(4), "seq": .null, "document": .string(path), "sha256": .string(sha),
                                   "problem": .string("no entry of this ledger issued a document with this SHA-256")]))
            } else {
                print("\(path): not issued by this ledger — no entry records SHA-256 \(sha) (changed, or from elsewhere)")
            }
            return 4
        }
        if json {
            printJSON(.object(["ok": .bool(true), "document": .string(path), "sha256": .string(sha), "number": .string(match.number),
                               "kind": .string(match.kind), "seq": .int(Int64(match.seq)), "period": .string(match.period),
                               "credit_notes": .array(match.reversals.map {
                                   .object(["number": .string($0.number), "seq": .int(Int64($0.seq))])
                               }), "refers_to": .array(match.refersTo.map { .string($0) })]))
        } else {
            print("\(path): \(match.number), issued by this ledger (\(match.kind) at seq \(match.seq), period \(match.period), SHA-256 \(sha))")
            if !match.refersTo.isEmpty { print("it refers to: " + match.refersTo.joined(separator: ", ")) }
            print(match.reversals.isEmpty ? "no credit note refers to it"
                  : "referred to by: " + match.reversals.map { "\($0.number) (seq \($0.seq))" }.joined(separator: ", "))
            print("ok \(report.count) \(report.head)")
        }
        return 0
    }

    /// The auditor's key, given as its text or as a file holding it.
    static func verifierKey(_ text: String) throws -> VerifierKey {
        if let key = try? VerifierKey(text: text) { return key }
        if VerifierKey.isPrivateKeyText(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
            throw ReconFailure.usage("--public-key \(VerifierKey.shown(text)): this is a private key, which stays with its owner; "
                + "give the site's public key, NAME+HASH+BASE64 (Ledger/keys/site.pub at init)")
        }
        guard FileIO.isRegularFile(text) else {
            throw ReconFailure.usage("--public-key \(VerifierKey.shown(text)): neither a key (NAME+HASH+BASE64) nor a file holding one")
        }
        do {
            return try VerifierKey(text: String(decoding: try FileIO.read(text), as: UTF8.self))
        } catch {
            throw ReconFailure.usage("--public-key \(text): \(error); give the site's NAME+HASH+BASE64 key (Ledger/keys/site.pub at init)")
        }
    }
}
