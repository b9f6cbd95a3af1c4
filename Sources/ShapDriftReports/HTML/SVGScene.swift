import Foundation

/// One inline SVG chart as plain shapes, its geometry computed here and drawn by the page
/// template's `svg` partial: rectangles, lines, paths, markers and text, each with a CSS class
/// (`b` baseline, `c` current, `axis`, `grid`, …) that the page's stylesheet colours. Every chart
/// has a `<title>` and a `<desc>` holding its numbers, its text alternative.
///
/// Coordinates are in the chart's own units (`viewBox`), rounded to 0.1: the page scales the
/// chart to its width, so it fits a phone as it fits a desktop.
struct SVGScene {
    let id: String
    let width: Double
    let height: Double
    var title: String
    var desc: String
    var rects: [Rect] = []
    var lines: [Line] = []
    var paths: [Path] = []
    var circles: [Circle] = []
    var texts: [Text] = []
    /// The size as the template writes it (stored: the template engine reads stored properties).
    let widthText: String
    let heightText: String

    init(id: String, width: Double, height: Double, title: String, desc: String) {
        self.id = id
        self.width = width
        self.height = height
        self.title = title
        self.desc = desc
        widthText = SVGScene.number(width)
        heightText = SVGScene.number(height)
    }

    struct Rect {
        var x, y, w, h: String
        var cls: String
        init(x: Double, y: Double, width: Double, height: Double, cls: String) {
            self.x = SVGScene.number(x)
            self.y = SVGScene.number(y)
            w = SVGScene.number(max(0, width))
            h = SVGScene.number(max(0, height))
            self.cls = cls
        }
    }

    struct Line {
        var x1, y1, x2, y2: String
        var cls: String
        init(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, cls: String) {
            self.x1 = SVGScene.number(x1)
            self.y1 = SVGScene.number(y1)
            self.x2 = SVGScene.number(x2)
            self.y2 = SVGScene.number(y2)
            self.cls = cls
        }
    }

    struct Path {
        var d: String
        var cls: String
        /// A path through `points`, `M x y L x y …`.
        init(points: [(Double, Double)], closed: Bool = false, cls: String) {
            d = points.enumerated().map { index, point in
                "\(index == 0 ? "M" : "L")\(SVGScene.number(point.0)) \(SVGScene.number(point.1))"
            }.joined(separator: " ") + (closed ? " Z" : "")
            self.cls = cls
        }
    }

    struct Circle {
        var cx, cy, r: String
        var cls: String
        init(_ x: Double, _ y: Double, r: Double, cls: String) {
            cx = SVGScene.number(x)
            cy = SVGScene.number(y)
            self.r = SVGScene.number(r)
            self.cls = cls
        }
    }

    struct Text {
        var x, y: String
        var text: String
        var cls: String
        var anchor: String
        init(_ x: Double, _ y: Double, _ text: String, cls: String = "label", anchor: String = "start") {
            self.x = SVGScene.number(x)
            self.y = SVGScene.number(y)
            self.text = text
            self.cls = cls
            self.anchor = anchor
        }
    }

    /// A coordinate to 0.1, without a trailing `.0`.
    static func number(_ value: Double) -> String {
        let rounded = (value * 10).rounded() / 10
        if rounded == rounded.rounded() { return String(Int(rounded)) }
        return String(format: "%.1f", rounded)
    }

    /// A name cut to `limit` characters with an ellipsis (the full name is in the table).
    static func short(_ name: String, _ limit: Int = 22) -> String {
        name.count <= limit ? name : String(name.prefix(limit - 1)) + "…"
    }
}
