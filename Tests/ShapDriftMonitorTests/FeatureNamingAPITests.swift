import Foundation
import Testing
@testable import ShapDriftCore
@testable import ShapDriftFormats
@testable import ShapDriftAttribution
@testable import ShapDriftMonitor
import ShapDriftTestSupport

/// The library API names a nameless model's features as the command line does: a source's CSV
/// header names them in the profile, `DriftMonitor` holds data to the baseline's names.
@Suite("Feature names from the data, through the library")
struct FeatureNamingAPITests {
    static let folder = Fixtures.path("objectives", "sklearn_gbc_numpy_no_names")
    static let names = ["alpha", "beta", "gamma", "delta"]

    func chain(_ path: String, for model: Model) throws -> FeatureSourceChain {
        try FeatureSourceChain(paths: [path], schema: FeatureSchema(model: model))
    }

    @Test("a profile of a nameless model's CSV rows is keyed by the header's names; the monitor holds checks to them")
    func profileAndMonitor() throws {
        let model = try ModelLoader().load(path: Self.folder + "/model.json")
        #expect(model.featureNames == nil)
        let source = try chain(Self.folder + "/data.csv", for: model)
        #expect(source.dataHeader?.names == Self.names)
        let baseline = try AttributionProfiler(explainer: Explainer(model: model)).profile(source)
        #expect(baseline.identity.featureNames == Self.names)

        var options = DriftCheckOptions()
        options.bootstrapReplicates = 0
        let monitor = try DriftMonitor(baseline: baseline, model: model, options: options)
        let same = try monitor.check(chain(Self.folder + "/data.csv", for: model))
        #expect(Set(same.report.features.map(\.name)) == Set(Self.names) && same.current.identity.featureNames == Self.names)
        // Rows without a header go by the baseline's names.
        let rows = try CSVFeatureReader(path: Self.folder + "/data.csv", schema: FeatureSchema(model: model)).readAll()
        #expect(try monitor.check(InMemoryFeatureSource([rows])).current.identity.featureNames == Self.names)

        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let moved = directory.appendingPathComponent("moved.csv").path
        let text = try String(contentsOfFile: Self.folder + "/data.csv", encoding: .utf8)
        try text.replacingOccurrences(of: "alpha,beta,gamma,delta", with: "alpha,gamma,beta,delta").write(toFile: moved, atomically: true, encoding: .utf8)
        let error = try #require(throws: ShapDriftError.self) { try monitor.check(chain(moved, for: model)) }
        guard case .input(let located) = error else { throw TestFailure("expected an input error, got \(error)") }
        #expect(located.file == moved && located.line == 1 && located.column == 2 && located.field == "gamma")
    }

    @Test("a named model's features keep the model's names, whatever the header")
    func namedModelsKeepTheirNames() throws {
        let model = try ModelLoader().load(path: Fixtures.path("objectives", "sklearn_hgb_nan", "model.json"))
        let source = try chain(Fixtures.path("objectives", "sklearn_hgb_nan", "data.csv"), for: model)
        #expect(source.dataHeader == nil)
        #expect(model.featureNames(readingWith: DataHeader(names: ["p", "q", "r", "s"], file: "x.csv")) == model.featureNames)
    }

    @Test("the drift report carries the model's warnings")
    func reportCarriesWarnings() throws {
        let text = try String(contentsOfFile: Fixtures.driftModel, encoding: .utf8).replacingOccurrences(of: "\"reg:squarederror\"", with: "\"reg:madeup\"")
        let model = try ModelLoader().load(bytes: Array(text.utf8), file: "model.json")
        let rows = try CSVFeatureReader(path: Fixtures.driftFolder + "/baseline.csv", schema: FeatureSchema(model: model)).readAll()
        let baseline = try AttributionProfiler(explainer: Explainer(model: model)).profile(InMemoryFeatureSource([rows]))
        var options = DriftCheckOptions()
        options.bootstrapReplicates = 0
        let check = try DriftMonitor(baseline: baseline, model: model, options: options).check(InMemoryFeatureSource([rows]))
        #expect(check.report.warnings == model.warnings && check.report.warnings.count == 1)
    }
}
