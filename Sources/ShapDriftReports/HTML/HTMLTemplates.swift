import Foundation
import Mustache

/// The Mustache templates of the HTML pages (`report.html`, `history.html`): the markup lives
/// here, every value comes from a view model and is HTML-escaped by the template engine
/// (hummingbird-project/swift-mustache), and the charts are drawn by the `svg` partial from an
/// `SVGScene`. The pages fetch nothing: the stylesheet is inline, the charts are inline SVG, and
/// there is no script.
enum HTMLTemplates {
    /// The templates, parsed once. They are constants of this file, so a parse error is a
    /// programming error that the tests catch.
    static let library: MustacheLibrary = {
        var library = MustacheLibrary()
        for (name, text) in [("style", style), ("svg", svg), ("report", report), ("history", history)] {
            do {
                try library.register(text, named: name)
            } catch {
                preconditionFailure("the \(name) template does not parse: \(error)")
            }
        }
        return library
    }()

    /// Renders `object` with the template `name`.
    static func render(_ object: Any, template name: String) -> String {
        guard let text = library.render(object, withTemplate: name) else {
            preconditionFailure("no template named \(name)")
        }
        return text
    }

    /// Colours: the Okabe–Ito palette (blue for the baseline, orange for the current data), which
    /// people with the common colour-vision deficiencies tell apart; the two also differ in form
    /// (solid bars against outlined bars, a stepped line, circles against squares) and in grey
    /// level, so a grey print keeps them apart. Nothing is said by colour alone: breached features
    /// carry ▲ and bold type, and the verdict is written out.
    static let style = """
    <style>
    :root { color-scheme: light; --b: #0072b2; --c: #e69f00; --c-line: #b35a00; --ink: #1a1a1a; --muted: #555; --rule: #ccc; }
    * { box-sizing: border-box; }
    body { margin: 0; padding: 16px; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: var(--ink); background: #fff; }
    main { max-width: 980px; margin: 0 auto; }
    h1 { font-size: 1.45em; margin: 0 0 12px; } h2 { font-size: 1.2em; margin: 28px 0 8px; border-bottom: 1px solid var(--rule); padding-bottom: 4px; }
    h3 { font-size: 1.02em; margin: 18px 0 6px; }
    p, li { overflow-wrap: anywhere; }
    .verdict { border: 3px solid; border-radius: 6px; padding: 12px 16px; margin: 0 0 16px; }
    .verdict.drift { border-color: #a10000; background: #fdecec; } .verdict.quiet { border-color: #1b6e20; background: #edf7ee; }
    .verdict .word { font-size: 1.6em; font-weight: 800; letter-spacing: .02em; margin: 0; }
    .verdict ul { margin: 6px 0 0; padding-left: 20px; }
    .ndcg { font-size: 1.15em; margin: 6px 0 0; } .ndcg b { font-size: 1.25em; }
    dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; margin: 0; }
    dl.facts dt { color: var(--muted); } dl.facts dd { margin: 0; overflow-wrap: anywhere; }
    figure { margin: 10px 0 18px; } figcaption { color: var(--muted); font-size: .92em; margin-top: 2px; }
    svg.chart { display: block; width: 100%; max-width: 100%; height: auto; }
    .pair { display: grid; grid-template-columns: repeat(auto-fit, minmax(260px, 1fr)); gap: 8px 18px; }
    .pair figure { margin: 4px 0 10px; }
    svg text { font-family: inherit; fill: var(--ink); } svg .label { font-size: 12px; } svg .value, svg .tick { font-size: 10px; fill: var(--muted); }
    svg .key { font-size: 11px; } svg .head { font-size: 12px; font-weight: 700; } svg .breached { font-weight: 700; }
    svg .b { fill: var(--b); } svg .c { fill: var(--c); stroke: var(--c-line); stroke-width: 1; }
    svg .step { fill: none; stroke: var(--c-line); stroke-width: 2.5; } svg circle.b { stroke: #fff; stroke-width: 1; }
    svg .grid { stroke: #e3e3e3; } svg .axis { stroke: #777; } svg .zero { stroke: #777; stroke-dasharray: 3 3; } svg .gap { stroke: #aaa; stroke-dasharray: 1 4; }
    svg .slope { stroke: #888; stroke-width: 1.5; fill: none; } svg .slope.down { stroke-dasharray: 5 3; } svg .slope.breached { stroke: #000; stroke-width: 3; }
    svg .band { fill: var(--b); fill-opacity: .18; } svg .series { fill: none; stroke: var(--b); stroke-width: 2.5; } svg .threshold { stroke: #a10000; stroke-width: 1.5; stroke-dasharray: 6 4; }
    svg .point { fill: var(--b); } svg .point.below { fill: #a10000; } svg .breachedmark { stroke: #000; stroke-width: 2; }
    .table-wrap { overflow-x: auto; max-width: 100%; }
    table { border-collapse: collapse; font-size: .9em; min-width: 100%; }
    th, td { border-bottom: 1px solid #e3e3e3; padding: 3px 6px; text-align: right; white-space: nowrap; } th { white-space: normal; vertical-align: bottom; }
    th { background: #f4f4f4; position: sticky; top: 0; } th:nth-child(2), td:nth-child(2) { text-align: left; }
    tr.breached td { font-weight: 700; } .note { color: var(--muted); font-size: .92em; }
    .reminder { border-left: 4px solid #777; padding: 6px 12px; background: #f6f6f6; }
    @media (max-width: 600px) { body { padding: 10px; font-size: 14px; } .verdict .word { font-size: 1.35em; } dl.facts { grid-template-columns: 1fr; } dl.facts dt { margin-top: 4px; } }
    @media print { body { padding: 0; } .verdict.drift, .verdict.quiet { background: none; } th { position: static; } figure, tr { break-inside: avoid; } }
    </style>
    """

