// Entry of the experiments panel's bundle (dist/webviews/experiments.js).
import { mountPanel } from '../platform';
import { App } from './app';
import type { ViewState } from './contract';
import './experiments.css';

mountPanel<ViewState>((client) => <App client={client} />);
