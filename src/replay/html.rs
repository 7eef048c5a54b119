//! The report as one HTML page that opens from disk: inline CSS, charts drawn as
//! inline SVG, no script and nothing fetched (a report mailed to a colleague or
//! opened on a locked-down laptop shows the same).

use super::report::{Report, StatusRow};
use std::fmt::Write;

const CURRENT: &str = "#8a99ad";
const PROPOSED: &str = "#1b6ac9";
const HISTORY: &str = "#2e2e2e";

fn esc(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn hours(seconds: u64) -> f64 {
    seconds as f64 / 3600.0
}

/// Horizontal bars: per status, its hours as it happened, under the current rules
/// and under the proposed ones.
fn status_chart(title: &str, rows: &[StatusRow]) -> String {
    let max = rows
        .iter()
        .flat_map(|r| [r.history_seconds, r.current_seconds, r.proposed_seconds])
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let (label_w, bar_w, row_h) = (170.0, 420.0, 42.0);
    let height = 30.0 + row_h * rows.len() as f64;
    let mut svg = format!(
        r#"<svg class="chart" role="img" aria-label="{}" viewBox="0 0 {} {height}" width="{}" height="{height}">"#,
        esc(title),
        label_w + bar_w + 80.0,
        label_w + bar_w + 80.0
    );
    let _ = write!(svg, "<title>{}</title>", esc(title));
    for (i, r) in rows.iter().enumerate() {
        let y = 20.0 + row_h * i as f64;
        let _ = write!(
            svg,
            r#"<text x="0" y="{}" class="label">{}</text>"#,
            y + 22.0,
            esc(&r.status)
        );
        let bars = [
            (r.history_seconds, HISTORY, "history"),
            (r.current_seconds, CURRENT, "current"),
            (r.proposed_seconds, PROPOSED, "proposed"),
        ];
        for (k, (secs, color, what)) in bars.into_iter().enumerate() {
            let w = secs as f64 / max * bar_w;
            let by = y + 2.0 + 12.0 * k as f64;
            let _ = write!(
                svg,
                r#"<rect x="{label_w}" y="{by}" width="{w:.1}" height="10" fill="{color}"><title>{} {what}: {:.2} h</title></rect><text x="{:.1}" y="{}" class="value">{:.2}</text>"#,
                esc(&r.status),
                hours(secs),
                label_w + w + 4.0,
                by + 9.0,
                hours(secs)
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

/// Actions per hour of the day (UTC), one small chart per rule that acted, both files.
fn firing_chart(rule: &str, current: &[u64; 24], proposed: &[u64; 24]) -> String {
    let max = current
        .iter()
        .chain(proposed)
        .copied()
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let (w, h, col) = (24.0 * 16.0 + 40.0, 110.0, 16.0);
    let mut svg = format!(
        r#"<svg class="chart firing" role="img" aria-label="{0}" viewBox="0 0 {w} {h}" width="{w}" height="{h}"><title>{0}</title>"#,
        esc(rule)
    );
    for hour in 0..24 {
        let x = 30.0 + col * hour as f64;
        for (k, (n, color)) in [(current[hour], CURRENT), (proposed[hour], PROPOSED)]
            .into_iter()
            .enumerate()
        {
            let bh = n as f64 / max * 80.0;
            let _ = write!(
                svg,
                r#"<rect x="{:.1}" y="{:.1}" width="7" height="{bh:.1}" fill="{color}"><title>{hour:02}:00 {}: {n}</title></rect>"#,
                x + 7.0 * k as f64,
                90.0 - bh,
                if k == 0 { "current" } else { "proposed" }
            );
        }
        if hour % 3 == 0 {
            let _ = write!(
                svg,
                r#"<text x="{x}" y="104" class="tick">{hour:02}</text>"#
            );
        }
    }
    let _ = write!(
        svg,
        r#"<text x="0" y="12" class="tick">{}</text></svg>"#,
        max as u64
    );
    svg
}

/// The whole page.
pub(crate) fn page(report: &Report) -> String {
    let mut p = String::with_capacity(64 * 1024);
    let a = &report.attribution;
    let _ = write!(
        p,
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>omnisync replay</title><style>
body{{font:14px system-ui,sans-serif;margin:2em;color:#222;max-width:1100px}}
table{{border-collapse:collapse;margin:.5em 0 1.5em}}td,th{{padding:3px 10px;border-bottom:1px solid #ddd;text-align:right}}
td:first-child,th:first-child{{text-align:left}}.label{{font-size:13px}}.value,.tick{{font-size:10px;fill:#555}}
.key span{{display:inline-block;width:10px;height:10px;margin:0 4px 0 12px}}.rules{{display:flex;flex-wrap:wrap;gap:12px}}
figure{{margin:0}}figcaption{{font-size:12px}}
</style></head><body>
<h1>What the proposed rules would have done</h1>
<p>{agents} agents, {events} events, {replayed} replayed. Current rules <code>{cur}</code>; proposed <code>{prop}</code>.</p>
<p class="key"><span style="background:{HISTORY}"></span>history<span style="background:{CURRENT}"></span>current rules, replayed<span style="background:{PROPOSED}"></span>proposed rules, replayed</p>
<h2>Who changed what</h2>
<p>{ac} changes by agents (and work routing), {sc} by the old sync ({share:.1} %); {amb} pairs stamped in the same second (which came first is a guess). Window {win} ms.</p>
"#,
        agents = report.agents,
        events = report.events,
        replayed = report.replayed_events,
        cur = esc(&report.current_rules),
        prop = esc(&report.proposed_rules),
        ac = a.agent_changes,
        sc = a.sync_changes,
        share = a.sync_share * 100.0,
        amb = a.ambiguous,
        win = report.window_ms,
    );
    p.push_str("<h2>Time per status</h2>");
    p.push_str(&status_chart(
        "Omni-Channel hours per status",
        &report.statuses.omni,
    ));
    p.push_str(&status_chart(
        "Phone hours per state",
        &report.statuses.telephony,
    ));
    p.push_str(
        "<h2>Rules: actions</h2><table><tr><th>rule</th><th>current</th><th>proposed</th></tr>",
    );
    for r in &report.rules {
        let _ = write!(
            p,
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&r.rule),
            r.current,
            r.proposed
        );
    }
    p.push_str("</table><h2>Actions per hour of the day (UTC)</h2><div class=\"rules\">");
    for r in report.rules.iter().filter(|r| r.current + r.proposed > 0) {
        let _ = write!(
            p,
            "<figure>{}<figcaption>{}</figcaption></figure>",
            firing_chart(&r.rule, &r.current_by_hour, &r.proposed_by_hour),
            esc(&r.rule)
        );
    }
    let _ = write!(
        p,
        "</div><h2>Loops and contacts</h2><p>Chain limits hit: current {}, proposed {}. Phone writes held during contacts: current {}, proposed {}.</p>",
        report.chain_limits.current, report.chain_limits.proposed, report.deferred.current, report.deferred.proposed
    );
    let _ = write!(
        p,
        "<h2>Changes that differ: {}</h2><table><tr><th>time</th><th>agent</th><th>change</th><th>current</th><th>proposed</th></tr>",
        report.differences.total
    );
    for d in &report.differences.first {
        let _ = write!(
            p,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&d.at),
            esc(&d.agent),
            esc(&d.event),
            esc(&d.current.join(", ")),
            esc(&d.proposed.join(", "))
        );
    }
    p.push_str("</table>");
    if report.problems.total() > 0 {
        p.push_str(
            "<h2>Rows not used</h2><table><tr><th>reason</th><th>rows</th><th>first ones</th></tr>",
        );
        for (reason, problem) in &report.problems.reasons {
            let _ = write!(
                p,
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(reason),
                problem.count,
                esc(&problem.examples.join("; "))
            );
        }
        p.push_str("</table>");
    }
    p.push_str("</body></html>\n");
    p
}
