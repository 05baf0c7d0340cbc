import Glibc

/// Whether the process that named a temporary file is still at work.
enum WriterProcess {
    /// Whether `pid` runs. A process killed a moment ago stays a zombie until its parent (or
    /// init) reaps it: `kill(pid, 0)` still answers for it, though it writes nothing more.
    /// Read as alive, the files of a close killed and retried at once (`systemd` restarting
    /// it, a script) were left beside the documents, where an auditor's verifier names them.
    static func isRunning(_ pid: pid_t) -> Bool {
        guard kill(pid, 0) == 0 || errno != ESRCH else { return false }
        // /proc/PID/stat: "PID (COMMAND) STATE …"; the command may hold spaces and parentheses.
        let fd = open("/proc/\(pid)/stat", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return true }
        defer { Glibc.close(fd) }
        var buffer = [UInt8](repeating: 0, count: 512)
        let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard n > 0, let paren = buffer[..<n].lastIndex(of: UInt8(ascii: ")")), paren + 2 < n else { return true }
        let state = buffer[paren + 2]
        guard state != UInt8(ascii: "Z") && state != UInt8(ascii: "X") else { return false }
        // Process ids come round again (after a reboot, in a new container): one another program
        // holds now is no recon at work, and its files were never swept. Every recon's command
        // name says so (`recon`, a build kept as `recon-0.7`, the test runner).
        guard let open = buffer[..<paren].firstIndex(of: UInt8(ascii: "(")) else { return true }
        return String(decoding: buffer[(open + 1)..<paren], as: UTF8.self).lowercased().contains("recon")
    }
}
