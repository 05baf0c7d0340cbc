import Foundation
import Glibc
import Testing

@testable import ReconKit

/// The progress line: drawn on a terminal, silent everywhere else.
@Suite("Progress on long work")
struct ProgressReporterTests {
    /// Everything readable from `descriptor` right now (it must be non-blocking).
    func drain(_ descriptor: Int32) -> String {
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            out += buffer[..<n]
        }
        return String(decoding: out, as: UTF8.self)
    }

    func nonBlocking(_ descriptor: Int32) {
        _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
    }

    /// Everything written to the terminal `slave` so far, read from its `master` (non-blocking).
    ///
    /// A terminal hands output over to its master side a little later, so a read right away
    /// may come back short. Writes a mark after what the reporter wrote and reads until the
    /// mark arrives: what comes before it is all the reporter wrote, with no pause guessed.
    func writtenSoFar(master: Int32, slave: Int32) -> String {
        let mark = "<mark \(UUID().uuidString)>"
        let written = mark.withCString { write(slave, $0, strlen($0)) }
        #expect(written == mark.utf8.count)
        var text = ""
        let arrived = ProcessRunner.wait(upTo: 10) {
            text += drain(master)
            return text.contains(mark)
        }
        #expect(arrived, "the mark never came through the terminal; read so far: \(text.debugDescription)")
        return text.components(separatedBy: mark)[0]
    }

    @Test func aPipeIsNotATerminalSoNothingIsWritten() throws {
        var ends: [Int32] = [-1, -1]
        #expect(pipe(&ends) == 0)
        defer { close(ends[0]) }
        nonBlocking(ends[0])
        let progress = ProgressReporter("usage-big.csv", total: 1_000_000, fileDescriptor: ends[1], interval: .zero)
        #expect(!progress.isShowing)
        progress.phase("reading")
        for i in stride(from: 0, through: 1_000_000, by: 50_000) { progress.advance(to: i) }
        progress.finish()
        close(ends[1])
        #expect(drain(ends[0]) == "")
    }

    @Test func aRegularFileGetsNothingEither() throws {
        let path = FileManager.default.temporaryDirectory.path + "/progress-" + UUID().uuidString
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        #expect(fd >= 0)
        defer { unlink(path) }
        let progress = ProgressReporter("usage-big.csv", total: 10, fileDescriptor: fd, interval: .zero)
        progress.phase("checking")
        progress.advance(to: 5)
        progress.finish()
        close(fd)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)).isEmpty)
    }

    @Test func aTerminalSeesOneLineRedrawnInPlaceAndErasedAtTheEnd() throws {
        let (master, slave) = try #require(PseudoTerminal.open(), "no pseudo-terminal available")
        defer {
            close(slave)
            close(master)
        }
        nonBlocking(master)

        let progress = ProgressReporter("usage-big.csv", total: 1_000_000, fileDescriptor: slave, interval: .zero)
        #expect(progress.isShowing)
        progress.phase("reading")
        progress.advance(to: 412_000)
        let drawn = writtenSoFar(master: master, slave: slave)
        #expect(drawn.contains("\r\u{1B}[Kusage-big.csv: reading"))
        #expect(drawn.hasSuffix("\r\u{1B}[Kusage-big.csv: reading 412,000 / 1,000,000 rows (41%)"))
        #expect(!drawn.contains("\n"))
        progress.finish()
        progress.advance(to: 500_000)  // after finish: nothing more
        #expect(writtenSoFar(master: master, slave: slave) == "\r\u{1B}[K")
    }

    @Test func disabledStaysSilentEvenOnATerminal() throws {
        let (master, slave) = try #require(PseudoTerminal.open(), "no pseudo-terminal available")
        defer {
            close(slave)
            close(master)
        }
        nonBlocking(master)
        let progress = ProgressReporter("x", enabled: false, fileDescriptor: slave)
        #expect(!progress.isShowing)
        progress.phase("reading")
        progress.finish()
        #expect(writtenSoFar(master: master, slave: slave) == "")
    }

    @Test func redrawsAreThrottled() throws {
        let (master, slave) = try #require(PseudoTerminal.open(), "no pseudo-terminal available")
        defer {
            close(slave)
            close(master)
        }
        nonBlocking(master)
        let progress = ProgressReporter("big", total: 100_000, fileDescriptor: slave, interval: .seconds(60))
        for i in 1...100_000 { progress.advance(to: i) }
        // Only the first advance draws within a minute.
        let drawn = writtenSoFar(master: master, slave: slave)
        #expect(drawn == "\r\u{1B}[Kbig 1 / 100,000 rows (0%)")
    }

    @Test(arguments: [(0, "0"), (999, "999"), (1000, "1,000"), (1_000_000, "1,000,000"), (-12345, "-12,345")])
    func thousandsAreGrouped(n: Int, text: String) {
        #expect(Digits.grouped(n) == text)
    }
}

/// A pseudo-terminal pair for tests: what the program writes to `slave` is read from `master`.
///
/// The C library's `posix_openpt`, `grantpt`, `unlockpt` and `ptsname` are looked up at run
/// time, since Swift's Glibc module does not import them.
enum PseudoTerminal {
    static func open() -> (master: Int32, slave: Int32)? {
        typealias OpenPT = @convention(c) (Int32) -> Int32
        typealias OnFD = @convention(c) (Int32) -> Int32
        typealias Name = @convention(c) (Int32) -> UnsafeMutablePointer<CChar>?
        guard let openSym = dlsym(nil, "posix_openpt"), let grantSym = dlsym(nil, "grantpt"),
            let unlockSym = dlsym(nil, "unlockpt"), let nameSym = dlsym(nil, "ptsname")
        else { return nil }
        let master = unsafeBitCast(openSym, to: OpenPT.self)(O_RDWR | O_NOCTTY)
        guard master >= 0 else { return nil }
        guard unsafeBitCast(grantSym, to: OnFD.self)(master) == 0, unsafeBitCast(unlockSym, to: OnFD.self)(master) == 0,
            let name = unsafeBitCast(nameSym, to: Name.self)(master)
        else {
            close(master)
            return nil
        }
        let slave = Glibc.open(name, O_RDWR | O_NOCTTY)
        guard slave >= 0 else {
            close(master)
            return nil
        }
        return (master, slave)
    }
}