    /// An `SVGScene`.
    static let svg = """
    <svg class="chart" style="max-width: {{widthText}}px" width="{{widthText}}" height="{{heightText}}" viewBox="0 0 {{widthText}} {{heightText}}" role="img" aria-labelledby="{{id}}-title {{id}}-desc" preserveAspectRatio="xMinYMin meet">
    <title id="{{id}}-title">{{title}}</title>
    <desc id="{{id}}-desc">{{desc}}</desc>
    {{#rects}}<rect x="{{x}}" y="{{y}}" width="{{w}}" height="{{h}}" class="{{cls}}"/>{{/rects}}
    {{#lines}}<line x1="{{x1}}" y1="{{y1}}" x2="{{x2}}" y2="{{y2}}" class="{{cls}}"/>{{/lines}}
    {{#paths}}<path d="{{d}}" class="{{cls}}"/>{{/paths}}
    {{#circles}}<circle cx="{{cx}}" cy="{{cy}}" r="{{r}}" class="{{cls}}"/>{{/circles}}
    {{#texts}}<text x="{{x}}" y="{{y}}" class="{{cls}}" text-anchor="{{anchor}}">{{text}}</text>{{/texts}}
    </svg>
    """

    static let report = """
    <!DOCTYPE html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <meta name="generator" content="{{writer}}">
    <title>{{pageTitle}}</title>
    {{>style}}
    </head>
    <body>
    <main>
    <h1>ShapDrift report</h1>
    <section class="verdict {{verdictClass}}" aria-label="Verdict">
    <p class="word">{{verdictWord}}</p>
    <p>{{verdictSentence}}</p>
    {{#hasReasons}}<ul>{{#reasons}}<li>{{.}}</li>{{/reasons}}</ul>{{/hasReasons}}
    {{#besides}}<p class="note">Reported, not part of the verdict: {{.}}.</p>{{/besides}}
    <p class="ndcg">NDCG <b>{{ndcg}}</b>{{#ndcgInterval}} (95 % interval {{.}}){{/ndcgInterval}} against the threshold {{threshold}}: {{ndcgRule}}</p>
    {{#straddles}}<p class="note">The interval straddles the threshold: NDCG alone cannot tell drift from noise here.</p>{{/straddles}}
    </section>
    <section aria-label="Provenance">
    <h2>What was checked</h2>
    <dl class="facts">
    {{#facts}}<dt>{{key}}</dt><dd>{{value}}</dd>
    {{/facts}}
    </dl>
    {{#hasWarnings}}<ul>{{#warnings}}<li><b>Model warning:</b> {{.}}</li>{{/warnings}}</ul>{{/hasWarnings}}
    </section>
    {{#outputs}}
    <section id="{{anchor}}" aria-label="{{heading}}">
    <h2>{{heading}}</h2>
    {{#multiple}}<p>NDCG {{ndcg}}{{#ndcgInterval}} (95 % interval {{.}}){{/ndcgInterval}}{{#belowThreshold}}: below the threshold{{/belowThreshold}}. {{breachedSentence}}</p>{{/multiple}}
    <figure>
    {{#bars}}{{>svg}}{{/bars}}
    <figcaption>Mean |SHAP| (global SHAP value) per feature, for the {{barCount}} features whose SHAP distribution moved most; ▲ breached. Numbers in the table below.</figcaption>
    </figure>
    <figure>
    {{#slopes}}{{>svg}}{{/slopes}}
    <figcaption>Importance rank, baseline → current (1 = the feature with the largest global SHAP value); dashed lines moved down, bold lines are breached features.</figcaption>
    </figure>
    {{#hasDistributions}}
    <h3>The breached features' distributions</h3>
    {{#distributions}}
    <h3>{{name}}</h3>
    <p>{{sentence}}</p>
    <div class="pair">
    <figure>{{#shap}}{{>svg}}{{/shap}}<figcaption>SHAP values of {{name}}{{outputNote}}.</figcaption></figure>
    {{#values}}<figure>{{>svg}}<figcaption>Input values of {{name}}{{missingNote}}.</figcaption></figure>{{/values}}
    </div>
    {{/distributions}}
    {{#omitted}}<p class="note">{{.}}</p>{{/omitted}}
    {{/hasDistributions}}
    {{#noBreach}}<p class="note">No feature breached for this output, so no distribution is drawn; the table has every feature's numbers.</p>{{/noBreach}}
    <h3>Every feature, ranked by shift</h3>
    <div class="table-wrap">
    <table>
    <thead><tr>{{#columns}}<th scope="col">{{.}}</th>{{/columns}}</tr></thead>
    <tbody>
    {{#rows}}<tr{{#breached}} class="breached"{{/breached}}>{{#cells}}<td>{{.}}</td>{{/cells}}</tr>
    {{/rows}}
    </tbody>
    </table>
    </div>
    </section>
    {{/outputs}}
    {{#values}}{{#hasRows}}
    <section aria-label="Input values">
    <h2>Input values, baseline → current</h2>
    <div class="table-wrap">
    <table>
    <thead><tr>{{#columns}}<th scope="col">{{.}}</th>{{/columns}}</tr></thead>
    <tbody>
    {{#rows}}<tr{{#shifted}} class="breached"{{/shifted}}>{{#cells}}<td>{{.}}</td>{{/cells}}</tr>
    {{/rows}}
    </tbody>
    </table>
    </div>
    </section>
    {{/hasRows}}{{/values}}
    {{#predictions}}
    <section aria-label="Predictions">
    <h2>Predictions</h2>
    <p>{{sentence}}</p>
    <div class="table-wrap">
    <table>
    <thead><tr>{{#columns}}<th scope="col">{{.}}</th>{{/columns}}</tr></thead>
    <tbody>
    {{#rows}}<tr{{#shifted}} class="breached"{{/shifted}}>{{#cells}}<td>{{.}}</td>{{/cells}}</tr>
    {{/rows}}
    </tbody>
    </table>
    </div>
    </section>
    {{/predictions}}
    <section aria-label="Data quality">
    <h2>Data quality</h2>
    {{#hasViolations}}<ul>{{#violations}}<li>{{.}}</li>{{/violations}}</ul>{{/hasViolations}}
    {{^hasViolations}}<p>No data-quality violation.</p>{{/hasViolations}}
    {{#unavailable}}<p class="note">Not checked: {{.}}</p>{{/unavailable}}
    </section>
    {{#hasRecords}}
    <section aria-label="Data read">
    <h2>Data read</h2>
    <dl class="facts">
    {{#records}}<dt>{{key}}</dt><dd>{{value}}</dd>
    {{/records}}
    </dl>
    </section>
    {{/hasRecords}}
    <h2>How to read this</h2>
    <p class="note">{{rule}}</p>
    <p class="reminder">{{note}}</p>
    <section id="run" aria-label="How this check was run">
    <h2>How this check was run</h2>
    <dl class="facts">
    {{#run}}<dt>{{key}}</dt><dd>{{value}}</dd>
    {{/run}}
    </dl>
    <p class="note">Every number here is also in report.json beside this file.</p>
    </section>
    </main>
    </body>
    </html>

    """

