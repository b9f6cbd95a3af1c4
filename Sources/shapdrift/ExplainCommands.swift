import ArgumentParser
import Foundation
import ShapDrift

struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show what was loaded from a model file.")

    @OptionGroup var modelOption: ModelOption

    func run() throws {
        let model = try modelOption.load()
        try writeAtomically(Array(ModelSummary(model: model, file: modelOption.model).text.utf8), to: "-")
    }
}

struct Predict: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the model's raw outputs (row,output,value), to check an export against the trained model.")

    @OptionGroup var modelOption: ModelOption
    @OptionGroup var sources: DataSourceOptions

    @Option(help: ArgumentHelp("Where to write the CSV ('-' = standard output).", valueName: "path"))
    var output: String = "-"

    func validate() throws {
        try sources.requireData()
    }

    func run() throws {
        let model = try modelOption.load()
        let predictor = RawPredictor(model: model)
        let writer = try AtomicFileWriter(path: output)
        var rows = 0
        try sources.forEachBatch(of: sources.source(for: model, badRecords: .tolerant), model: model) { batch, numbers in
            try writer.write(AttributionCSVWriter.predictions(try predictor.predict(batch), numOutputs: model.numOutputs,
                                                              rowNumbers: numbers, includeHeader: rows == 0))
            rows += batch.rowCount
        }
        try writer.commit()
    }
}

struct Explain: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compute SHAP attributions for every row of the data.",
        discussion: """
        Output: row,output,<features in model order>,base_value — one line per row per model output, \
        in the model's raw output space (log-odds for logistic objectives). Additivity holds: the \
        feature columns plus base_value equal the raw model output. Rows are numbered from 0 across \
        all inputs, in order; a bad record skipped under --max-bad-records keeps its number and has no \
        line, so later rows keep theirs.
        """)

    @OptionGroup var modelOption: ModelOption
    @OptionGroup var sources: DataSourceOptions
    @OptionGroup var methodOptions: MethodOptions
    @OptionGroup var runOptions: RunOptions

    @Option(help: ArgumentHelp("Where to write the CSV ('-' = standard output).", valueName: "path"))
    var output: String = "-"

    func validate() throws {
        try sources.requireData()
    }

    func run() throws {
        var clock = StageClock()
        let model = try modelOption.load()
        let explainer = try methodOptions.explainer(for: model, limits: sources.limits)
        let chain = try sources.source(for: model, badRecords: .tolerant)
        // A model without names takes its features' names from the data's header.
        let featureNames = model.featureNames(readingWith: chain.dataHeader)
        let writer = try AtomicFileWriter(path: output)
        clock.lap("loading")
        var rows = 0
        try sources.forEachBatch(of: chain, model: model) { batch, numbers in
            clock.lap("reading")
            let attributions = try explainer.explain(batch, threads: runOptions.threadCount)
            clock.lap("attributing", rows: batch.rowCount)
            try writer.write(AttributionCSVWriter.attributions(attributions, featureNames: featureNames,
                                                               rowNumbers: numbers, includeHeader: rows == 0))
            rows += batch.rowCount
            clock.lap("writing")
        }
        try writer.commit()
        clock.lap("writing")
        runOptions.report(clock.summary, fields: clock.fields)
    }
}
