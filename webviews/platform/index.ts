// The webview side of the panel platform; see webviews/README.md.
export {};
