// One model card, presentational. Deltas and check results carry a mark (▲▼, ✔✘) beside the words, so
// colour is never the only signal and text keeps the theme's foreground.
import { formatTime } from '../../core/time-text';
import { FlowGraph } from '../graph/flow-graph';
import type { NodeState, NodeStatus } from '../graph/types';
import type { CheckResult, MetricValue, ModelCard, SliceTable } from './contract';

const num = (n: number | undefined) => (n === undefined || !Number.isFinite(n) ? 'n/a' : Number.isInteger(n) ? String(n) : Math.abs(n) >= 0.001 ? n.toFixed(4) : n.toExponential(2));
const bytes = (n: number | undefined) => (n === undefined ? 'n/a' : n < 1024 ? `${n} B` : n < 1 << 20 ? `${(n / 1024).toFixed(1)} KB` : `${(n / (1 << 20)).toFixed(1)} MB`);
const shape = (s: (number | string | null)[] | null) => (s === null ? 'rank unknown' : `[${s.map((d) => (d === null ? '?' : d)).join(', ')}]`);

export function Delta({ m }: { m: MetricValue }) {
  if (m.delta === undefined) return null;
  const mark = m.improved === undefined ? '•' : m.improved ? '▲' : '▼';
  const verdict = m.improved === undefined ? 'changed' : m.improved ? 'better' : 'worse';
  return (
    <span className="mc-delta" title={`previous ${num(m.previous)}`}>
      <span className={`mc-mark ${m.improved === undefined ? '' : m.improved ? 'mc-good' : 'mc-bad'}`} aria-hidden="true">{mark}</span>
      {' '}{m.delta > 0 ? '+' : ''}{num(m.delta)} {verdict}
    </span>
  );
}

const STATUS: Record<CheckResult['status'], { mark: string; label: string; cls: string }> = {
  pass: { mark: '✔', label: 'pass', cls: 'mc-good' },
  fail: { mark: '✘', label: 'fail', cls: 'mc-bad' },
  error: { mark: '!', label: 'not evaluated', cls: 'mc-warn' },
};

