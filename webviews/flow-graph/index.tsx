// Entry of the flow-graph panel's bundle (dist/webviews/graph.js).
import { mountPanel } from '../platform';
import { App } from './app';
import type { ViewState } from './contract';
import './flow-graph.css';

mountPanel<ViewState>((client) => <App client={client} />);
