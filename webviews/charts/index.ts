// Thin wrappers over the chart libraries: uPlot for histories and scatter, ECharts for parallel coordinates.
import './charts.css';

export { HistoryChart, type HistoryChartProps, type ChartHandle } from './history-chart';
export { TimeSeriesChart, type TimeSeriesChartProps } from './time-series-chart';
export { ScatterChart, type ScatterChartProps, type ScatterPoint } from './scatter-chart';
export { ParallelCoordinates, type ParallelCoordinatesProps, type ParallelAxis, type ParallelHandle, type AxisValue } from './parallel-coordinates';
export { brushFilter, type AxisBrush } from './brush';
export { toCsv, type ExportData, type ExportHandler } from './export';
export { useChartTheme, readChartTheme, type ChartTheme } from './theme';
