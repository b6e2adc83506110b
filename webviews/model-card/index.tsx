// Entry of the model card panel's bundle (dist/webviews/card.js).
import { mountPanel } from '../platform';
import { App } from './app';
import type { ViewState } from './contract';
import './model-card.css';

mountPanel<ViewState>((client) => <App client={client} />);