    static let history = """
    <!DOCTYPE html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <meta name="generator" content="{{writer}}">
    <title>ShapDrift history: {{span}}</title>
    {{>style}}
    </head>
    <body>
    <main>
    <h1>ShapDrift history</h1>
    <section class="verdict {{verdictClass}}" aria-label="Summary">
    <p class="word">{{headline}}</p>
    <p>{{summary}}</p>
    <p class="note">{{trendSentence}}</p>
    </section>
    <h2>NDCG over time</h2>
    <figure>
    {{#ndcgChart}}{{>svg}}{{/ndcgChart}}
    <figcaption>NDCG of each check (points; red below the threshold) with its 95 % bootstrap interval (band), and the threshold (dashed).</figcaption>
    </figure>
    <h2>The features that shifted most, over time</h2>
    <div class="pair">
    {{#multiples}}<figure>{{>svg}}<figcaption>Mean |SHAP| of {{title}}: baseline (flat) and current.</figcaption></figure>
    {{/multiples}}
    </div>
    <h2>Every check</h2>
    <div class="table-wrap">
    <table>
    <thead><tr>{{#columns}}<th scope="col">{{.}}</th>{{/columns}}</tr></thead>
    <tbody>
    {{#rows}}<tr{{#breached}} class="breached"{{/breached}}>{{#cells}}<td>{{.}}</td>{{/cells}}</tr>
    {{/rows}}
    </tbody>
    </table>
    </div>
    <h2>How to read this</h2>
    <p class="note">{{trendRule}}</p>
    <p class="reminder">A drift finding, or a downward trend, opens an investigation: nothing here retrains or rolls back a model.</p>
    <p class="note">Written by {{writer}} from {{count}} reports.</p>
    </main>
    </body>
    </html>

    """
}
