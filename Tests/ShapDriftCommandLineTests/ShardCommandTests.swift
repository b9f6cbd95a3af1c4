import Foundation
import Testing
import ShapDriftTestSupport

/// Split jobs through the built binary: `profile --shard`, `merge`, `check --current-profile`,
/// against a single `check` of the same data.
@Suite("Sharded profiles")
struct ShardCommandTests {
    static let driftModel = Fixtures.driftModel
    static let fraud = Fixtures.root.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("models/fraud-xgb").path

    /// report.json members that say where a report came from rather than what it found; they
    /// may differ between a single check and a check of merged shards.
    static let provenanceFields: Set<String> = ["provenance"]

    static func json(_ path: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
    }

    /// report.json without its provenance, as canonical bytes.
    static func findings(_ directory: String) throws -> Data {
        let report = try json(directory + "/report.json").filter { !provenanceFields.contains($0.key) }
        return try JSONSerialization.data(withJSONObject: report, options: [.sortedKeys])
    }

    static func run(_ arguments: [String], environment: [String: String] = [:], expect status: Int32 = 0) throws -> ShapDriftBinary.Result {
        let result = try ShapDriftBinary.run(arguments, environment: environment)
        #expect(result.status == status, "\(arguments.prefix(2).joined(separator: " ")): \(result.stderr)")
        return result
    }

    static func baseline(model: String, data: String, in directory: URL) throws -> String {
        let path = directory.appendingPathComponent("baseline-\(UUID().uuidString).json").path
        _ = try run(["baseline", "--model", model, "--data", data, "--output", path])
        return path
    }

    /// Profiles `data` in `count` shards (each as its own process), merges them and checks the
    /// merge; returns the report directory and the merged profile.
    @discardableResult
    static func shardedCheck(model: String, baseline: String, data: [String], count: Int, by unit: String, extra: [String] = [],
                             in directory: URL, status: Int32) throws -> (report: String, merged: String, stderr: String) {
        let name = "\(count)-\(unit)-\(UUID().uuidString.prefix(8))"
        var parts: [String] = []
        for index in 0..<count {
            let part = directory.appendingPathComponent("\(name)-part\(index).json").path
            _ = try run(["profile", "--model", model, "--data"] + data + ["--shard", "\(index)/\(count)", "--shard-by", unit, "--output", part] + extra)
            parts.append(part)
        }
        let merged = directory.appendingPathComponent("\(name)-merged.json").path
        if parts.count > 1 {
            _ = try run(["merge"] + parts + ["--output", merged])
        } else {
            try FileManager.default.copyItem(atPath: parts[0], toPath: merged)
        }
        let out = directory.appendingPathComponent("\(name)-report").path
        // The check takes the data's window and sampling from the profile, not from flags.
        let result = try run(["check", "--baseline", baseline, "--model", model, "--current-profile", merged, "--output-dir", out], expect: status)
        return (out, merged, result.stderr)
    }

