import Foundation
import Testing
@testable import ShapDriftCore
@testable import ShapDriftFormats
import ShapDriftTestSupport

@Suite("ShapDrift JSON output names")
struct OutputNamesTests {
    static let document = """
    {"format": "shapdrift", "schema_version": 1, "model_type": "linear", "n_features": 2, "n_outputs": 2,
     "output_transform": "softmax", "feature_names": ["a", "b"], "output_names": OUTPUTS,
     "linear": {"coefficients": [[1, 2], [3, 4]], "intercept": [0, 0], "feature_means": [0, 0]}}
    """

    static func load(_ outputs: String) throws -> Model {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("model.json").path
        try document.replacingOccurrences(of: "OUTPUTS", with: outputs).write(toFile: path, atomically: true, encoding: .utf8)
        return try ModelLoader().load(path: path)
    }

    @Test("output_names are read as the outputs' names; null gives none")
    func read() throws {
        #expect(try Self.load(#"["setosa", "versicolor"]"#).outputNames == ["setosa", "versicolor"])
        #expect(try Self.load("null").outputNames == nil)
    }

    @Test("a wrong number of output names is a located error")
    func wrongCount() throws {
        #expect {
            try Self.load(#"["only"]"#)
        } throws: { error in
            String(describing: error).contains("output_names") && String(describing: error).contains("1 names for 2 outputs")
        }
    }
}
