// Entry of the Endpoint Monitor's bundle (dist/webviews/monitor.js).
import { mountPanel } from '../platform';
import { App } from './app';
import type { ViewState } from './contract';
import './endpoint-monitor.css';

mountPanel<ViewState>((client) => <App client={client} />);