    static func expectSameReports(_ single: String, _ sharded: String, _ label: String) throws {
        #expect(try findings(single) == findings(sharded), "\(label): report.json")
        // report.md ends with the provenance; the other files hold none.
        for file in ["constraint_violations.json", "analysis.json", "features.csv"] {
            #expect(try Data(contentsOf: URL(fileURLWithPath: single + "/" + file)) == Data(contentsOf: URL(fileURLWithPath: sharded + "/" + file)),
                    "\(label): \(file)")
        }
    }

    @Test("CSV: 1, 2, 3 and 7 shards by file and by record give the single check's report, bootstrap interval included")
    func csvShards() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let baseline = try Self.baseline(model: Self.driftModel, data: Fixtures.driftFolder + "/baseline.csv", in: directory)
        // The drifted rows in three files, so a split by file has files to deal out.
        let lines = try String(contentsOfFile: Fixtures.driftFolder + "/current_drift.csv", encoding: .utf8).split(separator: "\n")
        var files: [String] = []
        for (index, range) in [1..<150, 150..<330, 330..<lines.count].enumerated() {
            let path = directory.appendingPathComponent("current-\(index).csv").path
            try ([lines[0]] + lines[range]).joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
            files.append(path)
        }
        let single = directory.appendingPathComponent("single").path
        _ = try Self.run(["check", "--baseline", baseline, "--model", Self.driftModel, "--data"] + files + ["--output-dir", single], expect: 1)
        let report = try Self.json(single + "/report.json")
        #expect(report["bootstrap_replicates"] as? Int == 200 && report["ndcg_interval"] != nil && report["rows"] as? Int == 500)
        for count in [1, 2, 3, 7] {
            for unit in ["file", "record"] {
                let sharded = try Self.shardedCheck(model: Self.driftModel, baseline: baseline, data: files, count: count, by: unit,
                                                    in: directory, status: 1)
                try Self.expectSameReports(single, sharded.report, "\(count) shards by \(unit)")
            }
        }
    }

    @Test("a linear model's capture: 1, 2, 3 and 7 shards by record, attributions derived from centred values, give the single check's report")
    func linearCaptureShards() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let folder = Fixtures.root.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("models/sklearn-logistic").path
        let model = folder + "/model.json"
        let baseline = try Self.baseline(model: model, data: folder + "/baseline.csv", in: directory)
        let stored = try Self.json(baseline)
        #expect(stored["format_version"] as? Int == 5 && stored["linear_factors"] != nil)
        let single = directory.appendingPathComponent("single").path
        let status = try ShapDriftBinary.run(["check", "--baseline", baseline, "--model", model, "--data", folder + "/capture", "--output-dir", single]).status
        #expect(status == 0 || status == 1)
        for count in [1, 2, 3, 7] {
            let sharded = try Self.shardedCheck(model: model, baseline: baseline, data: [folder + "/capture"], count: count, by: "record",
                                                in: directory, status: status)
            #expect(try Self.json(sharded.merged)["linear_factors"] != nil)
            try Self.expectSameReports(single, sharded.report, "\(count) shards by record")
        }
    }

    @Test("capture: 1, 2, 3 and 7 shards by file and by record, with bad records and a window, give the single check's report")
    func captureShards() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let baseline = try Self.baseline(model: Self.fraud + "/model.json", data: Self.fraud + "/baseline.csv", in: directory)
        // The bundled capture with a few records broken: one not JSON, one with a bad value, one
        // escaped (the full parser's path), so each reading path meets the shard rule.
        let capture = directory.appendingPathComponent("capture")
        try FileManager.default.copyItem(atPath: Self.fraud + "/capture", toPath: capture.path)
        let hour = try #require(FileManager.default.enumerator(atPath: capture.path)?.compactMap { $0 as? String }.filter { $0.hasSuffix(".jsonl") }.sorted())
        let file = capture.appendingPathComponent(hour[3]).path
        var records = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        records[5] = "{not json"
        records[9] = records[9].replacingOccurrences(of: #""data":""#, with: #""data":"abc,"#)
        records[12] = records[12].replacingOccurrences(of: #""eventId":""#, with: #""eventId":"\u0041"#)
        try records.joined(separator: "\n").write(toFile: file, atomically: true, encoding: .utf8)
        let window = ["--since", "2024-05-01T11:30:00Z", "--until", "2024-05-01T14:59:59Z"]
        let single = directory.appendingPathComponent("single").path
        let result = try Self.run(["check", "--baseline", baseline, "--model", Self.fraud + "/model.json", "--data", capture.path, "--output-dir", single]
                                  + window, expect: 1)
        #expect(result.stderr.contains("skipped 2 bad records"))
        for count in [1, 2, 3, 7] {
            for unit in ["file", "record"] {
                let sharded = try Self.shardedCheck(model: Self.fraud + "/model.json", baseline: baseline, data: [capture.path], count: count, by: unit,
                                                    extra: window, in: directory, status: 1)
                try Self.expectSameReports(single, sharded.report, "\(count) shards by \(unit)")
            }
        }
    }

    @Test("a sampled split equals the sampled single check")
    func sampledShards() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let baseline = try Self.baseline(model: Self.driftModel, data: Fixtures.driftFolder + "/baseline.csv", in: directory)
        let data = Fixtures.driftFolder + "/current_drift.csv"
        let single = directory.appendingPathComponent("single").path
        _ = try Self.run(["check", "--baseline", baseline, "--model", Self.driftModel, "--data", data, "--sample-rate", "0.5", "--output-dir", single],
                         expect: 1)
        #expect(try (Self.json(single + "/report.json")["sampling"] as? [String: Any])?["rows_seen"] as? Int == 500)
        let sharded = try Self.shardedCheck(model: Self.driftModel, baseline: baseline, data: [data], count: 3, by: "record",
                                            extra: ["--sample-rate", "0.5"], in: directory, status: 1)
        try Self.expectSameReports(single, sharded.report, "3 sampled shards")
        let markdown = { (directory: String) in try String(contentsOfFile: directory + "/report.md", encoding: .utf8).components(separatedBy: "## Provenance")[0] }
        #expect(try markdown(single) == markdown(sharded.report))
    }

    @Test("merge refuses a shard twice and shards of another split; check refuses a merge missing a shard")
    func incompleteOrDuplicateShards() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let baseline = try Self.baseline(model: Self.driftModel, data: Fixtures.driftFolder + "/baseline.csv", in: directory)
        func part(_ shard: String) throws -> String {
            let path = directory.appendingPathComponent("part-\(shard.replacingOccurrences(of: "/", with: "-")).json").path
            _ = try Self.run(["profile", "--model", Self.driftModel, "--data", Fixtures.driftFolder + "/current.csv", "--shard", shard,
                              "--shard-by", "record", "--output", path])
            return path
        }
        let (zero, one, two, otherSplit) = (try part("0/3"), try part("1/3"), try part("2/3"), try part("0/2"))
        let merged = directory.appendingPathComponent("merged.json").path
        let twice = try Self.run(["merge", zero, one, zero, "--output", merged], expect: 2)
        #expect(twice.stderr.contains("shard 0 again") && twice.stderr.contains("counted twice") && !FileManager.default.fileExists(atPath: merged))
        let mixed = try Self.run(["merge", zero, otherSplit, "--output", merged], expect: 2)
        #expect(mixed.stderr.contains("a split into 3 by record") && mixed.stderr.contains("a split into 2 by record"))
        _ = try Self.run(["merge", zero, two, "--output", merged])
        let missing = try Self.run(["check", "--baseline", baseline, "--model", Self.driftModel, "--current-profile", merged,
                                    "--output-dir", directory.appendingPathComponent("r").path], expect: 2)
        #expect(missing.stderr.contains("the current profile holds 2 of the 3 shards") && missing.stderr.contains("missing: 1"), "\(missing.stderr)")
        // Merges of merges are fine, in any grouping.
        let all = directory.appendingPathComponent("all.json").path
        _ = try Self.run(["merge", merged, one, "--output", all])
        _ = try Self.run(["check", "--baseline", baseline, "--model", Self.driftModel, "--current-profile", all,
                          "--output-dir", directory.appendingPathComponent("r").path])
        // A baseline profile of the whole input does not merge with shards.
        let whole = try Self.run(["merge", baseline, one, "--output", merged], expect: 2)
        #expect(whole.stderr.contains("cannot tell whether their rows overlap"))
    }

    @Test("a baseline merged from only some shards of its split is refused by check, by a current-profile check and by run, naming the baseline")
    func partialBaselineRefused() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var parts: [String] = []
        for index in 0..<2 {
            let path = directory.appendingPathComponent("base-part\(index).json").path
            _ = try Self.run(["baseline", "--model", Self.driftModel, "--data", Fixtures.driftFolder + "/baseline.csv", "--shard", "\(index)/3",
                              "--shard-by", "record", "--output", path])
            parts.append(path)
        }
        let partial = directory.appendingPathComponent("partial.json").path
        _ = try Self.run(["merge"] + parts + ["--output", partial])
        let current = directory.appendingPathComponent("current.json").path
        _ = try Self.run(["profile", "--model", Self.driftModel, "--data", Fixtures.driftFolder + "/current.csv", "--output", current])
        let job = directory.appendingPathComponent("job.yaml").path
        try "model: \(Self.driftModel)\nbaseline: \(partial)\ndata:\n  paths: [\(Fixtures.driftFolder)/current.csv]\n"
            .write(toFile: job, atomically: true, encoding: .utf8)
        let report = directory.appendingPathComponent("r").path
        for arguments in [["check", "--baseline", partial, "--model", Self.driftModel, "--data", Fixtures.driftFolder + "/current.csv", "--output-dir", report],
                          ["check", "--baseline", partial, "--model", Self.driftModel, "--current-profile", current, "--output-dir", report],
                          ["run", job]] {
            let refused = try Self.run(arguments, expect: 2)
            #expect(refused.stderr.contains("\(partial): shards: the baseline holds 2 of the 3 shards") && refused.stderr.contains("missing: 2"),
                    "\(arguments[0]): \(refused.stderr)")
            #expect(!FileManager.default.fileExists(atPath: report + "/report.json"))
        }
    }

    @Test("profile reads a column the data lack as missing values, as check does, so the merged shards give the single check's report")
    func profileReadsAbsentColumnsAsCheckDoes() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let baseline = try Self.baseline(model: Self.driftModel, data: Fixtures.driftFolder + "/baseline.csv", in: directory)
        // The current rows without their column d3.
        let lines = try String(contentsOfFile: Fixtures.driftFolder + "/current.csv", encoding: .utf8).split(separator: "\n")
        let withoutD3 = lines.map { line in line.split(separator: ",", omittingEmptySubsequences: false).enumerated().filter { $0.offset != 3 }
            .map { String($0.element) }.joined(separator: ",") }
        let data = directory.appendingPathComponent("no-d3.csv").path
        try (withoutD3.joined(separator: "\n") + "\n").write(toFile: data, atomically: true, encoding: .utf8)
        let single = directory.appendingPathComponent("single").path
        let status = try ShapDriftBinary.run(["check", "--baseline", baseline, "--model", Self.driftModel, "--data", data, "--output-dir", single]).status
        #expect(status == 0 || status == 1)
        let sharded = try Self.shardedCheck(model: Self.driftModel, baseline: baseline, data: [data], count: 2, by: "record", in: directory, status: status)
        try Self.expectSameReports(single, sharded.report, "a column absent")
        #expect(try String(contentsOfFile: sharded.report + "/report.md", encoding: .utf8).contains("d3"))
    }

    @Test("a current-profile check refuses output names that are not one per model output, as a data check does")
    func currentProfileOutputNames() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let baseline = try Self.baseline(model: Self.driftModel, data: Fixtures.driftFolder + "/baseline.csv", in: directory)
        let current = directory.appendingPathComponent("current.json").path
        _ = try Self.run(["profile", "--model", Self.driftModel, "--data", Fixtures.driftFolder + "/current.csv", "--output", current])
        let refused = try Self.run(["check", "--baseline", baseline, "--model", Self.driftModel, "--current-profile", current,
                                    "--output-names", "a,b,c", "--output-dir", directory.appendingPathComponent("r").path], expect: 2)
        #expect(refused.stderr.contains("output names 3 names is out of range: one per model output (1)"), "\(refused.stderr)")
    }

    @Test("merge has no default output: a merge in a baseline's folder never overwrites baseline.json unasked")
    func mergeNeedsOutput() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let baseline = try Self.baseline(model: Self.driftModel, data: Fixtures.driftFolder + "/baseline.csv", in: directory)
        let refused = try Self.run(["merge", baseline, baseline], expect: 2)
        #expect(refused.stderr.contains("--output"), "\(refused.stderr)")
    }

    @Test("the bad-record budget applies to every shard's records together")
    func budgetOverShards() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let baseline = try Self.baseline(model: Self.driftModel, data: Fixtures.driftFolder + "/baseline.csv", in: directory)
        // 8 bad rows of 500 (1.6 %), all in the first 40 lines: over the default 1 % in total, while
        // a shard may hold fewer of them than its share.
        var lines = try String(contentsOfFile: Fixtures.driftFolder + "/current.csv", encoding: .utf8).split(separator: "\n").map(String.init)
        for line in stride(from: 3, to: 40, by: 5) { lines[line] = "x," + lines[line] }
        let data = directory.appendingPathComponent("bad.csv").path
        try lines.joined(separator: "\n").write(toFile: data, atomically: true, encoding: .utf8)
        let single = try Self.run(["check", "--baseline", baseline, "--model", Self.driftModel, "--data", data, "--output-dir",
                                   directory.appendingPathComponent("s").path], expect: 2)
        let sharded = try Self.shardedCheck(model: Self.driftModel, baseline: baseline, data: [data], count: 3, by: "record", in: directory, status: 2)
        // The same message: the same counts and the same first record.
        #expect(single.stderr.contains("8 of 500 records read could not be used (1.6 %)"))
        #expect(sharded.stderr == single.stderr)
        // Within a looser budget the merged check runs, and its report counts the bad records once.
        let loose = directory.appendingPathComponent("loose").path
        _ = try Self.run(["check", "--baseline", baseline, "--model", Self.driftModel, "--current-profile", sharded.merged,
                          "--max-bad-fraction", "0.05", "--output-dir", loose])
        let records = try #require(try Self.json(loose + "/report.json")["records"] as? [String: Any])
        #expect(records["skipped"] as? Int == 8 && records["read"] as? Int == 500)
    }

    @Test("--shard auto reads a Kubernetes Indexed Job's, an AWS Batch array job's and SageMaker Processing's assignment")
    func shardAuto() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = Fixtures.driftFolder + "/current.csv"
        func profile(_ environment: [String: String], extra: [String] = [], status: Int32 = 0) throws -> (ShapDriftBinary.Result, [String: Any]?) {
            let path = directory.appendingPathComponent("auto-\(UUID().uuidString).json").path
            let result = try Self.run(["profile", "--model", Self.driftModel, "--data", data, "--shard", "auto", "--output", path,
                                       "--ml-root", directory.appendingPathComponent("ml").path] + extra,
                                      environment: environment, expect: status)
            return (result, status == 0 ? try Self.json(path) : nil)
        }
        // Kubernetes: the index from the Job controller, the count from the Job's spec.
        let (kubernetes, k8sProfile) = try profile(["JOB_COMPLETION_INDEX": "2", "SHAPDRIFT_SHARD_COUNT": "5"], extra: ["--shard-by", "record"])
        #expect(kubernetes.stderr.contains("shard 2/5 by record (from the Kubernetes Indexed Job's environment)"))
        let coverage = try #require(k8sProfile?["shards"] as? [String: Any])
        #expect(coverage["count"] as? Int == 5 && coverage["by"] as? String == "record" && coverage["indices"] as? [Int] == [2])
        let (noCount, _) = try profile(["JOB_COMPLETION_INDEX": "2"], status: 2)
        #expect(noCount.stderr.contains("SHAPDRIFT_SHARD_COUNT is not set") && noCount.stderr.contains("spec.completions"))
        let (badIndex, _) = try profile(["JOB_COMPLETION_INDEX": "5", "SHAPDRIFT_SHARD_COUNT": "5"], status: 2)
        #expect(badIndex.stderr.contains("index 5 of 5 shards"))
        // AWS Batch: index and size of the array.
        let (batch, batchProfile) = try profile(["AWS_BATCH_JOB_ARRAY_INDEX": "0", "AWS_BATCH_JOB_ARRAY_SIZE": "3"])
        #expect(batch.stderr.contains("shard 0/3 by file (from the AWS Batch array job's environment)"))
        #expect(batchProfile?["rows"] as? Int == 500)
        let (notANumber, _) = try profile(["AWS_BATCH_JOB_ARRAY_INDEX": "one", "AWS_BATCH_JOB_ARRAY_SIZE": "3"], status: 2)
        #expect(notANumber.stderr.contains("AWS_BATCH_JOB_ARRAY_INDEX is 'one'"))
        // Nothing, or two engines at once: an error, never a guess.
        let (nothing, _) = try profile([:], status: 2)
        #expect(nothing.stderr.contains("no shard assignment from the environment") && nothing.stderr.contains("--shard INDEX/COUNT"))
        let (both, _) = try profile(["JOB_COMPLETION_INDEX": "0", "SHAPDRIFT_SHARD_COUNT": "2", "AWS_BATCH_JOB_ARRAY_INDEX": "0"], status: 2)
        #expect(both.stderr.contains("several engines"))
        // SageMaker Processing: this host's place in resourceconfig.json; FullyReplicated input
        // is split here, ShardedByS3Key input was split by SageMaker.
        let config = directory.appendingPathComponent("ml/config")
        try FileManager.default.createDirectory(at: config, withIntermediateDirectories: true)
        try #"{"current_host": "algo-2", "hosts": ["algo-1", "algo-2", "algo-3"], "network_interface_name": "eth0"}"#
            .write(to: config.appendingPathComponent("resourceconfig.json"), atomically: true, encoding: .utf8)
        let (missingJob, _) = try profile([:], status: 2)
        #expect(missingJob.stderr.contains("processingjobconfig.json") && missingJob.stderr.contains("ShardedByS3Key"))
        func jobConfig(_ distribution: String) throws {
            let local = (data as NSString).deletingLastPathComponent
            try #"{"ProcessingInputs": [{"InputName": "capture", "S3Input": {"LocalPath": "\#(local)", "S3Uri": "s3://bucket/capture", "S3DataDistributionType": "\#(distribution)", "S3DataType": "S3Prefix", "S3InputMode": "File"}}]}"#
                .write(to: config.appendingPathComponent("processingjobconfig.json"), atomically: true, encoding: .utf8)
        }
        try jobConfig("FullyReplicated")
        let (replicated, replicatedProfile) = try profile([:], extra: ["--shard-by", "record"])
        #expect(replicated.stderr.contains("shard 1/3 by record (from the SageMaker Processing's environment)"))
        #expect((replicatedProfile?["rows"] as? Int ?? 500) < 500)
        try jobConfig("ShardedByS3Key")
        let (sharded, shardedProfile) = try profile([:])
        #expect(sharded.stderr.contains("shard 1/3 by engine"))
        #expect(shardedProfile?["rows"] as? Int == 500)
        let (conflict, _) = try profile([:], extra: ["--shard-by", "file"], status: 2)
        #expect(conflict.stderr.contains("--shard-by must be engine"))
    }
}

