// A laid-out flow graph drawn as SVG (layout happens in the host: core/analysis/graph-layout.ts): nodes
// coloured by status, edges as polylines, pan (drag) and zoom (wheel, +/-, 0 fits), keyboard navigation
// (arrows move to the nearest node that way, Enter opens, R runs), stale reasons in a tooltip on hover and
// on focus. Shared by the flow-graph panel and the model card's lineage. Colours only from --vscode-*
// (graph.css). A status change re-renders only the nodes whose status object changed.
import { memo, useCallback, useEffect, useId, useLayoutEffect, useMemo, useRef, useState, type KeyboardEvent, type PointerEvent, type WheelEvent } from 'react';
import type { LaidOutGraph, LaidOutNode, NodeState, NodeStatus } from './types';
import './graph.css';

export interface FlowGraphProps {
  graph: LaidOutGraph;
  /** By node id; a node without one shows no status. */
  status?: Record<string, NodeStatus>;
  /** Click, or Enter on the focused node. */
  onOpen?(id: string): void;
  /** The node's run button, or R; offered on step nodes only, and only when given. */
  onRun?(id: string): void;
  /** The graph's accessible name. */
  label?: string;
}

interface View {
  x: number;
  y: number;
  k: number;
}

const MIN_ZOOM = 0.05;
const MAX_ZOOM = 3;
const PAD = 16;

export const STATE_LABELS: Record<NodeState, string> = {
  'up-to-date': 'up to date',
  stale: 'stale',
  'never-run': 'never run',
  invalid: 'cannot run',
  queued: 'queued',
  running: 'running',
  succeeded: 'succeeded',
  cached: 'up to date (cached)',
  restored: 'up to date (restored)',
  failed: 'failed',
  cancelled: 'cancelled',
  skipped: 'skipped',
  unknown: 'status unknown',
};

const KIND_LABELS = { source: 'source table', sql: 'SQL step', run: 'run step', model: 'model' } as const;

const isStep = (n: LaidOutNode) => n.kind === 'sql' || n.kind === 'run';

