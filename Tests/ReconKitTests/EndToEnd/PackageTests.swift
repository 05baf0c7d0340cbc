import Foundation
import Testing

/// The shipped package, checked on the machine: run only when asked, because building a static
/// release takes minutes (`RECON_PACKAGE_TEST=1 swift test --filter Package`, as root).
/// It uses dist/ when scripts/package already wrote it, and runs scripts/package otherwise.
@Suite("Package — the .deb runs without the toolchain",
       .enabled(if: ProcessInfo.processInfo.environment["RECON_PACKAGE_TEST"] == "1"), .serialized)
struct PackageTests {
    static var repo: String {
        var dir = URL(fileURLWithPath: #filePath)  // <repo>/Tests/ReconKitTests/EndToEnd/PackageTests.swift
        for _ in 0..<4 { dir.deleteLastPathComponent() }
        return dir.path
    }

    /// Runs a program to its end, with its output.
    @discardableResult
    static func run(_ program: String, _ args: [String], cwd: String? = nil) throws -> TestSite.Run {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: program)
        p.arguments = args
        if let cwd { p.currentDirectoryURL = URL(fileURLWithPath: cwd) }
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return TestSite.Run(code: p.terminationStatus, out: String(decoding: o, as: UTF8.self), err: String(decoding: e, as: UTF8.self))
    }

