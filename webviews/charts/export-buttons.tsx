// The PNG/SVG export buttons every chart shows when its parent can save files.
export function ExportButtons(props: { title: string; onPng(): void; onSvg(): void }) {
  return (
    <span className="fb-chart-actions">
      <button type="button" className="fb-chart-button" aria-label={`Export ${props.title} as PNG`} onClick={props.onPng}>
        PNG
      </button>
      <button type="button" className="fb-chart-button" aria-label={`Export ${props.title} as SVG`} onClick={props.onSvg}>
        SVG
      </button>
    </span>
  );
}