function Checks({ checks }: { checks: CheckResult[] }) {
  if (checks.length === 0) return <p className="mc-muted">No <code>model.checks</code> in the flow.</p>;
  const failed = checks.filter((c) => c.status !== 'pass').length;
  return (
    <>
      <p>{failed === 0 ? `All ${checks.length} checks pass.` : `${failed} of ${checks.length} checks fail or could not be evaluated.`}</p>
      <table className="mc-table mc-checks">
        <thead><tr><th>Result</th><th>Check</th><th>Numbers</th></tr></thead>
        <tbody>
          {checks.map((c, i) => (
            <tr key={i} data-status={c.status}>
              <td><span className={`mc-mark ${STATUS[c.status].cls}`} aria-hidden="true">{STATUS[c.status].mark}</span> {STATUS[c.status].label}</td>
              <td>{c.name}{c.line !== undefined && <span className="mc-muted"> (line {c.line + 1}{c.code ? `, ${c.code}` : ''})</span>}</td>
              <td>{c.message}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

function Slices({ table }: { table: SliceTable }) {
  return (
    <section aria-label={`Metrics by ${table.name}`}>
      <h3>By {table.name} <span className="mc-muted">{table.file}</span></h3>
      <div className="mc-scroll">
        <table className="mc-table mc-slices">
          <thead><tr><th>{table.name}</th><th>rows</th>{table.metrics.map((m) => <th key={m}>{m}</th>)}</tr></thead>
          <tbody>
            {table.rows.map((r) => (
              <tr key={r.value}>
                <th scope="row">{r.value}</th>
                <td className="mc-num">{r.rows ?? ''}</td>
                {table.metrics.map((name) => {
                  const m = r.metrics.find((x) => x.name === name);
                  return <td key={name} className="mc-num">{m ? <>{num(m.value)} <Delta m={m} /></> : ''}</td>;
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function Text({ title, body }: { title: string; body?: string }) {
  return body ? <section><h3>{title}</h3><p>{body}</p></section> : null;
}

const STEP_STATES = new Set<string>(['succeeded', 'failed', 'cancelled', 'skipped', 'running', 'queued']);

/** The steps' states in this run, as the graph colours them. */
function lineageStatus(card: ModelCard): Record<string, NodeStatus> {
  const status: Record<string, NodeStatus> = {};
  for (const s of card.lineage.steps) {
    if (!s.state) continue;
    const state = (s.cached ? 'cached' : STEP_STATES.has(s.state) ? s.state : 'unknown') as NodeState;
    status[`step:${s.name}`] = { state, ...(s.fingerprint && { reasons: [`fingerprint ${s.fingerprint.slice(0, 12)}…`] }) };
  }
  return status;
}

export function CardView({ card }: { card: ModelCard }) {
  const d = card.details;
  const c = card.considerations;
  return (
    <article className="mc-card" aria-label={`Model card of run ${d.run}`}>
      <header>
        <h1>{d.name}</h1>
        <p className="mc-muted">Run <code>{d.run}</code> ({d.runStatus}), {formatTime(d.created)}</p>
        {d.description && <p>{d.description}</p>}
      </header>
      {card.problems.length > 0 && (
        <section className="mc-problems" aria-label="Problems">
          <h2>Problems</h2>
          <ul>{card.problems.map((p, i) => <li key={i}>{p}</li>)}</ul>
        </section>
      )}
      <section aria-label="Checks"><h2>Checks</h2><Checks checks={card.checks} /></section>
      <section aria-label="Metrics">
        <h2>Metrics</h2>
        <p className="mc-muted">{d.previous ? `Compared with the previous model of this flow: run ${d.previous.run}.` : 'No previous model of this flow to compare with.'}</p>
        {card.metrics.overall.length > 0 ? (
          <table className="mc-table mc-overall">
            <thead><tr><th>Metric</th><th>Value</th><th>Previous</th><th>Change</th></tr></thead>
            <tbody>
              {card.metrics.overall.map((m) => (
                <tr key={m.name}><th scope="row">{m.name}</th><td className="mc-num">{num(m.value)}</td><td className="mc-num">{num(m.previous)}</td><td><Delta m={m} /></td></tr>
              ))}
            </tbody>
          </table>
        ) : <p className="mc-muted">The run recorded no metrics.</p>}
        {card.metrics.slices.map((t) => <Slices key={`${t.file}:${t.name}`} table={t} />)}
      </section>
      <section aria-label="Model details">
        <h2>Model details</h2>
        <table className="mc-table mc-details">
          <tbody>
            <tr><th scope="row">Flow</th><td>{d.name} <span className="mc-muted">{d.flowFile}</span></td></tr>
            <tr><th scope="row">Code</th><td>{d.code.commit ? `${d.code.commit.slice(0, 12)}${d.code.dirty ? ' with uncommitted changes' : ''}` : 'not a git checkout'}</td></tr>
            <tr><th scope="row">Model file</th><td>{d.path ?? 'n/a'} ({bytes(d.size)})</td></tr>
            <tr><th scope="row">sha256</th><td><code>{d.sha256 ?? 'n/a'}</code></td></tr>
            {d.trainingStep && <tr><th scope="row">Trained by</th><td>step {d.trainingStep}</td></tr>}
            {c.owners.length > 0 && <tr><th scope="row">Owners</th><td>{c.owners.join(', ')}</td></tr>}
            {c.license && <tr><th scope="row">License</th><td>{c.license}</td></tr>}
          </tbody>
        </table>
      </section>
      <section aria-label="Considerations">
        <h2>Considerations</h2>
        <Text title="Intended use" body={c.intendedUse} />
        <Text title="Out-of-scope uses" body={c.outOfScope} />
        <Text title="Limitations" body={c.limitations} />
        <Text title="Ethical considerations" body={c.ethicalConsiderations} />
        {Object.entries(c.other).map(([k, v]) => <Text key={k} title={k.replace(/_/g, ' ')} body={v} />)}
      </section>
      {card.signature && (
        <section aria-label="Signature">
          <h2>Signature</h2>
          <table className="mc-table">
            <thead><tr><th></th><th>Name</th><th>Type</th><th>Shape</th></tr></thead>
            <tbody>
              {card.signature.inputs.map((t) => <tr key={`i:${t.name}`}><td>input</td><td>{t.name}</td><td>{t.type}</td><td>{shape(t.shape)}</td></tr>)}
              {card.signature.outputs.map((t) => <tr key={`o:${t.name}`}><td>output</td><td>{t.name}</td><td>{t.type}</td><td>{shape(t.shape)}</td></tr>)}
            </tbody>
          </table>
          <p className="mc-muted">Opsets {card.signature.opsets.map((o) => `${o.domain} ${o.version}`).join(', ')}{card.signature.parameters !== undefined && `; ${card.signature.parameters} parameters`}{card.signature.producer && `; produced by ${card.signature.producer}`}</p>
        </section>
      )}
      <section aria-label="Lineage">
        <h2>Lineage</h2>
        {card.lineage.graph && (
          <div className="mc-graph">
            <FlowGraph graph={card.lineage.graph} status={lineageStatus(card)} label={`Lineage of run ${d.run}`} />
          </div>
        )}
        <ul className="mc-lineage">
          {card.lineage.sources.map((s) => (
            <li key={`${s.source}.${s.table}`}>source <strong>{s.source}.{s.table}</strong> {s.path}{s.rows !== undefined && `, ${s.rows} rows`}{s.fingerprint && <span className="mc-muted"> sha256 {s.fingerprint.slice(0, 12)}…</span>}{s.problem && <span className="mc-muted"> ({s.problem})</span>}</li>
          ))}
          {card.lineage.steps.map((s) => (
            <li key={s.name}>
              {s.kind} step <strong>{s.name}</strong>{s.training ? ' (trains the model)' : s.evaluation ? ' (evaluates it)' : ''}
              {s.upstream.length > 0 && ` ← ${s.upstream.join(', ')}`}
              {s.state && <span className="mc-muted"> {s.state}{s.cached ? ', cached' : ''}{s.fingerprint && `, fingerprint ${s.fingerprint.slice(0, 12)}…`}</span>}
            </li>
          ))}
        </ul>
        {Object.keys(card.lineage.params).length > 0 && (
          <table className="mc-table mc-params">
            <thead><tr><th>Param</th><th>Value</th></tr></thead>
            <tbody>{Object.entries(card.lineage.params).map(([k, v]) => <tr key={k}><th scope="row">{k}</th><td>{JSON.stringify(v)}{k in card.lineage.overrides && <span className="mc-muted"> (--set)</span>}</td></tr>)}</tbody>
          </table>
        )}
      </section>
    </article>
  );
}

/** Two versions' overall metrics in one table: a's value, b's value and b − a. */
export function MetricsCompare({ a, b }: { a: ModelCard; b: ModelCard }) {
  const names = [...new Set([...a.metrics.overall, ...b.metrics.overall].map((m) => m.name))];
  const value = (card: ModelCard, name: string) => card.metrics.overall.find((m) => m.name === name);
  return (
    <section className="mc-compare-metrics" aria-label="Compared metrics">
      <h2>Run {a.details.run} → run {b.details.run}</h2>
      <table className="mc-table">
        <thead><tr><th>Metric</th><th>{a.details.run}</th><th>{b.details.run}</th><th>Change</th></tr></thead>
        <tbody>
          {names.map((name) => {
            const x = value(a, name);
            const y = value(b, name);
            const delta = x && y ? { ...y, previous: x.value, delta: y.value - x.value, improved: y.value === x.value || y.direction === 'unknown' ? undefined : (y.direction === 'higher') === y.value > x.value } : undefined;
            return <tr key={name}><th scope="row">{name}</th><td className="mc-num">{num(x?.value)}</td><td className="mc-num">{num(y?.value)}</td><td>{delta && <Delta m={delta} />}</td></tr>;
          })}
        </tbody>
      </table>
    </section>
  );
}
