// VixShield saved runs: backtests (summary.json, report.html) and sweeps (sweep.parquet, sweep.html).
"use strict";

const pct = (x) => (x === null || x === undefined ? "-" : `${(100 * x).toFixed(2)} %`);
const LABELS = [
  ["total_return", "Total return", pct], ["cagr", "CAGR", pct],
  ["annual_volatility", "Annual volatility", pct], ["sharpe", "Sharpe", (x) => x.toFixed(2)],
  ["sortino", "Sortino", (x) => x.toFixed(2)], ["max_drawdown", "Max drawdown", pct],
  ["max_drawdown_duration_days", "Longest drawdown (days)", String],
  ["worst_day", "Worst day", pct], ["worst_month", "Worst month", pct],
  ["win_rate", "Win rate", pct], ["capital", "Capital (USD)", money],
  ["final_equity", "Final equity (USD)", money], ["credit_collected", "Credit collected (USD)", money],
  ["hedge_premium_paid", "Hedge premium paid (USD)", money], ["cycles", "Condor cycles", String],
  ["trades", "Trades", String],
];

function link(href, text) {
  return el("td", { class: "text" }, [el("a", { href, text })]);
}

async function showRun(id) {
  const body = await getJSON(`/api/v1/runs/${encodeURIComponent(id)}/summary`);
  const s = body.summary;
  document.getElementById("run-detail").hidden = false;
  document.getElementById("run-title").textContent =
    `Run ${id}: ${s.policy || "?"}, ${s.start || "?"} to ${s.end || "?"}`;
  const rows = LABELS.filter(([k]) => typeof s[k] === "number").map(([k, label, fmt]) => [label, fmt(s[k])]);
  for (const [k, v] of Object.entries(s.pnl_by_component || {})) rows.push([`P&L ${k} (USD)`, money(v)]);
  table("run-metrics", ["figure", "value"], rows);
}

function problems(id, lines) {
  document.getElementById(id).replaceChildren(...lines.map((p) => el("li", { text: `left out: ${p}` })));
}

function renderRuns(body) {
  problems("runs-problems", body.problems);
  document.getElementById("runs-roots").textContent =
    `Looked in: ${body.roots.join(", ")} (each a \`vixshield backtest --out\` folder, or a folder of them).`;
  table("runs-table", ["run", "policy", "from", "to", "total return", "max drawdown",
    "final equity (USD)", "report", "figures"], body.runs.map((r) => {
    const button = el("button", { type: "button", class: "show-run", text: "show" });
    button.addEventListener("click", () => showRun(r.id).catch(showError));
    return [r.id, r.policy || "-", r.start || "-", r.end || "-", pct(r.total_return),
      pct(r.max_drawdown), money(r.final_equity),
      r.report ? link(r.report, "report.html") : "none", el("td", {}, [button])];
  }));
  return body.runs;
}

function renderSweeps(body) {
  problems("sweeps-problems", body.problems);
  table("sweeps-table", ["sweep", "variants", "labels", "written", "report"], body.sweeps.map((s) => [
    s.id, s.variants, s.labels.join(", ") || "-", s.modified,
    s.report ? link(s.report, "sweep.html") : "none",
  ]));
  return body.sweeps;
}

async function main() {
  const [runs, sweeps] = await Promise.all([
    getJSON("/api/v1/runs").then(renderRuns), getJSON("/api/v1/sweeps").then(renderSweeps),
  ]);
  document.getElementById("subtitle").textContent =
    `${runs.length} saved backtest(s), ${sweeps.length} saved sweep(s)`;
  if (runs.length) await showRun(runs[0].id);
  document.body.dataset.ready = "1";
}

main().catch((err) => { showError(err); document.body.dataset.ready = "1"; });
