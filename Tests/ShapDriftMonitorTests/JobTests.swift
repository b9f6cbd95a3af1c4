import Foundation
import Testing
@testable import ShapDriftCore
@testable import ShapDriftFormats
@testable import ShapDriftDrift
import ShapDriftAttribution
@testable import ShapDriftMonitor
import ShapDriftTestSupport

@Suite("Job files")
struct JobFileTests {
    static func parse(_ yaml: String) throws(InputError) -> MonitoringJob {
        try MonitoringJob.parse(yaml: yaml, file: "job.yaml", relativeTo: "/jobs")
    }

    @Test("every key of the documented schema is read, relative paths from the job file's folder")
    func fullSchema() throws {
        let job = try Self.parse("""
        version: 1
        model: model.json
        baseline: /data/baseline.json
        method: {background: bg.csv, samples: 300, seed: 7}
        data:
          capture: capture
          variants: [AllTraffic]
          window: {previous: hour}
          bad_records: {max_records: 10, max_fraction: 0.05}
        sampling: {rate: 0.1, seed: 3}
        thresholds: {alpha: 0.05, min_shift: 0.02, ndcg: 0.8, completeness: 0.1, value_distance: 0.2, unseen_categories: 0.3}
        fail_on: [ndcg, data_quality]
        output_names: [no, yes]
        aggregation: median
        bootstrap: {replicates: 50, seed: 9}
        outputs: {directory: out, formats: [json, markdown], stdout: none}
        threads: 1
        """)
        #expect(job.model == "/jobs/model.json" && job.baseline == "/data/baseline.json" && job.method.background == "/jobs/bg.csv")
        #expect(job.method.samples == 300 && job.method.seed == 7)
        #expect(job.data.paths == ["/jobs/capture"] && job.data.format == .capture && job.data.variants == ["AllTraffic"])
        #expect(job.data.window == .previous(.hour) && job.data.badRecords == BadRecordPolicy(maxRecords: 10, maxFraction: 0.05))
        #expect(job.sampling == RecordSampling(rate: 0.1, seed: 3))
        #expect(job.thresholds == DriftThresholds(ndcg: 0.8, alpha: 0.05, minShift: 0.02, completeness: 0.1, valueDistance: 0.2,
                                                  unseenCategories: 0.3) && job.aggregation == .median)
        #expect(job.failOn == [.attribution, .ndcg, .dataQuality] && job.outputNames == ["no", "yes"])
        #expect(job.checkOptions.failOn == job.failOn && job.checkOptions.outputNames == ["no", "yes"])
        #expect(job.bootstrap == MonitoringJob.Bootstrap(replicates: 50, seed: 9) && job.threads == 1)
        #expect(job.outputs.directory == "/jobs/out" && job.outputs.files == [.json, .markdown] && job.outputs.stdout == MonitoringJob.Outputs.Stdout.none)
    }

    @Test("defaults: a tolerant bad-record budget, every report file, no window, no sampling")
    func defaults() throws {
        let job = try Self.parse("model: m.json\nbaseline: b.json\ndata:\n  paths: [a.csv, b.csv]\n")
        #expect(job.data.paths == ["/jobs/a.csv", "/jobs/b.csv"] && job.data.format == .auto && job.data.window == .all)
        #expect(job.data.badRecords == .tolerant && job.sampling == .all && job.outputs.files == Set(ReportFile.allCases))
        #expect(job.checkOptions.bootstrapReplicates == 200 && job.checkOptions.thresholds == DriftThresholds())
    }

    @Test("unknown keys, wrong types and bad values name the key's path and line", arguments: [
        ("model: m\nbaseline: b\ndata:\n  paths: [x]\n  windw: {}\n", 5, "data.windw", "unknown key"),
        ("model: m\nbaseline: b\ndata:\n  paths: [x]\nthresholds:\n  ndcg: high\n", 6, "thresholds.ndcg", "expected a number, found 'high'"),
        ("model: m\nbaseline: b\ndata:\n  paths: [x]\n  window:\n    last: 1 hour\n", 6, "data.window.last", "expected a duration"),
        ("model: m\nbaseline: b\ndata:\n  paths: [x]\n  window:\n    since: 2024-05-01T11:00:00\n", 6, "data.window.since", "time zone"),
        ("model: m\nbaseline: b\ndata: [x]\n", 3, "data", "expected a mapping"),
        ("model: m\nbaseline: b\ndata:\n  paths: [x]\noutputs:\n  formats: [json, pdf]\n", 6, "outputs.formats", "unknown format 'pdf'"),
        ("model: m\nbaseline: b\ndata:\n  paths: [x]\nsampling:\n  seed: -1\n", 6, "sampling.seed", "whole number"),
        ("model: m\nbaseline: b\ndata:\n  paths: [x]\nthresholds:\n  alpha: 2\n", 6, "thresholds.alpha", "alpha) 2.0 is out of range"),
        ("model: m\nbaseline: b\nbootstrap:\n  replicates: -3\ndata:\n  paths: [x]\n", 4, "bootstrap.replicates", "out of range"),
        ("model: m\nbaseline: b\ndata:\n  paths: [x]\n  bad_records: {max_fraction: 1.5}\n", 5, "data.bad_records.max_fraction",
         "bad-record fraction 1.5 is out of range"),
    ] as [(String, Int, String, String)])
    func locatedErrors(_ yaml: String, _ line: Int, _ path: String, _ message: String) {
        let error = #expect(throws: InputError.self) { try Self.parse(yaml) }
        #expect(error?.file == "job.yaml" && error?.line == line && error?.field == path, "\(String(describing: error))")
        #expect(error?.message.contains(message) == true, "\(String(describing: error))")
    }

    @Test("missing keys, values out of range and YAML syntax errors are refused")
    func refused() {
        #expect((try? Self.parse("baseline: b\ndata:\n  paths: [x]\n")) == nil)
        let range = #expect(throws: InputError.self) { try Self.parse("model: m\nbaseline: b\ndata:\n  paths: [x]\nsampling: {rate: 1.5}\n") }
        #expect(range?.message.contains("sample rate 1.5 is out of range") == true)
        let syntax = #expect(throws: InputError.self) { try Self.parse("model: [m\nbaseline: b\n") }
        #expect(syntax?.line != nil && syntax?.message.hasPrefix("YAML:") == true)
        let duplicate = #expect(throws: InputError.self) { try Self.parse("model: m\nmodel: n\nbaseline: b\ndata: {paths: [x]}\n") }
        #expect(duplicate?.message.contains("more than once") == true)
    }

    @Test("relative windows resolve from the time the job runs")
    func relativeWindows() {
        let now = ISO8601Time.seconds("2024-05-01T03:00:07Z")!
        let hour = JobWindow.previous(.hour).resolve(now: now)
        #expect(hour.since == ISO8601Time.seconds("2024-05-01T02:00:00Z") && hour.until == ISO8601Time.seconds("2024-05-01T03:00:00Z") && !hour.untilIncluded)
        #expect(hour.contains(ISO8601Time.seconds("2024-05-01T02:59:59.999Z")!) && !hour.contains(ISO8601Time.seconds("2024-05-01T03:00:00Z")!))
        let day = JobWindow.previous(.day).resolve(now: now)
        #expect(day.since == ISO8601Time.seconds("2024-04-30T00:00:00Z") && day.until == ISO8601Time.seconds("2024-05-01T00:00:00Z"))
        let last = JobWindow.last(seconds: 5400).resolve(now: now)
        #expect(last.since == now - 5400 && last.until == now)
    }
}