export function FlowGraph({ graph, status, onOpen, onRun, label = 'Flow graph' }: FlowGraphProps) {
  const container = useRef<HTMLDivElement>(null);
  const [view, setView] = useState<View>({ x: PAD, y: PAD, k: 1 });
  const [focused, setFocused] = useState<string | undefined>(graph.nodes[0]?.id);
  const [hovered, setHovered] = useState<string | undefined>();
  const [tipOnFocus, setTipOnFocus] = useState(false);
  const drag = useRef<{ x: number; y: number; vx: number; vy: number; moved: boolean } | undefined>();
  const uid = useId().replace(/:/g, '');
  const byId = useMemo(() => new Map(graph.nodes.map((n) => [n.id, n])), [graph]);
  const nodeRefs = useRef(new Map<string, SVGGElement>());

  const fit = useCallback(() => {
    const box = container.current?.getBoundingClientRect();
    if (!box || box.width === 0 || graph.width === 0) return;
    const k = clamp(Math.min((box.width - 2 * PAD) / graph.width, (box.height - 2 * PAD) / graph.height, 1), MIN_ZOOM, MAX_ZOOM);
    setView({ k, x: (box.width - graph.width * k) / 2, y: Math.max(PAD, (box.height - graph.height * k) / 2) });
  }, [graph]);

  // A new graph (a re-layout after an edit) fits itself; focus stays on the same node when it still exists.
  useLayoutEffect(fit, [fit]);
  useEffect(() => setFocused((f) => (f && byId.has(f) ? f : graph.nodes[0]?.id)), [byId, graph]);

  const zoomAt = useCallback((factor: number, cx?: number, cy?: number) => {
    setView((v) => {
      const box = container.current?.getBoundingClientRect();
      const px = cx ?? (box ? box.width / 2 : 0);
      const py = cy ?? (box ? box.height / 2 : 0);
      const k = clamp(v.k * factor, MIN_ZOOM, MAX_ZOOM);
      return { k, x: px - ((px - v.x) * k) / v.k, y: py - ((py - v.y) * k) / v.k };
    });
  }, []);

  /** Pans just enough to bring a node on screen. */
  const reveal = useCallback((node: LaidOutNode) => {
    setView((v) => {
      const box = container.current?.getBoundingClientRect();
      if (!box) return v;
      const left = node.x * v.k + v.x;
      const top = node.y * v.k + v.y;
      const right = left + node.width * v.k;
      const bottom = top + node.height * v.k;
      let { x, y } = v;
      if (left < PAD) x += PAD - left;
      else if (right > box.width - PAD) x -= right - (box.width - PAD);
      if (top < PAD) y += PAD - top;
      else if (bottom > box.height - PAD) y -= bottom - (box.height - PAD);
      return x === v.x && y === v.y ? v : { ...v, x, y };
    });
  }, []);

  const focusNode = useCallback(
    (id: string) => {
      const node = byId.get(id);
      if (!node) return;
      setFocused(id);
      setTipOnFocus(true);
      reveal(node);
      nodeRefs.current.get(id)?.focus({ preventScroll: true });
    },
    [byId, reveal],
  );

  const onKeyDown = (event: KeyboardEvent) => {
    const current = focused ? byId.get(focused) : undefined;
    const key = event.key;
    const direction = DIRECTIONS[key];
    let handled = true;
    if (direction && current) {
      const next = nearest(graph.nodes, current, direction);
      if (next) focusNode(next.id);
    } else if (key === 'Home' && graph.nodes[0]) focusNode(graph.nodes[0].id);
    else if (key === 'End' && graph.nodes.length) focusNode(graph.nodes[graph.nodes.length - 1]!.id);
    else if (key === 'Enter' && current && onOpen) onOpen(current.id);
    else if ((key === 'r' || key === 'R') && current && onRun && isStep(current)) onRun(current.id);
    else if (key === '+' || key === '=') zoomAt(1.25);
    else if (key === '-') zoomAt(0.8);
    else if (key === '0') fit();
    else if (key === 'Escape') setTipOnFocus(false);
    else handled = false;
    if (handled) {
      event.preventDefault();
      event.stopPropagation();
    }
  };

  const onWheel = (event: WheelEvent) => {
    const box = container.current!.getBoundingClientRect();
    zoomAt(Math.exp(-event.deltaY * 0.0015), event.clientX - box.left, event.clientY - box.top);
  };
  const onPointerDown = (event: PointerEvent) => {
    if (event.button !== 0) return;
    drag.current = { x: event.clientX, y: event.clientY, vx: view.x, vy: view.y, moved: false };
  };
  const onPointerMove = (event: PointerEvent) => {
    const d = drag.current;
    if (!d) return;
    const dx = event.clientX - d.x;
    const dy = event.clientY - d.y;
    if (!d.moved && Math.abs(dx) + Math.abs(dy) < 4) return;
    if (!d.moved) (event.currentTarget as HTMLElement).setPointerCapture(event.pointerId);
    d.moved = true;
    setView((v) => ({ ...v, x: d.vx + dx, y: d.vy + dy }));
  };
  const onPointerUp = () => {
    // A drag that moved is a pan, not a click on whatever node it ended over.
    const moved = drag.current?.moved;
    drag.current = undefined;
    if (moved) suppressClick.current = true;
  };
  const suppressClick = useRef(false);

  const open = useCallback(
    (id: string) => {
      if (suppressClick.current) {
        suppressClick.current = false;
        return;
      }
      setFocused(id);
      onOpen?.(id);
    },
    [onOpen],
  );
  const run = useCallback((id: string) => onRun?.(id), [onRun]);
  const setRef = useCallback((id: string, el: SVGGElement | null) => {
    if (el) nodeRefs.current.set(id, el);
    else nodeRefs.current.delete(id);
  }, []);

  const tipId = hovered ?? (tipOnFocus ? focused : undefined);
  const tipNode = tipId ? byId.get(tipId) : undefined;
  const linked = useMemo(() => {
    const near = new Set<string>();
    for (const e of graph.edges) if (e.from === focused || e.to === focused) near.add(`${e.from}\u0000${e.to}`);
    return near;
  }, [graph, focused]);

  return (
    <div
      ref={container}
      className="fb-graph"
      onKeyDown={onKeyDown}
      onWheel={onWheel}
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onPointerUp={onPointerUp}
      onPointerCancel={onPointerUp}
    >
      <svg className="fb-graph-svg" role="group" aria-label={`${label}: ${graph.nodes.length} nodes; arrow keys move between them`} aria-roledescription="graph">
        <defs>
          <marker id={`${uid}-arrow`} viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
            <path d="M0,0 L10,5 L0,10 z" className="fb-graph-arrowhead" />
          </marker>
        </defs>
        <g transform={`translate(${view.x},${view.y}) scale(${view.k})`}>
          <g className="fb-graph-edges" aria-hidden="true">
            {graph.edges.map((e) => (
              <path
                key={`${e.from}\u0000${e.to}`}
                className={`fb-graph-edge${linked.has(`${e.from}\u0000${e.to}`) ? ' fb-graph-edge-linked' : ''}${status?.[e.from]?.state === 'running' || status?.[e.to]?.state === 'running' ? ' fb-graph-edge-running' : ''}`}
                d={pathOf(e.points)}
                markerEnd={`url(#${uid}-arrow)`}
                data-from={e.from}
                data-to={e.to}
              />
            ))}
          </g>
          {graph.nodes.map((n) => (
            <GraphNodeView
              key={n.id}
              node={n}
              status={status?.[n.id]}
              focused={n.id === focused}
              runnable={!!onRun && isStep(n)}
              tooltipId={n.id === tipId ? `${uid}-tip` : undefined}
              onOpen={open}
              onRun={run}
              onHover={setHovered}
              onFocusNode={setFocused}
              setRef={setRef}
            />
          ))}
        </g>
      </svg>
      {tipNode && <Tooltip id={`${uid}-tip`} node={tipNode} status={status?.[tipNode.id]} view={view} />}
      <div className="fb-graph-toolbar">
        <button type="button" className="fb-graph-button" aria-label="Zoom out" title="Zoom out (-)" onClick={() => zoomAt(0.8)}>
          −
        </button>
        <button type="button" className="fb-graph-button" aria-label="Zoom in" title="Zoom in (+)" onClick={() => zoomAt(1.25)}>
          +
        </button>
        <button type="button" className="fb-graph-button" aria-label="Fit to view" title="Fit (0)" onClick={fit}>
          Fit
        </button>
      </div>
    </div>
  );
}

