import Foundation
import Testing
@testable import ShapDriftCore
@testable import ShapDriftFormats
@testable import ShapDriftAttribution
@testable import ShapDriftMonitor
@testable import ShapDriftDrift
import ShapDriftTestSupport

@Suite("Profiling refuses what it cannot hold")
struct ProfilerTests {
    @Test("values and attributions too large to profile are refused with their line and feature")
    func valuesTooLargeToProfile() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        func profileError(model modelPath: String, csv: String) throws -> InputError {
            let path = directory.appendingPathComponent("data.csv").path
            try csv.write(toFile: path, atomically: true, encoding: .utf8)
            let model = try ModelLoader().load(path: modelPath)
            let profiler = AttributionProfiler(explainer: try Explainer(model: model))
            let error = try #require(throws: ShapDriftError.self) {
                _ = try profiler.profile(FeatureSourceChain(paths: [path], schema: FeatureSchema(model: model)))
            }
            guard case .input(let located) = error else { throw TestFailure("expected an input error, got \(error)") }
            return located
        }
        let valueError = try profileError(model: Fixtures.path("format_rules", "xgb_float32_boundary", "model.json"), csv: "a,b\n1,2\n1e200,3\n-4,5\n")
        #expect(valueError.line == 3 && valueError.field == "a" && valueError.message.contains("its value is 1e+200"))
        // A linear model whose coefficient turns a representable square into an overflowing one.
        let linear = directory.appendingPathComponent("linear.json").path
        try #"{"format": "shapdrift", "schema_version": 1, "model_type": "linear", "n_features": 2, "n_outputs": 1, "output_transform": "identity", "feature_names": ["a", "b"], "linear": {"coefficients": [[1, 1e100]], "intercept": [0], "feature_means": [0, 0]}}"#
            .write(toFile: linear, atomically: true, encoding: .utf8)
        let attributionError = try profileError(model: linear, csv: "a,b\n1,2\n3,1e100\n")
        #expect(attributionError.line == 3 && attributionError.field == "b" && attributionError.message.contains("its attribution is 1e+200"))
    }

    @Test("a linear model's profile derives its attributions from centred values; a baseline that folded each one (format 4) is checked folding each one")
    func linearBaselinesAreCheckedAsTheyWereFolded() throws {
        let folder = Fixtures.root.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("models/sklearn-logistic").path
        let model = try ModelLoader().load(path: folder + "/model.json")
        let rows = try CSVFeatureReader(path: folder + "/baseline.csv", schema: FeatureSchema(model: model)).readAll()
        let explainer = try Explainer(model: model)
        let derived = try AttributionProfiler(explainer: explainer).profile(InMemoryFeatureSource([rows]))
        var folding = AttributionProfiler(explainer: explainer)
        folding.derivesLinearAttributions = false
        let folded = try folding.profile(InMemoryFeatureSource([rows]))
        #expect(derived.linearFactors?.coefficients == explainer.linearFactors?.coefficients && folded.linearFactors == nil)
        for (mine, theirs) in zip(derived.meanAbsoluteAttribution(output: 0), folded.meanAbsoluteAttribution(output: 0)) {
            #expect(abs(mine - theirs) <= 1e-12 * theirs)
        }
        // The folded baseline as a format-4 file, as the build before derived attributions wrote it.
        var document = try #require(try JSONSerialization.jsonObject(with: Data(folded.encoded())) as? [String: Any])
        document["format_version"] = 4
        document["integrity"] = nil
        let unsealed = try JSONValue.parse(Array(try JSONSerialization.data(withJSONObject: document)))
        document["integrity"] = try JSONSerialization.jsonObject(with: JSONEncoder().encode(ProfileIntegrity(document: unsealed)))
        let older = try AttributionProfile.decode(Array(try JSONSerialization.data(withJSONObject: document)), file: "format4.json")
        #expect(older.formatVersion == 4 && older.linearFactors == nil && older.outputs == folded.outputs)

        var options = DriftCheckOptions()
        options.bootstrapReplicates = 0
        // A derived baseline whose coefficients were edited is refused before anything is checked.
        var edited = try #require(try JSONSerialization.jsonObject(with: Data(derived.encoded())) as? [String: Any])
        var factors = try #require(edited["linear_factors"] as? [String: Any])
        var coefficients = try #require(factors["coefficients"] as? [[Double]])
        coefficients[0][0] += 1
        factors["coefficients"] = coefficients
        edited["linear_factors"] = factors
        edited["integrity"] = nil
        let unsealedEdit = try JSONValue.parse(Array(try JSONSerialization.data(withJSONObject: edited)))
        edited["integrity"] = try JSONSerialization.jsonObject(with: JSONEncoder().encode(ProfileIntegrity(document: unsealedEdit)))
        let tampered = try AttributionProfile.decode(Array(try JSONSerialization.data(withJSONObject: edited)), file: "edited.json")
        let refusal = try #require(throws: ShapDriftError.self) { try DriftMonitor(baseline: tampered, model: model, options: options) }
        guard case .incompatible(let incompatibility) = refusal else { throw TestFailure("expected an incompatibility, got \(refusal)") }
        #expect(incompatibility.setting == .attributionSummaries)
        for (baseline, derives) in [(derived, true), (older, false)] {
            let check = try DriftMonitor(baseline: baseline, model: model, options: options).check(InMemoryFeatureSource([rows]))
            #expect((check.current.linearFactors != nil) == derives)
            #expect(check.current.outputs == baseline.outputs && check.report.verdict == .noDrift, "derives: \(derives)")
        }
    }
}
