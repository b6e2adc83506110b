// Entry of the SQL preview panel's bundle (dist/webviews/preview.js).
import { mountPanel } from '../platform';
import { App } from './app';
import type { ViewState } from './contract';
import './sql-preview.css';

mountPanel<ViewState>((client) => <App client={client} />);