interface NodeViewProps {
  node: LaidOutNode;
  status: NodeStatus | undefined;
  focused: boolean;
  runnable: boolean;
  tooltipId: string | undefined;
  onOpen(id: string): void;
  onRun(id: string): void;
  onHover(id: string | undefined): void;
  onFocusNode(id: string): void;
  setRef(id: string, el: SVGGElement | null): void;
}

const RUN_SIZE = 18;

const GraphNodeView = memo(function GraphNodeView({ node, status, focused, runnable, tooltipId, onOpen, onRun, onHover, onFocusNode, setRef }: NodeViewProps) {
  const state = status?.state;
  const stateText = state ? STATE_LABELS[state] : undefined;
  const textWidth = node.width - 24 - (runnable ? RUN_SIZE + 6 : 0);
  return (
    <g
      ref={(el) => setRef(node.id, el)}
      className={`fb-graph-node fb-graph-kind-${node.kind}${state ? ` fb-graph-state-${state}` : ''}${focused ? ' fb-graph-focused' : ''}`}
      transform={`translate(${node.x},${node.y})`}
      role="button"
      tabIndex={focused ? 0 : -1}
      aria-label={`${node.label}, ${KIND_LABELS[node.kind]}${stateText ? `, ${stateText}` : ''}`}
      aria-describedby={tooltipId}
      data-id={node.id}
      data-state={state}
      onClick={() => onOpen(node.id)}
      onMouseEnter={() => onHover(node.id)}
      onMouseLeave={() => onHover(undefined)}
      onFocus={() => onFocusNode(node.id)}
    >
      <rect className="fb-graph-box" width={node.width} height={node.height} rx={node.kind === 'source' ? node.height / 2 : 4} />
      <rect className="fb-graph-stripe" width={4} height={node.height} rx={2} />
      <text className="fb-graph-label" x={12} y={node.detail ? node.height / 2 - 3 : node.height / 2 + 4}>
        {fitText(node.label, textWidth, 7)}
      </text>
      {node.detail && (
        <text className="fb-graph-detail" x={12} y={node.height / 2 + 12}>
          {fitText(node.detail, textWidth, 6)}
        </text>
      )}
      {runnable && (
        <g
          className="fb-graph-run-button"
          role="button"
          aria-label={`Run ${node.label}`}
          transform={`translate(${node.width - RUN_SIZE - 6},${(node.height - RUN_SIZE) / 2})`}
          onClick={(event) => {
            event.stopPropagation();
            onRun(node.id);
          }}
        >
          <title>Run {node.label}</title>
          <rect width={RUN_SIZE} height={RUN_SIZE} rx={3} />
          <path d="M6,4 L14,9 L6,14 z" />
        </g>
      )}
    </g>
  );
});

