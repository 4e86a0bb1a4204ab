//! A weekly bar chart drawn as SVG: a title, the value axis with its label and ticks,
//! the week axis with its label, one bar per week (none for a week without a value),
//! and the same numbers as a table for screen readers and anyone who wants them exact.
//!
//! A function, not a component: it has no state, and each component type costs the
//! bundle about 1 KB of yew lifecycle code.

use yew::prelude::*;

/// One bar.
#[derive(Clone, Debug, PartialEq)]
pub struct ChartPoint {
    /// The week as the axis and the table name it ("2 Nov").
    pub label: String,
    /// The bar's height in the chart's unit; `None`: no bar.
    pub value: Option<f64>,
    /// The value as the table shows it ("75 %", "—").
    pub text: String,
    /// What the value is made of, for the table's third column ("3 of 4").
    pub detail: String,
}

/// What [`bar_chart`] draws.
pub struct ChartProps {
    /// The chart's heading and accessible name.
    pub title: &'static str,
    /// Element id prefix, unique on the page.
    pub id: &'static str,
    pub x_label: &'static str,
    pub y_label: &'static str,
    /// The header of the table's third column.
    pub detail_label: &'static str,
    /// The top of the value axis (at least the largest value).
    pub y_max: f64,
    /// The value axis' ticks: (value, text).
    pub y_ticks: Vec<(f64, String)>,
    pub points: Vec<ChartPoint>,
}

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 260.0;
const LEFT: f64 = 64.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 56.0;

/// A coordinate in whole user units: the viewBox is 640 wide, so a pixel's rounding is
/// invisible, and integers keep Rust's float formatting out of the bundle.
#[allow(clippy::cast_possible_truncation)]
fn px(v: f64) -> String {
    (v.round() as i32).to_string()
}

/// The chart and its table view.
pub fn bar_chart(props: ChartProps) -> Html {
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let n = props.points.len().max(1);
    let band = plot_w / n as f64;
    let y_max = if props.y_max > 0.0 { props.y_max } else { 1.0 };
    let y_of = |v: f64| TOP + plot_h - (v.clamp(0.0, y_max) / y_max) * plot_h;
    // At most about 8 week labels under the axis, so they never overlap.
    let every = n.div_ceil(8);
    let title_id = format!("{}-title", props.id);
    let desc_id = format!("{}-desc", props.id);

    let ticks = props.y_ticks.iter().map(|(v, text)| {
        let y = y_of(*v);
        html! {
            <g class="chart-tick">
                <line x1={px(LEFT)} x2={px(WIDTH - RIGHT)} y1={px(y)} y2={px(y)} class="chart-grid" />
                <text x={px(LEFT - 6.0)} y={px(y + 4.0)} text-anchor="end" class="chart-text">{ text.clone() }</text>
            </g>
        }
    });
    let bars = props.points.iter().enumerate().map(|(i, p)| {
        let x = LEFT + band * i as f64;
        let bar = p.value.map(|v| {
            let y = y_of(v);
            let h = (TOP + plot_h - y).max(if v > 0.0 { 1.0 } else { 0.0 });
            html! {
                <rect x={px(x + band * 0.15)} y={px(TOP + plot_h - h)}
                    width={px(band * 0.7)} height={px(h)} class="chart-bar">
                    <title>{ format!("{}: {}", p.label, p.text) }</title>
                </rect>
            }
        });
        let label = (i % every == 0).then(|| html! {
            <text x={px(x + band / 2.0)} y={px(TOP + plot_h + 16.0)} text-anchor="middle" class="chart-text">
                { p.label.clone() }
            </text>
        });
        html! { <g>{ for bar }{ for label }</g> }
    });

    html! {
        <figure class="chart" data-testid={format!("{}-chart", props.id)}>
            <figcaption class="chart-title" id={title_id.clone()}>{ props.title }</figcaption>
            <svg viewBox={format!("0 0 {} {}", px(WIDTH), px(HEIGHT))} class="chart-svg" role="img"
                aria-labelledby={title_id} aria-describedby={desc_id.clone()}>
                <desc id={desc_id}>{ format!("{} by {}; the table below has the numbers.", props.y_label, props.x_label.to_lowercase()) }</desc>
                { for ticks }
                <line x1={px(LEFT)} x2={px(LEFT)} y1={px(TOP)} y2={px(TOP + plot_h)} class="chart-axis" />
                <line x1={px(LEFT)} x2={px(WIDTH - RIGHT)} y1={px(TOP + plot_h)} y2={px(TOP + plot_h)} class="chart-axis" />
                { for bars }
                <text x={px(LEFT + plot_w / 2.0)} y={px(HEIGHT - 8.0)} text-anchor="middle" class="chart-label">{ props.x_label }</text>
                <text x="14" y={px(TOP + plot_h / 2.0)} text-anchor="middle" class="chart-label"
                    transform={format!("rotate(-90 14 {})", px(TOP + plot_h / 2.0))}>{ props.y_label }</text>
            </svg>
            <details class="chart-table">
                <summary>{ "Show as a table" }</summary>
                <div class="table-wrap">
                    <table class="table" data-testid={format!("{}-table", props.id)}>
                        <caption class="visually-hidden">{ props.title }</caption>
                        <thead>
                            <tr>
                                <th scope="col">{ props.x_label }</th>
                                <th scope="col">{ props.y_label }</th>
                                <th scope="col">{ props.detail_label }</th>
                            </tr>
                        </thead>
                        <tbody>
                            { for props.points.iter().map(|p| html! {
                                <tr>
                                    <th scope="row">{ p.label.clone() }</th>
                                    <td>{ p.text.clone() }</td>
                                    <td>{ p.detail.clone() }</td>
                                </tr>
                            }) }
                        </tbody>
                    </table>
                </div>
            </details>
        </figure>
    }
}

/// A chart of participation rates (0 to 100 %): one bar per `(label, rate, answered,
/// asked)`.
pub fn rate_chart(
    title: &'static str,
    id: &'static str,
    x_label: &'static str,
    rows: impl Iterator<Item = (String, Option<f64>, i32, i32)>,
) -> Html {
    bar_chart(ChartProps {
        title,
        id,
        x_label,
        y_label: "Answered",
        detail_label: "Answered of asked",
        y_max: 1.0,
        y_ticks: [0.0, 0.5, 1.0]
            .into_iter()
            .map(|v| (v, crate::format::percent(v)))
            .collect(),
        points: rows
            .map(|(label, rate, answered, asked)| ChartPoint {
                label,
                value: rate,
                text: rate.map_or_else(|| "—".to_owned(), crate::format::percent),
                detail: if asked == 0 {
                    "No standup".to_owned()
                } else {
                    format!("{answered} of {asked}")
                },
            })
            .collect(),
    })
}