/// Profiles written by older builds (`Tests/Fixtures/profiles`: format 2 from the build before
/// predictions and categories, format 3 from the one before the compact encoding).
@Suite("Older profile formats")
struct OlderProfileCommandTests {
    static let fraud = ShardCommandTests.fraud

    @Test("format 2 and 3 baselines still check; a format-3 baseline gives the report its remake in the current format gives")
    func olderBaselinesCheck() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        func check(_ baseline: String, _ name: String) throws -> String {
            let out = directory.appendingPathComponent(name).path
            _ = try ShardCommandTests.run(["check", "--baseline", baseline, "--model", Self.fraud + "/model.json", "--data", Self.fraud + "/capture",
                                           "--output-dir", out], expect: 1)
            return out
        }
        let remade = directory.appendingPathComponent("baseline.json").path
        let made = try ShardCommandTests.run(["baseline", "--model", Self.fraud + "/model.json", "--data", Self.fraud + "/baseline.csv", "--output", remade],
                                             environment: ["SOURCE_DATE_EPOCH": "1764633600"])
        _ = made
        #expect(try ShardCommandTests.json(remade)["format_version"] as? Int == 5)
        let three = try check(Fixtures.path("profiles", "fraud-xgb.format3.json"), "three")
        let four = try check(remade, "four")
        func withoutBaselineProvenance(_ directory: String) throws -> Data {
            var report = try ShardCommandTests.json(directory + "/report.json")
            report["provenance"] = nil
            return try JSONSerialization.data(withJSONObject: report, options: [.sortedKeys])
        }
        #expect(try withoutBaselineProvenance(three) == withoutBaselineProvenance(four))
        let two = try check(Fixtures.path("profiles", "fraud-xgb.format2.json"), "two")
        let report = try ShardCommandTests.json(two + "/report.json")
        #expect(report["rows"] as? Int == 2400 && report["prediction"] == nil)
        // An old profile merges with a new one (the members the old one lacks are dropped).
        let merged = directory.appendingPathComponent("merged.json").path
        _ = try ShardCommandTests.run(["merge", Fixtures.path("profiles", "fraud-xgb.format3.json"), remade, "--output", merged])
        #expect(try ShardCommandTests.json(merged)["rows"] as? Int == 2000)
    }
}