@Suite("Record sampling")
struct RecordSamplingTests {
    @Test("a record is in or out by its key alone, at close to the rate")
    func deterministic() {
        let sampling = RecordSampling(rate: 0.1, seed: 4)
        let keys = (0..<100_000).map { RecordKey.event(RecordKey.hash("event-\($0)".utf8), row: 0) }
        let kept = keys.filter(sampling.keeps)
        // Binomial(100000, 0.1): sd ≈ 95, so 10000 ± 500 is more than five standard deviations.
        #expect(abs(kept.count - 10_000) < 500)
        #expect(keys.filter(sampling.keeps) == kept)
        let other = keys.filter(RecordSampling(rate: 0.1, seed: 5).keeps)
        #expect(Set(other).intersection(kept).count < 1500)
        // A higher rate keeps a superset: the draw is compared with the rate.
        #expect(Set(keys.filter(RecordSampling(rate: 0.2, seed: 4).keeps)).isSuperset(of: kept))
    }

    @Test("a sampled check compares with a full baseline and says it was sampled; shard profiles merge only at one sampling")
    func sampledCheck() throws {
        let model = try ModelLoader().load(path: Fixtures.driftModel)
        let schema = FeatureSchema(model: model)
        let explainer = try Explainer(model: model)
        let baseline = try AttributionProfiler(explainer: explainer).profile(
            FeatureSourceChain(paths: [Fixtures.driftFolder + "/baseline.csv"], schema: schema))
        var options = DriftCheckOptions()
        options.sampling = RecordSampling(rate: 0.5, seed: 1)
        let check = try DriftMonitor(baseline: baseline, model: model, options: options)
            .check(FeatureSourceChain(paths: [Fixtures.driftFolder + "/current_drift.csv"], schema: schema))
        let sampling = try #require(check.report.sampling)
        #expect(sampling.rate == 0.5 && sampling.rowsSeen == 500 && sampling.rowsProfiled == check.current.rows && sampling.baselineRate == 1)
        #expect(check.current.rows > 200 && check.current.rows < 300 && check.current.recordSampling == RecordSampling(rate: 0.5, seed: 1))
        #expect(check.report.driftDetected)
        var sampledShard = check.current
        let full = try AttributionProfiler(explainer: explainer).profile(
            FeatureSourceChain(paths: [Fixtures.driftFolder + "/current_drift.csv"], schema: schema))
        let error = #expect(throws: ShapDriftError.self) { try sampledShard.merge(full) }
        guard case .incompatible(let mismatch)? = error else {
            Issue.record("expected an incompatibility, got \(String(describing: error))")
            return
        }
        #expect(mismatch.setting == .recordSampling)
    }
}