    static func isDirectory(_ path: String) -> Bool {
        var directory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &directory) && directory.boolValue
    }

    /// The .deb in dist/, built first when there is none.
    static func deb() throws -> String {
        func found() throws -> String? {
            let dist = repo + "/dist"
            let names = (try? FileManager.default.contentsOfDirectory(atPath: dist)) ?? []
            return names.filter { $0.hasPrefix("recon_") && $0.hasSuffix("_amd64.deb") }.sorted().last.map { dist + "/" + $0 }
        }
        if let deb = try found() { return deb }
        let built = try run("/bin/bash", [repo + "/scripts/package"], cwd: repo)
        #expect(built.code == 0, "scripts/package failed:\n\(built.err)")
        return try #require(try found())
    }

    @Test func theDebRunsWithTheToolchainHidden() throws {
        let deb = try Self.deb()
        let tmp = try TestSite()  // a scratch folder removed at the end
        let root = tmp.root + "/root"
        #expect(try Self.run("/usr/bin/dpkg-deb", ["-x", deb, root]).code == 0)
        let binary = root + "/usr/bin/recon"

        // What the package says it needs: Debian's runtime libraries, never a -dev package.
        let depends = try Self.run("/usr/bin/dpkg-deb", ["-f", deb, "Depends"]).out
        for needed in ["libcsv3", "libxlsxwriter4", "libc6"] { #expect(depends.contains(needed), "Depends: \(depends)") }
        #expect(!depends.contains("-dev"), "Depends: \(depends)")

        // No Swift runtime library is loaded from anywhere.
        let ldd = try Self.run("/usr/bin/ldd", [binary])
        #expect(ldd.code == 0 && !ldd.out.contains("not found"), "\(ldd.out)")
        for runtime in ["libswift", "libFoundation", "libdispatch", "libBlocksRuntime", "/opt/swift"] {
            #expect(!ldd.out.contains(runtime), "ldd lists \(runtime):\n\(ldd.out)")
        }

        // Every file the package promises is there.
        for file in ["usr/share/man/man1/recon.1.gz", "usr/share/bash-completion/completions/recon",
                     "usr/share/zsh/vendor-completions/_recon", "usr/share/fish/vendor_completions.d/recon.fish",
                     "lib/systemd/system/recon-watch@.service"] {
            #expect(FileManager.default.fileExists(atPath: root + "/" + file), "\(file)")
        }

        // With /opt/swift hidden under an empty tmpfs, in a mount namespace of its own: version, init, verify.
        let site = tmp.root + "/site"
        let script = """
            set -e
            mount -t tmpfs tmpfs /opt/swift
            test -z "$(ls -A /opt/swift)"
            "$1" --version
            "$1" init --site "$2" --name packaged-site --base-currency INR --timezone Asia/Kolkata
            "$1" verify --site "$2"
            """
        let hidden = try Self.run("/usr/bin/unshare", ["-m", "--propagation", "private", "/bin/sh", "-c", script, "sh", binary, site])
        #expect(hidden.code == 0, "\(hidden.out)\(hidden.err)")
        let lines = hidden.out.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("recon ") == true && lines.first?.contains("(commit ") == true, "\(hidden.out)")
        #expect(lines.first?.contains("unknown") == false, "a packaged build names its commit: \(hidden.out)")
        #expect(lines.last?.hasPrefix("ok 1 ") == true, "\(hidden.out)")

        // MemoryDenyWriteExecute= in the unit: the binary must live with W^X enforced by the kernel
        // (prctl PR_SET_MDWE = 65, PR_MDWE_REFUSE_EXEC_GAIN = 1, inherited across exec).
        let mdwe = """
            import ctypes, os, sys
            if ctypes.CDLL(None, use_errno=True).prctl(65, 1, 0, 0, 0) != 0: sys.exit("prctl PR_SET_MDWE: errno %d" % ctypes.get_errno())
            os.execv(sys.argv[1], sys.argv[1:])
            """
        let strict = try Self.run("/usr/bin/env", ["python3", "-c", mdwe, binary, "verify", "--site", site])
        #expect(strict.code == 0 && strict.out.hasPrefix("ok 1 "), "\(strict.out)\(strict.err)")

        // The tarball holds the same files, and its install.sh checks for the same runtime packages.
        let tarball = deb.replacingOccurrences(of: "recon_", with: "recon-").replacingOccurrences(of: "_amd64.deb", with: "-linux-x86_64.tar.gz")
        #expect(try Self.run("/bin/mkdir", [tmp.root + "/tar"]).code == 0)
        #expect(try Self.run("/bin/tar", ["-xzf", tarball, "-C", tmp.root + "/tar"]).code == 0)
        let unpacked = tmp.root + "/tar/" + URL(fileURLWithPath: tarball).lastPathComponent.replacingOccurrences(of: ".tar.gz", with: "")
        let installSh = try String(contentsOfFile: unpacked + "/install.sh", encoding: .utf8)
        #expect(installSh.contains(" libcsv3 ") && installSh.contains(" libxlsxwriter4 "), "install.sh does not check the runtime packages")
        let copied = try Self.run("/bin/sh", ["-c", "DESTDIR=\"$1\" sh \"$2/install.sh\"", "sh", tmp.root + "/copied", unpacked])
        #expect(copied.code == 0, "\(copied.out)\(copied.err)")
        func files(_ dir: String) -> [String] {
            (FileManager.default.enumerator(atPath: dir)?.allObjects as? [String] ?? [])
                .filter { !$0.hasPrefix("DEBIAN") && !Self.isDirectory(dir + "/" + $0) }.sorted()
        }
        #expect(files(tmp.root + "/copied") == files(root), "the tarball's files differ from the .deb's")

        // Every system call of a site's whole life is one the unit's SystemCallFilter= allows.
        let syscalls = try Self.run("/bin/bash", [Self.repo + "/packaging/check-syscalls", binary,
                                                  root + "/lib/systemd/system/recon-watch@.service"])
        #expect(syscalls.code == 0, "\(syscalls.out)\(syscalls.err)")

        // The maintainer script, run as dpkg would on install and on upgrade, in a mount namespace
        // with a copy of /etc and an empty /srv: it creates the `recon` user and /srv/recon, and
        // leaves a site already there byte for byte as it was.
        let control = tmp.root + "/control"
        #expect(try Self.run("/usr/bin/dpkg-deb", ["-e", deb, control]).code == 0)
        let postinst = """
            set -e
            cp -a /etc "$2/etc" && mount --bind "$2/etc" /etc
            mount -t tmpfs tmpfs /srv
            mkdir -p /srv/recon/hq/Ledger && echo '{"seq":1}' > /srv/recon/hq/Ledger/ledger.jsonl && chmod 0700 /srv/recon/hq
            before=$(find /srv/recon -printf '%p %m %U %s\n' | sort | sha256sum)
            ! getent passwd recon
            sh "$1" configure && sh "$1" configure 0.5.0
            getent passwd recon | cut -d: -f6,7
            after=$(find /srv/recon -printf '%p %m %U %s\n' | sort | sha256sum)
            test "$before" = "$after" && cat /srv/recon/hq/Ledger/ledger.jsonl
            """
        let installed = try Self.run("/usr/bin/unshare", ["-m", "--propagation", "private", "/bin/sh", "-c", postinst, "sh",
                                                          control + "/postinst", tmp.root])
        #expect(installed.code == 0, "\(installed.out)\(installed.err)")
        #expect(installed.out == "/srv/recon:/usr/sbin/nologin\n{\"seq\":1}\n", "\(installed.out)\(installed.err)")

        // The unit, installed beside this machine's own units (the targets it names), passes
        // systemd's own check of an instance; `man` is not asked, it reads the host's manuals.
        #expect(try Self.run("/bin/cp", ["-an", "/lib/systemd/system/.", root + "/lib/systemd/system/"]).code == 0)
        let analyze = try Self.run("/usr/bin/systemd-analyze", ["verify", "--man=no", "--root=" + root, "recon-watch@packaged-site.service"])
        #expect(analyze.code == 0, "\(analyze.out)\(analyze.err)")
    }
}

