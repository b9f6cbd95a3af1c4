import Foundation
import Logging
import Synchronization
import ShapDrift

/// What the tool may do with the terminal: colour on standard output only when it is a terminal
/// and `NO_COLOR` is unset or empty (no-color.org), a progress line on standard error only when
/// that is a terminal, and the diagnostics' logger.
enum Console {
    /// Standard output is a terminal and `NO_COLOR` does not forbid colour.
    static var colourOnStandardOutput: Bool {
        isatty(STDOUT_FILENO) == 1 && (ProcessInfo.processInfo.environment["NO_COLOR"] ?? "").isEmpty
    }

    static var standardErrorIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }

    /// One line on standard error.
    static func note(_ text: String) {
        FileHandle.standardError.write(Data("shapdrift: \(text)\n".utf8))
    }

    private static let bootstrap = Mutex(false)

    /// The tool's logger at `level`: lines on standard error through swift-log's
    /// `StreamLogHandler` (timestamp, level, label, message). The logging system is set up once.
    static func logger(level: Logger.Level) -> Logger {
        bootstrap.withLock { done in
            if !done {
                LoggingSystem.bootstrap { label in StreamLogHandler.standardError(label: label) }
                done = true
            }
        }
        var logger = Logger(label: "shapdrift")
        logger.logLevel = level
        return logger
    }
}

/// The progress line of a long profile build, on standard error: rows done, rows per second,
/// the time elapsed, and the time to go when the source knows its total. Shown from one second
/// in, at most four times a second, and cleared when the build ends, so short runs print nothing.
final class ProgressLine: Sendable {
    private struct State {
        var lastDrawn = -1.0
        var drawn = false
    }
    private let state = Mutex(State())
    private let what: String

    init(_ what: String) {
        self.what = what
    }

    /// The handler to give a profiler.
    var handler: ProfileProgress.Handler {
        { [self] progress in self.update(progress) }
    }

    func update(_ progress: ProfileProgress) {
        state.withLock { state in
            guard progress.seconds >= 1, progress.seconds - state.lastDrawn >= 0.25 else { return }
            state.lastDrawn = progress.seconds
            state.drawn = true
            var text = "\r\(what): \(progress.rows) rows, \(Int(progress.rate.rounded())) rows/s, \(String(format: "%.1f", progress.seconds)) s"
            if let remaining = progress.remainingSeconds { text += String(format: ", about %.0f s to go", remaining.rounded(.up)) }
            FileHandle.standardError.write(Data((text + "\u{1B}[K").utf8))
        }
    }

    /// Clears the line, when one was drawn.
    func finish() {
        state.withLock { state in
            if state.drawn { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
            state.drawn = false
        }
    }
}
