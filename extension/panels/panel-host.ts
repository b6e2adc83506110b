// The host side of every panel: one PanelHost per panel kind creates (or revives, after a window reload,
// through its WebviewPanelSerializer) the webview panel, serves it the page from extension/panels/html.ts
// with only the bundle folder as a local resource root, and routes messages to a vscode-free controller.
// A revived panel's controller says Hello, so a webview that outlived the extension host re-sends Ready
// and gets its state again.
import { readFileSync } from 'node:fs';
import * as vscode from 'vscode';
import type { WireMessage } from '../../webviews/platform/protocol';
import { panelHtml } from './html';
import type { ProcessLog } from '../process-log';

export interface PanelController extends vscode.Disposable {
  receive(message: unknown): Promise<void>;
  hello(): void;
  /** The panel was hidden or shown again (a controller that polls pauses while hidden). */
  setVisible?(visible: boolean): void;
}

export interface PanelKind<C extends PanelController = PanelController> {
  viewType: string;
  title: string;
  /** The panel's bundle name in dist/webviews (see scripts/webviews.mjs PANELS). */
  bundle: string;
  controller(post: (message: WireMessage) => void): C;
}

export class PanelHost<C extends PanelController = PanelController> implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private current: C | undefined;
  private readonly root: vscode.Uri;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    context: vscode.ExtensionContext,
    private readonly kind: PanelKind<C>,
    private readonly log: ProcessLog,
  ) {
    this.root = vscode.Uri.joinPath(context.extensionUri, 'dist', 'webviews');
    this.disposables.push(
      vscode.window.registerWebviewPanelSerializer(kind.viewType, {
        deserializeWebviewPanel: async (panel) => {
          this.attach(panel);
          this.current?.hello();
        },
      }),
    );
  }

  /** The controller of the open panel, opening it first if needed. */
  show(column = vscode.ViewColumn.Active): C {
    if (this.panel) this.panel.reveal(column);
    else this.attach(vscode.window.createWebviewPanel(this.kind.viewType, this.kind.title, column, {}));
    return this.current!;
  }

  /** The open panel's controller, if any. */
  get controller(): C | undefined {
    return this.current;
  }

  private attach(panel: vscode.WebviewPanel): void {
    this.panel?.dispose();
    this.panel = panel;
    panel.title = this.kind.title;
    panel.iconPath = vscode.Uri.joinPath(this.root, '..', '..', 'media', 'flowbench.svg');
    panel.webview.options = { enableScripts: true, localResourceRoots: [this.root] };
    const controller = this.kind.controller((message) => void panel.webview.postMessage(message));
    this.current = controller;
    controller.setVisible?.(panel.visible);
    const subscriptions = [
      panel.webview.onDidReceiveMessage((message) => controller.receive(message).catch((err) => this.log.error(`${this.kind.title}: message failed`, err))),
      panel.onDidChangeViewState(() => controller.setVisible?.(panel.visible)),
      panel.onDidDispose(() => {
        for (const d of subscriptions) d.dispose();
        controller.dispose();
        if (this.panel === panel) {
          this.panel = undefined;
          this.current = undefined;
        }
      }),
    ];
    const file = (name: string) => panel.webview.asWebviewUri(vscode.Uri.joinPath(this.root, name)).toString();
    const { title, bundle } = this.kind;
    const preload = this.preload()[bundle]?.map(file);
    panel.webview.html = panelHtml({ title, source: panel.webview.cspSource, script: file(`${bundle}.js`), styles: [file(`${bundle}.css`)], preload });
  }

  /** The static chunks of every bundle (written by scripts/webviews.mjs); none if the build wrote none. */
  private preload(): Record<string, string[]> {
    try {
      return JSON.parse(readFileSync(vscode.Uri.joinPath(this.root, 'preload.json').fsPath, 'utf8')) as Record<string, string[]>;
    } catch {
      return {};
    }
  }

  dispose(): void {
    this.panel?.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
