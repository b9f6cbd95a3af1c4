import ArgumentParser
import Foundation
import ShapDrift

/// Exit codes for schedulers: 0 no drift, 1 drift found, 2 usage or input error.
enum ExitStatus {
    static let driftFound: Int32 = 1
    static let usageOrInputError: Int32 = 2
}

struct ShapDriftCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shapdrift",
        abstract: "Exact SHAP attributions for tree and linear models, and feature-attribution drift checks.",
        discussion: "Exit codes: 0 no drift, 1 drift found, 2 usage or input error.",
        version: ShapDriftVersion.current,
        subcommands: [Inspect.self, Predict.self, Explain.self, Baseline.self, Profile.self, Check.self, Merge.self, Run.self, Validate.self,
                      SageMakerMonitor.self, Report.self, History.self]
    )
}

/// Runs the command line and turns every failure into one line on standard error and exit code 2.
@main
enum Main {
    static func main() {
        do {
            var command = try ShapDriftCommand.parseAsRoot()
            try command.run()
        } catch let code as ExitCode {
            exit(code.rawValue)
        } catch {
            if let message = CommandLineHints.message(for: error) { fail(message) }
            let code = ShapDriftCommand.exitCode(for: error)
            if code == .success {
                print(ShapDriftCommand.fullMessage(for: error))
                exit(0)
            }
            fail(ShapDriftCommand.message(for: error) + "\n(see shapdrift --help)")
        }
    }

    /// One `shapdrift: error: ` prefix, whatever the message already starts with.
    static func fail(_ message: String) -> Never {
        var text = message.trimmingCharacters(in: .whitespacesAndNewlines)
        while let prefix = ["Error: ", "error: ", "shapdrift: error: "].first(where: { text.hasPrefix($0) }) {
            text = String(text.dropFirst(prefix.count))
        }
        FileHandle.standardError.write(Data("shapdrift: error: \(text)\n".utf8))
        exit(ExitStatus.usageOrInputError)
    }
}
