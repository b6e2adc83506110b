// Entry of the experiments panel's bundle (dist/webviews/experiments.js).
import { mountPanel } from '../platform';
import { App } from './app';
import type { ViewState } from './contract';
import './experiments.css';

mountPanel<ViewState>((client) => <App client={client} />);
// The first rows show start times, and the page's first toLocaleString loads ICU's date formats (measured:
// 40-60 ms): loaded right after the page's first render, while it waits for the host's runs, not in the render
// that paints the first rows. (Not at idle: a host that answers at once leaves the page no idle time before
// those rows, and the render would pay it after all.)
setTimeout(() => new Date(0).toLocaleString());