function Tooltip({ id, node, status, view }: { id: string; node: LaidOutNode; status: NodeStatus | undefined; view: View }) {
  const left = Math.max(0, node.x * view.k + view.x);
  const top = (node.y + node.height) * view.k + view.y + 6;
  const reasons = status?.reasons ?? [];
  const heading = status?.state === 'invalid' ? 'Cannot run because:' : status?.state === 'running' ? 'Running because:' : 'Stale because:';
  return (
    <div id={id} role="tooltip" className="fb-graph-tooltip" style={{ left, top }}>
      <div className="fb-graph-tooltip-title">
        <strong>{node.label}</strong>
        {status && <span className="fb-muted"> — {STATE_LABELS[status.state]}</span>}
      </div>
      {node.detail && <div className="fb-muted fb-graph-tooltip-detail">{node.detail}</div>}
      {status?.message && <div className="fb-graph-tooltip-message">{status.message}</div>}
      {reasons.length > 0 && (
        <>
          <div>{heading}</div>
          <ul className="fb-graph-reasons">
            {reasons.map((r, i) => (
              <li key={i}>{r}</li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}

type Direction = { dx: number; dy: number };
const DIRECTIONS: Record<string, Direction> = {
  ArrowUp: { dx: 0, dy: -1 },
  ArrowDown: { dx: 0, dy: 1 },
  ArrowLeft: { dx: -1, dy: 0 },
  ArrowRight: { dx: 1, dy: 0 },
};

/** The node whose centre lies most nearly in `dir` from `from`'s: distance along it, sideways drift costing double. */
export function nearest(nodes: readonly LaidOutNode[], from: LaidOutNode, dir: Direction): LaidOutNode | undefined {
  const cx = from.x + from.width / 2;
  const cy = from.y + from.height / 2;
  let best: LaidOutNode | undefined;
  let bestScore = Infinity;
  for (const n of nodes) {
    if (n === from) continue;
    const dx = n.x + n.width / 2 - cx;
    const dy = n.y + n.height / 2 - cy;
    const along = dx * dir.dx + dy * dir.dy;
    if (along <= 0) continue;
    const across = Math.abs(dir.dx ? dy : dx);
    const score = along + 2 * across;
    if (score < bestScore) {
      bestScore = score;
      best = n;
    }
  }
  return best;
}

function pathOf(points: readonly { x: number; y: number }[]): string {
  return points.map((p, i) => `${i ? 'L' : 'M'}${round(p.x)},${round(p.y)}`).join(' ');
}

const round = (v: number) => Math.round(v * 10) / 10;
const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/** Cuts a label to the width the box leaves it (an estimate per character: SVG text does not wrap). */
function fitText(text: string, width: number, charWidth: number): string {
  const max = Math.max(3, Math.floor(width / charWidth));
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
